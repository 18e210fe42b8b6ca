# %% [markdown]
# # 05 · One-way TLS: what HTTPS really does
#
# **What you'll do:** start a real HTTPS server inside this notebook with the certificate
# set from the earlier lessons, talk to it with pkilab's client and with `curl`, record the
# handshake message by message, and then break it on purpose: an untrusted root, a wrong
# host name, a server that forgets its intermediates.
#
# **What you'll learn:** what the client checks (and what `curl -k` skips), why modern
# TLS 1.2 configurations use an *ephemeral* (EC)DHE key exchange instead of "the client
# encrypts a random number with the server's public key", and what TLS 1.3 hides from an
# eavesdropper (and what it does not).
#
# **What you'll need:** lessons 01–03 (keys, certificates, chains). `curl` is optional:
# without it, its cells say so and the pkilab client shows the same thing.
#
# Seed section: *HTTPS 单向认证 (SSL/TLS)*.

# %%

import re
import subprocess

from pkilab import build_certificate_set, describe_key, write_certificate_set
from pkilab import load_any, same_public_key
from pkilab.exercises import l05
from pkilab.lesson import have, lab_dir, run_pkilab
from pkilab.lesson import curl as run_curl
from pkilab import HTTPSServer, TLSConnectionError, request
from pkilab import compare_traces, record

lab = lab_dir("05")
cs = build_certificate_set(seed="lesson-05")
write_certificate_set(cs, lab / "set")
print(sorted(p.name for p in (lab / "set").iterdir()))

# %% [markdown]
# `curl` is run on the same files, from `_lab/05/set/`. The server's port changes on every
# run, so the commands below print it as `PORT` (these little helpers do only that; the
# second shows the lines of `curl -v` that name handshake messages):

# %%
def curl(*args, url=None):
    """curl in _lab/05/set/ against our server (or ``url``); pkilab.lesson.curl does the rest."""
    return run_curl(url or server.url, *args, cwd=lab / "set")


def curl_verbose(*args, keep=("TLS handshake", "SSL connection using")):
    """``curl -v``, printing only the lines that contain one of ``keep``, port as PORT."""
    argv = ["curl", "-v", "-sS", "-o", "/dev/null", *args, server.url]
    print("$ " + " ".join(argv).replace(f":{server.port}", ":PORT"))
    if not have("curl"):
        print("(curl is not installed on this machine: this cross-check is skipped)")
        return
    done = subprocess.run(argv, cwd=lab / "set", capture_output=True, text=True, timeout=20)
    for line in done.stderr.splitlines():
        if any(k in line for k in keep):
            print(re.sub(r"\s+\(\d+\):$", "", line))


# %% [markdown]
# ## 1. The seed's walk-through
#
# The seed describes one-way HTTPS in six steps:
#
# 1. the client opens the connection and sends the SSL protocol version it speaks;
# 2. the server sends its certificate, `server.crt`;
# 3. the client reads the server's public key from `server.crt`;
# 4. the client makes a random number **R**, encrypts it with the server's public key, and
#    sends it;
# 5. the server decrypts it with `server.key` and so learns **R**;
# 6. both sides encrypt the rest of the conversation with **R**.
#
# Keep it in mind: we will compare it with what really crosses the wire.
#
# ## 2. A server in the notebook
#
# `HTTPSServer` serves `fullchain.crt` + `server.key` on 127.0.0.1 with a free port, like
# the seed's nginx `ssl_certificate` / `ssl_certificate_key`. It runs in background
# threads that never print; what happens is recorded in `server.events`.

# %%
# The name makes a re-run of this cell replace its server instead of starting a second one
server = HTTPSServer(lab / "set", name="05 main")   # or HTTPSServer(cs, ...): from memory
server.start()
server

# %% [markdown]
# The client trusts `root.crt` — that is all it needs: the server sends the rest of the
# chain. The page tells us what the server knows about us.

# %%
result = request(server.url, ca=lab / "set" / "root.crt")
print(result)
print()
print(result.body)

