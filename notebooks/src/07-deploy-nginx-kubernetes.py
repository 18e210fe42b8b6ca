# %% [markdown]
# # 07 · Deploying the set: nginx and Kubernetes
#
# **What you'll do:** write the nginx configuration the seed shows — and the mutual-TLS
# lines it leaves out — run a real nginx with your certificates, repeat the seed's three
# curl checks against it, let only allowed clients in, and write the Kubernetes objects
# that replace the seed's Ingress (a TLS Secret, a Gateway, cert-manager).
#
# **What you'll learn:** why nginx needs `fullchain.crt` (not `server.crt`), which CA file
# verifies client certificates and how deep it must look, why `curl -k` proves nothing,
# the difference between *who you are* and *may you*, and what cloud load balancers want.
#
# **What you'll need:** lessons 03 and 06. `nginx` and `curl` are optional: without them
# the lesson shows the configuration and skips the live part.
#
# Seed sections: *服务器配置示例(以Nginx为例)*, *服务端部署时 ... K8S Ingress*, *验证*.

# %%
import subprocess

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from pkilab import build_certificate_set, write_certificate_set
from pkilab import (cert_manager_ca_issuer, cert_manager_certificate, client_ca_bundle,
                    gateway_api_gateway, gateway_api_httproute, kubernetes_ca_configmap,
                    kubernetes_tls_secret, nginx_client_identity, nginx_server_block)
from pkilab.exercises import l07
from pkilab.lesson import have, lab_dir
from pkilab.lesson import curl as run_curl
from pkilab import NginxServer, find_nginx

lab = lab_dir("07")
# lab.example.com is the host of the Kubernetes Gateway in section 6: the certificate
# must name it too, or every client would refuse the ingress.
cs = build_certificate_set(seed="lesson-07",
                           server_names=["localhost", "127.0.0.1", "lab.example.com"])
write_certificate_set(cs, lab)
print(sorted(p.name for p in lab.iterdir()))

# %% [markdown]
# ## 1. The seed's server block
#
# The seed's nginx example serves `fullchain.crt` (server + intermediates) with
# `server.key`. Here it is for files copied to `/etc/nginx/ssl/` (the paths are where you
# would put them on a server, not this notebook's folder):

# %%
print(nginx_server_block("/etc/nginx/ssl", server_name="example.com"))

# %% [markdown]
# ## 2. Mutual TLS: the lines the seed leaves out
#
# For mTLS the seed only says "also upload root.crt". nginx needs three lines:
#
# * `ssl_client_certificate` — the CAs that vouch for clients. Our clients are issued by
#   **intermediate2**, and `curl --cert client.crt` sends only the client's own certificate,
#   so the file must hold intermediate2, intermediate1 *and* the root (`client-ca.crt`).
# * `ssl_verify_client on` — require a certificate (`optional` lets the application decide;
#   `optional_no_ca` lets *any* certificate through — section 5).
# * `ssl_verify_depth` — how many intermediate CAs may stand between the client
#   certificate and the root. nginx's default of **1** allows exactly one: a client issued
#   by intermediate1 would pass, but ours hang below intermediate2 → intermediate1 → root,
#   two intermediates, so they need **2**. We write 3 to leave room for one more level.

# %%
print(nginx_server_block("/etc/nginx/ssl", server_name="example.com", mtls="on"))
(lab / "client-ca.crt").write_bytes(client_ca_bundle(lab))
print("client-ca.crt holds", (lab / "client-ca.crt").read_bytes().count(b"BEGIN CERTIFICATE"),
      "certificates")

# %% [markdown]
# ## 3. A real nginx, and the seed's three curl checks
#
# `NginxServer` writes a complete configuration around that block (listening on 127.0.0.1
# only, on a free port), starts nginx in the foreground, and stops it when the `with`
# block ends. Then the seed's three cases — with `--cacert root.crt` instead of `-k`:

# %%
def curl(url, *args):
    """Like the seed's curl, but verifying the server against our root (never -k)."""
    return run_curl(url, "--cacert", "root.crt", *args, cwd=lab, html_title=True)


