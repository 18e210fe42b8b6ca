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
from cryptography import x509

from pkilab import build_certificate_set, describe_key, write_certificate_set
from pkilab.lesson import check, lab_dir
from pkilab.lesson import curl as run_curl
from pkilab import HTTPSServer, TLSConnectionError, request
from pkilab import compare_traces, record

lab = lab_dir("05")
cs = build_certificate_set(seed="lesson-05")
write_certificate_set(cs, lab / "set")
print(sorted(p.name for p in (lab / "set").iterdir()))

# %% [markdown]
# `curl` is run on the same files, from `_lab/05/set/`. The server's port changes on every
# run, so the commands below print it as `PORT` (this little helper does only that):

# %%
def curl(*args, url=None):
    """curl in _lab/05/set/ against our server (or ``url``); pkilab.lesson.curl does the rest."""
    return run_curl(url or server.url, *args, cwd=lab / "set")


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
server = HTTPSServer(lab / "set")   # or HTTPSServer(cs): the same set, from memory
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

# %%
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
# configurations switch it off and use the ephemeral (EC)DHE exchange you see in the trace:
#
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
# (Only a session resumption with a pre-shared key alone, `psk_ke`, skips it; clients
# normally combine the PSK with a fresh (EC)DHE share.)
#
# Why it matters: with RSA key exchange, whoever steals `server.key` one day can decrypt
# every conversation recorded before. With ephemeral keys, the secrets are thrown away after
# each handshake — *forward secrecy*.
#
# **Step 6**: both sides derive keys from the shared secret, and the `Finished` messages
# (already encrypted) prove that both saw the same handshake — a tampered `ClientHello`
# would be caught here.
#
# ## 5. TLS 1.3 hides the certificate
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
# After `ServerHello`, `EncryptedRecord` and a size, nothing more: the certificate stays
# private. (Only the handshake rows are printed: after it, the request, the reply and the
# server's session tickets cross at the same time, in an order that varies from run to
# run.) It does **not** hide whom you talk to: the `ClientHello` is always in the clear,
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

# %%
curl()

# %% [markdown]
# `-k` makes that error go away — and with it, **every** check of who answers. To see what
# it hides, start an impostor: a server whose certificate comes from another CA that
# happens to use the *same names* (`pkilab Root CA`, `localhost`).

# %%
impostor_set = build_certificate_set(seed="lesson-05 impostor")
impostor = HTTPSServer(impostor_set).start()
curl("-k", "-w", r"\nverify result: %{ssl_verify_result}\n", url=impostor.url)

# %% [markdown]
# curl talked to the impostor and showed its page. Encryption was on — but to whom? The
# `ssl_verify_result` 20 is the seed's "unable to get local issuer certificate (20),
# continuing anyway": curl noticed and went on. With `--cacert root.crt`, it refuses:

# %%
curl("--cacert", "root.crt", url=impostor.url)

# %% [markdown]
# pkilab's client has the same switch, `insecure=True`, and says loudly what it means:

# %%
print(request(impostor.url, ca=lab / "set" / "root.crt", insecure=True))
impostor.stop()

# %% [markdown]
# ### Trusting `root.crt` without `--cacert`, and who issues real certificates
#
# `--cacert` is the right tool for a lab. To make *every* program on a machine trust the
# lab root, add it to the operating system's trust store (text only — do not run this on
# a machine you care about without a plan to undo it):
#
# * **Debian/Ubuntu:** `sudo cp root.crt /usr/local/share/ca-certificates/pkilab-root.crt`
#   (the name must end in `.crt`), then `sudo update-ca-certificates`; curl, wget and
#   most system tools then trust it (Python's `ssl` uses the same store; `requests` uses
#   `certifi` unless told otherwise). Red Hat/Fedora: `/etc/pki/ca-trust/source/anchors/`
#   and `update-ca-trust`.
# * **macOS:** Keychain Access → System keychain → import `root.crt`, then set it to
#   *Always Trust*.
# * **Windows:** `certmgr.msc` → *Trusted Root Certification Authorities* → Import.
# * Firefox and Java keep their own stores (Firefox's certificate manager; a Java
#   truststore, lesson 04).
#
# **Remove lab roots afterwards** (delete the file and run `update-ca-certificates
# --fresh`, or delete it from the keychain/certmgr): while it is trusted, anyone holding
# `root.key` can impersonate *any* site to that machine.
#
# Which CA should sign a real server's certificate? A **public** server (a website, a
# public API) needs a **public CA** that browsers already trust — Let's Encrypt (free,
# automated with the ACME protocol, e.g. certbot), DigiCert, Sectigo, GlobalSign and
# others, or your cloud's certificate service. A **private PKI** like ours is for labs,
# internal services and, above all, **mTLS client certificates**: there you decide who
# gets one, and only your own servers need to trust your root.
#
# ## 7. Break it on purpose
#
# Each failure comes back as a `TLSConnectionError` with a short `kind`, and *what*, *why*
# and *fix* in words.
#
# **An untrusted root.** We hand the client the impostor's root instead of ours:

# %%
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

# %%
curl("--cacert", "root.crt", "--resolve", f"www.example.com:{server.port}:127.0.0.1",
     url=f"https://www.example.com:{server.port}/")

# %% [markdown]
# `127.0.0.1` works, because it is in the subjectAltName:

# %%
print(request(f"https://127.0.0.1:{server.port}/", ca=lab / "set" / "root.crt").status)

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
    curl("--cacert", "root.crt", url=leaf_only.url)

# %% [markdown]
# Note curl's text: "unable to get local issuer certificate" — the very same words as for
# the impostor. OpenSSL cannot tell a missing link from a foreign CA; pkilab looks at what
# the server sent to tell them apart.
#
# The server saw all of this from the other side. In its log, each refused handshake shows
# the alert the client sent it (`unknown CA`; `bad certificate` for the wrong name), and
# curl, which checks the host name after the handshake, simply hung up:

# %%
server.wait_idle()  # let the server's threads finish writing their notes
print(server.events)

# %% [markdown]
# ## Recap
#
# * One-way TLS: the server proves who it is; the client stays anonymous.
# * The client **verifies** the chain (signatures up to a trusted root, dates, purpose,
#   host name). `curl -k` / `insecure=True` switch all of that off: use `--cacert root.crt`.
# * Modern TLS does not encrypt a secret with the server's key: both sides contribute
#   ephemeral (EC)DHE shares and the server *signs*. Old recordings stay safe even if
#   `server.key` leaks later (forward secrecy).
# * TLS 1.3 encrypts everything after `ServerHello`, the certificates included — but the
#   server name (SNI in the `ClientHello`) and the IP address stay visible (ECH fixes the
#   name).
# * A server must send `fullchain.crt`; "unable to get local issuer certificate" can mean a
#   missing intermediate *or* a root you do not trust.
#
# ## Exercise 1: the server's key share
#
# In the TLS 1.2 trace, which message carries the server's ephemeral ECDHE public key
# (signed with `server.key`)? Set `answer` to its name.

# %%
answer = None  # e.g. "ClientHello"
check(answer == "ServerKeyExchange" and answer in tls12.sent_by("server"),
      "look at the server's messages between Certificate and ServerHelloDone")

# %% tags=["hide-cell"]
# Solution
print(tls12.sent_by("server"))
answer = "ServerKeyExchange"
check(answer == "ServerKeyExchange" and answer in tls12.sent_by("server"),
      "look at the server's messages between Certificate and ServerHelloDone")

# %% [markdown]
# ## Exercise 2: a second site
#
# Issue a certificate for `api.localhost` from `cs.intermediate2`, serve it with
# `HTTPSServer(...)`, and request it so that the client checks the name `api.localhost`.
# Keep the response in `api_result`.

# %%
api_result = None  # your code here


def api_checked(result):
    """The request worked, was verified up to our root, and named api.localhost."""
    assert result.status == 200, f"status {result.status}"
    assert result.verified and result.chain_source == "verified", \
        "the server was not verified (insecure=True?)"
    assert result.server_chain[-1] == cs.root.certificate, "the chain does not end at our root"
    leaf = result.server_chain[0]
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    # A certificate naming only api.localhost verifies only if the client checked that name
    assert [str(n.value) for n in names] == ["api.localhost"], \
        "issue the certificate for api.localhost only"
    return True


check(lambda: api_checked(api_result), "intermediate2.issue_server([...]), then "
      "request(..., host='api.localhost') inside a with HTTPSServer(...) block")

# %% tags=["hide-cell"]
# Solution
api = cs.intermediate2.issue_server(["api.localhost"])
with HTTPSServer(api) as api_server:
    api_result = request(api_server.url, ca=cs.root.certificate, host="api.localhost")
print(api_result.summary())
check(lambda: api_checked(api_result), "intermediate2.issue_server([...]), then "
      "request(..., host='api.localhost') inside a with HTTPSServer(...) block")

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


def visible_from(trace):
    """What the trace itself says: a server Certificate that is not encrypted."""
    assert trace.source == "records", "record it with source='records' (the wire's view)"
    assert trace.version == "TLS 1.2", "record it with tls_version='1.2'"
    return any(m.name == "Certificate" and m.sender == "server" and not m.encrypted
               for m in trace.messages)


check(lambda: visible is visible_from(wire12),
      "wire12 = record(server.url, ca=..., tls_version='1.2', source='records'); then "
      "look for the server's Certificate in wire12.messages")

# %% tags=["hide-cell"]
# Solution
wire12 = record(server.url, ca=lab / "set" / "root.crt", tls_version="1.2", source="records")
visible = any(m.name == "Certificate" and not m.encrypted for m in wire12.messages)
print("certificate visible on the wire in TLS 1.2:", visible)
check(lambda: visible is visible_from(wire12),
      "wire12 = record(server.url, ca=..., tls_version='1.2', source='records'); then "
      "look for the server's Certificate in wire12.messages")

# %% [markdown]
# Finally, stop the server (leaving a `with` block does this by itself):

# %%
server.stop()
server
