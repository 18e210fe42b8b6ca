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

# %% [markdown] lang=zh-CN
# # 04 · 格式：PEM、DER、PKCS#12、JKS、PKCS#7
#
# **你将做什么：** 拿同一套证书，把其中的证书和私钥（private
# key）按原教程提到的每一种格式都看一遍——PEM 文本、DER 字节、带密码的 PKCS#12、Java
# 密钥库（keystore）、PKCS#7 证书包——用 `pkilab convert` 在它们之间转换，再用 `openssl` 和
# `keytool` 这两个真正会读这些文件的工具逐一核对。
#
# **你将学到什么：** 怎样从文件的字节判断它是什么（扩展名说明不了多少：一个 `.crt` 可能是
# PEM，也可能是 DER）；每个 PEM 标签代表什么；PKCS#12 的密码保护的是什么；为什么 Java
# 在某个 `.p12` 里列出 **0 个条目**；怎样把 `.p12` 重新拆开；以及为什么 `.p7b`
# 记不住证书链（certificate chain）的顺序。
#
# **你需要什么：** 第 01–03 课。`openssl` 和 `keytool`（随 Java JDK
# 提供）可有可无：没有它们，交叉核对的单元格会跳过。
#
# 对应原教程章节：*证书格式*（PEM、DER、PFX/PKCS12、JKS）。

# %%
import warnings

from cryptography.hazmat.primitives import serialization

from pkilab import (PkilabError, build_certificate_set, common_name, fingerprint, identify,
                    load_any, write_certificate_set)
from pkilab.exercises import l04
from pkilab.lesson import have, lab_dir, run_pkilab, run_tool

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
# The set has the shape lesson 03 built (`root` → `intermediate1` → `intermediate2` →
# `server`, plus `client` and `client2`), written under the seed's file names. It is built
# from this lesson's own fixed seed text (`seed="lesson-04"`), so its certificates — and
# their fingerprints — are the same every time you run this lesson.
#
# ## 1. PEM: base64 text between two label lines
#
# The seed: *PEM 格式使用 Base64 编码的 ASCII 文本表示，并带有 "-----BEGIN CERTIFICATE-----" 和
# "-----END CERTIFICATE-----" 的边界标记*. Open `server.crt` and look at its first lines:

# %% [markdown] lang=zh-CN
# 这套证书的结构和第 03 课搭出来的一样（`root` → `intermediate1` → `intermediate2` →
# `server`，外加 `client` 和 `client2`），文件名沿用原教程的写法。它由本课自己的一段固定种子文本（`seed="lesson-04"`）生成，所以每次运行本课，证书——以及它们的指纹——都完全一样。
#
# ## 1. PEM：夹在两行标签之间的 base64 文本
#
# 原教程写道：*PEM 格式使用 Base64 编码的 ASCII 文本表示，并带有 "-----BEGIN
# CERTIFICATE-----" 和 "-----END CERTIFICATE-----" 的边界标记*。打开
# `server.crt`，看看它开头几行：

# %%
text = (lab / "server.crt").read_text()
print("\n".join(text.splitlines()[:3]), "\n...\n" + text.splitlines()[-1])

# %% [markdown]
# `identify` answers "what is this file?" from the bytes alone — no password, no file
# name needed. A full-chain file is a **bundle**: several PEM blocks one after another.

# %% [markdown] lang=zh-CN
# `identify` 只看字节就能回答“这是什么文件？”——不需要密码，也不需要文件名。完整证书链文件是一个**证书包（bundle）**：几个 PEM 块首尾相接。

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

