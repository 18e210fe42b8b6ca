# %% [markdown]
# # 06 · Mutual TLS: the server asks who you are
#
# **What you'll do:** turn the lesson-05 server into a mutual-TLS (mTLS) server, replay the
# seed's three curl cases (client.crt works, client2.crt works, no certificate is
# refused) with pkilab's client and with real `curl`, record the extra handshake messages,
# and break it: a client certificate from another CA, an expired one, one that is valid but
# not allowed.
#
# **What you'll learn:** what the server really does with `client.crt` (it verifies a
# signature chain; it does not "decrypt it with root.crt"), how a missing client
# certificate fails differently in TLS 1.2 and TLS 1.3, and the difference between
# authentication (who are you?) and authorization (may you?).
#
# **What you'll need:** lesson 05. `curl`, `openssl` and `nginx` are optional: their cells
# are skipped where they are missing.
#
# Seed sections: *HTTPS 双向认证 (mTLS)*, *自签名证书 mTLS 实战*, *验证*.

# %% [markdown] lang=zh-CN
# # 06 · 双向认证：服务器要问你是谁
#
# **你将做什么：** 把第 05 课的服务器改成双向认证（mutual TLS，mTLS）服务器，用 pkilab
# 的客户端和真正的 `curl` 重现原教程的三个 curl 用例（client.crt 能访问，client2.crt
# 能访问，不带证书被拒绝），记录多出来的握手（handshake）消息，然后把它弄坏：来自另一个 CA
# 的客户端证书（client certificate）、过期的客户端证书、一张有效但不被允许的证书。
#
# **你将学到什么：** 服务器拿到 `client.crt` 后到底做了什么（它验证一条签名链，而不是“用
# root.crt 解密”）；缺少客户端证书时，TLS 1.2 和 TLS 1.3
# 的失败方式有什么不同；以及认证（authentication，你是谁？）和授权（authorization，你能不能？）的区别。
#
# **你需要什么：** 第 05 课。`curl`、`openssl` 和 `nginx`
# 可有可无：没有安装时，相应的单元格会跳过。
#
# 对应原教程章节：*HTTPS 双向认证 (mTLS)*、*自签名证书 mTLS 实战*、*验证*。

# %%
import datetime as dt
import re
import subprocess

from cryptography import x509

from pkilab import build_certificate_set, write_certificate_set
from pkilab import NginxServer, find_nginx, nginx_server_block
from pkilab.exercises import l06
from pkilab.lesson import have, lab_dir
from pkilab.lesson import curl as run_curl
from pkilab import short_name
from pkilab import HTTPSServer, TLSConnectionError, request
from pkilab import compare_traces, record

lab = lab_dir("06")
cs = build_certificate_set(seed="lesson-06")
write_certificate_set(cs, lab / "set")
files = lab / "set"
print(sorted(p.name for p in files.iterdir()))

# %% [markdown]
# The same `curl` helper as in lesson 05: it runs curl in `_lab/06/set/` and prints the
# port as `PORT`. It also trims the OpenSSL version and error number from curl's messages,
# which differ between machines.

# %% [markdown] lang=zh-CN
# 和第 05 课一样的 `curl` 小助手：它在 `_lab/06/set/` 下运行 curl，把端口打印成
# `PORT`。它还会去掉 curl 消息里的 OpenSSL 版本号和错误编号，这些在不同机器上各不相同。

# %%
def curl(*args, url=None):
    """curl in _lab/06/set/ against our server (or ``url``); pkilab.lesson.curl does the rest."""
    return run_curl(url or server.url, *args, cwd=files)


def openssl_s_client(*args, keep=()):
    """``openssl s_client`` against our server, printing the port as PORT and only the
    lines that contain one of ``keep``."""
    argv = ["openssl", "s_client", "-connect", f"127.0.0.1:{server.port}", *args]
    print("$ " + " ".join(argv).replace(f":{server.port}", ":PORT"))
    if not have("openssl"):
        print("(openssl is not installed on this machine: this cross-check is skipped)")
        return
    done = subprocess.run(argv, cwd=files, input="", capture_output=True, text=True,
                          timeout=20)
    print("\n".join(line for line in (done.stdout + done.stderr).splitlines()
                    if any(k in line for k in keep)))


# %% [markdown]
# ## 1. The seed's walk-through
#
# The seed describes mutual authentication in ten steps:
#
# 1. the client connects and sends the SSL version it speaks;
# 2. the server sends its certificate `server.crt`;
# 3. the client reads the server's public key from it;
# 4. the client sends its certificate `client.crt`;
# 5. the server **"decrypts the client certificate with `root.crt`"** and gets the client's
#    public key;
# 6. the client sends the encryption schemes it supports;
# 7. the server picks one and sends it **encrypted with the client's public key**;
# 8. the client decrypts it with its private key, makes a random number **R**, encrypts it
#    with the server's public key and sends it;
# 9. the server decrypts **R** with `server.key`;
# 10. both use **R** from then on.
#
# We will check each step against a recording. First, the server.
#
# ## 2. A server that asks for a client certificate
#
# `mtls="required"` asks for a client certificate and accepts only those issued by the CA
# it trusts; without one, the TLS handshake itself fails (nginx's nearest setting, `on`,
# answers with a page instead: section 4).