# %% tags=["needs-nginx", "needs-curl"]
if find_nginx() and have("curl"):
    with NginxServer(lab, mtls="on") as nginx:
        curl(nginx.url, "--cert", "client.crt", "--key", "client.key")
        curl(nginx.url, "--cert", "client2.crt", "--key", "client2.key")
        refused = curl(nginx.url)
    print("\nwithout a certificate nginx answers:",
          "400 No required SSL certificate was sent" in refused.stdout)
else:
    print("(nginx or curl is not installed here: this live part is skipped)")

# %% [markdown]
# `client.crt` and `client2.crt` both get in, with their names in `$ssl_client_s_dn`; no
# certificate gets nginx's 400 page — exactly the seed's results, but this time curl also
# checked the *server*, so the test means something.
#
# ## 4. What `-k` hides, and what depth 1 breaks
#
# The seed runs every curl with `-k` ("do not check the certificate, we are self-signed").
# Trusting `root.crt` with `--cacert` is just as easy and keeps the check. Watch what curl
# says without either, and what nginx does with its default `ssl_verify_depth 1`: our
# `client.crt` (two intermediates) against a client issued directly by intermediate1 (one
# intermediate), then `client.crt` again at depth 2.

# %% tags=["needs-nginx", "needs-curl"]
if find_nginx() and have("curl"):
    with NginxServer(lab, mtls="on") as nginx:
        done = subprocess.run(["curl", "-sS", "--cert", "client.crt", "--key", "client.key",
                               nginx.url], cwd=lab, capture_output=True, text=True, timeout=20)
        print("curl without --cacert:", done.stderr.strip().splitlines()[0])
    short_chain = cs.intermediate1.issue_client("one-level")   # one intermediate only
    (lab / "one-level.pem").write_bytes(
        short_chain.certificate.public_bytes(serialization.Encoding.PEM)
        + short_chain.private_key.private_bytes(serialization.Encoding.PEM,
                                                serialization.PrivateFormat.PKCS8,
                                                serialization.NoEncryption()))
    with NginxServer(lab, mtls="on", verify_depth=1) as nginx:
        print("\nssl_verify_depth 1:")
        curl(nginx.url, "--cert", "client.crt", "--key", "client.key")
        curl(nginx.url, "--cert", "one-level.pem")
    with NginxServer(lab, mtls="on", verify_depth=2) as nginx:
        print("\nssl_verify_depth 2:")
        curl(nginx.url, "--cert", "client.crt", "--key", "client.key")
else:
    print("(nginx or curl is not installed here: this live part is skipped)")

# %% [markdown]
# Without `--cacert`, curl refuses the server (its issuer is not in the system's trust
# store) — `-k` would have silenced that and would equally accept an attacker's server.
# With depth 1, nginx refuses our perfectly valid `client.crt` — `400 The SSL certificate
# error` — because its path has two intermediates; the client one level higher gets in.
# Depth 2 is the least our chain needs (the set's files use 3). Note that nginx finished
# the handshake and answered with an HTTP page even for a certificate it rejected.
#
# %% [markdown]
# ## 5. Authorization: who may in, not only who you are
#
# Every setting above answers *who is this client?* (authentication). nginx lets
# `client` and `client2` both in because the same CA vouches for both. Deciding *may
# this client see this page?* (authorization) is a separate step — and with nginx's
# `optional_no_ca` (lesson 06, section 4) it is the *only* step: that mode hands any
# certificate through, and `$ssl_client_s_dn` then says whatever its maker wrote. Here is
# a stranger from another CA whose certificate claims to be our `client2`, against
# `optional_no_ca` and a location that trusts the DN alone:

# %% tags=["needs-nginx", "needs-curl"]
stranger = build_certificate_set(seed="lesson-07 stranger").clients["client2"]
(lab / "stranger.pem").write_bytes(
    stranger.certificate.public_bytes(serialization.Encoding.PEM)
    + stranger.private_key.private_bytes(serialization.Encoding.PEM,
                                         serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption()))
naive = nginx_server_block(lab, mtls="optional_no_ca").replace(
    "    location / {",
    '    if ($ssl_client_s_dn != "CN=client2,O=pkilab") { return 403; }   # the DN alone\n'
    "    location / {")
if find_nginx() and have("curl"):
    with NginxServer(lab, block=naive) as nginx:
        curl(nginx.url, "--cert", "stranger.pem")
