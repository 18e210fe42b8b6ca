# %% [markdown]
# # 04 · Formats: PEM, DER, PKCS#12, JKS, PKCS#7
#
# **What you'll do:** take one certificate set and look at the same certificates and keys
# in every format the seed names — PEM text, DER bytes, a password-protected PKCS#12, a
# Java keystore, a PKCS#7 bundle — converting between them with `pkilab convert` and
# checking each file with `openssl` and `keytool`, the tools that will read them for real.
#
# **What you'll learn:** how to tell what a file is from its bytes (the extension says
# little: a `.crt` may be PEM or DER), which PEM label means what, what a PKCS#12 password
# protects, why Java may list **0 entries** in a `.p12`, how to take a `.p12` apart again,
# and why a `.p7b` forgets the order of a chain.
#
# **What you'll need:** lessons 01–03. `openssl` and `keytool` (from a Java JDK) are
# optional: without them the cross-checks are skipped.
#
# Seed section: *证书格式* (PEM, DER, PFX/PKCS12, JKS).

# %%
import warnings

from cryptography.hazmat.primitives import serialization

from pkilab import build_certificate_set, write_certificate_set
from pkilab import fingerprint
from pkilab import PkilabError
from pkilab import identify, load_any
from pkilab.exercises import l04
from pkilab.lesson import have, lab_dir, run_pkilab, run_tool
from pkilab import common_name

lab = lab_dir("04")
cs = build_certificate_set(seed="lesson-04")
write_certificate_set(cs, lab, p12_password="123456")
print(sorted(p.name for p in lab.iterdir()))


def pkilab(command):
    """Run a `pkilab ...` command line in the lesson folder, as a terminal would."""
    run_pkilab(command, cwd=lab)


def short_fp(certificate):
    """The first 8 bytes of the SHA-256 fingerprint: enough to tell certificates apart."""
    return fingerprint(certificate)[:23]


# %% [markdown]
# The set is the one from lesson 03 (`root` → `intermediate1` → `intermediate2` →
# `server`, plus `client` and `client2`), written under the seed's file names. It is built
# from a fixed seed text, so its certificates — and their fingerprints — are the same every
# time you run this lesson.
#
# ## 1. PEM: base64 text between two label lines
#
# The seed: *PEM 格式使用 Base64 编码的 ASCII 文本表示，并带有 "-----BEGIN CERTIFICATE-----" 和
# "-----END CERTIFICATE-----" 的边界标记*. Open `server.crt` and look at its first lines:

# %%
text = (lab / "server.crt").read_text()
print("\n".join(text.splitlines()[:3]), "\n...\n" + text.splitlines()[-1])

# %% [markdown]
# `identify` answers "what is this file?" from the bytes alone — no password, no file
# name needed. A full-chain file is a **bundle**: several PEM blocks one after another.

# %%
for name in ("server.crt", "fullchain.crt", "server.key"):
    found = identify((lab / name).read_bytes())
    print(f"{name:14} {found.kind:18} labels={found.labels}")

# %% [markdown]
# The label says what the base64 holds. These are the ones you will meet (the seed lists
# the first four):
#
# | label | what it holds |
# |---|---|
# | `CERTIFICATE` | an X.509 certificate |
# | `CERTIFICATE REQUEST` | a CSR (PKCS#10) |
# | `PRIVATE KEY` | a private key, PKCS#8 — any algorithm; what OpenSSL 3 writes |
# | `RSA PRIVATE KEY` | an RSA key in the older PKCS#1 form (OpenSSL 1.x, the seed's `genrsa`) |
# | `EC PRIVATE KEY` | an EC key in the older SEC1 form |
# | `ENCRYPTED PRIVATE KEY` | PKCS#8, encrypted with a password |
# | `PUBLIC KEY` | a public key alone |
# | `PKCS7` | a bundle of certificates (see section 5) |
# | `X509 CRL` | a certificate revocation list |
#
# Our keys are EC P-256, so the "older form" of `server.key` is SEC1 (*SEC 1*, the
# elliptic-curve standard of the SECG industry group, which defines `EC PRIVATE KEY`).
# `pkilab convert` rewrites it; the key inside does not change. The openssl twin is
# `openssl ec -in server.key -out server-sec1.key` (or `openssl pkey -traditional`).
# The encrypted PKCS#8 form uses **PBES2** (PKCS#5's "password-based encryption scheme
# 2": a key derived from the password with PBKDF2 or scrypt, then AES).

