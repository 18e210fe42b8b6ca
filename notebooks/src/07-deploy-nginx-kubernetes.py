# %% [markdown]
# # 07 · Deploying the set: nginx and Kubernetes
#
# **What you'll do:** write the nginx configuration the seed shows — and the mutual-TLS
# lines it leaves out — run a real nginx with your certificates, repeat the seed's three
# curl checks against it, and write the Kubernetes Secret and Ingress the seed mentions.
#
# **What you'll learn:** why nginx needs `fullchain.crt` (not `server.crt`), which CA file
# verifies client certificates and how deep it must look, and why `curl -k` proves nothing.
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
from pkilab import (client_ca_bundle, kubernetes_ca_secret, kubernetes_ingress,
                    kubernetes_tls_secret, nginx_server_block)
from pkilab.lesson import check, have, lab_dir
from pkilab.lesson import curl as run_curl
from pkilab import NginxServer, find_nginx

lab = lab_dir("07")
# lab.example.com is the host of the Kubernetes Ingress in section 5: the certificate
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
# * `ssl_verify_client on` — require a certificate (`optional` lets the application decide).
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

# %%
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
# ## 5. Kubernetes: a TLS Secret and an Ingress
#
# The seed: *将两个文件 base64 到 secret, 再将 secret 配置到 ingress*. A `kubernetes.io/tls`
# Secret holds `tls.crt` — the **full chain** — and `tls.key`. For mTLS, ingress-nginx reads
# the client CAs from a second Secret (`ca.crt`) named in its `auth-tls-*` annotations.
# (These are the annotations of the ingress-nginx controller, shown as one example; other
# controllers have their own, and the Kubernetes Gateway API is the newer way to route.)
# Its `auth-tls-verify-depth` is nginx's `ssl_verify_depth`, with the same default of 1 —
# too shallow for our two intermediates, so the Ingress sets 3. The certificate of this
# lesson's set names `lab.example.com`, the Ingress's host.

# %%
def short(text, width=88):
    """Long base64 lines cut for display."""
    return "\n".join(line if len(line) <= width else line[:width - 1] + "…"
                     for line in text.splitlines())


fullchain = (lab / "fullchain.crt").read_bytes()
print(short(kubernetes_tls_secret("lab-tls", fullchain, (lab / "server.key").read_bytes())))
print("---")
print(short(kubernetes_ca_secret("lab-client-ca", client_ca_bundle(lab))))
print("---")
print(kubernetes_ingress("lab", "lab.example.com", "lab-tls", "web",
                         client_ca_secret="lab-client-ca"))
names = cs.server.certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
print("server.crt is valid for:", [str(name.value) for name in names.value])

# %% [markdown]
# (`kubectl create secret tls lab-tls --cert=fullchain.crt --key=server.key` writes the same
# Secret. Keep the key out of git: a Secret is only base64, not encryption.)
#
# Cloud load balancers (AWS ACM with an ALB/NLB, Alibaba Cloud CLB, ...) and Apache take
# the same two things: upload the **full chain** and the key (Apache:
# `SSLCertificateFile fullchain.crt` + `SSLCertificateKeyFile server.key`). For mTLS they
# also need the **client CA bundle** (`client-ca.crt`; Apache: `SSLCACertificateFile`
# with `SSLVerifyClient require` and `SSLVerifyDepth`).
#
# ## Recap
#
# * nginx serves `fullchain.crt` + `server.key`; for mTLS add `ssl_client_certificate`
#   (every CA up to the root), `ssl_verify_client on` and `ssl_verify_depth` (at least the
#   number of intermediates: 2 for our clients; nginx's default 1 allows only one).
# * Test with `curl --cacert root.crt`, never `-k`.
# * Kubernetes: a `kubernetes.io/tls` Secret with the full chain; client CAs in `ca.crt` and
#   the ingress's `auth-tls-*` annotations.
#
# ## Exercise 1: optional client certificates
#
# Set `optional_block` to the server block (for `/etc/nginx/ssl`, `example.com`) in which
# nginx *asks* for a client certificate but lets requests without one through.
#
# `ssl_verify_client optional` precisely: a certificate that *is* sent is verified (a bad
# one still gets `400 The SSL certificate error`); a request without one goes through, and
# the application reads `$ssl_client_verify` (`SUCCESS`, `NONE`, or `FAILED:reason`) to
# decide. (pkilab's `HTTPSServer(mtls="on")` is different: it answers the 400 page
# without a certificate, like nginx's `on` — see the table in lesson 06, section 4.)

# %%
optional_block = None  # your code here
check(lambda: "ssl_verify_client optional;" in optional_block,
      "nginx_server_block(..., mtls='optional')")

# %% tags=["hide-cell"]
# Solution
optional_block = nginx_server_block("/etc/nginx/ssl", server_name="example.com",
                                    mtls="optional")
check(lambda: "ssl_verify_client optional;" in optional_block,
      "nginx_server_block(..., mtls='optional')")

# %% [markdown]
# ## Exercise 2: the right curl
#
# Which of these commands tests the seed's mTLS setup *and* checks the server? Set `right`
# to its letter.
#
# * a: `curl --cert client.crt --key client.key -k https://example.com`
# * b: `curl --cert client.crt --key client.key --cacert root.crt https://example.com`
# * c: `curl --cacert root.crt https://example.com`

# %%
right = None  # "a", "b" or "c"
check(right == "b", "one sends no client certificate, one does not check the server")

# %% tags=["hide-cell"]
# Solution: a turns verification off (-k); c sends no client certificate.
right = "b"
check(right == "b", "one sends no client certificate, one does not check the server")
