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

# %% [markdown] lang=zh-CN
# # 07 · 部署这套证书：nginx 与 Kubernetes
#
# **你将做什么：** 写出原教程给出的 nginx 配置——以及它漏掉的那几行双向认证（mutual
# TLS）配置——用你的证书运行一台真正的 nginx，对它重复原教程的三个 curl
# 检查，只放允许的客户端进来，再写出取代原教程那个 Ingress 的 Kubernetes 对象（一个 TLS
# Secret、一个 Gateway、cert-manager）。
#
# **你将学到什么：** 为什么 nginx 需要 `fullchain.crt`（而不是 `server.crt`）；哪个 CA
# 文件用来验证客户端证书（client certificate），要往上查多深；为什么 `curl -k`
# 什么也证明不了；*你是谁*和*你能不能*的区别；以及云负载均衡器要的是什么。
#
# **你需要什么：** 第 03 课和第 06 课。`nginx` 和 `curl`
# 可有可无：没有它们，本课只展示配置，跳过实际运行的部分。
#
# 对应原教程章节：*服务器配置示例(以Nginx为例)*、*服务端部署时 ... K8S Ingress*、*验证*。

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

# %% [markdown] lang=zh-CN
# ## 1. 原教程的 server 块
#
# 原教程的 nginx 示例用 `server.key` 提供 `fullchain.crt`（服务端证书（server
# certificate）+ 中间证书（intermediate certificate））。下面是文件复制到
# `/etc/nginx/ssl/` 时的写法（这些路径是你在服务器上存放文件的位置，不是这个 notebook
# 的文件夹）：

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

# %% [markdown] lang=zh-CN
# ## 2. 双向认证：原教程漏掉的那几行
#
# 关于双向认证，原教程只说了“还需要额外添加 CA 证书 root.crt”。nginx 需要三行：
#
# * `ssl_client_certificate`——为客户端作保的 CA。我们的客户端证书由 **intermediate2**
#   签发，而 `curl --cert client.crt`
#   只发送客户端自己的证书，所以这个文件（`client-ca.crt`）必须包含
#   intermediate2、intermediate1 *和*根证书（root certificate）。
# * `ssl_verify_client on`——要求客户端提供证书（`optional`
#   把决定权交给应用程序；`optional_no_ca` 让*任何*证书都能通过——见第 5 节）。
# * `ssl_verify_depth`——客户端证书和根证书之间最多可以有几张中间 CA 证书。nginx 的默认值
#   **1** 正好允许一张：由 intermediate1 签发的客户端证书能通过，但我们的客户端证书挂在
#   intermediate2 → intermediate1 → 根证书之下，有两张中间证书，所以需要 **2**。我们写
#   3，给再多一层留出余地。

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

# %% [markdown] lang=zh-CN
# ## 3. 一台真正的 nginx，以及原教程的三个 curl 检查
#
# `NginxServer` 围绕这个 server 块写出一份完整的配置（只监听
# 127.0.0.1，使用一个空闲端口），在前台启动 nginx，并在 `with`
# 块结束时停掉它。然后是原教程的三个用例——用 `--cacert root.crt` 代替 `-k`：

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

# %% [markdown] lang=zh-CN
# `client.crt` 和 `client2.crt` 都能进来，它们的名字出现在 `$ssl_client_s_dn`
# 里；不带证书的请求得到 nginx 的 400 页面——和原教程的结果完全一样，只不过这一次 curl
# 也检查了*服务器*，所以这个测试才有意义。
#
# ## 4. `-k` 掩盖了什么，深度 1 又弄坏了什么
#
# 原教程的每条 curl 都用了 `-k`（“不校验证书的合法性，因为我们用的是自签名证书”）。用
# `--cacert` 信任 `root.crt` 同样简单，而且保留了检查。看看两者都不加时 curl
# 会说什么，再看 nginx 在默认的 `ssl_verify_depth 1` 下怎么处理：先是我们的
# `client.crt`（两张中间证书），和一张直接由 intermediate1
# 签发的客户端证书（一张中间证书）对比，然后在深度 2 下再试一次 `client.crt`。

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