else:
    print("(nginx or curl is not installed here: this live part is skipped)")

# %% [markdown]
# The stranger got in as `CN=client2` although nginx itself says `FAILED`. Authorization
# must look at `$ssl_client_verify` first. `nginx_server_block(allow=[...])` writes that:
#
# * a `map` that is 1 only when `$ssl_client_verify` is `SUCCESS` **and** the client's DN
#   (`$ssl_client_s_dn`) or SHA-1 fingerprint (`$ssl_client_fingerprint`) is on the list
#   (the text then starts with `map` blocks: it belongs in nginx's `http { }` context,
#   where `conf.d/*.conf` files are included);
# * `if (... = 0) { return 403; }`: a valid certificate that is not on the list is
#   refused;
# * `error_page 495 496`: nginx's internal codes for "certificate failed verification"
#   (495) and "no certificate sent" (496), which it normally answers with the 400 pages —
#   here turned into a 403 page that names the reason.
#
# A DN names whoever the CA gave that name (it survives renewal, and is only as unique
# as the CA keeps it); a fingerprint names one certificate exactly. `nginx_client_identity`
# gives both as nginx prints them:

# %%
dn, sha1 = nginx_client_identity(cs.clients["client2"].certificate)
print("DN:         ", dn)
print("fingerprint:", sha1)
print(nginx_server_block("/etc/nginx/ssl", server_name="example.com", mtls="optional_no_ca",
                         allow=[dn]))

# %% [markdown]
# The same four clients against it — client2 (allowed), client (valid, not allowed), the
# stranger with client2's name, and no certificate at all:

# %% tags=["needs-nginx", "needs-curl"]
if find_nginx() and have("curl"):
    with NginxServer(lab, mtls="optional_no_ca", allow=[dn]) as nginx:
        curl(nginx.url, "--cert", "client2.crt", "--key", "client2.key")
        curl(nginx.url, "--cert", "client.crt", "--key", "client.key")
        curl(nginx.url, "--cert", "stranger.pem")
        curl(nginx.url)
else:
    print("(nginx or curl is not installed here: this live part is skipped)")

# %% [markdown]
# ### Telling the application who it is
#
# Behind nginx, the application learns the client's identity from request headers. Two
# rules: forward only what nginx **verified**, and never pass on a copy the client wrote
# itself — a client can send `X-Client-DN: CN=admin` in its own request. With
# `upstream=...`, the block proxies to the application and sets `X-Client-Verify`,
# `X-Client-DN` and `X-Client-Fingerprint`: `proxy_set_header` replaces any header of
# the same name the client sent, and the DN and fingerprint are empty — so not sent at
# all — unless the certificate verified:

# %%
print(nginx_server_block("/etc/nginx/ssl", server_name="example.com", mtls="optional_no_ca",
                         upstream="http://127.0.0.1:8080"))

# %% [markdown]
# (`tests/test_deploy.py` runs exactly this against a real nginx and an application that
# echoes its headers: a forged `X-Client-DN` never arrives, a stranger arrives without a
# DN.) In ingress-nginx the equivalents are annotations: `auth-tls-match-cn` (a regular
# expression the client's subject must match) and `auth-tls-pass-certificate-to-upstream`
# (the client's certificate in the `ssl-client-cert` header); the controller also sends
# `ssl-client-verify` and `ssl-client-subject-dn`.
#
# ## 6. Kubernetes: a TLS Secret, the Gateway API, cert-manager
#
# The seed: *将两个文件 base64 到 secret, 再将 secret 配置到 ingress*. A `kubernetes.io/tls`
# Secret holds `tls.crt` — the **full chain** — and `tls.key`. (`kubectl create secret
# tls lab-tls --cert=fullchain.crt --key=server.key` writes the same. Keep the key out of
# git: a Secret is only base64, not encryption.) The certificate of this lesson's set
# names `lab.example.com`, the host used below.

# %%
def short(text, width=88):
    """Long base64 lines cut for display."""
    return "\n".join(line if len(line) <= width else line[:width - 1] + "…"
                     for line in text.splitlines())


fullchain = (lab / "fullchain.crt").read_bytes()
print(short(kubernetes_tls_secret("lab-tls", fullchain, (lab / "server.key").read_bytes())))
names = cs.server.certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
print("server.crt is valid for:", [str(name.value) for name in names.value])