# %% [markdown]
# Read the second line: the TLS version and the **cipher suite** both sides agreed on.
# `server chain (verified)` is the path the client *built and checked*: the server's
# certificate, the two intermediates it sent, and our own root at the end.
#
# The same request with curl. `--cacert root.crt` tells curl which root to trust:

# %% tags=["needs-curl"]
curl("--cacert", "root.crt")

# %% [markdown]
# ## 3. What crosses the wire
#
# `pkilab.trace.record` makes the same request and records every handshake message the
# client sent or received, in order. First TLS 1.2 (still common), then TLS 1.3:

# %%
tls12 = record(server.url, ca=lab / "set" / "root.crt", tls_version="1.2")
print(tls12)

# %%
tls13 = record(server.url, ca=lab / "set" / "root.crt", tls_version="1.3")
print(tls13)

# %% [markdown]
# Side by side, and as a picture:

# %%
print(compare_traces(tls12, tls13))

# %% tags=["nbval-ignore-output"]
from pkilab.viz import draw_handshakes

draw_handshakes(tls12, tls13, titles=["TLS 1.2, one-way", "TLS 1.3, one-way"])

# %% [markdown]
# ## 4. Correcting the seed
#
# **Step 1** is right in spirit: the `ClientHello` offers versions and cipher suites (and,
# in TLS 1.3, already a key share, so the handshake needs one round trip less).
#
# **Steps 2–3** leave out the point of the certificate: the server sends its *chain*, and
# the client **verifies** it — every signature up to a root it trusts, the dates, the
# extendedKeyUsage `serverAuth`, and that the host name it dialled is in the
# subjectAltName. Without that check, anyone can send a certificate (section 6).
#
# **Steps 4–5 are not what happens.** "The client encrypts R with the server's public key"
# was *RSA key exchange*. TLS 1.3 removed it; TLS 1.2 still allows it, but modern TLS 1.2
# configurations switch it off and use the ephemeral (EC)DHE exchange you see in the trace.
# The seed's own `curl -v` log says so too: it shows a `Server key exchange` message and
# the suite `ECDHE-RSA-AES256-GCM-SHA384` — ECDHE, not RSA, agreed the keys, and the
# server's RSA key only signed. curl, pinned to TLS 1.2 against our server:
#
# %% tags=["needs-curl"]
curl_verbose("--cacert", "root.crt", "--tls-max", "1.2")

# %% [markdown]
# * in `ServerKeyExchange` the server sends a fresh elliptic-curve public key, **signed**
#   with `server.key` — the signature proves the server owns the certificate;
# * in `ClientKeyExchange` the client sends its own fresh public key;
# * each side combines its private half with the other's public half and gets the **same
#   secret**, which never crossed the wire. The session keys come from it.
#
# Here `server.key` only *signs*; it never decrypts anything — and an EC key cannot
# encrypt a secret the way the seed's RSA story needs. (Old TLS 1.2 did have *static* ECDH
# suites, `ECDH_ECDSA_…`, in which the certificate's EC key itself took part in agreeing
# the secret: no forward secrecy, and no modern configuration offers them. Modern TLS never
# uses the certificate key to agree keys.)

# %%
print("server key:", describe_key(cs.server.private_key))
print("TLS 1.2 cipher:", tls12.result.cipher)
print("TLS 1.3 cipher:", tls13.result.cipher)

