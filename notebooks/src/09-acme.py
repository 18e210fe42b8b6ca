# %% [markdown]
# # 09 · ACME: how Let's Encrypt issues a server certificate
#
# **What you'll do:** run a real ACME server on your laptop (Let's Encrypt's test server
# *pebble*, on 127.0.0.1 only), get a certificate from it with certbot's `acme` library —
# account, order, authorization, the HTTP-01 token served by this notebook, finalize with a
# CSR made by pkilab, download — read every message the client signed, then verify and
# serve what pebble issued.
#
# **What you'll learn:** what ACME (RFC 8555) automates in the seed's "send the CSR to a CA"
# step, how a CA checks that you control a name, what the account key signs (JWS) and why
# every request carries a fresh nonce, why the chain you download is not the whole story
# (you must already trust the root), and what a public CA does that a test CA skips.
#
# **What you'll need:** lessons 02, 03 and 05. `pebble` (Debian: `apt-get install pebble`)
# is optional: without it the lesson says so, and the stored output shows a real run.
#
# Seed section: *证书颁发机构 (CA)* — the seed names Let's Encrypt first among CAs.

# %% [markdown] lang=zh-CN
# # 09 · ACME：Let's Encrypt 是怎样签发服务器证书的
#
# **你将做什么：** 在自己的电脑上运行一个真正的 ACME 服务器（Let's Encrypt 的测试服务器 *pebble*，只监听 127.0.0.1），用 certbot 的 `acme` 库向它申请证书——注册账户、下订单、读取授权、由本 notebook 提供 HTTP-01 令牌、用 pkilab 生成的证书签名请求（CSR）完成订单、下载证书——逐条查看客户端签名的每一条消息，然后验证并部署 pebble 签发的证书。
#
# **你将学到什么：** ACME（RFC 8555）把原教程里“把 CSR 交给 CA”这一步自动化成了什么；CA 如何确认你控制某个域名；账户密钥签的是什么（JWS），为什么每个请求都要带一个新的 nonce；为什么下载到的证书链还不够（信任锚必须事先就有）；以及公共 CA 做了哪些测试 CA 省掉的事。
#
# **你需要什么：** 第 02、03、05 课。`pebble`（Debian：`apt-get install pebble`）是可选的：没有它时本课会说明，已保存的输出展示的是一次真实运行。
#
# 对应原教程章节：*证书颁发机构 (CA)*——原教程在 CA 列表里第一个提到的就是 Let's Encrypt。

# %%
import base64
import hashlib
import json
import re

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from pkilab import (HTTPSServer, PebbleServer, PkilabError, TLSConnectionError,
                    build_certificate_set, build_csr, find_pebble, generate_key,
                    key_authorization, request, requested_names, show_messages,
                    verify_chain)
from pkilab.exercises import l09
from pkilab.lesson import LESSON_DAYS, lab_dir

lab = lab_dir("09")
HAVE_PEBBLE = find_pebble() is not None
NAME = "www.pkilab.test"   # .test is reserved for testing (RFC 2606): no real DNS has it


def no_pebble():
    print("(pebble is not installed here: this step is skipped; the stored output shows "
          "a run with it)")


def random_suffix(text):
    """pebble names its CAs with random hex ('Pebble Root CA 4d8b65'): hide the random part."""
    return re.sub(r" [0-9a-f]{6}$", " <random>", text)


def cn(name):
    return random_suffix(name.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value)


# %% tags=["needs-pebble"]
print("pebble is installed" if HAVE_PEBBLE else
      "pebble is not installed: install it (apt-get install pebble) to run the live steps")

