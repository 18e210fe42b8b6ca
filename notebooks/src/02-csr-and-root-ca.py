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

# %% [markdown] lang=zh-CN
# # 02 · 证书签名请求与自签名根 CA
#
# **你将做什么：** 像原教程那样写一个证书签名请求（certificate signing request，CSR），检查它的持有证明（proof of possession），把它变成一张自签名的**根 CA** 证书，用这个根证书签署服务器的 CSR，再用同一把密钥为根证书续期。
#
# **你将学到什么：** CSR 是做什么用的，为什么根证书必须声明 `CA:TRUE`，以及原教程里有两处 openssl 命令已经不再像它说的那样工作。
#
# **你需要准备什么：** 先学完第 01 课。`openssl` 可选（没有它时相应步骤会跳过）。
#
# 对应原教程章节：*证书请求*、*自签名根证书 CA*、*自签名服务端证书*（这个标题有误导性：那张服务器证书是由根 CA 签发的，并不是自己签自己——见第 5 节）。

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

# %% [markdown] lang=zh-CN
# ## 1. 名字：把原教程的交互问答写成一行
#
# `openssl req -new` 会依次询问国家、省份、城市、组织、部门、通用名称和邮箱。原教程的回答是 `cn`、`bj`、`bj`、`alibaba`、`test`、`root`、`a.alibaba.com`。同样的回答可以写成一行，也就是 openssl 的 `-subj` 写法。pkilab 能读这种写法——还发现了原教程邮箱地址里的笔误：

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

# %% [markdown] lang=zh-CN
# 国家变成了 `CN`：ISO 3166 代码是大写的，所以 pkilab 把它转成大写（openssl 会照原样保留原教程的 `cn`，而证书检查工具（linter）会标出这个问题）。
#
# 检验一下原教程关于名字的两条规则：
#
# * “根证书的通用名称必须与服务器和客户端的不同”——本意是对的：真正必须不同的是整个*主体*（subject）。主体与签发者相同的证书看起来就是自签名的，验证器构建证书链时会停在那里。
# * “其他所有字段...需保持一致”——这不是证书的规则：验证器是把一张证书的*签发者*与下一张证书的*主体*整体比较，不同证书的各个字段完全可以不同。这条规则来自 **`openssl ca`**，也就是 OpenSSL 自带的小型 CA 程序：它的默认配置（`openssl.cnf`）只签署符合 `policy_match` 的请求，而 `policy_match` 要求 `countryName`、`stateOrProvinceName` 和 `organizationName` 与 CA 的*一致*，`commonName` 必须提供，其余可选。原教程签名用的是 `openssl x509 -req`，它根本没有什么策略。（`pkilab init --subject "/C=CN/ST=bj/L=bj/O=alibaba/OU=test"` 让这些字段保持一致，只是为了整齐。）
#
# 原教程的问答最后还有“A challenge password”和“An optional company name”：这是 CSR 的老式属性，以*明文*存放在请求里——并不是私钥的密码。留空即可。
#
# ## 2. CSR：“请为这个名字认证这把公钥”
#
# 原教程：先 `openssl genrsa -out root.key 4096`，再 `openssl req -new -out root.csr -key root.key`。CSR 里有名字和公钥，并且**用私钥签了名**。这个签名就是*持有证明*：生成这个 CSR 的人持有对应的私钥。
#
# CSR **不是**下面两样东西：
#
# * **不是加密的。** 原教程称它为“加密文本”。它是签名的：任何人都能读到每一个字段（下一个单元格就在读，`openssl req -text` 也能读）。
# * **不代表对名字的所有权。** 签名只证明持有私钥，并不能证明里面的名字：任何人都能做一个写着 `CN=www.bank.example` 的 CSR。真正的 CA 会自己核验名字——用 ACME（Let's Encrypt 使用的协议）时，通过 `http-01` 验证（在该域名上提供一个文件）或 `dns-01` 验证（在它的 DNS 里加一条 TXT 记录）；签发 OV 和 EV 证书（组织验证 / 扩展验证）时还要核查组织的证明材料——而且 CSR 的大部分内容 CA 都会忽略：它只保留公钥和它核验过的名字，其余由它自己决定。

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

# %% [markdown] lang=zh-CN
# CA 检查什么？CSR 的签名。如果有人在签名之后改动请求（比如想多申请一个名字），签名就会失效：

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