# %% [markdown] lang=zh-CN
# 标签说明了 base64 里装的是什么。下面是你会遇到的几种（原教程列出了前四种）：
#
# | 标签 | 内容 |
# |---|---|
# | `CERTIFICATE` | 一张 X.509 证书 |
# | `CERTIFICATE REQUEST` | 一个证书签名请求（CSR，PKCS#10） |
# | `PRIVATE KEY` | 一把 PKCS#8 格式的私钥——任何算法都可以；OpenSSL 3 默认写这种 |
# | `RSA PRIVATE KEY` | 旧式 PKCS#1 格式的 RSA 私钥（OpenSSL 1.x、原教程里的 `genrsa`） |
# | `EC PRIVATE KEY` | 旧式 SEC1 格式的 EC 私钥 |
# | `ENCRYPTED PRIVATE KEY` | 用密码加密过的 PKCS#8 私钥 |
# | `PUBLIC KEY` | 单独一把公钥（public key） |
# | `PKCS7` | 一包证书（见第 5 节） |
# | `X509 CRL` | 一份证书吊销列表（CRL） |
#
# 我们的私钥是 EC P-256，所以 `server.key` 的“旧式格式”是 SEC1（*SEC 1*，行业组织 SECG
# 制定的椭圆曲线标准，`EC PRIVATE KEY` 就是它定义的）。`pkilab convert`
# 会重写文件，里面的私钥本身不变。对应的 openssl 命令是
# `openssl ec -in server.key -out server-sec1.key`（或
# `openssl pkey -traditional`）。加密的 PKCS#8 格式用的是 **PBES2**（PKCS#5 里的
# “password-based encryption scheme 2”，即基于口令的加密方案 2：先用 PBKDF2 或 scrypt
# 从密码派生出密钥，再用 AES 加密）。

# %%
pkilab("convert server.key server-sec1.key --to sec1")
pkilab("convert server.key server-enc.key --to pkcs8 --password 123456")
for name in ("server-sec1.key", "server-enc.key"):
    found = identify((lab / name).read_bytes())
    print(f"{name:16} {found.labels}  needs a password: {found.needs_password}")

# %% [markdown]
# Same key? Load each and compare the public halves, with pkilab and with openssl
# (`openssl pkey -pubout` prints the public key of any private key file):

# %% [markdown] lang=zh-CN
# 是同一把私钥吗？分别加载，比较它们的公钥部分——用 pkilab 比一次，再用 openssl
# 比一次（`openssl pkey -pubout` 能打印任何私钥文件对应的公钥）：

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

# %% [markdown] lang=zh-CN
# ## 2. DER：同一张证书的二进制字节
#
# PEM 只是一层包装：把 base64 解码，得到的就是 **DER**，证书的二进制编码。原教程的命令是
# `openssl x509 -in cert.crt -outform der -out cert.der`；用 pkilab
# 时，目标格式由扩展名决定：

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

# %% [markdown] lang=zh-CN
# 看看开头几个字节的十六进制。`30 82 01 ed` 是一个 ASN.1
# **SEQUENCE**（`30`），它的长度占两个字节（`82`）：后面跟着 `0x01ed` = 493 个字节，加上这
# 4 字节的头一共 497 字节。所有证书、私钥、PKCS#12 和 PKCS#7 文件都以一个 SEQUENCE
# 开头——所以 DER 文件看上去都差不多，只有看里面的内容才分得清。

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

# %% [markdown] lang=zh-CN
# `.crt`（或 `.cer`）两种编码都可能——原教程也提醒过。只认 PEM 的工具遇到 DER
# 就会失败，除非明确告诉它（`openssl x509 -inform der`）；pkilab
# 则直接看字节。按原教程的方法从 DER 转回 PEM，得到的正好就是原来的 `server.crt`：

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

# %% [markdown] lang=zh-CN
# 原教程说 DER *存证书，没有私钥*。其实不然：DER 是一种编码，凡是用 ASN.1
# 写的东西都能用它编码——CSR、CRL，私钥也一样。下面把 `server.key` 写成 DER 格式的 PKCS#8
# 私钥（对应的 openssl
# 命令：`openssl pkey -in server.key -outform der -out server-key.der`）：

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

# %% [markdown] lang=zh-CN
# DER 格式的私钥没有标签；除非你加密它，也没有密码。来路不明的 `.der`
# 文件，要当作可能含有机密来对待。
#
# 那 497 个字节里到底有什么？一张证书分三部分：*待签名*部分（to-be-signed：版本、序列号、算法、签发者、有效期、主体、公钥、扩展），签名算法，以及对第一部分所做的签名。下面是从 `server.der` 画出来的结构，每部分都附上了开头几个字节的十六进制：

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