# %% [markdown]
# Read the TLS 1.2 name from left to right: `ECDHE` key exchange, `ECDSA` signatures (the
# server's key), `AES256-GCM` encryption, `SHA384` hash. The TLS 1.3 name lists only the
# encryption and hash: in a full handshake its key exchange is *always* ephemeral (EC)DHE.
# (Only a session resumption with a pre-shared key alone skips it: the mode `psk_ke`, "PSK
# key exchange" without a fresh share, which gives up forward secrecy for that session;
# clients normally offer `psk_dhe_ke`, the PSK combined with a fresh (EC)DHE share.)
#
# Every TLS 1.3 trace ends with the server's **NewSessionTicket** messages (TLS 1.2 may
# send one too, before its `ChangeCipherSpec`): an encrypted ticket the client may keep
# and present on its next connection to resume the session — skipping the certificate
# and the signature — with a key both sides derived from this handshake. They carry no
# certificate and no secret a listener could use. pkilab's client opens a new full
# handshake each time and never uses them.
#
# Why it matters: with RSA key exchange, whoever steals `server.key` one day can decrypt
# every conversation recorded before. With ephemeral keys, the secrets are thrown away after
# each handshake — *forward secrecy*.
#
# **Step 6**: both sides derive keys from the shared secret, and the `Finished` messages
# (already encrypted) prove that both saw the same handshake — a tampered `ClientHello`
# would be caught here.
#
# ## 5. What TLS 1.3 hides
#
# In the TLS 1.3 table, everything after `ServerHello` is marked *encrypted* — including the
# server's `Certificate`. The recorder could name those messages because it reads them
# *inside* the client, after decryption. An eavesdropper on the network sees only this:

# %%
wire13 = record(server.url, ca=lab / "set" / "root.crt", tls_version="1.3", source="records")
rows = wire13.table().splitlines()
print("\n".join(rows[:11]))  # the handshake; the HTTP request and reply follow
print("... then more EncryptedRecords: the HTTP request and reply, session tickets, goodbyes")

# %% [markdown]
# After `ServerHello`, `EncryptedRecord` and a size, nothing more. What that hides is
# *which* certificate this connection used, not the certificate itself: a server's
# certificate is public — anyone can connect and fetch it (the impostor test in section 6
# does exactly that), and public CAs publish theirs in Certificate Transparency logs. The
# real privacy gain is for the **client's** certificate in mutual TLS (lesson 06): in TLS
# 1.2 it crosses in the clear and names the person; in TLS 1.3 it is encrypted. (Only the
# handshake rows are printed: after it, the request, the reply and the server's session
# tickets cross at the same time, in an order that varies from run to run.) It does
# **not** hide whom you talk to: the `ClientHello` is always in the clear,
# and its SNI extension carries the server name (pkilab's client sends `localhost` as
# `server_hostname`, as browsers send the site's name), and the server's IP address is on
# every packet. Encrypted Client Hello (ECH), still being rolled out, is the fix in
# progress: it encrypts the name as well. In TLS 1.2
# the same view shows the `Certificate` in clear text (try `source="records"` with
# `tls_version="1.2"`). (The `ChangeCipherSpec` messages in TLS 1.3 carry nothing; they
# are sent only so that old middleboxes let the connection through.)
#
# ## 6. What `curl -k` hides
#
# The seed's curl commands all use `-k`, "because we use self-signed certificates". Without
# `--cacert`, curl trusts only the system's roots, which do not include ours:

# %% tags=["needs-curl"]
curl()

# %% [markdown]
# `-k` makes that error go away — and with it, **every** check of who answers. To see what
# it hides, make an impostor: a server whose certificate comes from another CA that
# happens to use the *same names* (`pkilab Root CA`, `localhost`). Each cell below starts
# it in a `with` block, which stops it again.

# %%
impostor_set = build_certificate_set(seed="lesson-05 impostor")
print("same names:", impostor_set.root.certificate.subject == cs.root.certificate.subject,
      "| same key:", same_public_key(impostor_set.root.private_key, cs.root.private_key))

# %% tags=["needs-curl"]
with HTTPSServer(impostor_set) as impostor:
    curl("-k", "-w", r"\nverify result: %{ssl_verify_result}\n", url=impostor.url)

# %% [markdown]
# curl talked to the impostor and showed its page. Encryption was on — but to whom? The
# `ssl_verify_result` 20 is the seed's "unable to get local issuer certificate (20),
# continuing anyway": curl noticed and went on. With `--cacert root.crt`, it refuses:

# %% tags=["needs-curl"]
with HTTPSServer(impostor_set) as impostor:
    curl("--cacert", "root.crt", url=impostor.url)

# %% [markdown]
# pkilab's client has the same switch, `insecure=True`, and says loudly what it means:

# %%
with HTTPSServer(impostor_set) as impostor:
    print(request(impostor.url, ca=lab / "set" / "root.crt", insecure=True))

# %% [markdown]
# ### Trusting a root without `--cacert` — never a lesson root
#
# `--cacert` is the right tool for a lab. Adding a root to the operating system's trust
# store makes *every* program on the machine trust it — and trust **whoever holds its
# key** to speak for any website.
#
# > **⚠ Never add a lesson's `root.crt` to a trust store.** Every lesson set is built
# > from a seed text that is printed in the lesson and stored in the repository
# > (`build_certificate_set(seed="lesson-05")`), so that outputs stay the same from run
# > to run. Anyone can run the same line and get the same root **private key**; a machine
# > that trusts a lesson root lets anyone impersonate any site to it. The same holds for
# > every seed-built set in lessons 01–07 and in pkilab's tests.
#
# The proof takes one line: rebuild the set from its seed and compare the key with
# the `root.key` on disk.

# %%
on_disk = load_any((lab / "set" / "root.key").read_bytes()).private_keys[0]
print("rebuilt from the seed, same root key:",
      same_public_key(build_certificate_set(seed="lesson-05").root.private_key, on_disk))

# %% [markdown]
# If you want to try the trust store, make a **fresh random set** with `pkilab init`: its
# keys come from the operating system's random generator and exist only in that folder.
# (Its output shows dates counted from today, so it differs from run to run.)

# %% tags=["nbval-ignore-output"]
exit_code = run_pkilab("init trust-demo", cwd=lab)

# %% [markdown]
# Then, with **`trust-demo/root.crt`** (never a lesson set's), and a plan to undo it:
#
# | system | add | remove afterwards |
# |---|---|---|
# | Debian/Ubuntu | `sudo cp trust-demo/root.crt /usr/local/share/ca-certificates/pkilab-demo.crt` (must end in `.crt`), then `sudo update-ca-certificates` | `sudo rm /usr/local/share/ca-certificates/pkilab-demo.crt`, then `sudo update-ca-certificates --fresh` |
# | Red Hat/Fedora | copy to `/etc/pki/ca-trust/source/anchors/`, then `sudo update-ca-trust` | delete it there, then `sudo update-ca-trust` |
# | macOS | `sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain trust-demo/root.crt` | `sudo security delete-certificate -c "pkilab Root CA" /Library/Keychains/System.keychain` (or Keychain Access → System → delete) |
# | Windows | `certutil -addstore -user Root trust-demo\root.crt` | `certutil -delstore -user Root "pkilab Root CA"` (or `certmgr.msc` → Trusted Root Certification Authorities → delete) |
# | Firefox | Settings → Privacy & Security → Certificates → *View Certificates…* → *Authorities* → Import | the same list → select *pkilab* → *Delete or Distrust…* |
#
# curl, wget and most system tools use the system store (Python's `ssl` too; `requests`
# uses `certifi` unless told otherwise); Java keeps its own (a truststore, lesson 04).
# **Firefox 120 and later also trusts roots added to the OS store** by default on
# Windows, macOS and Android (the setting `security.enterprise_roots.enabled`); on Linux
# it uses its own list. So remove the root from the OS store *and* check Firefox's list.
#
# Apple adds a rule of its own: macOS and iOS refuse a TLS **server** certificate valid
# for more than **825 days**, even when its root is one you trusted yourself. The lesson
# set's server certificate is far too long-lived for that (it lasts many years, so that
# stored lesson outputs stay true): it would not work there. `pkilab init`'s would:

# %%
def days_valid(certificate):
    return (certificate.not_valid_after_utc - certificate.not_valid_before_utc).days