# %% [markdown]
# ## 1. What ACME automates
#
# In lessons 02 and 03 *you* were the CA: you signed a CSR because you believed the person
# who sent it. A public CA cannot meet everyone who asks for `www.example.com`. ACME
# (Automatic Certificate Management Environment, RFC 8555) is the protocol Let's Encrypt
# made for this: a client proves it **controls the name right now** — by serving a token
# at `http://NAME/.well-known/acme-challenge/...` (HTTP-01), or in DNS (DNS-01), or in a
# TLS handshake (TLS-ALPN-01) — and the CA signs the CSR for the names it could check.
#
# Two keys take part, and they are not the same:
#
# * the **account key** signs every request to the CA (it never goes into a certificate);
# * the **certificate key** is the server's private key; only its CSR goes to the CA.

# %% [markdown] lang=zh-CN
# ## 1. ACME 自动化了什么
#
# 在第 02、03 课里，*你自己*就是 CA：你签发一个 CSR，是因为你相信发来它的人。公共 CA 不可能认识每一个申请 `www.example.com` 的人。ACME（Automatic Certificate Management Environment，RFC 8555）是 Let's Encrypt 为此设计的协议：客户端证明自己**此刻控制着这个域名**——在 `http://域名/.well-known/acme-challenge/...` 上提供一个令牌（HTTP-01），或者写进 DNS（DNS-01），或者放在一次 TLS 握手里（TLS-ALPN-01）——CA 只为它验证过的域名签发 CSR。
#
# 这里有两把密钥，它们不是同一把：
#
# * **账户密钥（account key）** 给发往 CA 的每一个请求签名（它永远不会出现在证书里）；
# * **证书密钥** 就是服务器的私钥；交给 CA 的只有它的 CSR。

# %% [markdown]
# ## 2. A CA on your laptop: pebble
#
# pebble is Let's Encrypt's ACME test server. Debian's package ships no certificate for
# pebble's own HTTPS port and its example listens on every interface, so `PebbleServer`
# makes the listener certificate with pkilab (a throw-away root that only our ACME client
# trusts), binds every port to 127.0.0.1, and runs `pebble-challtestsrv` as pebble's DNS
# server: it answers **127.0.0.1 for every name**, which is how pebble finds this
# notebook when it checks `www.pkilab.test`. pebble would normally wait a random few
# seconds before validating and reject 5 % of good nonces on purpose, to keep clients
# honest; both are switched off here (`PEBBLE_VA_NOSLEEP`, `PEBBLE_WFE_NONCEREJECT=0`).
#
# We ask pebble for certificates valid `LESSON_DAYS` days, like the lesson's own sets, so
# this stored lesson still verifies when it is re-run years from now. Section 7 says what
# a public CA allows instead.

# %% [markdown] lang=zh-CN
# ## 2. 你电脑上的 CA：pebble
#
# pebble 是 Let's Encrypt 的 ACME 测试服务器。Debian 的软件包没有附带 pebble 自身 HTTPS 端口用的证书，示例配置还监听所有网卡，所以 `PebbleServer` 用 pkilab 生成监听证书（一个一次性的根证书，只有我们的 ACME 客户端信任它），把所有端口都绑定到 127.0.0.1，并把 `pebble-challtestsrv` 作为 pebble 的 DNS 服务器运行：它对**任何域名都回答 127.0.0.1**，pebble 检查 `www.pkilab.test` 时就是这样找到本 notebook 的。pebble 平时会在验证前随机等待几秒，还会故意拒绝 5% 的正常 nonce，以此考验客户端是否规范；这里两者都关掉了（`PEBBLE_VA_NOSLEEP`、`PEBBLE_WFE_NONCEREJECT=0`）。
#
# 我们让 pebble 签发有效期为 `LESSON_DAYS` 天的证书，和本课程自己的证书集一样，这样多年后重新运行这份已保存的课程时仍能验证通过。第 7 节会讲公共 CA 实际允许多长。

# %% tags=["needs-pebble"]
def shown_config(config):
    """pebble's configuration with the free ports it got as PORT."""
    text = json.dumps(config, indent=2)
    return re.sub(r'(127\.0\.0\.1:|Port": )\d+', r"\1PORT", text)