# %% [markdown] lang=zh-CN
# ## 3. PKCS#12（.p12、.pfx）：私钥 + 证书 + 证书链，用密码保护
#
# 原教程为浏览器制作 `client.p12` 用的是
# `openssl pkcs12 -export -clcerts -in client.crt -inkey client.key -out client.p12`。这里的 `-clcerts` 不起任何作用：它是*读取* `.p12` 时用的选项（“只输出客户端证书（client certificate）”），OpenSSL 3 也会这样提示。原教程还说 *使用根证书和客户端私钥一起生成 client.p12*：可这条命令根本没提到根证书（root certificate）——输入的只有 `client.crt` 和 `client.key`。根证书早在前面就参与过了：是它的 CA 给这张证书签的名。（如果希望文件里带上中间证书（intermediate certificate），加 `-certfile chain.pem`。）我们运行原教程的命令，只是把密码放在命令行上（`-passout`），不在提示符下手动输入：

# %% tags=["needs-openssl"]
run_tool("openssl pkcs12 -export -clcerts -in client.crt -inkey client.key "
         "-out client-seed.p12 -passout pass:123456", cwd=lab)

# %% [markdown]
# The first cell's `write_certificate_set` (what `pkilab init` runs) wrote a `client.p12`
# too (key, certificate *and* the two intermediates), with the seed's example password
# `123456`. Without any password, we can already see how
# it is protected:

# %% [markdown] lang=zh-CN
# 第一个单元格里的 `write_certificate_set`（`pkilab init` 执行的就是它）也写了一个
# `client.p12`（私钥、证书*以及*两张中间证书），密码用的是原教程示例里的
# `123456`。不用任何密码，我们就已经能看出它是怎样被保护的：

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

# %% [markdown] lang=zh-CN
# 按文件的组成部分来读：`certificates AES-256-CBC (…), plain`
# 列出了它的两个容器——一个加密的（装证书）和一个不加密的（装私钥）；`keys AES-256-CBC`
# 说明不加密容器里的私钥自己单独加了密（所谓 “shrouded”：PKCS#12
# 把在文件内部加密的私钥叫作 *shrouded keybag*，“bag” 是它对单个条目的叫法）。下面的
# `openssl pkcs12 -info` 显示的是同样的结构。

# %% [markdown]
# Now open it: without a password, with a wrong one, with the right one. Errors are
# pkilab errors (what happened, why, what to do), not library tracebacks.

# %% [markdown] lang=zh-CN
# 现在打开它：不带密码、用错误的密码、用正确的密码各试一次。报错是 pkilab
# 的错误（发生了什么、为什么、该怎么办），而不是库的调用栈。

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

# %% [markdown] lang=zh-CN
# PKCS#12 使用随机盐值，所以每次写出的文件字节都不同；要比较的是文件*里面*的内容（主体、指纹），绝不是文件本身。openssl 会显示保护方式——SHA-256 MAC 和 AES-256——`keytool`（Java）则列出一个 `PrivateKeyEntry`，证书链长度为 3。（我们只打印 keytool 输出里稳定的几行：对 PKCS#12 条目，它会显示当天的日期。）

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

# %% [markdown] lang=zh-CN
# ### 把 .p12 重新拆开
#
# 原教程用 `openssl pkcs12 -in client.p12 -nocerts -out key.pem`
# 提取私钥。这条命令会问两次：先问导入密码，再要一个*新的* PEM 口令，用来加密
# `key.pem`（OpenSSL 默认会加密提取出的私钥）。要得到 nginx 和 curl
# 不用提示就能读的明文私钥，加上 `-noenc`（OpenSSL 3；旧名字 `-nodes` 仍然可用），并用
# `-passin` 给出密码（脚本里最好用 `-passin env:VAR` 或 `file:path`，这样密码不会留在
# shell 历史里）。`-clcerts -nokeys` 只取客户端自己的证书，`-cacerts -nokeys` 只取 CA
# 证书：

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

