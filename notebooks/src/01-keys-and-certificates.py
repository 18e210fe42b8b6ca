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

# %% [markdown] lang=zh-CN
# # 01 · 密钥和证书
#
# **你将做什么：** 生成一把私钥，从它导出公钥，把公钥放进一张证书，然后逐个字段查看这张证书——分别用 pkilab 和 openssl。
#
# **你将学到什么：** X.509 证书里有什么（以及没有什么：私钥），为什么如今默认用 EC P-256，为什么原教程的 1024 位 RSA 密钥行不通。
#
# **你需要准备什么：** 先学完第 00 课。`openssl` 可选。
#
# 对应原教程章节：*CA 证书和私钥*、*证书格式 → X.509*。

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

# %% [markdown] lang=zh-CN
# ## 1. 私钥
#
# 原教程的每一步都从 `openssl genrsa -out root.key 1024` 开始。我们改用 **EC P-256** 密钥：强度相当于 RSA-3072，生成速度快几千倍，而且到处都被接受。（课程里用 `derive_key`，每次运行都得到*同一把*密钥，这样这里的输出才能和你的一致。真实的密钥用 `generate_key` 生成，它是随机的。）
#
# > **警告：课程里的每一把密钥都是公开的。** `derive_key` 从一段文字计算出密钥，而这些文字（`"lesson-01 my first key"`、`"lesson-03"` 等）就写在本仓库里。任何人都能算出同样的私钥，因此任何人都能“以”课程根证书的名义签发证书。绝不要把课程的 `root.crt` 加进浏览器、操作系统的信任库、Java 信任库（truststore）或本实验以外任何服务器的客户端 CA 文件。凡是你要长期使用的，都请生成一套随机的（`pkilab init`，或 `generate_key`）；第 05 课讲如何信任根证书时就是这样做的。

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

# %% [markdown] lang=zh-CN
# 上面那个单元格对应的 openssl 命令是 `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out my.key`。那个单元格里有两个词：**PKCS#8** 是任意类型私钥的标准文件格式（`BEGIN PRIVATE KEY`）；较老的 **SEC1** 格式只能存 EC 密钥（`BEGIN EC PRIVATE KEY`，`openssl ecparam -genkey` 写出的就是它）。两者存的是同一把密钥。
#
# 现在从私钥导出**公钥**——这一半可以给任何人看。它以 **SubjectPublicKeyInfo**（SPKI）的形式写出：算法名加上密钥本身（`BEGIN PUBLIC KEY`），证书里放的也正是这个结构：

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

# %% [markdown] lang=zh-CN
# ## 2. 多大才算“够强”？
#
# pkilab 认识下面这些密钥类型。原教程选的 RSA 1024 会被拒绝，除非你明确要求：它已在资金充足的攻击者能力范围之内，而且在 OpenSSL 安全级别 2 下，TLS 拒绝加载它（`EE_KEY_TOO_SMALL`）——这正是 Python 的 `ssl` 以及 Debian、Ubuntu 和 RHEL 构建的默认级别。（`openssl genrsa 1024` 这条命令本身仍然能运行。）

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

# %% [markdown] lang=zh-CN
# 密钥大小在网络上也有影响：每次 TLS 握手都要把证书里的公钥发送出去。比较一下每种类型的公钥大小（DER 字节数）：

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

# %% [markdown] lang=zh-CN
# ## 3. 证书：一把带名字、经过签名的公钥
#
# 证书声明的是：*“这把公钥的持有者名叫……”*，并由签发者（issuer）签名。最简单的一种是**自签名**证书：签发者就是主体（subject）自己。pkilab 的 `CertificateAuthority.create_root` 就生成这样一张证书（CA 在第 02 课讲）：

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