# %% [markdown] lang=zh-CN
# ## 1. 原教程的流程
#
# 原教程这样描述双向认证，共十步：
#
# 1. 客户端发起建立 HTTPS 连接请求，将 SSL 协议版本的信息发送给服务端；
# 2. 服务器端将本机的公钥证书（`server.crt`）发送给客户端；
# 3. 客户端读取公钥证书（`server.crt`），取出了服务端公钥（public key）；
# 4. 客户端将客户端公钥证书（`client.crt`）发送给服务器端；
# 5. 服务器端**使用根证书（`root.crt`）解密客户端公钥证书**，拿到客户端公钥；
# 6. 客户端发送自己支持的加密方案给服务器端；
# 7. 服务器端根据自己和客户端的能力，选择一个双方都能接受的加密方案，**使用客户端的公钥加密**后发送给客户端；
# 8. 客户端使用自己的私钥（private key）解密加密方案，生成一个随机数
#    **R**，使用服务器公钥加密后传给服务器端；
# 9. 服务端用自己的私钥（`server.key`）去解密这个密文，得到了密钥 **R**；
# 10. 服务端和客户端在后续通讯过程中就使用这个密钥 **R** 进行通信了。
#
# 我们会拿一份记录逐步核对。先来看服务器。
#
# ## 2. 要求客户端证书的服务器
#
# `mtls="required"` 会向客户端索要证书，并且只接受它所信任的 CA
# 签发的证书；不带证书时，TLS 握手本身就会失败（nginx 最接近的设置是
# `on`，它改为返回一个页面：见第 4 节）。

# %%
# named: a re-run of this cell replaces its server instead of starting a second one
server = HTTPSServer(files, mtls="required", name="06 main")
server.start()
server

# %% [markdown]
# Which CAs does it trust for clients? The root **and** the two intermediates: curl sends
# only `client.crt`, so the server needs the intermediates to build the path from
# `client.crt` up to the root. (In nginx: put them all in the `ssl_client_certificate` file
# and raise `ssl_verify_depth` — it counts the intermediates between client and root, so
# this chain needs **2**; nginx's default of 1 allows only one. Lesson 07 tries both.)
# Only the self-signed root is a trust anchor.
#
# The other way round also works: the **client** sends its chain — a `--cert` file holding
# `client.crt` followed by intermediate2 and intermediate1 (curl and most clients send
# every certificate in that file) — and the server's CA file may hold only `root.crt`.
# The depth still matters then: it limits the path, wherever its certificates came from.
# A real nginx with a root-only `ssl_client_certificate` and pkilab's client sending its
# chain (an `IssuedCertificate` carries its intermediates):

# %% [markdown] lang=zh-CN
# 它信任哪些 CA 来验证客户端？根证书（root certificate）**以及**两张中间证书（intermediate
# certificate）：curl 只发送 `client.crt`，所以服务器需要中间证书才能构建从 `client.crt`
# 到根证书的路径。（在 nginx 里：把它们全部放进 `ssl_client_certificate` 文件，并调高
# `ssl_verify_depth`——它数的是客户端证书和根证书之间的中间证书个数，所以这条链需要
# **2**；nginx 的默认值 1 只允许一张。第 07
# 课两种都会试。）只有自签名的根证书是信任锚（trust anchor）。
#
# 反过来也行：由**客户端**发送它的证书链（certificate chain）——一个 `--cert`
# 文件，里面依次是 `client.crt`、intermediate2 和 intermediate1（curl
# 和大多数客户端会发送这个文件里的每一张证书）——服务器的 CA 文件里就可以只放
# `root.crt`。这时深度依然要紧：它限制的是整条路径，不管路径上的证书是从哪儿来的。下面是一台真正的 nginx，`ssl_client_certificate` 里只有根证书，pkilab 的客户端发送它的证书链（`IssuedCertificate` 带着它的中间证书）：

# %%
for der in server.context.get_ca_certs(binary_form=True):
    print(short_name(x509.load_der_x509_certificate(der).subject))

# %% tags=["needs-nginx"]
if find_nginx() is None:
    print("(nginx is not installed on this machine: this cross-check is skipped)")