# %% [markdown] lang=zh-CN
# （提取出的文件在 PEM 块之前有几行 `Bag Attributes`——来自 `.p12` 的友好名称（friendly
# name）和密钥 ID；读 PEM 的程序会跳过它们。）
#
# ### 把 client.p12 导入浏览器
#
# 原教程制作 `client.p12` 就是为了这个。**Firefox**：设置 → 隐私与安全 → 证书 →
# *查看证书…* → *您的证书* → *导入…*，然后输入 `.p12` 的密码。**Chrome 和 Edge**
# 使用系统的证书存储：Windows 上双击 `.p12`（或 `certmgr.msc` → *个人* → 导入）；macOS
# 上双击它，把它加入“钥匙串访问”的登录钥匙串；Linux 上在 Chrome 的设置 → 隐私和安全 → 安全
# → *管理证书* → *您的证书* →
# 导入。之后，服务器要求客户端证书时，浏览器就会提供这张证书（第 06
# 课）。用完之后，记得把实验用的证书从浏览器里删掉。
#
# （原教程说 Windows 里 *IIS 专门管理证书*。IIS 是微软的 Web
# 服务器，只是*使用*证书的一个程序；Windows 把证书放在它的**证书存储**里——`certmgr.msc`
# 管你自己的，`certlm.msc` 管本机的——Chrome、Edge 和 IIS 读的都是它。）
#
# ### 老旧的读取方——以及 Apple：legacy 选项
#
# 用 AES-256 保护的 PKCS#12 文件，Java 8u301 之前的版本和 Windows Server 2019
# 之前的系统都读不了；在当前的 macOS 和 iOS 上，导入 AES `.p12`
# 失败（密码明明是对的，却提示“密码错误”）的情况也仍有报告。**凡是要导入 Apple
# 设备**，以及面对老旧的读取方，用 `--to p12-legacy` 写出 3DES 加密、SHA-1 MAC
# 的文件，所有读取方都能接受。（这种保护很弱：这样的文件导入完就删掉。）

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

# %% [markdown] lang=zh-CN
# 不带密码的 PKCS#12 是另一个陷阱，有两种形式。一种是*不加密*的（没有
# MAC，也不加密：`openssl pkcs12 -export -passout pass: -nomac -keypbe NONE -certpbe NONE`），谁都能打开，而 Java 在里面列出 **0 个条目**。另一种用的是*空*密码，它仍然是加密的（用空字符串加密），keytool 能列出其中的私钥条目——但它同样什么也没保护，而且并非所有读取方都接受空密码。下面用 openssl 把两种都做出来，再用 keytool 以空密码 `''` 列出：

# %% tags=["needs-openssl", "needs-keytool"]
run_tool("openssl pkcs12 -export -in client.crt -inkey client.key -name client "
         "-out client-empty.p12 -passout pass:", cwd=lab)
run_tool("openssl pkcs12 -export -in client.crt -inkey client.key -name client "
         "-out client-plain.p12 -passout pass: -nomac -keypbe NONE -certpbe NONE", cwd=lab)
keytool_list("client-empty.p12", "''")
keytool_list("client-plain.p12", "''")

# %% [markdown]
# pkilab refuses to write either kind: give a PKCS#12 a real password.

# %% [markdown] lang=zh-CN
# 这两种 pkilab 都拒绝写出：请给 PKCS#12 设一个真正的密码。

# %%
pkilab("convert client.crt client-nopw.p12 --key client.key")

# %% [markdown]
# Files from older tools (OpenSSL 1.x, early mkcert, `openssl pkcs12 -export -legacy`) use
# **RC2-40**, a 40-bit cipher. OpenSSL 3 reads those only with `-legacy`. We make one with
# openssl and watch: openssl 3 refuses its own file without the flag, pkilab reads it and
# warns, and its modern re-export opens everywhere.

# %% [markdown] lang=zh-CN
# 老工具（OpenSSL 1.x、早期的 mkcert、`openssl pkcs12 -export -legacy`）生成的文件用的是
# **RC2-40**，一种 40 位的加密算法。OpenSSL 3 只有加上 `-legacy` 才能读它们。我们用
# openssl 做一个，看看会发生什么：不加这个选项，openssl 3 连自己生成的文件都拒绝读；pkilab
# 能读，但会给出警告；而它重新导出的新式文件在哪里都能打开。

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

