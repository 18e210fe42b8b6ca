# %% [markdown]
# # 02 · Certificate signing requests and the self-signed root CA
#
# **What you'll do:** write a certificate signing request (CSR) the way the seed does,
# check its proof of possession, turn it into a self-signed **root CA** certificate, sign a
# server's CSR with that root, and renew the root with the same key.
#
# **What you'll learn:** what a CSR is for, why a root must say `CA:TRUE`, and two places
# where the seed's openssl commands no longer do what it says.
#
# **What you'll need:** lesson 01. `openssl` is optional (its steps are skipped without it).
#
# Seed sections: *证书请求*, *自签名根证书 CA*, *自签名服务端证书* (a misleading title: that
# server certificate is signed by the root CA, not by itself — section 5).

# %%
from cryptography.hazmat.primitives import serialization

from pkilab import CertificateAuthority, InputError, build_csr, check_csr, parse_subj, show
from pkilab import derive_key
from pkilab.lesson import lab_dir, run_tool

lab = lab_dir("02")


def save(path, obj):
    """Write a certificate or CSR as PEM into the lesson folder."""
    (lab / path).write_bytes(obj.public_bytes(serialization.Encoding.PEM))


def save_key(path, key):
    (lab / path).write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (lab / path).chmod(0o600)


# %% [markdown]
# ## 1. The name: the seed's prompts as one line
#
# `openssl req -new` asks for Country, State, Locality, Organization, Unit, Common Name and
# Email. The seed answers `cn`, `bj`, `bj`, `alibaba`, `test`, `root`, `a.alibaba.com`.
# The same answers fit on one line, openssl's `-subj` form. pkilab reads that form — and
# notices the typo in the seed's email address:

# %%
try:
    parse_subj("/C=cn/ST=bj/L=bj/O=alibaba/OU=test/CN=root/emailAddress=a.alibaba.com")
except InputError as error:
    print(error)

# %%
root_name = parse_subj("/C=cn/ST=bj/L=bj/O=alibaba/OU=test/CN=root")
print(root_name.rfc4514_string())

# %% [markdown]
# The country became `CN`: ISO 3166 codes are upper case, so pkilab upper-cases it (openssl
# keeps the seed's `cn` as typed, and linters flag it).
#
# Two of the seed's rules about names, checked:
#
# * "The root's Common Name must differ from the server's and the clients'" — right in
#   spirit: what must differ is the whole *subject*. A certificate whose subject equals its
#   issuer looks self-signed, and verifiers stop building the chain there.
# * "All other fields must be the same for root, server and clients" (其他所有字段...需保持一致)
#   — that is not a rule of certificates: verifiers compare the *issuer* of one certificate
#   with the *subject* of the next, whole, and the fields of different certificates may
#   differ freely. The rule comes from **`openssl ca`**, OpenSSL's little CA program: its
#   default configuration (`openssl.cnf`) signs only requests that pass `policy_match`,
#   which says `countryName`, `stateOrProvinceName` and `organizationName` must *match*
#   the CA's, `commonName` must be supplied, and the rest is optional. The seed signs with
#   `openssl x509 -req`, which has no policy at all. (`pkilab init --subject
#   "/C=CN/ST=bj/L=bj/O=alibaba/OU=test"` shares the fields only for tidiness.)
#
# The seed's prompts end with "A challenge password" and "An optional company name": those
# are old CSR attributes, stored *in clear* in the request — not a password for the key.
# Leave them empty.
#
# ## 2. A CSR: "please certify this public key for this name"
#
# The seed: `openssl genrsa -out root.key 4096` then `openssl req -new -out root.csr -key root.key`.
# A CSR holds the name and the public key, and is **signed with the private key**. That
# signature is the *proof of possession*: whoever made the CSR holds the matching private key.
#
# Two things a CSR is **not**:
#
# * **Not encrypted.** The seed calls it "加密文本" (encrypted text). It is signed: anyone
#   can read every field (the next cell does, and so does `openssl req -text`).
# * **Not a right to a name.** The signature proves possession of the key, nothing about
#   the name in it: anyone can make a CSR that says `CN=www.bank.example`. A real CA checks
#   the names itself — with ACME (the protocol Let's Encrypt speaks) by an `http-01`
#   challenge (a file served on the domain) or a `dns-01` challenge (a TXT record in its
#   DNS); for OV and EV certificates (organisation / extended validation) it also checks
#   the organisation's papers — and it ignores most of the CSR: it keeps the public key
#   and the names it validated, and chooses the rest itself.