for depth in (1, 2) if find_nginx() else ():
    root_only_block = nginx_server_block(files, mtls="on", verify_depth=depth).replace(
        str((files / "client-ca.crt").resolve()), str((files / "root.crt").resolve()))
    with NginxServer(files, block=root_only_block) as root_only:
        reply = request(root_only.url, ca=files / "root.crt", cert=cs.clients["client"])
    title = re.search(r"<title>(.*?)</title>", reply.body)
    print(f"root.crt only, the client sends its chain, ssl_verify_depth {depth}:",
          title.group(1) if title else f"{reply.status} {reply.reason}")

# %% [markdown]
# ## 3. The seed's three cases, with pkilab's client
#
# **Case 1: `client.crt` / `client.key`.** The page tells us what the server learned about
# us from our certificate:

# %% [markdown] lang=zh-CN
# ## 3. 用 pkilab 的客户端跑原教程的三个用例
#
# **用例 1：`client.crt` / `client.key`。**
# 页面会告诉我们，服务器从我们的证书里了解到了什么：

# %%
ok = request(server.url, ca=files / "root.crt", cert=files / "client.crt",
             key=files / "client.key")
print(ok.status, ok.reason)
print(ok.body)

# %% [markdown]
# **Case 2: `client2.crt` / `client2.key`** — another client, same CA:

# %% [markdown] lang=zh-CN
# **用例 2：`client2.crt` / `client2.key`**——另一个客户端，同一个 CA：

# %%
ok2 = request(server.url, ca=files / "root.crt", cert=files / "client2.crt",
              key=files / "client2.key")
print(ok2.status, ok2.reason)
print(ok2.body)

# %% [markdown]
# **Case 3: no certificate.** The server refuses. With TLS 1.2 the refusal is part of the
# handshake itself, always the same way:

# %% [markdown] lang=zh-CN
# **用例 3：不带证书。** 服务器拒绝。在 TLS 1.2 里，拒绝就发生在握手之中，每次都一样：

# %%
try:
    request(server.url, ca=files / "root.crt", tls_version="1.2")
except TLSConnectionError as err:
    print(err.kind, "| alert:", err.alert)
    print("what:", err.what)
    print("why: ", err.why)
    print("fix: ", err.fix)

# %% [markdown]
# With TLS 1.3 it is subtler. The client *finishes its side of the handshake before* the
# server has looked at its (empty) certificate, so `request` fails only when it reads the
# reply. What arrives then depends on timing: usually the server's `certificate required`
# alert, sometimes just the end of the connection, because the server closed it right after
# sending the alert. Both mean the same thing, and pkilab explains both:

# %% [markdown] lang=zh-CN
# 在 TLS 1.3 里情况更微妙。客户端在服务器查看它那份（空的）证书*之前*，就已经完成了自己这一侧的握手，所以 `request` 要到读取响应时才会失败。这时收到什么取决于时序：通常是服务器的 `certificate required` 告警，有时只是连接被关闭，因为服务器发完告警就立刻关了连接。两者意思一样，pkilab 对两种情况都会给出解释：

# %%
try:
    request(server.url, ca=files / "root.crt", tls_version="1.3")
except TLSConnectionError as err:
    print("refused after the handshake:",
          err.kind in ("certificate_required", "closed_after_handshake"))
    print("fix:", err.fix)

# %% [markdown]
# ## 4. The same three cases with curl
#
# The seed's nginx answered case 3 with an HTTP page, `400 No required SSL certificate was
# sent`: nginx **finishes** the handshake without a client certificate and refuses at the
# HTTP level. pkilab's `mtls="on"` mode — named after nginx's `ssl_verify_client on` —
# reproduces that behaviour, page included, so we run the seed's commands against it,
# with `--cacert root.crt` instead of `-k`. (Lesson 07 runs a real nginx with
# `ssl_verify_client on` and gets the same page.)
#
# The likeness stops at bad certificates: real nginx also finishes the handshake for a
# client certificate it rejects (another CA, expired) and answers `400 The SSL certificate
# error`, while pkilab's server refuses it inside the handshake (section 7). The table at
# the end of this section compares the modes.

# %% [markdown] lang=zh-CN
# ## 4. 用 curl 跑同样的三个用例
#
# 原教程里的 nginx 对用例 3 返回了一个 HTTP 页面
# `400 No required SSL certificate was sent`：nginx
# 在没有客户端证书的情况下**完成**了握手，然后在 HTTP 层拒绝。pkilab 的 `mtls="on"`
# 模式——以 nginx 的 `ssl_verify_client on`
# 命名——重现了这种行为，连页面也一样，所以我们对它运行原教程的命令，只是用
# `--cacert root.crt` 代替 `-k`。（第 07 课会运行一台真正的 nginx，配置
# `ssl_verify_client on`，得到的也是同样的页面。）
#
# 遇到有问题的证书时，两者就不一样了：真正的 nginx 对它拒绝的客户端证书（来自另一个
# CA、已过期）同样会完成握手，返回 `400 The SSL certificate error`；而 pkilab
# 的服务器在握手中就拒绝它（第 7 节）。本节最后的表格对比了各种模式。