if HAVE_PEBBLE:
    with PebbleServer(lab, validity_days=LESSON_DAYS) as pebble:
        print(shown_config(pebble.config))
        print("\nlistener certificate issued by:", cn(pebble.listener_root.subject))
        print("files:", sorted(p.name for p in pebble.workdir.iterdir()))
else:
    no_pebble()

# %% [markdown]
# `listenAddress` is the ACME API, `managementListenAddress` pebble's own extra port (its
# root and intermediate are there), and `httpPort` is where pebble fetches HTTP-01 tokens
# — a real CA always asks port 80.

# %% [markdown] lang=zh-CN
# `listenAddress` 是 ACME 接口，`managementListenAddress` 是 pebble 额外的管理端口（它的根证书和中间证书可以从这里取到），`httpPort` 是 pebble 获取 HTTP-01 令牌的端口——真正的 CA 永远只访问 80 端口。

# %% [markdown]
# ## 3. One issuance, every message
#
# The server's key and CSR are pkilab's (`generate_key`, `build_csr`), exactly as in lesson
# 02. `pebble.issue` then walks the whole protocol with the `acme` library and answers
# HTTP-01 from a small HTTP server in this notebook (`HTTP01Server`) on pebble's `httpPort`.
# Every request and reply is recorded; here is the list of steps.

# %% [markdown] lang=zh-CN
# ## 3. 一次签发，每一条消息
#
# 服务器的私钥和 CSR 由 pkilab 生成（`generate_key`、`build_csr`），和第 02 课完全一样。然后 `pebble.issue` 用 `acme` 库走完整个协议，并由本 notebook 里的一个小 HTTP 服务器（`HTTP01Server`）在 pebble 的 `httpPort` 上应答 HTTP-01。每一个请求和应答都被记录下来；下面是步骤列表。

# %% tags=["needs-pebble"]
server_key = generate_key()
server_csr = build_csr(server_key, {"CN": NAME}, [NAME])
print("the CSR asks for:", requested_names(server_csr))

issued = None
if HAVE_PEBBLE:
    with PebbleServer(lab, validity_days=LESSON_DAYS) as pebble:
        issued = pebble.issue(server_csr, key=server_key, email="learner@pkilab.test")
    print(show_messages(issued.messages, details=False))
else:
    no_pebble()

# %% [markdown]
# Read it from the top: the client knows only the **directory** URL; everything else comes
# from the server's replies. A first **nonce** comes from `newNonce`; **newAccount**
# registers the account key; **newOrder** names what we want; the **authorization** says
# how to prove `www.pkilab.test`; posting to the **challenge** tells pebble "the token is
# there, come and look"; reading the authorization again shows `valid`; **finalize** sends
# the CSR; the **order** turns `valid` and names the certificate URL; the last step
# downloads it. Polls of one URL are shown once (how many there were depends on timing).
#
# The random parts (nonces, resource ids, ports) are printed as numbered labels so this
# output stays the same on every run; `issued.messages` holds the real values.

# %% [markdown] lang=zh-CN
# 从上往下读：客户端只知道**目录**（directory）的 URL，其余一切都来自服务器的应答。第一个 **nonce** 来自 `newNonce`；**newAccount** 注册账户密钥；**newOrder** 说明要哪些域名；**authorization** 说明如何证明 `www.pkilab.test`；向 **challenge** 发请求，是告诉 pebble “令牌已经放好了，来看吧”；再次读取授权时状态变成 `valid`；**finalize** 提交 CSR；**order** 变为 `valid` 并给出证书的 URL；最后一步下载证书。对同一 URL 的反复轮询只显示一次（轮询几次取决于时机）。
#
# 随机的部分（nonce、资源 id、端口）显示成带编号的标签，所以每次运行的输出都相同；真实的值保存在 `issued.messages` 里。

# %% [markdown]
# ## 4. What the account key signs: JWS
#
# Every POST is a JWS (JSON Web Signature, RFC 7515) in its flattened form: a **protected
# header** (algorithm, nonce, the exact URL, and who signs), a **payload** (the request
# itself) and a **signature** over `protected.payload`. Here are the account step and the
# order step in full:

# %% [markdown] lang=zh-CN
# ## 4. 账户密钥签的是什么：JWS
#
# 每个 POST 请求都是一个扁平格式的 JWS（JSON Web Signature，RFC 7515）：**受保护头部（protected header）**（算法、nonce、准确的 URL，以及签名者是谁）、**载荷（payload）**（请求本身），以及对 `protected.payload` 的**签名**。下面是账户这一步和下单这一步的全文：

# %% tags=["needs-pebble"]
if issued:
    print(show_messages(issued.messages, steps=[3, 4]))
else:
    no_pebble()

# %% [markdown]
# * `newAccount` carries the public key itself (`jwk`); every later request names the
#   account by its URL instead (`kid`).
# * The `nonce` of each request is the `Replay-Nonce` the previous reply handed out, used
#   once: a recorded request sent again is refused (`badNonce`), so an eavesdropper on a
#   broken TLS connection still cannot replay "revoke my certificate".
# * The `url` is signed too, so a request cannot be redirected to another resource.
# * `ES256` is ECDSA P-256 with SHA-256; its signature is `r` and `s`, 32 bytes each.
# * Reads are signed as well: a POST with an empty payload ("POST-as-GET").
#
# Check the signature yourself with `cryptography`: the signed bytes are the two base64url
# parts joined by a dot.

# %% [markdown] lang=zh-CN
# * `newAccount` 直接携带公钥本身（`jwk`）；之后的每个请求改用账户的 URL 来指明账户（`kid`）。
# * 每个请求的 `nonce` 就是上一个应答通过 `Replay-Nonce` 发下来的那个，只能用一次：把录下的请求再发一遍会被拒绝（`badNonce`），所以即便 TLS 连接被攻破，窃听者也无法重放“吊销我的证书”这样的请求。
# * `url` 也被签名了，请求无法被转发到别的资源上。
# * `ES256` 是使用 SHA-256 的 ECDSA P-256，签名由 `r` 和 `s` 组成，各 32 字节。
# * 读操作同样要签名：载荷为空的 POST（“POST-as-GET”）。
#
# 用 `cryptography` 亲自验证签名：被签名的字节就是两段 base64url 用点号连起来。

