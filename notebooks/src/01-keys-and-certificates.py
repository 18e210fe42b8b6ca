# %% [markdown]
# # 01 · Keys and certificates
#
# **What you'll do:** make a private key, derive its public key, put the public key in a
# certificate, and look inside that certificate field by field — with pkilab and with openssl.
#
# **What you'll learn:** what an X.509 certificate contains (and what it does not: the
# private key), why EC P-256 is the default today, and why the seed's 1024-bit RSA keys fail.
#
# **What you'll need:** lesson 00. `openssl` is optional.
#
# Seed sections: *CA 证书和私钥*, *证书格式 → X.509*.

# %%
from pkilab import describe_key, generate_key, show
from pkilab import derive_key
from pkilab.lesson import check, lab_dir, run_tool

lab = lab_dir("01")
print("working in", lab)

# %% [markdown]
# ## 1. A private key
#
# The seed starts every step with `openssl genrsa -out root.key 1024`. We make an
# **EC P-256** key instead: as strong as RSA-3072, thousands of times faster to make, and
# accepted everywhere. (Lessons use `derive_key`, which gives the *same* key on every run so
# that the outputs here match yours. Real keys come from `generate_key`, which is random.)

# %%
key = derive_key("ec", "lesson-01 my first key")   # real life: generate_key("ec")
print(describe_key(key))

from cryptography.hazmat.primitives import serialization

pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption())
(lab / "my.key").write_bytes(pem)
(lab / "my.key").chmod(0o600)   # a private key is for its owner's eyes only
print(pem.decode().splitlines()[0], "... (kept secret: we do not print it)")

# %% [markdown]
# The openssl twin of that cell is
# `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out my.key`.
# Now derive the **public** key from the private key — this is the half you may show anyone:

# %%
public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
print(public_pem.decode())

# %%
done = run_tool("openssl pkey -in my.key -pubout", cwd=lab)
if done:
    print("same as pkilab:", done.stdout.encode() == public_pem)

# %% [markdown]
# ## 2. How big is "strong enough"?
#
# pkilab knows these key kinds. RSA 1024, the seed's choice, is refused unless you ask for it
# on purpose: it is within reach of well-funded attackers, and TLS refuses to load it at
# OpenSSL security level 2 (`EE_KEY_TOO_SMALL`) — the default in Python's `ssl` and in
# Debian, Ubuntu and RHEL builds. (`openssl genrsa 1024` itself still runs.)

# %%
from pkilab import KEY_KINDS, PolicyError

print(KEY_KINDS)
try:
    generate_key("rsa1024")
except PolicyError as error:
    print("refused:", error)

# %% [markdown]
# Size matters on the wire too: every TLS handshake sends the public key inside the
# certificate. Compare the size of the public key (DER bytes) for each kind:

# %%
for kind in ("ec", "ec384", "ed25519", "rsa2048"):
    public = (derive_key(kind, "sizes") if not kind.startswith("rsa")
              else generate_key(kind)).public_key()
    der = public.public_bytes(serialization.Encoding.DER,
                              serialization.PublicFormat.SubjectPublicKeyInfo)
    print(f"{describe_key(public):<10} public key: {len(der):>4} bytes")

# %% [markdown]
# ## 3. A certificate: a public key with a name, signed
#
# A certificate says *"the holder of this public key is called …"*, signed by an issuer.
# The simplest one is **self-signed**: the issuer is the subject itself. pkilab's
# `CertificateAuthority.create_root` makes one (lesson 02 explains CAs):

# %%
from pkilab import CertificateAuthority

root = CertificateAuthority.create_root("/C=CN/ST=bj/L=bj/O=alibaba/OU=test/CN=root",
                                        key=key, seed="lesson-01")