# %% [markdown] lang=zh-CN
# 不加 `--cacert` 时，curl 拒绝了服务器（它的签发者不在系统的信任库（trust
# store）里）——`-k` 会让这个提示消失，也同样会接受攻击者的服务器。在深度 1 下，nginx
# 拒绝了我们完全有效的 `client.crt`——`400 The SSL certificate error`——因为它的路径上有两张中间证书；而高一级的那个客户端进来了。深度 2 是我们这条链的最低要求（这套证书的文件用的是 3）。注意：即使对于它拒绝的证书，nginx 也完成了握手（handshake），并用一个 HTTP 页面来回答。

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

# %% [markdown] lang=zh-CN
# ## 5. 授权：谁能进来，而不只是你是谁
#
# 上面所有的设置回答的都是*这个客户端是谁？*（认证，authentication）。nginx 让 `client` 和
# `client2` 都进来，因为同一个 CA
# 为它们两个作保。决定*这个客户端能不能看这个页面？*（授权，authorization）是另外一步——而在 nginx 的 `optional_no_ca` 模式下（第 06 课第 4 节），这是*唯一*的一步：这个模式让任何证书通过，`$ssl_client_s_dn` 里写的就是证书制作者想写的任何内容。下面是一位来自另一个 CA 的陌生人，他的证书自称是我们的 `client2`；让他去访问 `optional_no_ca` 模式下一个只凭 DN 放行的 location：

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

# %% [markdown] lang=zh-CN
# 尽管 nginx 自己都说了 `FAILED`，陌生人还是以 `CN=client2` 的身份进来了。授权必须先看
# `$ssl_client_verify`。`nginx_server_block(allow=[...])` 会写出这样的配置：
#
# * 一个 `map`：只有当 `$ssl_client_verify` 为 `SUCCESS`，**并且**客户端的
#   DN（`$ssl_client_s_dn`）或 SHA-1
#   指纹（`$ssl_client_fingerprint`）在列表上时，它的值才是 1（这样生成的文本以 `map`
#   块开头：它属于 nginx 的 `http { }` 上下文，`conf.d/*.conf`
#   文件就是在那里被包含进来的）；
# * `if (... = 0) { return 403; }`：不在列表上的有效证书被拒绝；
# * `error_page 495 496`：nginx
#   内部表示“证书验证失败”（495）和“没有发送证书”（496）的代码，nginx 平时用 400
#   页面来回答它们——这里改成一个说明原因的 403 页面。
#
# DN 指的是 CA 把这个名字给了谁（证书续签后它不变，它的唯一性取决于 CA
# 怎么管理）；指纹则精确地指向一张证书。`nginx_client_identity` 按 nginx
# 打印的格式给出这两者：

# %%
dn, sha1 = nginx_client_identity(cs.clients["client2"].certificate)
print("DN:         ", dn)
print("fingerprint:", sha1)
print(nginx_server_block("/etc/nginx/ssl", server_name="example.com", mtls="optional_no_ca",
                         allow=[dn]))

# %% [markdown]
# The same four clients against it — client2 (allowed), client (valid, not allowed), the
# stranger with client2's name, and no certificate at all:

# %% [markdown] lang=zh-CN
# 同样是这四个客户端来访问它——client2（被允许）、client（有效但不被允许）、顶着 client2
# 名字的陌生人，以及完全不带证书的请求：

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

# %% [markdown] lang=zh-CN
# ### 告诉应用程序它是谁
#
# 在 nginx 后面，应用程序从请求头里得知客户端的身份。两条规则：只转发 nginx
# **验证过**的信息；绝不把客户端自己写的副本传下去——客户端完全可以在它自己的请求里发送
# `X-Client-DN: CN=admin`。用 `upstream=...` 时，这个 server
# 块会把请求代理给应用程序，并设置 `X-Client-Verify`、`X-Client-DN` 和
# `X-Client-Fingerprint`：`proxy_set_header`
# 会替换掉客户端发来的同名请求头，而且除非证书验证通过，DN
# 和指纹都是空的——也就根本不会发送：

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