# %% [markdown] lang=zh-CN
# ## 4. JKS：Java 自己的密钥库，以及信任库
#
# 原教程写道：*JKS 是 Java 中用于存储密钥和证书的专有格式 ... 生成和转换需要用到 Java
# keytool*。Java 9 及以后默认使用 PKCS#12，但很多服务器仍然在用 `.jks`
# 文件。需要关注的有两类：
#
# * **密钥库（keystore）**，包含一个私钥条目（私钥及其证书链）——Java
#   服务端或客户端拿出来出示的就是它；
# * **信任库（truststore）**，包含受信任证书条目——Java 程序接受的根证书。
#
# keytool 做第一件事的命令是
# `keytool -importkeystore -srckeystore client.p12 -srcstoretype PKCS12 -destkeystore client.jks -deststoretype JKS`；做第二件事的是 `keytool -importcert -alias root -file root.crt -keystore truststore.jks`。密钥库密码**至少要 6 个字符**，否则 keytool 会拒绝。

# %%
pkilab("convert client.p12 client.jks --in-password 123456 --password 123456")

# %% tags=["needs-keytool"]
keytool_list("client.jks", "123456")

# %% [markdown]
# The truststore holds only the root, as a `trustedCertEntry` (no key: nothing secret, but
# its password still protects it from being changed unnoticed):

# %% [markdown] lang=zh-CN
# 信任库里只有根证书，是一个
# `trustedCertEntry`（没有私钥：里面没有机密，但它的密码仍然能防止有人在你不知情时改动它）：

# %%
pkilab("convert root.crt truststore.jks --password changeit")

# %% tags=["needs-keytool"]
keytool_list("truststore.jks", "changeit")

# %% [markdown]
# And the other way round: keytool writes a JKS from the PKCS#12, and pkilab reads it —
# the same certificates (same fingerprints) come out.

# %% [markdown] lang=zh-CN
# 反过来也行：keytool 从 PKCS#12 写出一个 JKS，pkilab
# 再读它——出来的是同样的证书（指纹相同）。

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

# %% [markdown] lang=zh-CN
# keytool 会拒绝的，pkilab 也拒绝：少于 6 个字符的密钥库密码：

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

# %% [markdown] lang=zh-CN
# ## 5. PKCS#7（.p7b）：只有证书——而且顺序靠不住
#
# Windows 和一些 CA 用 PKCS#7 格式分发证书链。它只装证书（从不装私钥），放在一个 ASN.1
# **SET OF** 里——与 SEQUENCE
# 不同，这是一个没有顺序的集合。你写入的顺序能否保留，取决于写的程序：严格的 DER 要求 SET
# OF 的元素按字节排序，`cryptography`（`pkilab convert`
# 内部用的就是它）这类严格的写入方会排序；`openssl crl2pkcs7`
# 则保留给它的顺序。所以读取方对任何 `.p7b` 的顺序都不能信任：pkilab
# 读出证书链后，会重新排成叶子 → 根的顺序。先看 pkilab 写的文件，按存储顺序读一次，再由
# pkilab 读一次：

# %%
pkilab("convert fullchain.crt chain.p7b")
from cryptography.hazmat.primitives.serialization import pkcs7


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

# %% [markdown] lang=zh-CN
# 对应的 openssl 命令 `openssl crl2pkcs7 -nocrl -certfile fullchain.crt -outform der`
# 保留了 `fullchain.crt` 里的顺序——这不是合法的 DER，所以 `cryptography`
# 读它时先发出一条警告，点名被违反的规则 `InvalidSetOrdering`（然后退回到更宽松的 BER
# 规则来读）：

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

# %% [markdown] lang=zh-CN
# ## 6. pkilab 会提醒的陷阱
#
# 有两个错误会让服务器启动失败：私钥属于另一张证书（nginx 报 “key values
# mismatch”），以及证书链写反了（根证书在最前）。只看文件就能发现这两种错误：

# %%
mismatch = (lab / "server.crt").read_bytes() + (lab / "client.key").read_bytes()
upside_down = b"".join(c.public_bytes(serialization.Encoding.PEM)
                       for c in reversed(cs.server.fullchain))