# %% [markdown]
# **The controller behind the seed's Ingress is retired.** The seed's Ingress is written
# for the ingress-nginx controller (its `nginx.ingress.kubernetes.io/auth-tls-*`
# annotations). ingress-nginx was **retired in March 2026**: no more releases, no more
# security fixes. (The Ingress API itself still exists; other controllers read it with
# their own annotations.)
# Clusters that still run it should move; for them, pkilab still writes its Ingress
# (`kubernetes_ingress(..., client_ca_secret=..., match_cn=...)`), with
# `auth-tls-verify-depth` 3 for the same reason as nginx's `ssl_verify_depth`.
#
# The current way to route traffic into a cluster is the **Gateway API** (this lesson
# follows Gateway API v1.4, `gateway.networking.k8s.io/v1`): a `Gateway` with an HTTPS
# listener that terminates TLS with the Secret, and an `HTTPRoute` that sends the host
# to a Service. Client certificates (mutual TLS) are checked by the Gateway against a CA
# bundle in a ConfigMap's `ca.crt` (a CA certificate is public: no Secret needed) —
# `spec.tls.frontend.default.validation` from GEP-91, in the Gateway API's
# *experimental* channel as of v1.4, so check that your implementation supports it.
# `AllowValidOnly` refuses clients without a valid certificate; `AllowInsecureFallback`
# lets them through, like nginx's `optional`. The chain depth a Gateway accepts is up to
# the implementation.

# %%
print(kubernetes_ca_configmap("lab-client-ca", client_ca_bundle(lab)).split("\n  ca.crt")[0]
      + "\n  ca.crt: |   (intermediate2 + intermediate1 + root, PEM)")
print("---")
print(gateway_api_gateway("lab", "lab.example.com", "lab-tls",
                          client_ca_configmap="lab-client-ca"), end="")
print("---")
print(gateway_api_httproute("lab", "lab", "lab.example.com", "web"), end="")

# %% [markdown]
# **Issuing and renewing inside the cluster: cert-manager.** Copying files into Secrets by
# hand works once; certificates expire. cert-manager is the usual controller that issues
# and renews them: an `Issuer` says who signs — here a CA Issuer holding intermediate2's
# certificate and key in a Secret (give the cluster its own intermediate, never the
# root's key) — and each `Certificate` says what to issue, into which Secret, and when to
# renew. It makes the key itself, so the key never leaves the cluster. The same Issuer
# can issue client certificates (`usages: ["client auth"]`) for services that talk mTLS
# to each other.

# %%
print(cert_manager_ca_issuer("lab-ca", "lab-intermediate2"), end="")
print("---")
print(cert_manager_certificate("lab", "lab-tls", ["lab.example.com"], "lab-ca"), end="")
print("---")
print(cert_manager_certificate("alice", "alice-client-tls", [], "lab-ca",
                               common_name="alice", usages=["client auth"]), end="")