# %% [markdown] lang=zh-CN
# （`tests/test_deploy.py` 对一台真正的 nginx
# 和一个回显请求头的应用程序运行的正是这份配置：伪造的 `X-Client-DN`
# 永远到不了应用程序，陌生人到达时不带 DN。）在 ingress-nginx
# 里，对应的是注解（annotation）：`auth-tls-match-cn`（客户端的主体必须匹配的一个正则表达式）和 `auth-tls-pass-certificate-to-upstream`（把客户端证书放在 `ssl-client-cert` 请求头里）；控制器还会发送 `ssl-client-verify` 和 `ssl-client-subject-dn`。
#
# ## 6. Kubernetes：TLS Secret、Gateway API、cert-manager
#
# 原教程写道：*将两个文件 base64 到 secret, 再将 secret 配置到 ingress*。一个
# `kubernetes.io/tls` 类型的 Secret 包含 `tls.crt`——**完整的证书链**（full chain）——和
# `tls.key`。（`kubectl create secret tls lab-tls --cert=fullchain.crt --key=server.key`
# 写出的是同样的东西。别把私钥（private key）提交到 git：Secret 只是
# base64，不是加密。）本课这套证书里的服务端证书包含
# `lab.example.com`，也就是下面用到的主机名。

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

# %% [markdown] lang=zh-CN
# **原教程的 Ingress 背后的控制器已经退役。** 原教程的 Ingress 是为 ingress-nginx
# 控制器写的（用的是它的 `nginx.ingress.kubernetes.io/auth-tls-*` 注解）。ingress-nginx
# 已于 **2026 年 3 月退役**：不再发布新版本，也不再有安全修复。（Ingress API
# 本身仍然存在；其他控制器用它们自己的注解来读取它。）仍在运行它的集群应当迁移；对这些集群，pkilab 仍然会写出它的 Ingress（`kubernetes_ingress(..., client_ca_secret=..., match_cn=...)`），其中 `auth-tls-verify-depth` 为 3，理由和 nginx 的 `ssl_verify_depth` 一样。
#
# 如今把流量引入集群的方式是 **Gateway API**（本课依据 Gateway API
# v1.4，`gateway.networking.k8s.io/v1`）：一个 `Gateway` 带一个 HTTPS 监听器，用那个
# Secret 终结 TLS；一个 `HTTPRoute` 把该主机名的请求发往一个
# Service。客户端证书（双向认证）由 Gateway 对照 ConfigMap 的 `ca.crt` 里的 CA
# 证书包来检查（CA 证书是公开的：不需要 Secret）——这是 GEP-91 定义的
# `spec.tls.frontend.default.validation`，到 v1.4 为止仍在 Gateway API
# 的*实验*通道（experimental channel）里，所以要确认你用的实现支持它。`AllowValidOnly`
# 拒绝没有有效证书的客户端；`AllowInsecureFallback` 让它们通过，类似 nginx 的
# `optional`。Gateway 接受的证书链深度由具体实现决定。

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

# %% [markdown] lang=zh-CN
# **在集群内签发和续期：cert-manager。** 手工把文件复制进
# Secret，做一次还行；可证书会过期。cert-manager 是签发和续期证书的常用控制器：一个
# `Issuer` 说明由谁签名——这里是一个 CA Issuer，它在一个 Secret 里保存 intermediate2
# 的证书和私钥（给集群一张它自己的中间证书，绝不要给根证书的私钥）——而每个 `Certificate`
# 说明要签发什么、放进哪个
# Secret、什么时候续期。私钥由它自己生成，所以私钥从不离开集群。同一个 Issuer
# 也能为彼此之间用双向认证通信的服务签发客户端证书（`usages: ["client auth"]`）。

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