# %%
root_key = derive_key("ec", "lesson-02 root")    # real life: generate_key("ec")
save_key("root.key", root_key)
csr = build_csr(root_key, root_name)
save("root.csr", csr)
show(csr)

# %% tags=["needs-openssl"]
run_tool("openssl req -in root.csr -noout -verify -subject", cwd=lab)

# %% [markdown]
# What does the CA check? The CSR's signature. Someone who edits the request after signing
# it (say, to ask for another name) breaks that signature:

# %%
from cryptography import x509

der = bytearray(csr.public_bytes(serialization.Encoding.DER))
der[der.rfind(b"root")] = ord("R")                 # CN=root -> CN=Root
edited = x509.load_der_x509_csr(bytes(der))
print("edited subject:", edited.subject.rfc4514_string())
try:
    check_csr(edited)
except Exception as error:
    print(type(error).__name__ + ":", error)

# %% [markdown]
# ## 3. The seed's root: `openssl x509 -req -signkey`
#
# The seed then signs its own CSR: `openssl x509 -req -in root.csr -out root.crt -signkey
# root.key -days 3650`. That gives a self-signed certificate that never says it is a CA.
# What else it holds depends on the OpenSSL version: 3.0 and 3.1 write a **version 1**
# certificate without any extension; **3.2 and later** write version 3 with key
# identifiers (subjectKeyIdentifier, authorityKeyIdentifier) by default — but still no
# `basicConstraints CA:TRUE`. The cell prints only what is the same on every version:

# %% tags=["needs-openssl"]
from cryptography import x509

(lab / "seed-root.crt").unlink(missing_ok=True)
done = run_tool("openssl x509 -req -in root.csr -signkey root.key -days 3650 -out seed-root.crt",
                cwd=lab, keep=["Certificate request self-signature ok", "error", "Error"])
if done and (lab / "seed-root.crt").exists():
    seed_root = x509.load_pem_x509_certificate((lab / "seed-root.crt").read_bytes())
    kinds = [type(e.value).__name__ for e in seed_root.extensions]
    print("self-signed:", seed_root.issuer == seed_root.subject)
    print("says it is a CA (basicConstraints CA:TRUE):", "BasicConstraints" in kinds)

# %% [markdown]
# No `CA:TRUE`. OpenSSL still accepts such a root as a trust anchor, but strict checkers
# do not, and the same command used for *intermediates* breaks the chain (lesson 03).
# The modern openssl command adds the extensions:
#
# ```
# openssl req -x509 -new -key root.key -subj "/C=CN/ST=bj/L=bj/O=alibaba/OU=test/CN=root" \
#     -days 3650 -addext "basicConstraints=critical,CA:TRUE" \
#     -addext "keyUsage=critical,keyCertSign,cRLSign" -out root.crt
# ```
#
# ## 4. The root, done right
#
# `CertificateAuthority.create_root` makes a self-signed v3 root, valid 10 years as the
# seed asks (lesson roots get 20, 2026–2046, so that this notebook keeps its dates),
# with `basicConstraints CA:TRUE` (critical), `keyUsage keyCertSign, cRLSign` and a
# subjectKeyIdentifier:

# %%
root = CertificateAuthority.create_root(root_name, key=root_key, seed="lesson-02")
save("root.crt", root.certificate)
show(root.certificate)

# %% tags=["needs-openssl"]
run_tool("openssl x509 -in root.crt -noout -text", cwd=lab,
         keep=["Version", "CA:", "Key Usage", "Cert Sign"])

# %% [markdown]
# ## 5. Signing a server's CSR — and the seed's `-signkey` + `-CA` mix
#
# The seed's mTLS section signs the server's CSR with:
# `openssl x509 -req -in server.csr -signkey server.key -CA root.crt -CAkey root.key ...`.
# `-signkey` means "self-sign with this key" and `-CA` means "sign with the CA": the two
# contradict each other, and OpenSSL 3 refuses the command, so **no certificate is written**
# (the cell asks for `seed-server.crt`, so that pkilab's `server.crt` below is not mixed up
# with it). The seed files this under the heading "自签名服务端证书", *self-signed server
# certificate*: what it means is a server certificate signed by the root CA — the opposite
# of self-signed.