fresh_server = load_any((lab / "trust-demo" / "server.crt").read_bytes()).certificates[0]
for label, certificate in (("lesson set", cs.server.certificate), ("pkilab init", fresh_server)):
    days = days_valid(certificate)
    print(f"{label:12} server.crt valid {days:5} days:",
          "refused by Apple (over 825)" if days > 825 else "within Apple's 825 days")

# %% [markdown]
# Which CA should sign a real server's certificate? A **public** server (a website, a
# public API) needs a **public CA** that browsers already trust — Let's Encrypt (free,
# automated with the ACME protocol, e.g. certbot), DigiCert, Sectigo, GlobalSign and
# others, or your cloud's certificate service. Public CAs can lose that trust: Chrome and
# Mozilla stopped trusting **Entrust** for certificates issued after November 2024 (the
# seed still names it), after years of compliance failures. And public certificates are
# now for servers only: **Let's Encrypt stopped issuing certificates with the clientAuth
# usage in 2026**, and the other public CAs are dropping it too. A **private PKI** like
# ours is for labs, internal services and, above all, **mTLS client certificates** —
# which is exactly why mutual TLS (lesson 06) needs the private CA the seed builds: there
# you decide who gets one, and only your own servers need to trust your root.
#
# ## 7. Break it on purpose
#
# Each failure comes back as a `TLSConnectionError` with a short `kind`, and *what*, *why*
# and *fix* in words. The server's log is emptied first, so that its last cell shows only
# what this section does.
#
# **An untrusted root.** We hand the client the impostor's root instead of ours:

# %%
server.clear_events()
try:
    request(server.url, ca=impostor_set.root.certificate)
except TLSConnectionError as err:
    print(err.kind)
    print("what:", err.what)
    print("why: ", err.why)
    print("fix: ", err.fix)

# %% [markdown]
# **A wrong host name.** The certificate is for `localhost` and `127.0.0.1`. We connect to
# the same server but check the name `www.example.com` (curl's `--resolve` does the same:
# it sends the connection to 127.0.0.1 but expects a certificate for that name):

# %%
try:
    request(server.url, ca=lab / "set" / "root.crt", host="www.example.com")
except TLSConnectionError as err:
    print(err.kind, "-", err.what)
    print("why:", err.why)

# %% [markdown]
# `127.0.0.1` works, because it is in the subjectAltName:

# %%
print(request(f"https://127.0.0.1:{server.port}/", ca=lab / "set" / "root.crt").status)

# %% [markdown]
# The server saw all of this from the other side. In its log, each refused handshake shows
# the alert the client sent it (`unknown CA`; `bad certificate` for the wrong name):

# %%
server.wait_idle()  # let the server's threads finish writing their notes
print(server.take_events())

# %% [markdown]
# The wrong name with curl. curl checks the host name only *after* the handshake, so the
# server sees no alert from it — curl simply hangs up (the server's log calls that
# `closed`):

# %% tags=["needs-curl"]
curl("--cacert", "root.crt", "--resolve", f"www.example.com:{server.port}:127.0.0.1",
     url=f"https://www.example.com:{server.port}/")
server.wait_idle()
print(server.take_events())

# %% [markdown]
# **A missing intermediate on the server.** The classic deployment mistake: configure
# `server.crt` instead of `fullchain.crt`. Browsers often cope (they cache intermediates or
# download them); curl, Python and most API clients do not:

# %%
with HTTPSServer(lab / "set", chain="leaf") as leaf_only:
    try:
        request(leaf_only.url, ca=lab / "set" / "root.crt")
    except TLSConnectionError as err:
        print(err.kind, "-", err.what)
        print("why:", err.why)
        print("fix:", err.fix)

# %% tags=["needs-curl"]
with HTTPSServer(lab / "set", chain="leaf") as leaf_only:
    curl("--cacert", "root.crt", url=leaf_only.url)