# %% tags=["needs-curl"]
with HTTPSServer(files, mtls="on") as nginx_like:
    curl("--cacert", "root.crt", "--cert", "client.crt", "--key", "client.key",
         url=nginx_like.url)
    curl("--cacert", "root.crt", "--cert", "client2.crt", "--key", "client2.key",
         url=nginx_like.url)
    curl("--cacert", "root.crt", url=nginx_like.url)

# %% [markdown]
# Against the `required` server, curl without a certificate gets no page at all: the
# connection is refused. Pinned to TLS 1.2 (`--tls-max 1.2`) so the failure happens inside
# the handshake, the same way on every run:

# %% [markdown] lang=zh-CN
# 对于 `required` 服务器，不带证书的 curl 根本拿不到页面：连接被拒绝。把版本限定在 TLS
# 1.2（`--tls-max 1.2`），失败就会发生在握手之中，每次运行都一样：

# %% tags=["needs-curl"]
curl("--cacert", "root.crt", "--tls-max", "1.2")

# %% [markdown]
# **One word, one meaning.** pkilab's server and nginx use the same words
# (`pkilab.modes`), named after what happens to a client:
#
# * pkilab's `HTTPSServer(mtls=...)`: `off` (no client certificate asked for), `required`
#   (the handshake fails without a trusted certificate — nginx has no such setting) and
#   `on` (nginx's `ssl_verify_client on`: the handshake finishes, the answer is the 400
#   page).
# * nginx's own `ssl_verify_client` words, which `nginx_server_block(mtls=...)` (lesson
#   07) writes unchanged: `off`, `on`, `optional` (a certificate that is sent is verified;
#   a request without one gets through with `$ssl_client_verify` = `NONE`) and
#   `optional_no_ca` (a certificate from *any* CA gets through).
#
# (Before pkilab 0.2, pkilab's server called `on` "optional", and `nginx_server_block`
# called nginx's `on` "required"; both old spellings still work, with a warning.) What
# each setting does — the nginx rows measured with nginx 1.22 and curl, and checked on
# every test run by `tests/test_deploy.py::test_real_nginx_modes_table_of_lesson_06`:
#
# | setting | no client certificate | certificate from another CA | expired certificate |
# |---|---|---|---|
# | pkilab `required` | refused in the handshake | refused in the handshake (alert) | refused in the handshake |
# | pkilab `on` | 400 *No required SSL certificate was sent* | refused in the handshake | refused in the handshake |
# | nginx `on` | 400 *No required SSL certificate was sent* | 400 *The SSL certificate error* | 400 *The SSL certificate error* |
# | nginx `optional` | passes; `$ssl_client_verify` is `NONE` | 400 *The SSL certificate error* | 400 *The SSL certificate error* |
# | nginx `optional_no_ca` | passes; `NONE` | **passes**; `FAILED:…` | 400 |
#
# ("Refused in the handshake": the server ends it with an alert; in TLS 1.3 the client
# notices only at its first read — section 3. The 400s are HTTP pages, sent after a
# completed handshake.)
#
# nginx never refuses a client certificate inside the handshake: it always answers with an
# HTTP page, which is friendlier to browsers and easier to log.
#
# > **⚠ `optional_no_ca` lets anyone in with any certificate.** The stranger's
# > certificate in section 7 says `CN=client`, exactly like ours; with `optional_no_ca`
# > nginx hands `$ssl_client_s_dn = CN=client,...` to the application although no CA it
# > trusts signed it. Whoever uses that mode must check `$ssl_client_verify = SUCCESS`
# > before believing any name (lesson 07 shows how).

# ## 5. What crosses the wire
#
# Record a one-way handshake (lesson 05's server) next to a mutual one, both TLS 1.3:

# %% [markdown] lang=zh-CN
# **一个词，一个意思。** pkilab 的服务器和 nginx
# 用的是同一套词（`pkilab.modes`），按客户端会遇到什么来命名：
#
# * pkilab 的 `HTTPSServer(mtls=...)`：`off`（不索要客户端证书）、`required`（没有受信任的证书，握手就失败——nginx 没有这样的设置）和 `on`（即 nginx 的 `ssl_verify_client on`：握手完成，返回 400 页面）。
# * nginx 自己的 `ssl_verify_client` 取值，`nginx_server_block(mtls=...)`（第 07
#   课）原样写出：`off`、`on`、`optional`（发来的证书会被验证；不带证书的请求也能通过，`$ssl_client_verify` = `NONE`）和 `optional_no_ca`（*任何* CA 签发的证书都能通过）。
#
# （pkilab 0.2 之前，pkilab 的服务器把 `on` 叫作 “optional”，`nginx_server_block` 把 nginx
# 的 `on` 叫作 “required”；两种旧写法仍然可用，但会给出警告。）每种设置的效果如下——nginx
# 那几行是用 nginx 1.22 和 curl 实测的，每次运行测试时都由
# `tests/test_deploy.py::test_real_nginx_modes_table_of_lesson_06` 再核对一遍：
#
# | 设置 | 不带客户端证书 | 来自另一个 CA 的证书 | 过期的证书 |
# |---|---|---|---|
# | pkilab `required` | 在握手中拒绝 | 在握手中拒绝（告警） | 在握手中拒绝 |
# | pkilab `on` | 400 *No required SSL certificate was sent* | 在握手中拒绝 | 在握手中拒绝 |
# | nginx `on` | 400 *No required SSL certificate was sent* | 400 *The SSL certificate error* | 400 *The SSL certificate error* |
# | nginx `optional` | 通过；`$ssl_client_verify` 为 `NONE` | 400 *The SSL certificate error* | 400 *The SSL certificate error* |
# | nginx `optional_no_ca` | 通过；`NONE` | **通过**；`FAILED:…` | 400 |
#
# （“在握手中拒绝”：服务器用一个告警结束握手；在 TLS 1.3
# 里，客户端要到第一次读取时才会发觉——见第 3 节。400 是 HTTP 页面，在握手完成之后发送。）
#
# nginx 从不在握手中拒绝客户端证书：它总是用一个 HTTP
# 页面来回答，这对浏览器更友好，也更便于记日志。
#
# > **⚠ `optional_no_ca` 让任何人拿任何证书都能进来。** 第 7 节那位陌生人的证书上写着
# > `CN=client`，和我们的一模一样；在 `optional_no_ca` 模式下，nginx 会把
# > `$ssl_client_s_dn = CN=client,...` 交给应用程序，尽管签发它的并不是 nginx 信任的任何
# > CA。用这个模式的人，在相信任何名字之前都必须先检查 `$ssl_client_verify = SUCCESS`（第
# > 07 课会演示怎么做）。
#
# ## 5. 网络上传输了什么
#
# 记录一次单向认证（one-way TLS）的握手（第 05 课的服务器），和一次双向握手放在一起，都用
# TLS 1.3：

# %%
with HTTPSServer(files) as one_way_server:
    one_way = record(one_way_server.url, ca=files / "root.crt", tls_version="1.3")
mutual = record(server.url, ca=files / "root.crt", cert=files / "client.crt",
                key=files / "client.key", tls_version="1.3")
print(compare_traces(one_way, mutual))

# %% tags=["nbval-ignore-output"]
from pkilab.viz import draw_handshakes

draw_handshakes(one_way, mutual, titles=["TLS 1.3, one-way", "TLS 1.3, mutual"])

# %% [markdown]
# Three messages make it mutual: the server's `CertificateRequest`, the client's
# `Certificate` (its chain), and the client's `CertificateVerify` (a signature made with
# `client.key`). In TLS 1.3 all three are encrypted: a network observer cannot see which
# client connected.
#
# `CertificateRequest` lists the signature algorithms the server accepts and *may* list the
# names of the CAs it trusts for clients, so that a browser can offer only matching
# certificates. nginx sends the names from its `ssl_client_certificate` file; this Python
# server sends none. `openssl s_client` shows what a server sends:

# %% [markdown] lang=zh-CN
# 有三条消息让它成为双向的：服务器的 `CertificateRequest`、客户端的
# `Certificate`（它的证书链），以及客户端的 `CertificateVerify`（用 `client.key`
# 做的签名）。在 TLS 1.3 里这三条全都是加密的：网络上的观察者看不出连接的是哪个客户端。
#
# `CertificateRequest` 列出服务器接受的签名算法，并且*可以*列出它信任的、用于验证客户端的
# CA 名称，这样浏览器就只提供匹配的证书。nginx 发送的是它的 `ssl_client_certificate`
# 文件里的名称；这台 Python 服务器一个也不发。`openssl s_client` 会显示服务器发了什么：

# %% tags=["needs-openssl"]
openssl_s_client("-tls1_2", "-CAfile", "root.crt", "-cert", "client.crt", "-key", "client.key",
                 keep=("client certificate CA names", "Verification:"))

# %% [markdown]
# In TLS 1.2 the three messages travel in the clear:

# %% [markdown] lang=zh-CN
# 在 TLS 1.2 里，这三条消息是明文传输的：

# %%
mutual12 = record(server.url, ca=files / "root.crt", cert=files / "client.crt",
                  key=files / "client.key", tls_version="1.2")
print(mutual12)