# %% [markdown] lang=zh-CN
# 逐行来看你看到的内容：
#
# * **version**（版本）v3——只有 v3 证书才能携带*扩展*（下面那几行）。
# * **subject**（主体）/ **issuer**（签发者）——证书是关于谁的，谁签发了它。这里两者相同：自签名。
# * **validity**（有效期）——起止时间。超出这个区间，验证器就会拒绝。（课程证书一律从 2026-01-01 到 2046-01-01，所以你运行时打印的日期相同；真实证书的有效期要短得多。）
# * **key**（密钥）——里面的公钥，以及签发者所用的 **signature**（签名）算法（ECDSA：EC 密钥的签名方案，这里对 SHA-256 哈希签名）。
# * **serial**（序列号）——在同一签发者内唯一，这样 CA 才能准确地吊销（revoke）这一张证书。
# * **extensions**（扩展）——证书可以做什么：`basicConstraints CA:TRUE`（可以签发其他证书）、`keyUsage`，以及帮助找到签发者的密钥标识符。
# * **SHA-256**——指纹（fingerprint）：整张证书的哈希，用来比较两份副本是否相同。
#
# openssl 用 `openssl x509 -text -noout` 打印同样的字段（还有更多）。下面是主要的几项：

# %% tags=["needs-openssl"]
run_tool("openssl x509 -in my.crt -noout -subject -issuer -dates -fingerprint -sha256",
         cwd=lab)

# %% [markdown]
# ## 4. Public key inside, private key outside
#
# The seed says: *公钥是存储在证书里的, key 是私钥* — the public key is stored in the
# certificate; the key file is the private key. Let us check both halves of that sentence.

# %% [markdown] lang=zh-CN
# ## 4. 公钥在里面，私钥在外面
#
# 原教程说：*“公钥是存储在证书里的, key 是私钥”*。我们来验证这句话的两半。

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

# %% [markdown] lang=zh-CN
# 所以 `my.crt` 可以交给任何人。持有 `my.key` 的人可以签一段内容，让 `my.crt` 里的公钥验证通过，以此证明自己就是“root”。
#
# 原教程说 CA 私钥“用于签发和验证其他证书”。只有前一半是对的：私钥用来签名；任何人都用 CA 证书里的**公钥**来验证。所以客户端只需要 `root.crt`，从来不需要 `root.key`——下一个单元格只用 `cert` 就完成了验证。
#
# ## 5. 签名保护着每一个字节
#
# 改动证书里的一个字节（这里是主体中的一个字母），签名就对不上了：

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

# %% [markdown] lang=zh-CN
# ### 动手试试：证书生成器
#
# 选择密钥类型、有效期、CA 标志和路径长度（path length）以及名字；生成器会用一个小型实验 CA 签发证书，并告诉你它能否通过验证——不能的话，原因是什么。“checked after”是验证器检查它的日子，从签发当天算起：试试把有效期设得比它短，或者生成一张没有名字的服务器证书。（控件需要运行中的内核：请运行这个单元格。）

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

# %% [markdown] lang=zh-CN
# ## 小结
#
# * 密钥对：私钥（`.key`，权限 0600）用来签名，公钥用来验证。
# * 证书 = 主体名称 + 公钥 + 有效期 + 扩展，由签发者**签名**。
# * EC P-256 是合理的默认选择；低于 2048 位的 RSA 会被拒绝。
# * 证书里从来不包含私钥。
#
# ## 练习 1：一把 EC P-384 密钥
#
# 生成一把类型为 `"ec384"` 的私钥，存进 `key384`。

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

# %% [markdown] lang=zh-CN
# ## 练习 2：是哪把密钥做出了这张证书？
#
# 下面的 `mystery_cert` 是用两个 `candidates` 之一做出来的。把 `owner` 设为那一个（`candidates[0]` 或 `candidates[1]`）：把每个候选的公钥部分与证书里的公钥比较。

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

# %% [markdown] lang=zh-CN
# ## 练习 3：你自己的自签名证书
#
# 为**你自己的** `key384` 生成一张主体为 `/CN=me` 的自签名证书，把证书本身（而不是 CA 对象）存进 `my_cert`。（提示：第 3 节。）

# %%
my_cert = None  # your code here
l01.check_self_signed(my_cert, key384)

# %% tags=["hide-cell"]
# Solution
solution_cert = CertificateAuthority.create_root("/CN=me", key=solution_key384).certificate
l01.check_self_signed(solution_cert, solution_key384)