# %%
pkilab("convert server.key server-sec1.key --to sec1")
pkilab("convert server.key server-enc.key --to pkcs8 --password 123456")
for name in ("server-sec1.key", "server-enc.key"):
    found = identify((lab / name).read_bytes())
    print(f"{name:16} {found.labels}  needs a password: {found.needs_password}")

# %% [markdown]
# Same key? Load each and compare the public halves, with pkilab and with openssl
# (`openssl pkey -pubout` prints the public key of any private key file):

# %%
original = load_any((lab / "server.key").read_bytes()).private_keys[0]
for name, password in (("server-sec1.key", None), ("server-enc.key", "123456")):
    key = load_any((lab / name).read_bytes(), password).private_keys[0]
    print(name, "same key:", key.private_numbers() == original.private_numbers())

# %% tags=["needs-openssl"]
run_tool("openssl pkey -in server-sec1.key -pubout", cwd=lab)
run_tool("openssl pkey -in server-enc.key -passin pass:123456 -pubout", cwd=lab)

# %% [markdown]
# ## 2. DER: the same certificate as binary bytes
#
# PEM is only a wrapper: decode the base64 and you have **DER**, the binary encoding of the
# certificate. The seed's command is `openssl x509 -in cert.crt -outform der -out
# cert.der`; with pkilab the target comes from the extension:

# %%
pkilab("convert server.crt server.der")

# %% tags=["needs-openssl"]
run_tool("openssl x509 -in server.crt -outform der -out server-openssl.der", cwd=lab)
if have("openssl"):
    same = (lab / "server.der").read_bytes() == (lab / "server-openssl.der").read_bytes()
    print("pkilab and openssl wrote the same bytes:", same)

# %% [markdown]
# A hex dump of the first bytes. `30 82 01 ed` is an ASN.1 **SEQUENCE** (`30`) whose length
# takes two bytes (`82`): `0x01ed` = 493 bytes follow, 497 with this 4-byte header. Every
# certificate, key, PKCS#12 and PKCS#7 file starts with a SEQUENCE — which is why DER
# files look alike and only their insides tell them apart.

# %%
der = (lab / "server.der").read_bytes()
for offset in range(0, 32, 16):
    row = der[offset:offset + 16]
    print(f"{offset:08x}  {row.hex(' ')}  {''.join(chr(b) if 32 <= b < 127 else '.' for b in row)}")
print(f"... {len(der)} bytes; identify says: {identify(der).description}")

# %% [markdown]
# A `.crt` (or `.cer`) can be either encoding — the seed warns about it. Tools that expect
# PEM fail on DER unless told (`openssl x509 -inform der`); pkilab looks at the bytes. The
# seed's way back, DER → PEM, gives exactly `server.crt` again:

# %%
print("pkilab:  ", short_fp(load_any(der).certificates[0]), "...")

# %% tags=["needs-openssl"]
run_tool("openssl x509 -in server.der -inform der -noout -subject -fingerprint -sha256",
         cwd=lab)
run_tool("openssl x509 -inform der -in server.der -outform pem -out server-from-der.pem",
         cwd=lab)
if (lab / "server-from-der.pem").exists():
    print("server-from-der.pem is byte for byte server.crt:",
          (lab / "server-from-der.pem").read_bytes() == (lab / "server.crt").read_bytes())

# %% [markdown]
# The seed says DER *存证书，没有私钥* ("holds certificates, no private key"). Not so: DER
# is an encoding, and anything written in ASN.1 can be encoded with it — a CSR, a CRL, and
# private keys too. `server.key` as a DER PKCS#8 key (the openssl twin: `openssl pkey -in
# server.key -outform der -out server-key.der`):

