# %% [markdown]
# # 06 · Mutual TLS: the server asks who you are
#
# **What you'll do:** turn the lesson-05 server into a mutual-TLS (mTLS) server, replay the
# seed's three curl cases (client.crt works, client2.crt works, no certificate is
# refused) with pkilab's client and with real `curl`, record the extra handshake messages,
# and break it: a client certificate from another CA, an expired one, one that is valid but
# not allowed.
#
# **What you'll learn:** what the server really does with `client.crt` (it verifies a
# signature chain; it does not "decrypt it with root.crt"), how a missing client
# certificate fails differently in TLS 1.2 and TLS 1.3, and the difference between
# authentication (who are you?) and authorization (may you?).
#
# **What you'll need:** lesson 05. `curl`, `openssl` and `nginx` are optional: their cells
# are skipped where they are missing.
#
# Seed sections: *HTTPS 双向认证 (mTLS)*, *自签名证书 mTLS 实战*, *验证*.

# %%
import datetime as dt
import re
import subprocess

from cryptography import x509

from pkilab import build_certificate_set, write_certificate_set
from pkilab import NginxServer, find_nginx, nginx_server_block
from pkilab.exercises import l06
from pkilab.lesson import have, lab_dir
from pkilab.lesson import curl as run_curl
from pkilab import short_name
from pkilab import HTTPSServer, TLSConnectionError, request
from pkilab import compare_traces, record

lab = lab_dir("06")
cs = build_certificate_set(seed="lesson-06")
write_certificate_set(cs, lab / "set")
files = lab / "set"
print(sorted(p.name for p in files.iterdir()))

# %% [markdown]
# The same `curl` helper as in lesson 05: it runs curl in `_lab/06/set/` and prints the
# port as `PORT`. It also trims the OpenSSL version and error number from curl's messages,
# which differ between machines.

# %%
def curl(*args, url=None):
    """curl in _lab/06/set/ against our server (or ``url``); pkilab.lesson.curl does the rest."""
    return run_curl(url or server.url, *args, cwd=files)


def openssl_s_client(*args, keep=()):
    """``openssl s_client`` against our server, printing the port as PORT and only the
    lines that contain one of ``keep``."""
    argv = ["openssl", "s_client", "-connect", f"127.0.0.1:{server.port}", *args]
    print("$ " + " ".join(argv).replace(f":{server.port}", ":PORT"))
    if not have("openssl"):
        print("(openssl is not installed on this machine: this cross-check is skipped)")
        return
    done = subprocess.run(argv, cwd=files, input="", capture_output=True, text=True,
                          timeout=20)
    print("\n".join(line for line in (done.stdout + done.stderr).splitlines()
                    if any(k in line for k in keep)))


# %% [markdown]
# ## 1. The seed's walk-through
#
# The seed describes mutual authentication in ten steps:
#
# 1. the client connects and sends the SSL version it speaks;
# 2. the server sends its certificate `server.crt`;
# 3. the client reads the server's public key from it;
# 4. the client sends its certificate `client.crt`;
# 5. the server **"decrypts the client certificate with `root.crt`"** and gets the client's
#    public key;
# 6. the client sends the encryption schemes it supports;
# 7. the server picks one and sends it **encrypted with the client's public key**;
# 8. the client decrypts it with its private key, makes a random number **R**, encrypts it
#    with the server's public key and sends it;
# 9. the server decrypts **R** with `server.key`;
# 10. both use **R** from then on.
#
# We will check each step against a recording. First, the server.
#
# ## 2. A server that asks for a client certificate
#
# `mtls="required"` asks for a client certificate and accepts only those issued by the CA
# it trusts; without one, the TLS handshake itself fails (nginx's nearest setting, `on`,
# answers with a page instead: section 4).

# %%
# named: a re-run of this cell replaces its server instead of starting a second one
server = HTTPSServer(files, mtls="required", name="06 main")
server.start()
server