# %% [markdown]
# ## 6. Correcting the seed
#
# **Step 5 — "the server decrypts `client.crt` with `root.crt`"** — is not what happens.
# A certificate is not encrypted; it is *signed*. The server **verifies** it: the signature
# on `client.crt` with intermediate2's public key, intermediate2's with intermediate1's, and
# so on up to the root it trusts; then the dates and the extendedKeyUsage `clientAuth`.
# Anyone can send a copy of `client.crt` (it is public), so that alone proves nothing. The
# proof is `CertificateVerify`: a signature over the whole handshake so far, made with
# `client.key`, which the server checks with the public key in `client.crt`.
#
# **Steps 6–7 — "the server sends the chosen scheme encrypted with the client's public
# key"**: the choice is in `ServerHello`, sent in the clear in both versions, right after
# the `ClientHello` that offered the schemes (step 6 happens first, in step 1).
#
# **Steps 8–10** repeat lesson 05's mistake: the secret is agreed with ephemeral ECDHE
# (`ServerKeyExchange` + `ClientKeyExchange` in TLS 1.2, key shares in the hellos in TLS
# 1.3). The client's key, like the server's, only **signs**.
#
# ## 7. Break it on purpose
#
# **A client certificate from another CA.** Same names (`CN=client`, issued by
# `pkilab Intermediate CA 2`), different keys. The server checks signatures, not names:

# %% [markdown] lang=zh-CN
# ## 6. 纠正原教程
#
# **第 5 步——“使用根证书（`root.crt`）解密客户端公钥证书”**——并不是实际发生的事。证书没有加密，它是*签过名的*。服务器要**验证**它：用 intermediate2 的公钥验证 `client.crt` 上的签名，用 intermediate1 的公钥验证 intermediate2 的签名，依此类推，直到它信任的根证书；然后检查有效期和扩展密钥用法（extendedKeyUsage）里的 `clientAuth`。任何人都可以发送一份 `client.crt` 的副本（它是公开的），所以光有它什么也证明不了。真正的证明是 `CertificateVerify`：用 `client.key` 对到此为止的整个握手过程做的签名，服务器用 `client.crt` 里的公钥来检查它。
#
# **第 6–7 步——选定的加密方案“使用客户端的公钥加密后发送给客户端”**：选择结果其实在
# `ServerHello` 里，两个版本中都是明文发送，紧跟在提供候选方案的 `ClientHello` 之后（第 6
# 步其实最先发生，就在第 1 步里）。
#
# **第 8–10 步**重复了第 05 课里的错误：秘密是用临时 ECDHE 密钥交换（key
# exchange）商定的（TLS 1.2 里是 `ServerKeyExchange` + `ClientKeyExchange`，TLS 1.3
# 里是两条 hello 消息中的密钥共享）。客户端的私钥和服务器的一样，只用来**签名**。
#
# ## 7. 故意弄坏它
#
# **来自另一个 CA 的客户端证书。** 名字相同（`CN=client`，签发者是
# `pkilab Intermediate CA 2`），密钥不同。服务器检查的是签名，不是名字：

# %%
server.wait_idle()
server.clear_events()  # the log at the end of this section shows only what follows
stranger = build_certificate_set(seed="lesson-06 stranger").clients["client"]
try:
    request(server.url, ca=files / "root.crt", cert=stranger, tls_version="1.2")
except TLSConnectionError as err:
    print(err.kind, "| alert:", err.alert)
    print("why:", err.why)

# %% [markdown]
# **An expired client certificate**, issued by the right CA for one day in 2020:

# %% [markdown] lang=zh-CN
# **过期的客户端证书**，由正确的 CA 签发，有效期是 2020 年的某一天：

# %%
old_laptop = cs.intermediate2.issue_client(
    "old-laptop", not_before=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc), days=1)
try:
    request(server.url, ca=files / "root.crt", cert=old_laptop, tls_version="1.2")
except TLSConnectionError as err:
    print(err.kind, "| alert:", err.alert)

# %% [markdown]
# **"On" does not mean "anything goes".** `mtls="on"` lets a client *without* a
# certificate finish the handshake (to show it the 400 page), but a certificate that *is*
# sent is still verified: the stranger is refused in the handshake. (Real nginx, with
# `on` or `optional`, would finish the handshake and answer `400 The SSL certificate
# error` — see the table in section 4. Its `optional_no_ca` passes a certificate from an
# unknown CA on to the application with `$ssl_client_verify` = `FAILED:…` — and a
# `$ssl_client_s_dn` the stranger wrote himself; Python's `ssl` has no such mode.)

# %% [markdown] lang=zh-CN
# **“on” 并不意味着“什么都放行”。** `mtls="on"` 让*没有*证书的客户端完成握手（好给它看 400
# 页面），但*发来了*的证书仍然要验证：那位陌生人在握手中就被拒绝了。（真正的 nginx 在 `on`
# 或 `optional` 下会完成握手，然后返回 `400 The SSL certificate error`——见第 4
# 节的表格。它的 `optional_no_ca` 会把来自未知 CA 的证书交给应用程序，同时给出
# `$ssl_client_verify` = `FAILED:…`——以及一个由陌生人自己填写的 `$ssl_client_s_dn`；Python
# 的 `ssl` 没有这样的模式。）