# %%
pkilab("convert server.key server-key.der")
key_der = (lab / "server-key.der").read_bytes()
print(identify(key_der).description)
print("the same key as server.key:",
      load_any(key_der).private_keys[0].private_numbers() == original.private_numbers())

# %% [markdown]
# A private key in DER has no label and no password unless you encrypt it; treat a `.der`
# of unknown origin as possibly secret.
#
# What is inside those 497 bytes? A certificate is three parts: the *to-be-signed* part
# (version, serial, algorithm, issuer, validity, subject, public key, extensions), the
# signature algorithm, and the signature over the first part. Here they are, drawn from
# `server.der`, with the first bytes of each part in hex:

# %%
from pkilab.viz import draw_anatomy

draw_anatomy(cs.server.certificate, save=lab / "anatomy.png")

# %% [markdown]
# ## 3. PKCS#12 (.p12, .pfx): key + certificate + chain, behind a password
#
# The seed makes `client.p12` for the browser with `openssl pkcs12 -export -clcerts -in
# client.crt -inkey client.key -out client.p12`. `-clcerts` does nothing there: it is an
# option for *reading* a `.p12` ("output only the client certificate"), and OpenSSL 3 says
# so. The seed adds *使用根证书和客户端私钥一起生成 client.p12* ("made from the root
# certificate and the client key together"): the command names no root at all — only
# `client.crt` and `client.key` go in. The root took part earlier, when its CA signed
# the certificate. (Add `-certfile chain.pem` if the file should carry the intermediates.)
# We run the seed's command with the password given on the command line (`-passout`)
# instead of typed at a prompt:

# %% tags=["needs-openssl"]
run_tool("openssl pkcs12 -export -clcerts -in client.crt -inkey client.key "
         "-out client-seed.p12 -passout pass:123456", cwd=lab)

# %% [markdown]
# The first cell's `write_certificate_set` (what `pkilab init` runs) wrote a `client.p12`
# too (key, certificate *and* the two intermediates), with the seed's example password
# `123456`. Without any password, we can already see how
# it is protected:

# %%
p12 = (lab / "client.p12").read_bytes()
print(identify(p12))

# %% [markdown]
# Read it as the file's parts: `certificates AES-256-CBC (…), plain` lists its two
# containers — an encrypted one (which holds the certificates) and a plain one (which
# holds the key) — and `keys AES-256-CBC` says the key inside the plain container is
# encrypted on its own ("shrouded": PKCS#12 calls a key that is encrypted inside the
# file a *shrouded keybag*; "bag" is its word for one item). `openssl pkcs12 -info` below
# shows the same layout.

# %% [markdown]
# Now open it: without a password, with a wrong one, with the right one. Errors are
# pkilab errors (what happened, why, what to do), not library tracebacks.

# %%
for password in (None, "654321"):
    try:
        load_any(p12, password, name="client.p12")
    except PkilabError as error:
        print(f"password={password!r}:", "\n    ".join(error.lines()))

contents = load_any(p12, "123456", name="client.p12")
print("\nwith the right password:")
for cert, name in zip(contents.certificates, contents.friendly_names):
    print(f"  {name or '-':8} {cert.subject.rfc4514_string():38} {short_fp(cert)}")
print("  private key matches the first certificate:",
      contents.private_keys[0].public_key() == contents.certificates[0].public_key())

# %% [markdown]
# PKCS#12 uses a random salt, so the file's bytes change each time it is written; compare
# what is *inside* (subjects, fingerprints), never the file. openssl shows the protection —
# a SHA-256 MAC and AES-256 — and `keytool` (Java) lists one `PrivateKeyEntry` with a chain
# of 3. (We print keytool's stable lines only: it shows today's date for PKCS#12 entries.)

# %% tags=["needs-openssl"]
run_tool("openssl pkcs12 -info -in client.p12 -passin pass:123456 -noout", cwd=lab)

# %%
KEYTOOL_LINES = ("Keystore type", "Your keystore", "Alias name", "Entry type",
                 "Certificate chain length", "Owner")