# %% tags=["needs-pebble"]
def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jws_signature_valid(body, public_key):
    signed_bytes = (body["protected"] + "." + body["payload"]).encode()
    raw = b64url_decode(body["signature"])
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public_key.verify(der, signed_bytes, ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False


if issued:
    account_step = json.loads(issued.messages[2].request_body)
    header = json.loads(b64url_decode(account_step["protected"]))
    jwk = header["jwk"]
    sent_key = ec.EllipticCurvePublicNumbers(
        int.from_bytes(b64url_decode(jwk["x"]), "big"),
        int.from_bytes(b64url_decode(jwk["y"]), "big"), ec.SECP256R1()).public_key()
    print("the jwk in the header is the account key:",
          sent_key.public_numbers() == issued.account_key.public_key().public_numbers())
    print("signature valid:", jws_signature_valid(account_step, sent_key))
    forged = dict(account_step, payload=base64.urlsafe_b64encode(
        b'{"termsOfServiceAgreed": false}').rstrip(b"=").decode())
    print("signature valid for a changed payload:", jws_signature_valid(forged, sent_key))
else:
    no_pebble()

# %% [markdown]
# ## 5. Proving the name: HTTP-01
#
# The authorization offered three challenge types; the client chose `http-01`. Its token
# is random, and the answer — the **key authorization** — is `TOKEN.THUMBPRINT`, where the
# thumbprint (RFC 7638) is a hash of the account's public key. So the token proves two
# things at once: whoever controls the web server for the name also holds *this*
# account's key. Here are the authorization and the challenge step, then what pebble
# asked this notebook's HTTP-01 server:

# %% [markdown] lang=zh-CN
# ## 5. 证明域名：HTTP-01
#
# 授权里提供了三种挑战（challenge）类型，客户端选择了 `http-01`。它的令牌是随机的，应答内容——**密钥授权（key authorization）**——是 `令牌.指纹`，其中指纹（RFC 7638）是账户公钥的哈希值。所以这个令牌同时证明了两件事：控制该域名 Web 服务器的人，也持有*这个*账户的密钥。下面先是授权和挑战这两步，然后是 pebble 向本 notebook 的 HTTP-01 服务器发出的请求：

# %% tags=["needs-pebble"]
if issued:
    print(show_messages(issued.messages, steps=[5, 6]), end="\n\n")
    (token, served), = issued.key_authorizations.items()
    asked = {(r.path.replace(token, "<token>"), r.host.rsplit(":", 1)[0], r.user_agent,
              r.status) for r in issued.challenge_requests}
    for path, host, agent, status in sorted(asked):
        print(f"GET {path}  Host: {host}  User-Agent: {agent}  -> {status}")
    print("asked more than once:", len(issued.challenge_requests) > 1)
    print("\nserved = token + '.' + thumbprint of the account key:",
          served == key_authorization(token, issued.account_key))
else:
    no_pebble()

# %% [markdown]
# pebble fetched the same path more than once: a real CA validates from several network
# locations ("multi-perspective validation", required of public CAs by the CA/Browser
# Forum since 2025), so that one hijacked route cannot fool it.

# %% [markdown] lang=zh-CN
# pebble 对同一路径请求了不止一次：真正的 CA 会从多个网络位置进行验证（“多视角验证”，CA/浏览器论坛自 2025 年起要求公共 CA 这样做），这样单独一条被劫持的路由骗不过它。

# %% [markdown]
# ## 6. What pebble issued: inspect, verify, serve
#
# ACME sends the leaf and the intermediate — never the root: a client must already trust
# it (a browser's root store, or here pebble's management endpoint `/roots/0`, which
# `pebble.issue` read). pebble makes a new root every time it starts, so its names carry a
# random suffix; the lesson prints only what stays the same.

# %% [markdown] lang=zh-CN
# ## 6. pebble 签发了什么：查看、验证、部署
#
# ACME 只发送叶子证书和中间证书——从不发送根证书：客户端必须事先就信任它（浏览器的根证书库，或者这里 pebble 管理端口上的 `/roots/0`，`pebble.issue` 已经读取过）。pebble 每次启动都会生成新的根证书，所以名称里带一个随机后缀；本课只打印不变的内容。

# %% tags=["needs-pebble"]
def certificate_facts(certificate):
    extensions = {e.oid._name: e for e in certificate.extensions}
    eku = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    days = (certificate.not_valid_after_utc - certificate.not_valid_before_utc)
    print("subject:          ", certificate.subject.rfc4514_string())
    print("subjectAltName:   ", san.get_values_for_type(x509.DNSName))
    print("issuer:           ", cn(certificate.issuer))
    print("valid for:        ", round(days.total_seconds() / 86400), "days")
    print("key:              ", "EC", certificate.public_key().curve.name)
    print("signature:        ", certificate.signature_algorithm_oid._name)
    print("extendedKeyUsage: ", [u._name for u in eku])
    print("extensions:       ", sorted(extensions))


if issued:
    certificate_facts(issued.certificate)
    print("\nchain sent by pebble:", [cn(c.subject) for c in issued.fullchain])
    print("root from /roots/0:  ", cn(issued.root.subject))
else:
    no_pebble()

# %% [markdown]
# Note what is *not* there: no Signed Certificate Timestamps (a public certificate carries
# proofs that it was written to Certificate Transparency logs), no CRL or OCSP address. And
# pebble 2.4 still puts `clientAuth` in the extended key usage — Let's Encrypt's
# certificates no longer do since 2026, which is why mTLS clients need a private CA
# (lessons 06 and 08).
#
# Now verify with pkilab — against pebble's root, and against a root that did not issue
# it. The check time is the moment pebble issued the certificate (pebble runs on the real
# clock, so this stored output stays true when the lesson is re-run later).

# %% [markdown] lang=zh-CN
# 注意*没有*的东西：没有签名证书时间戳（SCT，公共证书会带上它已写入证书透明度（CT）日志的证明），也没有 CRL 或 OCSP 地址。另外 pebble 2.4 仍在扩展密钥用法里放了 `clientAuth`——Let's Encrypt 的证书自 2026 年起已不再包含它，这正是双向认证的客户端需要私有 CA 的原因（第 06、08 课）。
#
# 现在用 pkilab 验证——分别用 pebble 的根证书，和一个并未签发它的根证书。检查时间取 pebble 签发证书的那一刻（pebble 使用真实时钟，所以日后重新运行时这份保存的输出依然成立）。

# %% tags=["needs-pebble"]
other = build_certificate_set(seed="lesson-09")
if issued:
    issued_at = issued.certificate.not_valid_before_utc
    report = verify_chain(issued.fullchain, issued.root, host=NAME, at=issued_at)
    print("against pebble's root:", "ok" if report.ok else report.codes,
          "| path:", [cn(c.subject) for c in report.chain])
    stranger = verify_chain(issued.fullchain, other.root.certificate, host=NAME, at=issued_at)
    print("against the lesson's own root:", stranger.codes)
else:
    no_pebble()

# %% [markdown]
# The certificate is an ordinary server certificate: `HTTPSServer` serves it with its
# chain, and pkilab's client checks it for `www.pkilab.test` (sent as SNI and Host, like
# `curl --resolve`) against pebble's root.

# %% [markdown] lang=zh-CN
# 这张证书就是一张普通的服务器证书：`HTTPSServer` 连同证书链一起部署它，pkilab 的客户端用 pebble 的根证书、针对 `www.pkilab.test`（作为 SNI 和 Host 发送，就像 `curl --resolve`）检查它。

# %% tags=["needs-pebble"]
if issued:
    with HTTPSServer(issued.issued) as server:
        reply = request(server.url, ca=issued.root, host=NAME)
        print("trusting pebble's root:", reply.status, reply.reason, "| verified:",
              reply.verified, "|", reply.tls_version)
        try:
            request(server.url, ca=other.root.certificate, host=NAME)
        except TLSConnectionError as refused:
            print("trusting another root: refused,", refused.code)
else:
    no_pebble()

# %% [markdown]
# A CA also refuses names. Real CAs keep lists of high-risk names and check CAA records;
# pebble's `domainBlocklist` is the miniature version. Asking for a blocked name ends
# with the CA's problem document (RFC 8555 section 6.7):

# %% [markdown] lang=zh-CN
# CA 也会拒绝某些域名。真正的 CA 维护高风险域名列表并检查 CAA 记录；pebble 的 `domainBlocklist` 是它的缩小版。申请被屏蔽的域名，会得到 CA 返回的问题文档（RFC 8555 第 6.7 节）：

# %% tags=["needs-pebble"]
if HAVE_PEBBLE:
    with PebbleServer(lab, blocked=["bank.pkilab.test"]) as strict_pebble:
        try:
            strict_pebble.issue(["bank.pkilab.test"])
        except PkilabError as refused:
            print(refused.code, "|", refused.message)
else:
    no_pebble()

# %% [markdown]
# ## 7. What a real CA does that pebble skips
#
# * **Real DNS, real ports.** Let's Encrypt resolves the name in public DNS (with DNSSEC
#   where signed) and fetches `http://NAME/.well-known/acme-challenge/TOKEN` on port 80 —
#   from several network perspectives at once. Here a fake DNS said 127.0.0.1 for every
#   name, which is why a `.test` name could be "proven".
# * **CAA** (RFC 8659): before issuing, a public CA must look up the name's CAA records
#   and refuse unless it is listed (`0 issue "letsencrypt.org"`). pebble looks up none.
# * **Rate limits.** Let's Encrypt limits, for example, new certificates per registered
#   domain per week and failed validations per hour; pebble has none.
# * **Certificate Transparency.** Every publicly trusted certificate is logged in public
#   CT logs before it is issued, and browsers refuse one without SCTs; pebble logs nothing.
# * **Short lives.** CA/Browser Forum ballot SC-081 caps public TLS certificates at 200
#   days from 2026-03-15, 100 days from 2027-03-15 and 47 days from 2029-03-15. Let's
#   Encrypt issues 90-day certificates (6-day ones on request); ACME exists so that
#   renewing that often costs nobody anything. Our 20 years are a lesson's licence only.
# * **Server authentication only.** Since 2026 Let's Encrypt's certificates — like those
#   of the other CAs Chrome trusts for TLS — carry `serverAuth` alone: a client
#   certificate for mutual TLS comes from your own CA.

# %% [markdown] lang=zh-CN
# ## 7. 真正的 CA 做了哪些 pebble 省掉的事
#
# * **真实的 DNS、真实的端口。** Let's Encrypt 在公共 DNS 里解析域名（已签名的域名会做 DNSSEC 校验），并在 80 端口上获取 `http://域名/.well-known/acme-challenge/令牌`——而且是同时从多个网络视角。这里由一个假 DNS 对所有域名都回答 127.0.0.1，所以一个 `.test` 域名也能被“证明”。
# * **CAA**（RFC 8659）：签发前，公共 CA 必须查询该域名的 CAA 记录，如果自己不在其中（`0 issue "letsencrypt.org"`）就拒绝签发。pebble 一条也不查。
# * **频率限制。** 例如 Let's Encrypt 会限制每个注册域名每周的新证书数量、每小时的验证失败次数；pebble 没有任何限制。
# * **证书透明度（CT）。** 每一张公开受信任的证书在签发前都要写入公开的 CT 日志，浏览器会拒绝不带 SCT 的证书；pebble 什么日志都不写。
# * **短有效期。** CA/浏览器论坛的 SC-081 号投票把公共 TLS 证书的有效期上限定为：2026-03-15 起 200 天，2027-03-15 起 100 天，2029-03-15 起 47 天。Let's Encrypt 签发 90 天的证书（也可申请 6 天的）；ACME 的意义就在于如此频繁的续期不费任何人力。我们用的 20 年有效期只是课程里的特例。
# * **只做服务器认证。** 自 2026 年起，Let's Encrypt 的证书——和 Chrome 为 TLS 所信任的其他 CA 一样——只带 `serverAuth`：双向认证用的客户端证书要由你自己的 CA 签发。

# %% [markdown]
# ## Recap
#
# * ACME turns "prove you control this name" into signed HTTP requests: directory,
#   account, order, authorization, challenge, finalize, download.
# * The account key signs every request (JWS); each request spends a fresh nonce and
#   names its URL, so nothing can be replayed or redirected.
# * HTTP-01 serves `TOKEN.THUMBPRINT`: control of the name *and* of the account key.
# * The CSR is the same pkilab CSR as in lesson 02; what comes back is a leaf and its
#   intermediate — the root you must already trust.
# * A public CA adds real DNS, CAA, multi-perspective validation, rate limits, CT logs and
#   short lifetimes; none of them is in the protocol messages you just read.

# %% [markdown] lang=zh-CN
# ## 小结
#
# * ACME 把“证明你控制这个域名”变成一串签了名的 HTTP 请求：目录、账户、订单、授权、挑战、完成订单、下载。
# * 账户密钥为每个请求签名（JWS）；每个请求消耗一个新的 nonce 并写明自己的 URL，因此无法被重放或转发。
# * HTTP-01 提供的是 `令牌.指纹`：既证明控制了域名，也证明持有账户密钥。
# * CSR 和第 02 课里 pkilab 生成的一样；拿回来的是叶子证书和它的中间证书——根证书必须是你事先就信任的。
# * 公共 CA 还会加上真实 DNS、CAA、多视角验证、频率限制、CT 日志和短有效期；这些都不在你刚才读到的协议消息里。

# %% [markdown]
# ## Exercise 1: one certificate, two names
#
# Get **one** certificate from pebble for both `www.pkilab.test` and `api.pkilab.test`,
# with a key and a CSR you make with pkilab. Set `two_names` to what `pebble.issue`
# returned. The check reads the certificate's subjectAltName, verifies its chain against
# pebble's root, matches your key, and looks for pebble's HTTP-01 requests for each name.

# %% [markdown] lang=zh-CN
# ## 练习 1：一张证书，两个域名
#
# 用 pkilab 生成私钥和 CSR，从 pebble 申请**一张**同时包含 `www.pkilab.test` 和 `api.pkilab.test` 的证书。把 `pebble.issue` 的返回值赋给 `two_names`。检查会读取证书的 subjectAltName，用 pebble 的根证书验证证书链，核对你的私钥，并查看 pebble 是否对每个域名都发出了 HTTP-01 请求。

# %% tags=["needs-pebble"]
two_names = None   # with PebbleServer(lab, validity_days=LESSON_DAYS) as pebble: ...
l09.two_names_check(two_names)

# %% tags=["hide-cell", "needs-pebble"]
# Solution (own names, so "Run All" leaves your answer alone)
solution_key = generate_key()
solution_csr = build_csr(solution_key, {"CN": "www.pkilab.test"},
                         ["www.pkilab.test", "api.pkilab.test"])
solution_issue = None
if HAVE_PEBBLE:
    with PebbleServer(lab, validity_days=LESSON_DAYS) as solution_pebble:
        solution_issue = solution_pebble.issue(solution_csr, key=solution_key)
l09.two_names_check(solution_issue)

# %% [markdown]
# ## Exercise 2: the key authorization by hand
#
# Compute the key authorization this notebook served for section 3's token, without
# `key_authorization`: the token, a dot, and the account key's RFC 7638 thumbprint — the
# SHA-256 of the JSON `{"crv":"P-256","kty":"EC","x":"...","y":"..."}` (members sorted,
# no spaces, `x` and `y` the 32-byte coordinates in base64url without `=`), in base64url
# without `=`. The check compares it with what pebble fetched and accepted.

# %% [markdown] lang=zh-CN
# ## 练习 2：手算密钥授权
#
# 不用 `key_authorization`，算出本 notebook 为第 3 节的令牌提供的密钥授权：令牌、一个点号，再加上账户密钥的 RFC 7638 指纹——即 JSON `{"crv":"P-256","kty":"EC","x":"...","y":"..."}`（成员按名称排序、没有空格，`x` 和 `y` 是 32 字节的坐标，用不带 `=` 的 base64url 编码）的 SHA-256，再用不带 `=` 的 base64url 编码。检查会把它和 pebble 获取并接受的内容比较。

# %% tags=["needs-pebble"]
token = next(iter(issued.key_authorizations)) if issued else None
account_numbers = issued.account_key.public_key().public_numbers() if issued else None
my_key_authorization = None   # token + "." + ...
l09.key_authorization_check(my_key_authorization, issued)

# %% tags=["hide-cell", "needs-pebble"]
# Solution
def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


solution_answer = None
if issued:
    solution_jwk = {"crv": "P-256", "kty": "EC",
                    "x": b64url(account_numbers.x.to_bytes(32, "big")),
                    "y": b64url(account_numbers.y.to_bytes(32, "big"))}
    canonical = json.dumps(solution_jwk, sort_keys=True, separators=(",", ":")).encode()
    solution_answer = token + "." + b64url(hashlib.sha256(canonical).digest())
l09.key_authorization_check(solution_answer, issued)