# %% [markdown]
# Note curl's text: "unable to get local issuer certificate" — the very same words as for
# the impostor. OpenSSL cannot tell a missing link from a foreign CA; pkilab looks at what
# the server sent to tell them apart.
#
# ## Recap
#
# * One-way TLS: the server proves who it is; the client stays anonymous.
# * The client **verifies** the chain (signatures up to a trusted root, dates, purpose,
#   host name). `curl -k` / `insecure=True` switch all of that off: use `--cacert root.crt`.
# * Modern TLS does not encrypt a secret with the server's key: both sides contribute
#   ephemeral (EC)DHE shares and the server *signs* (`curl -v` shows `Server key
#   exchange`). Old recordings stay safe even if `server.key` leaks later (forward
#   secrecy).
# * TLS 1.3 encrypts everything after `ServerHello`: an observer cannot tell which
#   certificate a connection used (the server's own certificate is public anyway; the
#   client's, in mTLS, is what gains). The server name (SNI in the `ClientHello`) and the
#   IP address stay visible (ECH fixes the name).
# * A server must send `fullchain.crt`; "unable to get local issuer certificate" can mean a
#   missing intermediate *or* a root you do not trust.
# * Never trust a lesson root anywhere: its key can be rebuilt from its seed. Try trust
#   stores with a fresh `pkilab init` set, and remove the root afterwards.
#
# ## Exercise 1: the server's key share
#
# In the TLS 1.2 trace, which message carries the server's ephemeral ECDHE public key
# (signed with `server.key`)? Set `answer` to its name.

# %%
answer = None  # e.g. "ClientHello"
l05.key_share_check(answer, tls12)

# %% tags=["hide-cell"]
# Solution: the server's messages, in order; the one between Certificate and
# ServerHelloDone is the answer. (Own names, so "Run All" leaves your answer alone.)
print(tls12.sent_by("server"))
solution_answer = tls12.sent_by("server")[tls12.sent_by("server").index("Certificate") + 1]
l05.key_share_check(solution_answer, tls12)

# %% [markdown]
# ## Exercise 2: a second site
#
# Issue a certificate for `api.localhost` only from `cs.intermediate2`, serve it with
# `HTTPSServer(..., name="05 api").start()` as `api_server`, and request it so that the
# client checks the name `api.localhost`; keep the response in `api_result`. The check
# connects to your server itself, so leave it running until the check has passed (the
# last cell of the lesson stops it).

# %%
api_server = None  # your server here
api_result = None  # your request's result here
l05.second_site_check(api_server, api_result, cs)

# %% tags=["hide-cell"]
# Solution (own names; a with block stops this server when the check is done)
solution_api = cs.intermediate2.issue_server(["api.localhost"])
with HTTPSServer(solution_api) as solution_server:
    solution_result = request(solution_server.url, ca=cs.root.certificate,
                              host="api.localhost")
    print(solution_result.summary())
    l05.second_site_check(solution_server, solution_result, cs)

# %% [markdown]
# ## Exercise 3: what does an eavesdropper see?
#
# Record a TLS **1.2** handshake as the wire shows it (`source="records"`) into `wire12`,
# and set `visible` to `True` if the server's `Certificate` can be read by anyone on the
# network, `False` if not — computed from `wire12.messages` (each has `.name`,
# `.sender` and `.encrypted`).

# %%
wire12 = None  # your trace here
visible = None  # True or False, computed from wire12
l05.eavesdropper_check(visible, wire12)

# %% tags=["hide-cell"]
# Solution (own names)
solution_wire = record(server.url, ca=lab / "set" / "root.crt", tls_version="1.2",
                       source="records")
solution_visible = any(m.name == "Certificate" and m.sender == "server" and not m.encrypted
                       for m in solution_wire.messages)
l05.eavesdropper_check(solution_visible, solution_wire)

# %% [markdown]
# Finally, stop the servers (leaving a `with` block does this by itself):

# %%
server.stop()
if isinstance(api_server, HTTPSServer):
    api_server.stop()
server