cert = root.certificate
(lab / "my.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
show(cert)

# %% [markdown]
# What you are looking at, line by line:
#
# * **version** v3 — only v3 certificates can carry *extensions* (the lines below).
# * **subject** / **issuer** — who it is about, who signed it. Equal here: self-signed.
# * **validity** — from / to. Verifiers refuse it outside this window.
# * **key** — the public key inside, and the **signature** algorithm the issuer used.
# * **serial** — unique per issuer, so a CA can revoke exactly this certificate.
# * **extensions** — what the certificate may do: `basicConstraints CA:TRUE` (may sign other
#   certificates), `keyUsage`, and key identifiers that help find the issuer.
# * **SHA-256** — the fingerprint: a hash of the whole certificate, to compare two copies.
#
# openssl prints the same fields (and many more) with `openssl x509 -text -noout`.
# Here are the main ones:

# %%
run_tool("openssl x509 -in my.crt -noout -subject -issuer -dates -fingerprint -sha256",
         cwd=lab)

# %% [markdown]
# ## 4. Public key inside, private key outside
#
# The seed says: *公钥是存储在证书里的, key 是私钥* — the public key is stored in the
# certificate; the key file is the private key. Let us check both halves of that sentence.

# %%
from pkilab import same_public_key
from pkilab import pem_labels

print("the certificate's public key is my key's public half:",
      same_public_key(cert.public_key(), key))
print("PEM blocks in my.crt:", pem_labels((lab / "my.crt").read_bytes()))
print("PEM blocks in my.key:", pem_labels((lab / "my.key").read_bytes()))

# %% [markdown]
# So you can hand `my.crt` to anyone. Whoever holds `my.key` can prove they are "root" by
# signing something that the public key in `my.crt` verifies.
#
# ## 5. The signature protects every byte
#
# Change one byte of the certificate (here: a letter of the subject) and the signature no
# longer matches:

# %%
from cryptography import x509

from pkilab import signed_by

der = bytearray(cert.public_bytes(serialization.Encoding.DER))
where = der.rfind(b"alibaba")  # the last one is in the subject
der[where] = ord("A")          # "alibaba" -> "Alibaba"
forged = x509.load_der_x509_certificate(bytes(der))
print("forged subject:", forged.subject.rfc4514_string())
print("original signature still valid?", signed_by(cert, cert))
print("forged signature still valid?  ", signed_by(forged, cert))

# %% [markdown]
# ### Your turn: the certificate builder
#
# Pick a key type, a validity, the CA flag and path length, and the names; the builder
# issues the certificate from a small lab CA and tells you whether it verifies — and if
# not, why. "checked after" is the day the verifier looks at it, counted from the day it was
# issued: try a validity shorter than that, or a server without names.
# (Widgets need a live kernel: run the cell.)

# %% tags=["nbval-ignore-output"]
from pkilab.widgets import certificate_builder

certificate_builder()

# %% [markdown]
# ## Recap
#
# * A key pair: the private key (`.key`, mode 0600) signs, the public key checks.
# * A certificate = subject name + public key + validity + extensions, **signed** by an issuer.
# * EC P-256 is the sensible default; RSA below 2048 bits is refused.
# * The certificate never contains the private key.
#
# ## Exercise 1: an EC P-384 key
#
# Make a key of kind `"ec384"` and store it in `key384`.

# %%
key384 = None  # your code here
check(lambda: describe_key(key384) == "EC P-384", "use generate_key with the kind 'ec384'")

# %% tags=["hide-cell"]
# Solution
key384 = generate_key("ec384")
check(lambda: describe_key(key384) == "EC P-384", "use generate_key with the kind 'ec384'")

# %% [markdown]
# ## Exercise 2: which key belongs to the certificate?
#
# Two keys are below; only one made `cert`. Set `owner` to the one whose public half is in
# the certificate.

# %%
candidate_a = derive_key("ec", "lesson-01 someone else")
candidate_b = derive_key("ec", "lesson-01 my first key")
owner = None  # candidate_a or candidate_b
check(lambda: owner is not None and same_public_key(owner, cert.public_key()),
      "compare each candidate with cert.public_key() using same_public_key")

# %% tags=["hide-cell"]
# Solution
owner = next(k for k in (candidate_a, candidate_b) if same_public_key(k, cert.public_key()))
check(lambda: owner is not None and same_public_key(owner, cert.public_key()),
      "compare each candidate with cert.public_key() using same_public_key")