for label, data in (("server.crt + client.key", mismatch), ("fullchain reversed", upside_down)):
    print(f"{label}:")
    for warning in load_any(data).warnings:
        print("   ", warning)

# %% [markdown]
# ### Your turn: the format explorer
#
# Pick any file of this lesson's folder (or type a password for the `.p12` and `.jks`
# files) to see what it is and its other views. Widgets need a live kernel.

# %% [markdown] lang=zh-CN
# ### 动手试试：格式浏览器
#
# 从本课的文件夹里任选一个文件（`.p12` 和 `.jks`
# 文件可以输入密码），看看它是什么，以及它的其他视图。控件需要运行中的内核。

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
#   password of 6+ characters; use `p12-legacy` for old readers and any Apple import;
#   RC2 files need `openssl -legacy` on OpenSSL 3. Take one apart with `openssl pkcs12 -in
#   … -nocerts -noenc` (the key), `-clcerts -nokeys` (the certificate), `-cacerts -nokeys`
#   (the CAs).
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
# not the extension. (`pkilab inspect FILE` in a terminal describes each one in words,
# without the `kind`.)

# %% [markdown] lang=zh-CN
# ## 小结
#
# * **PEM** 是夹在标签之间的 base64 文本；**DER** 是同样内容的二进制形式。`.crt`
#   两者都可能：要看字节（`identify`、`openssl x509 -inform der`）。
# * 私钥有 PKCS#8（`PRIVATE KEY`，任何算法）、PKCS#1（`RSA PRIVATE KEY`）和
#   SEC1（`EC PRIVATE KEY`）几种格式；格式转换从不改变私钥本身。
# * **PKCS#12** 把私钥、对应的证书和证书链打包在一起，用密码保护。一定要给它设 6
#   个字符以上的密码；老旧的读取方和任何 Apple 设备的导入都用 `p12-legacy`；RC2 文件在 OpenSSL 3 上要用
#   `openssl -legacy`。拆开它：`openssl pkcs12 -in … -nocerts -noenc`（私钥）、`-clcerts -nokeys`（证书）、`-cacerts -nokeys`（CA 证书）。
# * **JKS** 密钥库装私钥条目，**信任库**装根证书；keytool 能读 pkilab 写的，pkilab 也能读
#   keytool 写的。
# * **PKCS#7** 把证书放在 SET OF 里：严格的 DER 写入方会给它们排序，`openssl crl2pkcs7`
#   保留你的顺序；无论哪种，读出来之后都要重新排成叶子 → 根。
#
# 下一课：**05 · 单向认证（one-way TLS）**，这些文件将遇到一台真正的服务器。
#
# ## 练习 1：这是什么文件？
#
# 同事发来 `_lab/04/mystery/` 里的五个文件。给每个文件填上 `identify` 给出的 `kind`——例如
# `"der-certificate"`、`"pem-encrypted-pkcs8-key"`、`"jks"`、`"html"`、`"ssh-public-key"`、`"pkcs7-der"`、`"pkcs12"`。提示：相信字节，别信扩展名。（在终端里运行 `pkilab inspect FILE` 也会用文字描述每个文件，只是不给出 `kind`。）

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

# %% [markdown] lang=zh-CN
# ## 练习 2：一个 Java 能接受的、你自己的 .p12
#
# 新同事 `carol` 需要一张 `.p12` 格式的客户端证书。用
# `cs.intermediate2.issue_client("carol")` 签发一张，把它的证书和私钥写成 `_lab/04/` 下的
# PEM 文件（`carol.certificate.public_bytes(serialization.Encoding.PEM)`，私钥用
# `.private_bytes(...)` 写成 PKCS#8），再用
# `pkilab("convert ... --key ... --chain ... --password ...")` 把它们打包成
# `_lab/04/exercise.p12`，**带上两张中间证书**，让 `keytool -list` 显示一个带证书链的
# `PrivateKeyEntry`。把 `p12_password` 设为你用的密码：keytool
# 对这个密码有什么要求？（复制一份本课的 `client2.p12` 是过不了的：检查会打开文件，找的是
# carol。）

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