# %% [markdown] lang=zh-CN
# （Issuer 用的 Secret 是
# `kubernetes_tls_secret("lab-intermediate2", intermediate2.crt, intermediate2.key)`——和上面同一种 Secret，只是里面装着一把 CA 私钥：要像保护 `root.key` 一样保护它。）
#
# ## 7. 云负载均衡器和 Apache：并不是“同样那两个文件”
#
# 原教程说，把两个文件“上传至 LB 绑定的地方”即可。细节各不相同，而且很要紧：
#
# * **AWS Certificate
#   Manager（ACM）**：导入时要把证书、私钥和**证书链分成三项分别提供**（`aws acm import-certificate --certificate fileb://server.crt --private-key fileb://server.key --certificate-chain fileb://chain.crt`，其中 chain 是 intermediate2 + intermediate1）——而不是 `fullchain.crt`。ACM 自己*签发*的证书永远不需要上传：ACM 保管它们的私钥并负责续期，这些证书也无法导出——例外是较新的（收费的）*可导出公共证书*（需要在申请时就指明），以及来自 AWS Private CA 的证书。
# * **ALB 双向认证**使用一个**信任库**（trust store）：把客户端 CA
#   证书包（`client-ca.crt`）上传到 S3，关联到 HTTPS 监听器上，可选 *verify* 模式（由 ALB
#   检查客户端）或 *passthrough*
#   模式（它把客户端的证书链放在一个请求头里转发给应用程序，由应用程序负责验证）。
# * **NLB 的 TLS 监听器不支持双向认证**：要在 NLB 后面检查客户端证书，就用 TCP
#   监听器，在你自己的服务器（例如 nginx）上终结 TLS（并做双向认证）。
# * 其他云平台（阿里云 CLB 等）有各自的证书和 CA
#   证书上传表单；要看清每个字段要的是哪条证书链、哪个 CA 证书包。
# * **Apache**：`SSLCertificateFile fullchain.crt` +
#   `SSLCertificateKeyFile server.key`；双向认证再加上
#   `SSLCACertificateFile client-ca.crt`，配合 `SSLVerifyClient require` 和
#   `SSLVerifyDepth 2` 或更大的值。
#
# 而客户端证书本身，始终来自像这样的**私有 CA**：公共 CA 已经不再签发它们了（Let's Encrypt
# 在 2026 年停止签发带 clientAuth 用途的证书）。
#
# ## 小结
#
# * nginx 提供 `fullchain.crt` + `server.key`；双向认证再加上
#   `ssl_client_certificate`（直到根证书的每一张 CA
#   证书；如果客户端会发送自己的证书链，也可以只放根证书）、`ssl_verify_client on` 和
#   `ssl_verify_depth`（至少等于中间证书的张数：我们的客户端需要 2；nginx 的默认值 1
#   只允许一张）。
# * 用 `curl --cacert root.crt` 测试，绝不用 `-k`。
# * 认证不等于授权：按 DN 或指纹放行，**并且**只在 `$ssl_client_verify` 为 `SUCCESS`
#   时放行（`optional_no_ca`
#   会放陌生人进来）；只向上游转发验证过的身份，并替换掉客户端自己发来的任何内容。
# * Kubernetes：`kubernetes.io/tls` Secret 里放完整的证书链；ingress-nginx 已经退役——改用
#   Gateway（客户端 CA 放在 ConfigMap 的 `ca.crt` 里），让 cert-manager 负责签发和续期。
# * 云负载均衡器要么把证书、私钥和证书链分开接收（ACM），要么对照信任库检查客户端证书（ALB），要么根本不检查（NLB 的 TLS 监听器）。
#
# ## 练习 1：可选的客户端证书
#
# 把 `optional_block` 设为一个针对**本课文件夹**（`lab`）的 server 块，让 nginx
# *索要*客户端证书、验证发来的证书，但让不带证书的请求也能通过（这时由应用程序读取
# `$ssl_client_verify`：`SUCCESS`、`NONE` 或 `FAILED:reason`）。在装有 nginx
# 的机器上，检查会对你的 server 块运行
# `nginx -t`，用它提供服务，然后分别以不带证书、client、client2 以及一位来自另一个 CA
# 的陌生人的身份连接。（pkilab 的 `HTTPSServer(mtls="on")` 不一样：对不带证书的请求它返回
# 400 页面，和 nginx 的 `on` 一样——见第 06 课第 4 节。）

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

# %% [markdown] lang=zh-CN
# ## 练习 2：只放 client2
#
# 把 `allow_block` 设为一个针对 `lab` 的 server 块，让 nginx 只允许 **client2**
# 看到页面：`client`（有效但不被允许）得到 403，来自另一个 CA
# 的陌生人和不带证书的请求都进不来。用 client2 的 DN 或它的指纹。在装有 nginx
# 的机器上，检查会用一台真正的 nginx 运行你的 server 块。

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

# %% [markdown] lang=zh-CN
# ## 练习 3：正确的 curl
#
# 下面哪条命令既测试了原教程的双向认证配置，*又*检查了服务器？把 `right` 设为它的字母。
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