# %% [markdown]
# (The Issuer's Secret is `kubernetes_tls_secret("lab-intermediate2",
# intermediate2.crt, intermediate2.key)` — the same kind of Secret as above, holding a CA
# key: guard it like `root.key`.)
#
# ## 7. Cloud load balancers and Apache: not "the same two files"
#
# The seed says to upload the two files wherever the load balancer wants them. The
# details differ, and they matter:
#
# * **AWS Certificate Manager (ACM)**: importing takes the certificate, the key and the
#   **chain as three separate inputs** (`aws acm import-certificate --certificate
#   fileb://server.crt --private-key fileb://server.key --certificate-chain
#   fileb://chain.crt`, the chain being intermediate2 + intermediate1) — not
#   `fullchain.crt`. Certificates ACM *issues* itself are never uploaded: ACM keeps their
#   keys and renews them, and they cannot be exported — except the newer (paid)
#   *exportable public certificates*, requested as such, and certificates from AWS
#   Private CA.
# * **ALB mutual TLS** uses a **trust store**: the client CA bundle (`client-ca.crt`)
#   uploaded to S3 and attached to the HTTPS listener, in *verify* mode (the ALB checks
#   the client) or *passthrough* (it forwards the client's chain to the application in a
#   header, and the application must verify it).
# * **NLB TLS listeners do not do mutual TLS**: to check client certificates behind an
#   NLB, use a TCP listener and terminate TLS (with mTLS) in your own servers, e.g. nginx.
# * Other clouds (Alibaba Cloud CLB, ...) have their own certificate and CA-certificate
#   upload forms; read which chain and which CA bundle each field wants.
# * **Apache**: `SSLCertificateFile fullchain.crt` + `SSLCertificateKeyFile server.key`;
#   for mTLS `SSLCACertificateFile client-ca.crt` with `SSLVerifyClient require` and
#   `SSLVerifyDepth 2` or more.
#
# And the client certificates themselves always come from a **private CA** like this
# one: public CAs no longer issue them (Let's Encrypt stopped issuing certificates with
# the clientAuth usage in 2026).
#
# ## Recap
#
# * nginx serves `fullchain.crt` + `server.key`; for mTLS add `ssl_client_certificate`
#   (every CA up to the root, or the root alone if clients send their chain),
#   `ssl_verify_client on` and `ssl_verify_depth` (at least the number of
#   intermediates: 2 for our clients; nginx's default 1 allows only one).
# * Test with `curl --cacert root.crt`, never `-k`.
# * Authentication is not authorization: allow by DN or fingerprint **and** only when
#   `$ssl_client_verify` is `SUCCESS` (`optional_no_ca` passes strangers); forward only
#   verified identities upstream, replacing whatever the client sent.
# * Kubernetes: a `kubernetes.io/tls` Secret with the full chain; ingress-nginx is retired
#   — use a Gateway (client CAs in a ConfigMap's `ca.crt`) and let cert-manager issue and
#   renew.
# * Cloud load balancers take certificate, key and chain separately (ACM), check client
#   certificates against a trust store (ALB), or not at all (NLB TLS listeners).
#
# ## Exercise 1: optional client certificates
#
# Set `optional_block` to a server block for **this lesson's folder** (`lab`) in which
# nginx *asks* for a client certificate, verifies one that is sent, but lets requests
# without one through (the application then reads `$ssl_client_verify`: `SUCCESS`,
# `NONE`, or `FAILED:reason`). Where nginx is installed, the check runs `nginx -t` on your
# block, serves it, and connects without a certificate, as client and client2, and as a
# stranger from another CA. (pkilab's `HTTPSServer(mtls="on")` is different: it answers
# the 400 page without a certificate, like nginx's `on` — see lesson 06, section 4.)

# %%
optional_block = None  # your code here

# %% tags=["needs-nginx"]
l07.optional_block_check(optional_block, lab)

# %% tags=["hide-cell", "needs-nginx"]
# Solution (own names, so "Run All" leaves your answer alone)
solution_block = nginx_server_block(lab, mtls="optional")
l07.optional_block_check(solution_block, lab)

# %% [markdown]
# ## Exercise 2: only client2
#
# Set `allow_block` to a server block for `lab` in which nginx lets only **client2** see
# the page: `client` (valid, but not allowed) gets 403, and neither a stranger from
# another CA nor a request without a certificate gets in. Use client2's DN or its
# fingerprint. The check serves your block with a real nginx where one is installed.

# %%
allow_block = None  # your code here

# %% tags=["needs-nginx"]
l07.allow_block_check(allow_block, lab)

# %% tags=["hide-cell", "needs-nginx"]
# Solution: the fingerprint names exactly this certificate (own names)
solution_dn, solution_sha1 = nginx_client_identity(cs.clients["client2"].certificate)
solution_allow = nginx_server_block(lab, mtls="on", allow=[solution_sha1])
l07.allow_block_check(solution_allow, lab)

# %% [markdown]
# ## Exercise 3: the right curl
#
# Which of these commands tests the seed's mTLS setup *and* checks the server? Set `right`
# to its letter.
#
# * a: `curl --cert client.crt --key client.key -k https://example.com`
# * b: `curl --cert client.crt --key client.key --cacert root.crt https://example.com`
# * c: `curl --cacert root.crt https://example.com`

# %%
right = None  # "a", "b" or "c"
l07.right_curl_check(right)

# %% tags=["hide-cell"]
# Solution: a turns verification off (-k); c sends no client certificate.
solution_right = "b"
l07.right_curl_check(solution_right)
