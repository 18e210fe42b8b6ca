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
from pkilab.lesson import lab_dir, run_tool

lab = lab_dir("01")
print("working in", lab)

# %% [markdown]
# ## 1. A private key
#
# The seed starts every step with `openssl genrsa -out root.key 1024`. We make an
# **EC P-256** key instead: as strong as RSA-3072, thousands of times faster to make, and
# accepted everywhere. (Lessons use `derive_key`, which gives the *same* key on every run so
# that the outputs here match yours. Real keys come from `generate_key`, which is random.)
#
# > **Warning: every lesson key is public.** `derive_key` computes a key from a text, and
# > those texts (`"lesson-01 my first key"`, `"lesson-03"`, ...) are in this repository.
# > Anyone can compute the same private keys, so anyone can sign certificates "from" a
# > lesson root. Never add a lesson `root.crt` to a browser, an operating-system trust
# > store, a Java truststore or a server's client-CA file outside this lab. For anything
# > you keep, make a random set (`pkilab init`, or `generate_key`); lesson 05 does that
# > where it shows how to trust a root.

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
# Two words from that cell: **PKCS#8** is the standard file layout for a private key of any
# kind (`BEGIN PRIVATE KEY`); the older **SEC1** layout holds only EC keys
# (`BEGIN EC PRIVATE KEY`, what `openssl ecparam -genkey` writes). Both hold the same key.
# Now derive the **public** key from the private key — this is the half you may show anyone.
# It is written as a **SubjectPublicKeyInfo** (SPKI): the algorithm's name plus the key's
# bits (`BEGIN PUBLIC KEY`), the same structure that sits inside a certificate:

# %%
public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
print(public_pem.decode())

# %% tags=["needs-openssl"]
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
# * **validity** — from / to. Verifiers refuse it outside this window. (Lesson certificates
#   all run from 2026-01-01 to 2046-01-01, so your run prints the same dates; real ones
#   are far shorter.)
# * **key** — the public key inside, and the **signature** algorithm the issuer used
#   (ECDSA: the signature scheme of EC keys, here over a SHA-256 hash).
# * **serial** — unique per issuer, so a CA can revoke exactly this certificate.
# * **extensions** — what the certificate may do: `basicConstraints CA:TRUE` (may sign other
#   certificates), `keyUsage`, and key identifiers that help find the issuer.
# * **SHA-256** — the fingerprint: a hash of the whole certificate, to compare two copies.
#
# openssl prints the same fields (and many more) with `openssl x509 -text -noout`.
# Here are the main ones:

# %% tags=["needs-openssl"]
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
# The seed says the CA's private key is used "to sign **and verify** other certificates"
# (用于签发和验证其他证书). Only the first half is true: the private key signs; anyone
# verifies, with the **public** key in the CA's certificate. That is why a client needs
# only `root.crt`, never `root.key` — the next cell verifies with nothing but `cert`.
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
# Make a private key of kind `"ec384"` and store it in `key384`.

# %%
from pkilab.exercises import l01

key384 = None  # your code here
l01.check_key384(key384)

# %% tags=["hide-cell"]
# Solution (its own name: running every cell keeps your answer)
solution_key384 = generate_key("ec384")
l01.check_key384(solution_key384)

# %% [markdown]
# ## Exercise 2: which key made this certificate?
#
# `mystery_cert` below was made with one of the two `candidates`. Set `owner` to that
# candidate (`candidates[0]` or `candidates[1]`): compare each one's public half with the
# public key inside the certificate.

# %%
mystery_cert, candidates = l01.mystery()
owner = None  # candidates[0] or candidates[1]
l01.check_owner(owner, mystery_cert, candidates)

# %% tags=["hide-cell"]
# Solution
solution_owner = next(k for k in candidates if same_public_key(k, mystery_cert.public_key()))
l01.check_owner(solution_owner, mystery_cert, candidates)

# %% [markdown]
# ## Exercise 3: your own self-signed certificate
#
# Make a self-signed certificate for **your** `key384` with the subject `/CN=me`, and store
# the certificate (not the CA object) in `my_cert`. (Hint: section 3.)

# %%
my_cert = None  # your code here
l01.check_self_signed(my_cert, key384)

# %% tags=["hide-cell"]
# Solution
solution_cert = CertificateAuthority.create_root("/CN=me", key=solution_key384).certificate
l01.check_self_signed(solution_cert, solution_key384)