# %% [markdown]
# Which CAs does it trust for clients? The root **and** the two intermediates: curl sends
# only `client.crt`, so the server needs the intermediates to build the path from
# `client.crt` up to the root. (In nginx: put them all in the `ssl_client_certificate` file
# and raise `ssl_verify_depth` — it counts the intermediates between client and root, so
# this chain needs **2**; nginx's default of 1 allows only one. Lesson 07 tries both.)
# Only the self-signed root is a trust anchor.
#
# The other way round also works: the **client** sends its chain — a `--cert` file holding
# `client.crt` followed by intermediate2 and intermediate1 (curl and most clients send
# every certificate in that file) — and the server's CA file may hold only `root.crt`.
# The depth still matters then: it limits the path, wherever its certificates came from.
# A real nginx with a root-only `ssl_client_certificate` and pkilab's client sending its
# chain (an `IssuedCertificate` carries its intermediates):

# %%
for der in server.context.get_ca_certs(binary_form=True):
    print(short_name(x509.load_der_x509_certificate(der).subject))

# %% tags=["needs-nginx"]
if find_nginx() is None:
    print("(nginx is not installed on this machine: this cross-check is skipped)")
for depth in (1, 2) if find_nginx() else ():
    root_only_block = nginx_server_block(files, mtls="on", verify_depth=depth).replace(
        str((files / "client-ca.crt").resolve()), str((files / "root.crt").resolve()))
    with NginxServer(files, block=root_only_block) as root_only:
        reply = request(root_only.url, ca=files / "root.crt", cert=cs.clients["client"])
    title = re.search(r"<title>(.*?)</title>", reply.body)
    print(f"root.crt only, the client sends its chain, ssl_verify_depth {depth}:",
          title.group(1) if title else f"{reply.status} {reply.reason}")

# %% [markdown]
# ## 3. The seed's three cases, with pkilab's client
#
# **Case 1: `client.crt` / `client.key`.** The page tells us what the server learned about
# us from our certificate:

# %%
ok = request(server.url, ca=files / "root.crt", cert=files / "client.crt",
             key=files / "client.key")
print(ok.status, ok.reason)
print(ok.body)

# %% [markdown]
# **Case 2: `client2.crt` / `client2.key`** — another client, same CA:

# %%
ok2 = request(server.url, ca=files / "root.crt", cert=files / "client2.crt",
              key=files / "client2.key")
print(ok2.status, ok2.reason)
print(ok2.body)

# %% [markdown]
# **Case 3: no certificate.** The server refuses. With TLS 1.2 the refusal is part of the
# handshake itself, always the same way:

# %%
try:
    request(server.url, ca=files / "root.crt", tls_version="1.2")
except TLSConnectionError as err:
    print(err.kind, "| alert:", err.alert)
    print("what:", err.what)
    print("why: ", err.why)
    print("fix: ", err.fix)

# %% [markdown]
# With TLS 1.3 it is subtler. The client *finishes its side of the handshake before* the
# server has looked at its (empty) certificate, so `request` fails only when it reads the
# reply. What arrives then depends on timing: usually the server's `certificate required`
# alert, sometimes just the end of the connection, because the server closed it right after
# sending the alert. Both mean the same thing, and pkilab explains both:

# %%
try:
    request(server.url, ca=files / "root.crt", tls_version="1.3")
except TLSConnectionError as err:
    print("refused after the handshake:",
          err.kind in ("certificate_required", "closed_after_handshake"))
    print("fix:", err.fix)

# %% [markdown]
# ## 4. The same three cases with curl
#
# The seed's nginx answered case 3 with an HTTP page, `400 No required SSL certificate was
# sent`: nginx **finishes** the handshake without a client certificate and refuses at the
# HTTP level. pkilab's `mtls="on"` mode — named after nginx's `ssl_verify_client on` —
# reproduces that behaviour, page included, so we run the seed's commands against it,
# with `--cacert root.crt` instead of `-k`. (Lesson 07 runs a real nginx with
# `ssl_verify_client on` and gets the same page.)
#
# The likeness stops at bad certificates: real nginx also finishes the handshake for a
# client certificate it rejects (another CA, expired) and answers `400 The SSL certificate
# error`, while pkilab's server refuses it inside the handshake (section 7). The table at
# the end of this section compares the modes.

# %% tags=["needs-curl"]
with HTTPSServer(files, mtls="on") as nginx_like:
    curl("--cacert", "root.crt", "--cert", "client.crt", "--key", "client.key",
         url=nginx_like.url)
    curl("--cacert", "root.crt", "--cert", "client2.crt", "--key", "client2.key",
         url=nginx_like.url)
    curl("--cacert", "root.crt", url=nginx_like.url)