def keytool_list(store, password):
    """keytool -list -v, showing only the lines that do not change from run to run."""
    done = run_tool(f"keytool -list -v -keystore {store} -storepass {password}", cwd=lab,
                    show_output=False)
    if done is not None:
        lines = [line for line in done.stdout.splitlines() if line.startswith(KEYTOOL_LINES)]
        print("\n".join(lines) or done.stdout + done.stderr)


# %% tags=["needs-keytool"]
keytool_list("client.p12", "123456")

# %% [markdown]
# ### Taking a .p12 apart again
#
# The seed extracts the key with `openssl pkcs12 -in client.p12 -nocerts -out key.pem`.
# That command asks twice: for the import password, then for a *new* PEM pass phrase to
# encrypt `key.pem` with (OpenSSL encrypts extracted keys by default). For a plain key
# that nginx and curl read without a prompt, add `-noenc` (OpenSSL 3; the older name
# `-nodes` still works), and give the password with `-passin` (in scripts prefer
# `-passin env:VAR` or `file:path`, which stay out of the shell history). `-clcerts
# -nokeys` takes only the client's certificate, `-cacerts -nokeys` only the CA
# certificates:

# %% tags=["needs-openssl"]
for part in ("-nocerts -noenc -out key.pem", "-clcerts -nokeys -out cert.pem",
             "-cacerts -nokeys -out chain.pem"):
    run_tool(f"openssl pkcs12 -in client.p12 -passin pass:123456 {part}", cwd=lab)
if (lab / "chain.pem").exists():
    extracted = load_any((lab / "key.pem").read_bytes()).private_keys[0]
    print("key.pem is client.key:", extracted.private_numbers()
          == load_any((lab / "client.key").read_bytes()).private_keys[0].private_numbers())
    for name in ("cert.pem", "chain.pem"):
        print(f"{name}:", [common_name(c.subject)
                           for c in load_any((lab / name).read_bytes()).certificates])

# %% [markdown]
# (The extracted files start with `Bag Attributes` lines — the friendly name and key id
# from the `.p12` — before the PEM block; PEM readers skip them.)
#
# ### Importing client.p12 into a browser
#
# This is what the seed makes `client.p12` for. **Firefox**: Settings → Privacy &
# Security → Certificates → *View Certificates…* → *Your Certificates* → *Import…*, then
# the `.p12` password. **Chrome and Edge** use the system store: on Windows double-click
# the `.p12` (or `certmgr.msc` → *Personal* → Import); on macOS double-click it to add it
# to the login keychain in Keychain Access; on Linux, Chrome's Settings → Privacy and
# security → Security → *Manage certificates* → *Your certificates* → Import. The browser
# then offers the certificate when a server asks for one (lesson 06). Delete lab
# certificates from the browser when you are done.
#
# (The seed says Windows' *IIS 专门管理证书* — "IIS manages certificates". IIS is
# Microsoft's web server, one program that *uses* certificates; Windows keeps them in its
# **certificate store** — `certmgr.msc` for your own, `certlm.msc` for the machine's —
# which Chrome, Edge and IIS all read.)
#
# ### Old readers — and Apple: the legacy option
#
# AES-256 PKCS#12 files are unreadable for Java before 8u301 and Windows before Server
# 2019, and failed imports of AES `.p12` files ("wrong password" for the right one) are
# still reported on current macOS and iOS. For **any Apple import**, and for old readers,
# `--to p12-legacy` writes 3DES with a SHA-1 MAC, which every reader accepts. (Weak
# protection: keep such a file only as long as the import takes.)

# %%
pkilab("convert client.p12 client-legacy.p12 --to p12-legacy --password 123456")
print(identify((lab / "client-legacy.p12").read_bytes()).description)

# %% [markdown]
# A PKCS#12 **without a password** is the other trap, in two forms. An *unencrypted* one
# (no MAC, no encryption: `openssl pkcs12 -export -passout pass: -nomac -keypbe NONE
# -certpbe NONE`) opens for anyone, and Java lists **0 entries** in it. One with an
# *empty* password is still encrypted (with the empty string), and keytool lists its key
# entry — but it protects nothing either, and not every reader accepts an empty password.
# Both, made with openssl and listed by keytool with the empty password `''`:

# %% tags=["needs-openssl", "needs-keytool"]
run_tool("openssl pkcs12 -export -in client.crt -inkey client.key -name client "
         "-out client-empty.p12 -passout pass:", cwd=lab)
run_tool("openssl pkcs12 -export -in client.crt -inkey client.key -name client "
         "-out client-plain.p12 -passout pass: -nomac -keypbe NONE -certpbe NONE", cwd=lab)
keytool_list("client-empty.p12", "''")
keytool_list("client-plain.p12", "''")

# %% [markdown]
# pkilab refuses to write either kind: give a PKCS#12 a real password.

# %%
pkilab("convert client.crt client-nopw.p12 --key client.key")

# %% [markdown]
# Files from older tools (OpenSSL 1.x, early mkcert, `openssl pkcs12 -export -legacy`) use
# **RC2-40**, a 40-bit cipher. OpenSSL 3 reads those only with `-legacy`. We make one with
# openssl and watch: openssl 3 refuses its own file without the flag, pkilab reads it and
# warns, and its modern re-export opens everywhere.

# %% tags=["needs-openssl"]
run_tool("openssl pkcs12 -export -legacy -in client.crt -inkey client.key -name client "
         "-out client-rc2.p12 -passout pass:123456", cwd=lab)
done = run_tool("openssl pkcs12 -in client-rc2.p12 -passin pass:123456 -noout", cwd=lab,
                show_output=False)
if done is not None:
    print("openssl without -legacy:", "refused" if done.returncode else "read it",
          "(unsupported algorithm RC2-40-CBC)" if "RC2" in done.stderr else "")
    rc2 = load_any((lab / "client-rc2.p12").read_bytes(), "123456", name="client-rc2.p12")
    print("pkilab:", [c.subject.rfc4514_string() for c in rc2.certificates])
    print("warning:", rc2.warnings[0])
    pkilab("convert client-rc2.p12 client-modern.p12 --password 123456")

# %% [markdown]
# ## 4. JKS: Java's own keystore, and a truststore
#
# The seed: *JKS 是 Java 中用于存储密钥和证书的专有格式 ... 生成和转换需要用到 Java keytool*.
# Java 9+ defaults to PKCS#12, but many servers still ship `.jks` files. Two kinds matter:
#
# * a **keystore** with a private-key entry (the key and its chain) — what a Java server
#   or client presents;
# * a **truststore** with trusted-certificate entries — the roots a Java program accepts.
#
# keytool's twin of the first is `keytool -importkeystore -srckeystore client.p12
# -srcstoretype PKCS12 -destkeystore client.jks -deststoretype JKS`; of the second,
# `keytool -importcert -alias root -file root.crt -keystore truststore.jks`. Store passwords
# must have **at least 6 characters**, or keytool refuses them.

# %%
pkilab("convert client.p12 client.jks --in-password 123456 --password 123456")

# %% tags=["needs-keytool"]
keytool_list("client.jks", "123456")

# %% [markdown]
# The truststore holds only the root, as a `trustedCertEntry` (no key: nothing secret, but
# its password still protects it from being changed unnoticed):

# %%
pkilab("convert root.crt truststore.jks --password changeit")

# %% tags=["needs-keytool"]
keytool_list("truststore.jks", "changeit")

# %% [markdown]
# And the other way round: keytool writes a JKS from the PKCS#12, and pkilab reads it —
# the same certificates (same fingerprints) come out.

# %% tags=["needs-keytool"]
run_tool("keytool -importkeystore -noprompt -srckeystore client.p12 -srcstoretype PKCS12 "
         "-srcstorepass 123456 -destkeystore client-keytool.jks -deststoretype JKS "
         "-deststorepass 123456", cwd=lab, show_output=False)
if (lab / "client-keytool.jks").exists():
    from_keytool = load_any((lab / "client-keytool.jks").read_bytes(), "123456")
    print(identify((lab / "client-keytool.jks").read_bytes()))
    for cert in from_keytool.certificates:
        print(f"  {cert.subject.rfc4514_string():38} {short_fp(cert)}")