# %%
with HTTPSServer(files, mtls="on") as nginx_like:
    try:
        request(nginx_like.url, ca=files / "root.crt", cert=stranger, tls_version="1.2")
    except TLSConnectionError as err:
        print(err.kind, "| alert:", err.alert)

# %% [markdown]
# **Valid, but not allowed.** A certificate proves *who* the client is (authentication).
# Whether that client may see the page is a separate decision (authorization). With an
# allow list, `client2` is recognised — and answered `403 Forbidden`. (An allow list of
# names is only as good as the check before it: here the names come from certificates the
# server verified. Lesson 07 writes the same for nginx, where `optional_no_ca` makes that
# difference matter.)

# %% [markdown] lang=zh-CN
# **有效，但不被允许。**
# 证书证明的是客户端*是谁*（认证）。这个客户端能不能看这个页面，是另一个决定（授权）。有了允许列表（allow list），`client2` 被认出来了——得到的回答是 `403 Forbidden`。（名字的允许列表只和它前面的检查一样可靠：这里的名字来自服务器验证过的证书。第 07 课会为 nginx 写出同样的配置，在那里 `optional_no_ca` 让这个区别变得至关重要。）

# %%
with HTTPSServer(files, mtls="required", allow=["client"]) as guarded:
    for name in ("client", "client2"):
        reply = request(guarded.url, ca=files / "root.crt", cert=files / f"{name}.crt",
                        key=files / f"{name}.key")
        print(f"{name:<8} -> {reply.status} {reply.reason}")
print(reply.body)

# %% [markdown]
# **Missing certificate, seen on the wire.** In TLS 1.2 the client sends an *empty*
# `Certificate` message and the server answers with a `handshake failure` alert before its
# own `Finished`:

# %% [markdown] lang=zh-CN
# **缺少证书时，网络上是什么样子。** 在 TLS 1.2 里，客户端发送一条*空的* `Certificate`
# 消息，服务器在发出自己的 `Finished` 之前就以一个 `handshake failure` 告警回应：

# %%
refused12 = record(server.url, ca=files / "root.crt", tls_version="1.2")
print(refused12)

# %% [markdown]
# Drawn: the client's empty `Certificate` still goes out, and the server's alert (red,
# dashed) ends the handshake.

# %% [markdown] lang=zh-CN
# 画成图：客户端那条空的 `Certificate`
# 照样发了出去，而服务器的告警（红色虚线）结束了握手。

# %%
from pkilab.viz import draw_handshake

draw_handshake(refused12)

# %% [markdown]
# In TLS 1.3 the client's side is complete (its `Finished` is sent) before the server
# decides. Only the stable part is printed, because whether the server's alert reaches
# the client is a **timing race**: the client has already sent its HTTP request, which the
# server never reads. When the server closes a socket with unread data, its system sends a
# TCP reset, and a reset that arrives before the client has read the alert throws the
# alert away. pkilab's server (like nginx) waits briefly before closing so the alert
# usually wins, but two programs and a network are involved, so it is not guaranteed.

# %% [markdown] lang=zh-CN
# 在 TLS 1.3 里，服务器做出决定之前，客户端这一侧已经完成（它的 `Finished`
# 已经发出）。这里只打印稳定的部分，因为服务器的告警能否到达客户端是一场**时序竞争**：客户端已经发出了 HTTP 请求，而服务器根本不会去读它。当服务器关闭一个还有未读数据的套接字时，操作系统会发送一个 TCP 重置（reset）；如果重置在客户端读到告警之前到达，告警就会被丢弃。pkilab 的服务器（和 nginx 一样）会在关闭前稍等片刻，所以通常是告警先到，但这牵涉到两个程序和一个网络，无法保证。

# %%
refused13 = record(server.url, ca=files / "root.crt", tls_version="1.3")
print("\n".join(refused13.names[:refused13.names.index("client: Finished") + 1]))
print("then:", "the server's 'certificate required' alert, or the end of the connection")
print("outcome:", refused13.outcome)

# %% [markdown]
# The server's own log tells each story of this section from its side (the first line is
# the stranger, the second the expired laptop):

# %% [markdown] lang=zh-CN
# 服务器自己的日志从它的角度讲述了本节的每个故事（第一行是那位陌生人，第二行是那台过期的笔记本电脑）：

# %%
server.wait_idle()
print(server.events)