# %% [markdown]
# Against the `required` server, curl without a certificate gets no page at all: the
# connection is refused. Pinned to TLS 1.2 (`--tls-max 1.2`) so the failure happens inside
# the handshake, the same way on every run:

# %% tags=["needs-curl"]
curl("--cacert", "root.crt", "--tls-max", "1.2")

# %% [markdown]
# **One word, one meaning.** pkilab's server and nginx use the same words
# (`pkilab.modes`), named after what happens to a client:
#
# * pkilab's `HTTPSServer(mtls=...)`: `off` (no client certificate asked for), `required`
#   (the handshake fails without a trusted certificate — nginx has no such setting) and
#   `on` (nginx's `ssl_verify_client on`: the handshake finishes, the answer is the 400
#   page).
# * nginx's own `ssl_verify_client` words, which `nginx_server_block(mtls=...)` (lesson
#   07) writes unchanged: `off`, `on`, `optional` (a certificate that is sent is verified;
#   a request without one gets through with `$ssl_client_verify` = `NONE`) and
#   `optional_no_ca` (a certificate from *any* CA gets through).
#
# (Before pkilab 0.2, pkilab's server called `on` "optional", and `nginx_server_block`
# called nginx's `on` "required"; both old spellings still work, with a warning.) What
# each setting does — the nginx rows measured with nginx 1.22 and curl, and checked on
# every test run by `tests/test_deploy.py::test_real_nginx_modes_table_of_lesson_06`:
#
# | setting | no client certificate | certificate from another CA | expired certificate |
# |---|---|---|---|
# | pkilab `required` | refused in the handshake | refused in the handshake (alert) | refused in the handshake |
# | pkilab `on` | 400 *No required SSL certificate was sent* | refused in the handshake | refused in the handshake |
# | nginx `on` | 400 *No required SSL certificate was sent* | 400 *The SSL certificate error* | 400 *The SSL certificate error* |
# | nginx `optional` | passes; `$ssl_client_verify` is `NONE` | 400 *The SSL certificate error* | 400 *The SSL certificate error* |
# | nginx `optional_no_ca` | passes; `NONE` | **passes**; `FAILED:…` | 400 |
#
# ("Refused in the handshake": the server ends it with an alert; in TLS 1.3 the client
# notices only at its first read — section 3. The 400s are HTTP pages, sent after a
# completed handshake.)
#
# nginx never refuses a client certificate inside the handshake: it always answers with an
# HTTP page, which is friendlier to browsers and easier to log.
#
# > **⚠ `optional_no_ca` lets anyone in with any certificate.** The stranger's
# > certificate in section 7 says `CN=client`, exactly like ours; with `optional_no_ca`
# > nginx hands `$ssl_client_s_dn = CN=client,...` to the application although no CA it
# > trusts signed it. Whoever uses that mode must check `$ssl_client_verify = SUCCESS`
# > before believing any name (lesson 07 shows how).

# ## 5. What crosses the wire
#
# Record a one-way handshake (lesson 05's server) next to a mutual one, both TLS 1.3:

# %%
with HTTPSServer(files) as one_way_server:
    one_way = record(one_way_server.url, ca=files / "root.crt", tls_version="1.3")
mutual = record(server.url, ca=files / "root.crt", cert=files / "client.crt",
                key=files / "client.key", tls_version="1.3")
print(compare_traces(one_way, mutual))

# %% tags=["nbval-ignore-output"]
from pkilab.viz import draw_handshakes

draw_handshakes(one_way, mutual, titles=["TLS 1.3, one-way", "TLS 1.3, mutual"])

# %% [markdown]
# Three messages make it mutual: the server's `CertificateRequest`, the client's
# `Certificate` (its chain), and the client's `CertificateVerify` (a signature made with
# `client.key`). In TLS 1.3 all three are encrypted: a network observer cannot see which
# client connected.
#
# `CertificateRequest` lists the signature algorithms the server accepts and *may* list the
# names of the CAs it trusts for clients, so that a browser can offer only matching
# certificates. nginx sends the names from its `ssl_client_certificate` file; this Python
# server sends none. `openssl s_client` shows what a server sends:

# %% tags=["needs-openssl"]
openssl_s_client("-tls1_2", "-CAfile", "root.crt", "-cert", "client.crt", "-key", "client.key",
                 keep=("client certificate CA names", "Verification:"))