# %% [markdown]
# pkilab refuses what keytool would refuse, a store password under 6 characters:

# %%
pkilab("convert client.jks client-short.jks --in-password 123456 --password 1234")

# %% [markdown]
# ## 5. PKCS#7 (.p7b): certificates only — and an order you cannot count on
#
# Windows and some CAs hand out chains as PKCS#7. It holds certificates (never a key) in
# an ASN.1 **SET OF** — a collection with no order, unlike a SEQUENCE. Whether the order
# you wrote survives depends on the writer: strict DER requires the elements of a SET OF
# sorted by their bytes, and strict writers like `cryptography` (inside `pkilab
# convert`) sort; `openssl crl2pkcs7` keeps the order it was given. So a reader cannot
# trust the order of any `.p7b`: pkilab puts a chain read from one back in leaf → root
# order. First pkilab's file, read as stored and then by pkilab:

# %%
pkilab("convert fullchain.crt chain.p7b")
from cryptography.hazmat.primitives.serialization import pkcs7  # noqa: E402


def p7b_order(name):
    """The certificates' names as stored, and what cryptography warned while reading."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        raw = pkcs7.load_der_pkcs7_certificates((lab / name).read_bytes())
    noted = ["InvalidSetOrdering" for w in seen if "InvalidSetOrdering" in str(w.message)]
    return [common_name(c.subject) for c in raw], noted


print("as stored (sorted by their bytes):", p7b_order("chain.p7b")[0])
ordered = load_any((lab / "chain.p7b").read_bytes())
print("pkilab (leaf -> root):            ", [common_name(c.subject) for c in ordered.certificates])

# %% [markdown]
# The openssl twin, `openssl crl2pkcs7 -nocrl -certfile fullchain.crt -outform der`, keeps
# `fullchain.crt`'s order — which is not valid DER, so `cryptography` reads it only after a
# warning that names the broken rule, `InvalidSetOrdering` (it then falls back to the
# looser BER rules):

# %% tags=["needs-openssl"]
run_tool("openssl crl2pkcs7 -nocrl -certfile fullchain.crt -outform der -out openssl.p7b",
         cwd=lab)
if (lab / "openssl.p7b").exists():
    names, noted = p7b_order("openssl.p7b")
    print("as stored:", names)
    print("cryptography warned:", noted)
run_tool("openssl pkcs7 -in chain.p7b -inform der -print_certs -noout", cwd=lab)

# %% [markdown]
# ## 6. Traps pkilab warns about
#
# Two mistakes that make a server fail at start-up: a key that belongs to another
# certificate ("key values mismatch" in nginx), and a chain written upside down (root
# first). Both are found from the files alone:

# %%
mismatch = (lab / "server.crt").read_bytes() + (lab / "client.key").read_bytes()
upside_down = b"".join(c.public_bytes(serialization.Encoding.PEM)
                       for c in reversed(cs.server.fullchain))
for label, data in (("server.crt + client.key", mismatch), ("fullchain reversed", upside_down)):
    print(f"{label}:", load_any(data).warnings)

# %% [markdown]
# ### Your turn: the format explorer
#
# Pick any file of this lesson's folder (or type a password for the `.p12` and `.jks`
# files) to see what it is and its other views. Widgets need a live kernel.

# %% tags=["nbval-ignore-output"]
from pkilab.widgets import format_explorer

format_explorer(lab)

# %% [markdown]
# ## Recap
#
# * **PEM** is base64 text between labels; **DER** the same bytes in binary. A `.crt` can be
#   either: look at the bytes (`identify`, `openssl x509 -inform der`).
# * Private keys come as PKCS#8 (`PRIVATE KEY`, any algorithm), PKCS#1 (`RSA PRIVATE KEY`)
#   or SEC1 (`EC PRIVATE KEY`); converting never changes the key.
# * **PKCS#12** bundles a key, its certificate and chain behind a password. Always give it a
#   password of 6+ characters; use `p12-legacy` for old readers; RC2 files need
#   `openssl -legacy` on OpenSSL 3. Take one apart with `openssl pkcs12 -in … -nocerts
#   -noenc` (the key), `-clcerts -nokeys` (the certificate), `-cacerts -nokeys` (the CAs).
# * **JKS** keystores hold a key entry, **truststores** the roots; keytool reads pkilab's and
#   pkilab reads keytool's.
# * **PKCS#7** holds certificates in a SET OF: strict DER writers sort them, `openssl
#   crl2pkcs7` keeps yours; either way, re-order leaf → root after reading.
#
# Next: **05 · one-way TLS**, where these files meet a real server.
#
# ## Exercise 1: what is this file?
#
# A colleague sends five files in `_lab/04/mystery/`. For each, set its `kind` as
# `identify` names it — for example `"der-certificate"`, `"pem-encrypted-pkcs8-key"`,
# `"jks"`, `"html"`, `"ssh-public-key"`, `"pkcs7-der"`, `"pkcs12"`. Hint: trust the bytes,
# not the extension. (`pkilab inspect FILE` in a terminal tells you too.)

# %%
mystery = lab / "mystery"
mystery.mkdir(exist_ok=True)
(mystery / "a.crt").write_bytes((lab / "server.der").read_bytes())
(mystery / "b.crt").write_bytes(b"<!DOCTYPE html>\n<html><body><h1>404 Not Found</h1>"
                                b"</body></html>\n")
(mystery / "c.pem").write_bytes((lab / "server-enc.key").read_bytes())
(mystery / "d.p12").write_bytes((lab / "client.jks").read_bytes())
(mystery / "e.pub").write_bytes(b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLs"
                                b"abgH5C9okWi0dh2l9GKJl learner@laptop\n")

answers = {"a.crt": None, "b.crt": None, "c.pem": None, "d.p12": None, "e.pub": None}
l04.identified_check(mystery, answers)

# %% tags=["hide-cell"]
# Solution: ask identify, and read its description and hint. (Its own names, so that
# "Run All" leaves your answers alone.)
solution_answers = {}
for name in sorted(answers):
    found = identify((mystery / name).read_bytes(), name)
    solution_answers[name] = found.kind
    print(f"{name}: {found.kind:24} {found.hint or found.description}")
l04.identified_check(mystery, solution_answers)

# %% [markdown]
# ## Exercise 2: a .p12 of your own that Java accepts
#
# A new colleague, `carol`, needs a client certificate as a `.p12`. Issue one with
# `cs.intermediate2.issue_client("carol")`, write its certificate and key as PEM files in
# `_lab/04/` (`carol.certificate.public_bytes(serialization.Encoding.PEM)`, and the key
# with `.private_bytes(...)` as PKCS#8), then pack them with `pkilab("convert ... --key
# ... --chain ... --password ...")` into `_lab/04/exercise.p12` **with both
# intermediates**, so that `keytool -list` shows one `PrivateKeyEntry` with its chain.
# Set `p12_password` to the password you used: what does keytool need from it? (A copy of
# the lesson's `client2.p12` will not do: the check opens the file and looks for carol.)

# %%
p12_password = None  # your password here
# your code here

# %%
l04.own_p12_check(lab, p12_password, cs)

# %% tags=["hide-cell"]
# Solution: a new certificate, its files, then key + certificate + chain in one .p12 with
# a password keytool accepts. (Own names, so "Run All" leaves your answer alone.)
solution_carol = cs.intermediate2.issue_client("carol")
(lab / "carol.crt").write_bytes(solution_carol.certificate.public_bytes(
    serialization.Encoding.PEM))
(lab / "carol.key").write_bytes(solution_carol.private_key.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption()))
solution_password = "carol-secret"
(lab / "exercise.p12").unlink(missing_ok=True)
pkilab(f"convert carol.crt exercise.p12 --key carol.key --chain intermediate2.crt "
       f"--chain intermediate1.crt --password {solution_password}")
l04.own_p12_check(lab, solution_password, cs)