# %% [markdown] lang=zh-CN
# ## 3. 原教程的根证书：`openssl x509 -req -signkey`
#
# 原教程接着签署自己的 CSR：`openssl x509 -req -in root.csr -out root.crt -signkey root.key -days 3650`。这样得到的是一张自签名证书，但它从未声明自己是 CA。其余内容取决于 OpenSSL 的版本：3.0 和 3.1 写出的是不带任何扩展的**第 1 版**证书；**3.2 及以后**默认写出第 3 版证书，带有密钥标识符（subjectKeyIdentifier、authorityKeyIdentifier）——但仍然没有 `basicConstraints CA:TRUE`。下面的单元格只打印在所有版本上都相同的部分：

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

# %% [markdown] lang=zh-CN
# 没有 `CA:TRUE`。OpenSSL 仍然接受这样的根证书作为信任锚，但严格的检查工具不接受，而且同样的命令用来生成*中间证书*时，证书链就断了（第 03 课）。现代的 openssl 命令会加上扩展：
#
# ```
# openssl req -x509 -new -key root.key -subj "/C=CN/ST=bj/L=bj/O=alibaba/OU=test/CN=root" \
#     -days 3650 -addext "basicConstraints=critical,CA:TRUE" \
#     -addext "keyUsage=critical,keyCertSign,cRLSign" -out root.crt
# ```
#
# ## 4. 正确的根证书
#
# `CertificateAuthority.create_root` 生成一张自签名的 v3 根证书，按原教程的要求有效期 10 年（课程根证书是 20 年，2026–2046，好让这个笔记本的日期保持不变），带有 `basicConstraints CA:TRUE`（critical）、`keyUsage keyCertSign, cRLSign` 和 subjectKeyIdentifier：

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

# %% [markdown] lang=zh-CN
# ## 5. 签署服务器的 CSR——以及原教程混用的 `-signkey` + `-CA`
#
# 原教程在双向认证一节里这样签署服务器的 CSR：`openssl x509 -req -in server.csr -signkey server.key -CA root.crt -CAkey root.key ...`。`-signkey` 的意思是“用这把密钥自签名”，`-CA` 的意思是“用 CA 签名”：两者互相矛盾，OpenSSL 3 会拒绝这条命令，于是**什么证书也不会写出**（这个单元格要的是 `seed-server.crt`，免得和下面 pkilab 生成的 `server.crt` 混淆）。原教程把这一步放在“自签名服务端证书”这个标题下：它真正的意思是由根 CA 签发的服务器证书——恰恰与“自签名”相反。

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

# %% [markdown] lang=zh-CN
# pkilab 的 `sign_csr` 就是这一步里 CA 那一边的工作：它检查 CSR 的持有证明，复制名字和申请的 subjectAltName，并加上服务器证书的扩展（`extendedKeyUsage serverAuth`、`subjectAltName`、密钥标识符）。私钥从不离开服务器：CA 只看到 CSR。
#
# 从 CSR 里照抄名字**只适用于实验**：这里这样做没问题，是因为你既是申请者又是 CA。真正的 CA 只采用它核验过的名字（第 2 节）。

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

# %% [markdown] lang=zh-CN
# ## 6. 用同一把密钥续期
#
# 原教程提到，`root.crt` 过期时，同一把密钥（只要从未泄露）可以签一张新的。`renew` 保留主体、密钥和扩展，给出新的有效期和新的序列号。旧根证书签发的证书在续期后的根证书下仍能通过验证，因为验证检查的是*名字和密钥*，而不是你手里是哪一份根证书：

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

# %% [markdown] lang=zh-CN
# ## 小结
#
# * CSR = 名字 + 公钥，用私钥签名（持有证明）。
# * 根 CA 是自签名的，**并且**声明了 `CA:TRUE`；直接用 `openssl x509 -req -signkey` 生成的证书不带任何扩展（除非加上 `-extfile`），无法作出这种声明。
# * `-signkey` 和 `-CA` 不能混用：签署别人的 CSR 时只用 CA 的私钥。
# * 用同一把密钥续期，它签发过的所有证书依然有效。
#
# ## 练习 1：为一家网店生成 CSR
#
# 生成 `shop_csr`：一个属于密钥 `shop_key` 的 CSR，主体为 `/O=shop/CN=shop.example`，申请的 subjectAltName 为 `shop.example`。

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

# %% [markdown] lang=zh-CN
# ## 练习 2：签署网店的请求
#
# 扮演 CA：用 `root` 把 **`shop_csr`** 签成一张服务器证书，把证书存进 `shop_cert`。网店的私钥必须留在网店手里，所以证书里必须是它 CSR 中的那把公钥。

# %%
shop_cert = None  # your code here
l02.check_shop_cert(shop_cert, shop_csr, root)

# %% tags=["hide-cell"]
# Solution
solution_shop_cert = root.sign_csr(solution_csr, kind="server").certificate
l02.check_shop_cert(solution_shop_cert, solution_csr, root)