# %%
server_key = derive_key("ec", "lesson-02 server")
save_key("server.key", server_key)
server_csr = build_csr(server_key, "/C=CN/O=alibaba/CN=localhost", names=["localhost"])
save("server.csr", server_csr)

# %% tags=["needs-openssl"]
(lab / "seed-server.crt").unlink(missing_ok=True)
run_tool("openssl x509 -req -in server.csr -signkey server.key -CA root.crt -CAkey root.key "
         "-CAcreateserial -days 3650 -out seed-server.crt", cwd=lab, keep=["Cannot", "signkey"])
# (-CAcreateserial makes root.srl, the file where openssl keeps the next serial number;
# pkilab picks random 159-bit serials instead, as public CAs must.)
print("seed-server.crt written:", (lab / "seed-server.crt").exists())

# %% [markdown]
# pkilab's `sign_csr` is the CA side of that step: it checks the CSR's proof of possession,
# copies the name and the requested subjectAltName, and adds the server extensions
# (`extendedKeyUsage serverAuth`, `subjectAltName`, key identifiers). The key never leaves
# the server: the CA sees only the CSR.
#
# Copying the names from the CSR is **lab-only**: it is right here because you are both the
# requester and the CA. A real CA takes only the names it has validated (section 2).

# %%
issued = root.sign_csr(server_csr, kind="server")
save("server.crt", issued.certificate)
print("private key sent to the CA:", issued.private_key)
show(issued.certificate)

# %% tags=["needs-openssl"]
run_tool("openssl verify -x509_strict -purpose sslserver -verify_hostname localhost "
         "-CAfile root.crt server.crt", cwd=lab)

# %% [markdown]
# ## 6. Renewal with the same key
#
# The seed notes that when `root.crt` expires, the same key (if it never leaked) can sign a
# new one. `renew` keeps the subject, key and extensions, and gives new dates and a new
# serial number. Certificates the old root signed still verify under the renewed root,
# because verification checks *names and keys*, not which copy of the root you hold:

# %%
import datetime as dt

from pkilab import verify_chain

renewed = root.renew(root.certificate, days=3650,
                     not_before=dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc))
print("same key:   ", renewed.public_key() == root.certificate.public_key())
print("new serial: ", renewed.serial_number != root.certificate.serial_number)
print("valid from: ", renewed.not_valid_before_utc.date(), "to", renewed.not_valid_after_utc.date())
at = dt.datetime(2031, 1, 1, tzinfo=dt.timezone.utc)
print("server.crt verifies under the renewed root in 2031:",
      verify_chain(issued.certificate, renewed, host="localhost", at=at).ok)

# %% [markdown]
# ## Recap
#
# * A CSR = name + public key, signed with the private key (proof of possession).
# * A root CA is self-signed **and** says `CA:TRUE`; plain `openssl x509 -req -signkey` makes
#   a certificate without any extension (unless you add `-extfile`), which cannot say so.
# * `-signkey` and `-CA` do not mix: sign someone's CSR with the CA's key only.
# * Renewing with the same key keeps everything it signed valid.
#
# ## Exercise 1: a CSR for a shop
#
# Make `shop_csr`: a CSR for the key `shop_key`, subject `/O=shop/CN=shop.example`, asking
# for the subjectAltName `shop.example`.

# %%
from pkilab.exercises import l02

shop_key = derive_key("ec", "lesson-02 shop")
shop_csr = None  # your code here
l02.check_shop_csr(shop_csr, shop_key)

# %% tags=["hide-cell"]
# Solution (its own name: running every cell keeps your answer)
solution_csr = build_csr(shop_key, "/O=shop/CN=shop.example", names=["shop.example"])
l02.check_shop_csr(solution_csr, shop_key)

# %% [markdown]
# ## Exercise 2: sign the shop's request
#
# Be the CA: use `root` to sign **`shop_csr`** as a server certificate, and store the
# certificate in `shop_cert`. The shop's private key must stay with the shop, so the
# certificate has to carry the public key from its CSR.

# %%
shop_cert = None  # your code here
l02.check_shop_cert(shop_cert, shop_csr, root)

# %% tags=["hide-cell"]
# Solution
solution_shop_cert = root.sign_csr(solution_csr, kind="server").certificate
l02.check_shop_cert(solution_shop_cert, solution_csr, root)