# %% [markdown]
# In TLS 1.2 the three messages travel in the clear:

# %%
mutual12 = record(server.url, ca=files / "root.crt", cert=files / "client.crt",
                  key=files / "client.key", tls_version="1.2")
print(mutual12)

# %% [markdown]
# ## 6. Correcting the seed
#
# **Step 5 — "the server decrypts `client.crt` with `root.crt`"** — is not what happens.
# A certificate is not encrypted; it is *signed*. The server **verifies** it: the signature
# on `client.crt` with intermediate2's public key, intermediate2's with intermediate1's, and
# so on up to the root it trusts; then the dates and the extendedKeyUsage `clientAuth`.
# Anyone can send a copy of `client.crt` (it is public), so that alone proves nothing. The
# proof is `CertificateVerify`: a signature over the whole handshake so far, made with
# `client.key`, which the server checks with the public key in `client.crt`.
#
# **Steps 6–7 — "the server sends the chosen scheme encrypted with the client's public
# key"**: the choice is in `ServerHello`, sent in the clear in both versions, right after
# the `ClientHello` that offered the schemes (step 6 happens first, in step 1).
#
# **Steps 8–10** repeat lesson 05's mistake: the secret is agreed with ephemeral ECDHE
# (`ServerKeyExchange` + `ClientKeyExchange` in TLS 1.2, key shares in the hellos in TLS
# 1.3). The client's key, like the server's, only **signs**.
#
# ## 7. Break it on purpose
#
# **A client certificate from another CA.** Same names (`CN=client`, issued by
# `pkilab Intermediate CA 2`), different keys. The server checks signatures, not names:

# %%
server.wait_idle()
server.clear_events()  # the log at the end of this section shows only what follows
stranger = build_certificate_set(seed="lesson-06 stranger").clients["client"]
try:
    request(server.url, ca=files / "root.crt", cert=stranger, tls_version="1.2")
except TLSConnectionError as err:
    print(err.kind, "| alert:", err.alert)
    print("why:", err.why)

# %% [markdown]
# **An expired client certificate**, issued by the right CA for one day in 2020:

# %%
old_laptop = cs.intermediate2.issue_client(
    "old-laptop", not_before=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc), days=1)
try:
    request(server.url, ca=files / "root.crt", cert=old_laptop, tls_version="1.2")
except TLSConnectionError as err:
    print(err.kind, "| alert:", err.alert)

# %% [markdown]
# **"On" does not mean "anything goes".** `mtls="on"` lets a client *without* a
# certificate finish the handshake (to show it the 400 page), but a certificate that *is*
# sent is still verified: the stranger is refused in the handshake. (Real nginx, with
# `on` or `optional`, would finish the handshake and answer `400 The SSL certificate
# error` — see the table in section 4. Its `optional_no_ca` passes a certificate from an
# unknown CA on to the application with `$ssl_client_verify` = `FAILED:…` — and a
# `$ssl_client_s_dn` the stranger wrote himself; Python's `ssl` has no such mode.)

# %%
with HTTPSServer(files, mtls="on") as nginx_like:
    try:
        request(nginx_like.url, ca=files / "root.crt", cert=stranger, tls_version="1.2")
    except TLSConnectionError as err:
        print(err.kind, "| alert:", err.alert)

# %% [markdown]
# **Valid, but not allowed.** A certificate proves *who* the client is (authentication).
# Whether that client may see the page is a separate decision (authorization). With an
# allow list, `client2` is recognised — and answered `403 Forbidden`. (An allow list of
# names is only as good as the check before it: here the names come from certificates the
# server verified. Lesson 07 writes the same for nginx, where `optional_no_ca` makes that
# difference matter.)

# %%
with HTTPSServer(files, mtls="required", allow=["client"]) as guarded:
    for name in ("client", "client2"):
        reply = request(guarded.url, ca=files / "root.crt", cert=files / f"{name}.crt",
                        key=files / f"{name}.key")
        print(f"{name:<8} -> {reply.status} {reply.reason}")
print(reply.body)

# %% [markdown]
# **Missing certificate, seen on the wire.** In TLS 1.2 the client sends an *empty*
# `Certificate` message and the server answers with a `handshake failure` alert before its
# own `Finished`:

# %%
refused12 = record(server.url, ca=files / "root.crt", tls_version="1.2")
print(refused12)

# %% [markdown]
# Drawn: the client's empty `Certificate` still goes out, and the server's alert (red,
# dashed) ends the handshake.

# %%
from pkilab.viz import draw_handshake

draw_handshake(refused12)

# %% [markdown]
# In TLS 1.3 the client's side is complete (its `Finished` is sent) before the server
# decides. Only the stable part is printed, because whether the server's alert reaches
# the client is a **timing race**: the client has already sent its HTTP request, which the
# server never reads. When the server closes a socket with unread data, its system sends a
# TCP reset, and a reset that arrives before the client has read the alert throws the
# alert away. pkilab's server (like nginx) waits briefly before closing so the alert
# usually wins, but two programs and a network are involved, so it is not guaranteed.

# %%
refused13 = record(server.url, ca=files / "root.crt", tls_version="1.3")
print("\n".join(refused13.names[:refused13.names.index("client: Finished") + 1]))
print("then:", "the server's 'certificate required' alert, or the end of the connection")
print("outcome:", refused13.outcome)

# %% [markdown]
# The server's own log tells each story of this section from its side (the first line is
# the stranger, the second the expired laptop):

# %%
server.wait_idle()
print(server.events)

# %% [markdown]
# ## Recap
#
# * mTLS adds three messages: `CertificateRequest`, the client's `Certificate` and its
#   `CertificateVerify`. TLS 1.3 encrypts them, so observers cannot tell who connected.
# * The server **verifies** the client's chain up to the CA it trusts (root, plus the
#   intermediates, because clients usually send only their leaf), and checks the
#   `CertificateVerify` signature made with `client.key`. Nothing is "decrypted with
#   root.crt".
# * Without a certificate, TLS 1.2 fails inside the handshake; TLS 1.3 fails at the first
#   read, with a `certificate required` alert or a closed connection. nginx instead finishes
#   the handshake and answers `400 No required SSL certificate was sent` (and `400 The SSL
#   certificate error` for a certificate it rejects).
# * pkilab's `on` (like nginx's `on` and `optional`) still verifies a certificate that is
#   sent; nginx's `optional_no_ca` does not, so there its `$ssl_client_s_dn` may be
#   anything. An allow list turns "who are you" into "may you": 403 for a valid client
#   that is not on it — and it must only ever look at verified certificates.
#
# ## Exercise 1: a new client
#
# Issue a client certificate named `alice` from `cs.intermediate2` (keep it in `alice`) and
# use it against `server`; keep the response in `alice_reply`. The check connects to the
# server with your certificate itself and looks for your request in the server's log.

# %%
alice = None  # your certificate here
alice_reply = None  # your request's result here
l06.new_client_check(server, alice, alice_reply, cs)

# %% tags=["hide-cell"]
# Solution (own names, so that "Run All" leaves your answers alone)
solution_alice = cs.intermediate2.issue_client("alice")
solution_reply = request(server.url, ca=files / "root.crt", cert=solution_alice)
print(solution_reply.body)
l06.new_client_check(server, solution_alice, solution_reply, cs)

# %% [markdown]
# ## Exercise 2: let client2 in, keep client out
#
# Set `allowed` to the allow list for which `client2` gets 200 and `client` gets 403. The
# check starts a server with your list and connects as both.

# %%
allowed = None  # a list of names
l06.allow_list_check(allowed, files)

# %% tags=["hide-cell"]
# Solution: the names are the certificates' CNs
l06.allow_list_check([short_name(cs.clients["client2"].certificate.subject)], files)

# %% [markdown]
# ## Exercise 3: what makes it mutual?
#
# Set `extra` to the set of `"sender: message"` strings that appear in the mutual trace
# but not in the one-way trace of section 5 (look at `mutual.names` and `one_way.names`).

# %%
extra = None  # e.g. {"server: Certificate"}
l06.mutual_messages_check(extra, one_way, mutual)

# %% tags=["hide-cell"]
# Solution (own names)
solution_extra = set(mutual.names) - set(one_way.names)
print(sorted(solution_extra))
l06.mutual_messages_check(solution_extra, one_way, mutual)

# %% [markdown]
# Stop the server:

# %%
server.stop()
server