# %% [markdown]
# ## Recap
#
# * mTLS adds three messages: `CertificateRequest`, the client's `Certificate` and its
#   `CertificateVerify`. TLS 1.3 encrypts them, so observers cannot tell who connected.
# * The server **verifies** the client's chain up to the CA it trusts (root, plus the
#   intermediates, because clients usually send only their leaf), and checks the
#   `CertificateVerify` signature made with `client.key`. Nothing is "decrypted with
#   root.crt".
# * Without a certificate, TLS 1.2 fails inside the handshake; TLS 1.3 fails at the first
#   read, with a `certificate required` alert or a closed connection. nginx instead finishes
#   the handshake and answers `400 No required SSL certificate was sent` (and `400 The SSL
#   certificate error` for a certificate it rejects).
# * pkilab's `on` (like nginx's `on` and `optional`) still verifies a certificate that is
#   sent; nginx's `optional_no_ca` does not, so there its `$ssl_client_s_dn` may be
#   anything. An allow list turns "who are you" into "may you": 403 for a valid client
#   that is not on it — and it must only ever look at verified certificates.
#
# ## Exercise 1: a new client
#
# Issue a client certificate named `alice` from `cs.intermediate2` (keep it in `alice`) and
# use it against `server`; keep the response in `alice_reply`. The check connects to the
# server with your certificate itself and looks for your request in the server's log.

# %% [markdown] lang=zh-CN
# ## 小结
#
# * 双向认证多了三条消息：`CertificateRequest`、客户端的 `Certificate` 以及它的
#   `CertificateVerify`。TLS 1.3 把它们加密了，所以观察者看不出是谁连接的。
# * 服务器**验证**客户端的证书链，一直验到它信任的
#   CA（根证书，再加上中间证书，因为客户端通常只发送叶子证书），并检查用 `client.key` 做的
#   `CertificateVerify` 签名。没有任何东西是“用 root.crt 解密”的。
# * 没有证书时，TLS 1.2 在握手中失败；TLS 1.3 在第一次读取时失败，收到
#   `certificate required` 告警或连接被关闭。nginx 则会完成握手，回答
#   `400 No required SSL certificate was sent`（对它拒绝的证书回答
#   `400 The SSL certificate error`）。
# * pkilab 的 `on`（和 nginx 的 `on`、`optional` 一样）仍然会验证发来的证书；nginx 的
#   `optional_no_ca` 不验证，所以在那种模式下它的 `$ssl_client_s_dn`
#   可能是任何内容。允许列表把“你是谁”变成“你能不能”：对不在列表上的有效客户端返回
#   403——而且它只能看验证过的证书。
#
# ## 练习 1：一个新客户端
#
# 用 `cs.intermediate2` 签发一张名为 `alice` 的客户端证书（保存在 `alice` 里），用它访问
# `server`；把响应保存在 `alice_reply`
# 里。检查会自己用你的证书连接服务器，并在服务器日志里查找你的请求。

# %%
alice = None  # your certificate here
alice_reply = None  # your request's result here
l06.new_client_check(server, alice, alice_reply, cs)

# %% tags=["hide-cell"]
# Solution (own names, so that "Run All" leaves your answers alone)
solution_alice = cs.intermediate2.issue_client("alice")
solution_reply = request(server.url, ca=files / "root.crt", cert=solution_alice)
print(solution_reply.body)
l06.new_client_check(server, solution_alice, solution_reply, cs)

# %% [markdown]
# ## Exercise 2: let client2 in, keep client out
#
# Set `allowed` to the allow list for which `client2` gets 200 and `client` gets 403. The
# check starts a server with your list and connects as both.

# %% [markdown] lang=zh-CN
# ## 练习 2：放 client2 进来，把 client 挡在外面
#
# 把 `allowed` 设为一个允许列表，使 `client2` 得到 200，`client` 得到
# 403。检查会用你的列表启动一台服务器，并分别以两个身份连接。

# %%
allowed = None  # a list of names
l06.allow_list_check(allowed, files)

# %% tags=["hide-cell"]
# Solution: the names are the certificates' CNs
l06.allow_list_check([short_name(cs.clients["client2"].certificate.subject)], files)

# %% [markdown]
# ## Exercise 3: what makes it mutual?
#
# Set `extra` to the set of `"sender: message"` strings that appear in the mutual trace
# but not in the one-way trace of section 5 (look at `mutual.names` and `one_way.names`).

# %% [markdown] lang=zh-CN
# ## 练习 3：是什么让它成为双向的？
#
# 把 `extra` 设为一个由 `"sender: message"` 字符串组成的集合，包含出现在第 5
# 节的双向记录里、但不在单向记录里的消息（看看 `mutual.names` 和 `one_way.names`）。

# %%
extra = None  # e.g. {"server: Certificate"}
l06.mutual_messages_check(extra, one_way, mutual)

# %% tags=["hide-cell"]
# Solution (own names)
solution_extra = set(mutual.names) - set(one_way.names)
print(sorted(solution_extra))
l06.mutual_messages_check(solution_extra, one_way, mutual)

# %% [markdown]
# Stop the server:

# %% [markdown] lang=zh-CN
# 停掉服务器：

# %%
server.stop()
server
