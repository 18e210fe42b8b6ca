# %% [markdown]
# # 05 · One-way TLS: what HTTPS really does
#
# **What you'll do:** start a real HTTPS server inside this notebook with the certificate
# set from the earlier lessons, talk to it with pkilab's client and with `curl`, record the
# handshake message by message, and then break it on purpose: an untrusted root, a wrong
# host name, a server that forgets its intermediates.
#
# **What you'll learn:** what the client checks (and what `curl -k` skips), why modern
# TLS 1.2 configurations use an *ephemeral* (EC)DHE key exchange instead of "the client
# encrypts a random number with the server's public key", and what TLS 1.3 hides from an
# eavesdropper (and what it does not).
#
# **What you'll need:** lessons 01–03 (keys, certificates, chains). `curl` is optional:
# without it, its cells say so and the pkilab client shows the same thing.
#
# Seed section: *HTTPS 单向认证 (SSL/TLS)*.

# %% [markdown] lang=zh-CN
# # 05 · 单向认证（one-way TLS）：HTTPS 到底做了什么
#
# **你将做什么：** 用前几课的证书，在这个 notebook 里启动一台真正的 HTTPS 服务器，分别用
# pkilab 的客户端和 `curl`
# 访问它，逐条记录握手（handshake）消息，然后故意把它弄坏：根证书（root
# certificate）不受信任、主机名不对、服务器忘了发中间证书（intermediate certificate）。
#
# **你将学到什么：** 客户端到底检查什么（以及 `curl -k` 跳过了什么）；为什么现代的 TLS 1.2
# 配置使用*临时的*（ephemeral）(EC)DHE 密钥交换（key
# exchange），而不是“客户端用服务端公钥（public key）加密一个随机数”；以及 TLS 1.3
# 对窃听者隐藏了什么（又有什么没有隐藏）。
#
# **你需要什么：** 第 01–03 课：私钥（private key）、证书与证书链（certificate
# chain）。`curl` 可有可无：没有它，相关单元格会说明一声，pkilab
# 的客户端会展示同样的内容。
#
# 对应原教程章节：*HTTPS 单向认证 (SSL/TLS)*。

# %%

import re
import subprocess

from pkilab import build_certificate_set, describe_key, write_certificate_set
from pkilab import load_any, same_public_key
from pkilab.exercises import l05
from pkilab.lesson import have, lab_dir, run_pkilab
from pkilab.lesson import curl as run_curl
from pkilab import HTTPSServer, TLSConnectionError, request
from pkilab import compare_traces, record

lab = lab_dir("05")
cs = build_certificate_set(seed="lesson-05")
write_certificate_set(cs, lab / "set")
print(sorted(p.name for p in (lab / "set").iterdir()))

# %% [markdown]
# `curl` is run on the same files, from `_lab/05/set/`. The server's port changes on every
# run, so the commands below print it as `PORT` (these little helpers do only that; the
# second shows the lines of `curl -v` that name handshake messages):

# %% [markdown] lang=zh-CN
# `curl` 在 `_lab/05/set/`
# 下对同样的文件运行。服务器的端口每次运行都会变，所以下面的命令把它打印成
# `PORT`（这两个小助手只做这件事；第二个只显示 `curl -v` 输出里提到握手消息的那些行）：

# %%
def curl(*args, url=None):
    """curl in _lab/05/set/ against our server (or ``url``); pkilab.lesson.curl does the rest."""
    return run_curl(url or server.url, *args, cwd=lab / "set")


def curl_verbose(*args, keep=("TLS handshake", "SSL connection using")):
    """``curl -v``, printing only the lines that contain one of ``keep``, port as PORT."""
    argv = ["curl", "-v", "-sS", "-o", "/dev/null", *args, server.url]
    print("$ " + " ".join(argv).replace(f":{server.port}", ":PORT"))
    if not have("curl"):
        print("(curl is not installed on this machine: this cross-check is skipped)")
        return
    done = subprocess.run(argv, cwd=lab / "set", capture_output=True, text=True, timeout=20)
    for line in done.stderr.splitlines():
        if any(k in line for k in keep):
            print(re.sub(r"\s+\(\d+\):$", "", line))


# %% [markdown]
# ## 1. The seed's walk-through
#
# The seed describes one-way HTTPS in six steps:
#
# 1. the client opens the connection and sends the SSL protocol version it speaks;
# 2. the server sends its certificate, `server.crt`;
# 3. the client reads the server's public key from `server.crt`;
# 4. the client makes a random number **R**, encrypts it with the server's public key, and
#    sends it;
# 5. the server decrypts it with `server.key` and so learns **R**;
# 6. both sides encrypt the rest of the conversation with **R**.
#
# Keep it in mind: we will compare it with what really crosses the wire.
#
# ## 2. A server in the notebook
#
# `HTTPSServer` serves `fullchain.crt` + `server.key` on 127.0.0.1 with a free port, like
# the seed's nginx `ssl_certificate` / `ssl_certificate_key`. It runs in one background
# thread that never prints; what happens is recorded in `server.events`.

# %% [markdown] lang=zh-CN
# ## 1. 原教程的流程
#
# 原教程这样描述单向 HTTPS，共六步：
#
# 1. 客户端发起建立 HTTPS 连接请求，将 SSL 协议版本的信息发送给服务器端；
# 2. 服务器端将本机的公钥证书（`server.crt`）发送给客户端；
# 3. 客户端读取公钥证书（`server.crt`），取出了服务端公钥；
# 4. 客户端生成一个随机数（密钥
#    **R**），用刚才得到的服务器公钥去加密这个随机数形成密文，发送给服务端；
# 5. 服务端用自己的私钥（`server.key`）去解密这个密文，得到了密钥 **R**；
# 6. 服务端和客户端在后续通讯过程中就使用这个密钥 **R** 进行通信了。
#
# 记住这个流程：我们会把它和网络上真正传输的内容对比。
#
# ## 2. notebook 里的服务器
#
# `HTTPSServer` 在 127.0.0.1 的一个空闲端口上提供 `fullchain.crt` +
# `server.key`，就像原教程里 nginx 的 `ssl_certificate` /
# `ssl_certificate_key`。它在一个后台线程中运行，从不打印任何东西；发生的事情都记录在
# `server.events` 里。

# %%
# The name makes a re-run of this cell replace its server instead of starting a second one
server = HTTPSServer(lab / "set", name="05 main")   # or HTTPSServer(cs, ...): from memory
server.start()
server

# %% [markdown]
# The client trusts `root.crt` — that is all it needs: the server sends the rest of the
# chain. The page tells us what the server knows about us.

# %% [markdown] lang=zh-CN
# 客户端信任 `root.crt`——这就是它需要的全部：证书链的其余部分由服务器发送。页面会告诉我们服务器对我们了解多少。

# %%
result = request(server.url, ca=lab / "set" / "root.crt")
print(result)
print()
print(result.body)

# %% [markdown]
# Read the second line: the TLS version and the **cipher suite** both sides agreed on.
# `server chain (verified)` is the path the client *built and checked*: the server's
# certificate, the two intermediates it sent, and our own root at the end.
#
# The same request with curl. `--cacert root.crt` tells curl which root to trust:

# %% [markdown] lang=zh-CN
# 看第二行：双方商定的 TLS 版本和**密码套件**（cipher suite）。`server chain (verified)`
# 是客户端*构建并检查过*的路径：服务器的证书、服务器发来的两张中间证书，最后是我们自己的根证书。
#
# 再用 curl 发同样的请求。`--cacert root.crt` 告诉 curl 该信任哪个根证书：

# %% tags=["needs-curl"]
curl("--cacert", "root.crt")

# %% [markdown]
# ## 3. What crosses the wire
#
# `pkilab.trace.record` makes the same request and records every handshake message the
# client sent or received, in order. First TLS 1.2 (still common), then TLS 1.3:

# %% [markdown] lang=zh-CN
# ## 3. 网络上传输了什么
#
# `pkilab.trace.record` 发出同样的请求，并按顺序记录客户端发送或接收的每一条握手消息。先看
# TLS 1.2（仍然常见），再看 TLS 1.3：

# %%
tls12 = record(server.url, ca=lab / "set" / "root.crt", tls_version="1.2")
print(tls12)

# %%
tls13 = record(server.url, ca=lab / "set" / "root.crt", tls_version="1.3")
print(tls13)

# %% [markdown]
# Side by side, and as a picture:

# %% [markdown] lang=zh-CN
# 并排对比，再画成图：

# %%
print(compare_traces(tls12, tls13))

# %% tags=["nbval-ignore-output"]
from pkilab.viz import draw_handshakes

draw_handshakes(tls12, tls13, titles=["TLS 1.2, one-way", "TLS 1.3, one-way"])

# %% [markdown]
# ## 4. Correcting the seed
#
# **Step 1** is right in spirit: the `ClientHello` offers versions and cipher suites (and,
# in TLS 1.3, already a key share, so the handshake needs one round trip less).
#
# **Steps 2–3** leave out the point of the certificate: the server sends its *chain*, and
# the client **verifies** it — every signature up to a root it trusts, the dates, the
# extendedKeyUsage `serverAuth`, and that the host name it dialled is in the
# subjectAltName. Without that check, anyone can send a certificate (section 6).
#
# **Steps 4–5 are not what happens.** "The client encrypts R with the server's public key"
# was *RSA key exchange*. TLS 1.3 removed it; TLS 1.2 still allows it, but modern TLS 1.2
# configurations switch it off and use the ephemeral (EC)DHE exchange you see in the trace.
# The seed's own `curl -v` log says so too: it shows a `Server key exchange` message and
# the suite `ECDHE-RSA-AES256-GCM-SHA384` — ECDHE, not RSA, agreed the keys, and the
# server's RSA key only signed. curl, pinned to TLS 1.2 against our server:
#

# %% [markdown] lang=zh-CN
# ## 4. 纠正原教程
#
# **第 1 步**大意没错：`ClientHello` 提供可选的版本和密码套件（在 TLS 1.3
# 里还已经带上了一份密钥共享（key share），所以握手少一个往返）。
#
# **第 2–3 步**漏掉了证书的意义所在：服务器发送的是它的*证书链*，而客户端要**验证**它——每一个签名，一直验到它信任的根证书；还有有效期、扩展密钥用法（extendedKeyUsage）里的 `serverAuth`，以及它所连接的主机名是否在使用者可选名称（subjectAltName）里。没有这一步检查，任何人都能发一张证书过来（第 6 节）。
#
# **第 4–5 步并不是实际发生的事。**“用服务器公钥去加密这个随机数”，说的是 *RSA
# 密钥交换*。TLS 1.3 已经删除了它；TLS 1.2 仍然允许，但现代的 TLS 1.2
# 配置会关掉它，改用你在记录里看到的临时 (EC)DHE 交换。原教程自己的 `curl -v`
# 日志也说明了这一点：里面有一条 `Server key exchange` 消息，密码套件是
# `ECDHE-RSA-AES256-GCM-SHA384`——商定密钥的是 ECDHE，不是 RSA，服务器的 RSA
# 私钥只用来签名。用 curl 把版本限定在 TLS 1.2，访问我们的服务器：

# %% tags=["needs-curl"]
curl_verbose("--cacert", "root.crt", "--tls-max", "1.2")

# %% [markdown]
# * in `ServerKeyExchange` the server sends a fresh elliptic-curve public key, **signed**
#   with `server.key` — the signature proves the server owns the certificate;
# * in `ClientKeyExchange` the client sends its own fresh public key;
# * each side combines its private half with the other's public half and gets the **same
#   secret**, which never crossed the wire. The session keys come from it.
#
# Here `server.key` only *signs*; it never decrypts anything — and an EC key cannot
# encrypt a secret the way the seed's RSA story needs. (Old TLS 1.2 did have *static* ECDH
# suites, `ECDH_ECDSA_…`, in which the certificate's EC key itself took part in agreeing
# the secret: no forward secrecy, and no modern configuration offers them. Modern TLS never
# uses the certificate key to agree keys.)

# %% [markdown] lang=zh-CN
# * 在 `ServerKeyExchange` 里，服务器发送一把新生成的椭圆曲线公钥，并用 `server.key`
#   **签名**——这个签名证明服务器拥有这张证书；
# * 在 `ClientKeyExchange` 里，客户端发送自己新生成的公钥；
# * 双方各自用自己的私钥部分和对方的公钥部分计算，得到**同一个秘密**，它从未在网络上传输过。会话密钥就由它派生出来。
#
# 这里 `server.key` 只负责*签名*，从不解密任何东西——而且 EC 私钥也没法像原教程的 RSA
# 流程所要求的那样去加密一个秘密。（老的 TLS 1.2 确实有*静态* ECDH 套件
# `ECDH_ECDSA_…`，其中证书里的 EC 密钥本身参与商定秘密：没有前向保密（forward
# secrecy），现代配置也都不再提供。现代 TLS 从不用证书的密钥来商定密钥。）

# %%
print("server key:", describe_key(cs.server.private_key))
print("TLS 1.2 cipher:", tls12.result.cipher)
print("TLS 1.3 cipher:", tls13.result.cipher)

# %% [markdown]
# Read the TLS 1.2 name from left to right: `ECDHE` key exchange, `ECDSA` signatures (the
# server's key), `AES256-GCM` encryption, `SHA384` hash. The TLS 1.3 name lists only the
# encryption and hash: in a full handshake its key exchange is *always* ephemeral (EC)DHE.
# (Only a session resumption with a pre-shared key alone skips it: the mode `psk_ke`, "PSK
# key exchange" without a fresh share, which gives up forward secrecy for that session;
# clients normally offer `psk_dhe_ke`, the PSK combined with a fresh (EC)DHE share.)
#
# Every TLS 1.3 trace ends with the server's **NewSessionTicket** messages (TLS 1.2 may
# send one too, before its `ChangeCipherSpec`): an encrypted ticket the client may keep
# and present on its next connection to resume the session — skipping the certificate
# and the signature — with a key both sides derived from this handshake. They carry no
# certificate and no secret a listener could use. pkilab's client opens a new full
# handshake each time and never uses them.
#
# Why it matters: with RSA key exchange, whoever steals `server.key` one day can decrypt
# every conversation recorded before. With ephemeral keys, the secrets are thrown away after
# each handshake — *forward secrecy*.
#
# **Step 6**: both sides derive keys from the shared secret, and the `Finished` messages
# (already encrypted) prove that both saw the same handshake — a tampered `ClientHello`
# would be caught here.
#
# ## 5. What TLS 1.3 hides
#
# In the TLS 1.3 table, everything after `ServerHello` is marked *encrypted* — including the
# server's `Certificate`. The recorder could name those messages because it reads them
# *inside* the client, after decryption. An eavesdropper on the network sees only this:

# %% [markdown] lang=zh-CN
# 从左到右读 TLS 1.2 的套件名：`ECDHE` 密钥交换，`ECDSA`
# 签名（服务器私钥的类型），`AES256-GCM` 加密，`SHA384` 哈希。TLS 1.3
# 的名字只列出加密和哈希：在完整握手中，它的密钥交换*总是*临时
# (EC)DHE。（只有仅凭预共享密钥（PSK）恢复会话时才会跳过它：即 `psk_ke` 模式，“PSK
# 密钥交换”，不带新的密钥共享，这个会话也就放弃了前向保密；客户端通常提供的是
# `psk_dhe_ke`，即 PSK 再加一份新的 (EC)DHE 密钥共享。）
#
# 每条 TLS 1.3 记录的最后都是服务器发来的**会话票据**（NewSessionTicket）消息（TLS 1.2
# 也可能发一条，在它的 `ChangeCipherSpec`
# 之前）：这是一张加密的票据，客户端可以保存下来，下次连接时出示，用双方从这次握手中派生出的密钥恢复会话——跳过证书和签名。它们不携带证书，也不携带任何窃听者能利用的秘密。pkilab 的客户端每次都重新做一次完整握手，从不使用它们。
#
# 这为什么重要：用 RSA 密钥交换时，谁哪天偷到了
# `server.key`，就能解密之前录下的所有通信。用临时密钥时，秘密在每次握手后就被丢弃——这就是*前向保密*。
#
# **第 6 步**：双方从共享秘密派生出密钥，而 `Finished`
# 消息（已经是加密的）证明双方看到的是同一个握手过程——被篡改过的 `ClientHello`
# 会在这里被发现。
#
# ## 5. TLS 1.3 隐藏了什么
#
# 在 TLS 1.3 的表格里，`ServerHello` 之后的所有内容都标着
# *encrypted*（已加密）——包括服务器的
# `Certificate`。记录器之所以能叫出这些消息的名字，是因为它是在客户端*内部*、解密之后读取的。网络上的窃听者只能看到这些：

# %%
wire13 = record(server.url, ca=lab / "set" / "root.crt", tls_version="1.3", source="records")
rows = wire13.table().splitlines()
print("\n".join(rows[:11]))  # the handshake; the HTTP request and reply follow
print("... then more EncryptedRecords: the HTTP request and reply, session tickets, goodbyes")

# %% [markdown]
# After `ServerHello`, `EncryptedRecord` and a size, nothing more. What that hides is
# *which* certificate this connection used, not the certificate itself: a server's
# certificate is public — anyone can connect and fetch it (the impostor test in section 6
# does exactly that), and public CAs publish theirs in Certificate Transparency logs. The
# real privacy gain is for the **client's** certificate in mutual TLS (lesson 06): in TLS
# 1.2 it crosses in the clear and names the person; in TLS 1.3 it is encrypted. (Only the
# handshake rows are printed: after it, the request, the reply and the server's session
# tickets cross at the same time, in an order that varies from run to run.) It does
# **not** hide whom you talk to: the `ClientHello` is always in the clear,
# and its SNI extension carries the server name (pkilab's client sends `localhost` as
# `server_hostname`, as browsers send the site's name), and the server's IP address is on
# every packet. Encrypted Client Hello (ECH), still being rolled out, is the fix in
# progress: it encrypts the name as well. In TLS 1.2
# the same view shows the `Certificate` in clear text (try `source="records"` with
# `tls_version="1.2"`). (The `ChangeCipherSpec` messages in TLS 1.3 carry nothing; they
# are sent only so that old middleboxes let the connection through.)
#
# ## 6. What `curl -k` hides
#
# The seed's curl commands all use `-k`, "because we use self-signed certificates". Without
# `--cacert`, curl trusts only the system's roots, which do not include ours:

# %% [markdown] lang=zh-CN
# `ServerHello` 之后只有 `EncryptedRecord`
# 和一个长度，别的什么都没有。这隐藏的是这次连接用了*哪张*证书，而不是证书本身：服务器的证书是公开的——谁都可以连上去把它取回来（第 6 节的冒名服务器测试做的正是这件事），公共 CA 还会把它们签发的证书发布到证书透明度（Certificate Transparency）日志里。真正在隐私上有收获的是双向认证（mTLS，第 06 课）里的**客户端**证书（client certificate）：在 TLS 1.2 里它明文传输，上面写着这个人的名字；在 TLS 1.3 里它是加密的。（这里只打印握手的那几行：握手之后，请求、响应和服务器的会话票据同时在传输，顺序每次运行都不一样。）它**不**隐藏你在和谁通信：`ClientHello` 始终是明文的，它的 SNI 扩展里带着服务器名称（pkilab 的客户端把 `localhost` 作为 `server_hostname` 发送，就像浏览器发送网站的名字一样），而服务器的 IP 地址写在每个数据包上。加密客户端问候（Encrypted Client Hello，ECH）仍在推广中，是正在到来的解决办法：它把名称也加密了。在 TLS 1.2 里，同样的视角会看到明文的 `Certificate`（试试把 `source="records"` 和 `tls_version="1.2"` 一起用）。（TLS 1.3 里的 `ChangeCipherSpec` 消息不携带任何内容；发送它们只是为了让老旧的中间设备放行这个连接。）
#
# ## 6. `curl -k` 掩盖了什么
#
# 原教程的 curl 命令都用了 `-k`，“因为我们用的是自签名证书”。不加 `--cacert` 时，curl
# 只信任系统的根证书，而那里面没有我们的根证书：

# %% tags=["needs-curl"]
curl()

# %% [markdown]
# `-k` makes that error go away — and with it, **every** check of who answers. To see what
# it hides, make an impostor: a server whose certificate comes from another CA that
# happens to use the *same names* (`pkilab Root CA`, `localhost`). Each cell below starts
# it in a `with` block, which stops it again.

# %% [markdown] lang=zh-CN
# `-k` 让这个错误消失了——连带着**所有**关于“是谁在应答”的检查。为了看清它掩盖了什么，我们造一个冒名者：一台服务器，它的证书来自另一个 CA，而这个 CA 恰好用了*同样的名字*（`pkilab Root CA`、`localhost`）。下面每个单元格都在 `with` 块里启动它，离开时再把它停掉。

# %%
impostor_set = build_certificate_set(seed="lesson-05 impostor")
print("same names:", impostor_set.root.certificate.subject == cs.root.certificate.subject,
      "| same key:", same_public_key(impostor_set.root.private_key, cs.root.private_key))

# %% tags=["needs-curl"]
with HTTPSServer(impostor_set) as impostor:
    curl("-k", "-w", r"\nverify result: %{ssl_verify_result}\n", url=impostor.url)

# %% [markdown]
# curl talked to the impostor and showed its page. Encryption was on — but to whom? The
# `ssl_verify_result` 20 is the seed's "unable to get local issuer certificate (20),
# continuing anyway": curl noticed and went on. With `--cacert root.crt`, it refuses:

# %% [markdown] lang=zh-CN
# curl 和冒名者通上了话，还显示了它的页面。加密是开着的——可是在和谁加密？`ssl_verify_result` 20 就是原教程里那句 “unable to get local issuer certificate (20), continuing anyway”：curl 察觉到了，却继续往下走。加上 `--cacert root.crt`，它就拒绝了：

# %% tags=["needs-curl"]
with HTTPSServer(impostor_set) as impostor:
    curl("--cacert", "root.crt", url=impostor.url)

# %% [markdown]
# pkilab's client has the same switch, `insecure=True`, and says loudly what it means:

# %% [markdown] lang=zh-CN
# pkilab 的客户端也有同样的开关 `insecure=True`，并且会大声说明它意味着什么：

# %%
with HTTPSServer(impostor_set) as impostor:
    print(request(impostor.url, ca=lab / "set" / "root.crt", insecure=True))

# %% [markdown]
# ### Trusting a root without `--cacert` — never a lesson root
#
# `--cacert` is the right tool for a lab. Adding a root to the operating system's trust
# store makes *every* program on the machine trust it — and trust **whoever holds its
# key** to speak for any website.
#
# > **⚠ Never add a lesson's `root.crt` to a trust store.** Every lesson set is built
# > from a seed text that is printed in the lesson and stored in the repository
# > (`build_certificate_set(seed="lesson-05")`), so that outputs stay the same from run
# > to run. Anyone can run the same line and get the same root **private key**; a machine
# > that trusts a lesson root lets anyone impersonate any site to it. The same holds for
# > every seed-built set in lessons 01–07 and in pkilab's tests.
#
# The proof takes one line: rebuild the set from its seed and compare the key with
# the `root.key` on disk.

# %% [markdown] lang=zh-CN
# ### 不用 `--cacert` 也信任一个根证书——但绝不能是课程的根证书
#
# 在实验里，`--cacert` 是合适的工具。把一个根证书加入操作系统的信任库（trust
# store），会让这台机器上的*每一个*程序都信任它——并且信任**持有它私钥的任何人**可以代表任意网站说话。
#
# > **⚠ 绝不要把课程的 `root.crt` 加入任何信任库。**
# > 每套课程证书都由一段种子文本生成，这段文本就印在课程里，也存放在代码仓库中（`build_certificate_set(seed="lesson-05")`），这样每次运行的输出才一致。谁都可以运行同一行代码，得到同一把根证书**私钥**；一台信任了课程根证书的机器，会让任何人都能对它冒充任何网站。第 01–07 课以及 pkilab 测试里每一套由种子生成的证书都是如此。
#
# 证明只需要一行：用种子重新生成这套证书，把它的私钥和磁盘上的 `root.key` 比较一下。

# %%
on_disk = load_any((lab / "set" / "root.key").read_bytes()).private_keys[0]
print("rebuilt from the seed, same root key:",
      same_public_key(build_certificate_set(seed="lesson-05").root.private_key, on_disk))

# %% [markdown]
# If you want to try the trust store, make a **fresh random set** with `pkilab init`: its
# keys come from the operating system's random generator and exist only in that folder.
# (Its output shows dates counted from today, so it differs from run to run.)

# %% [markdown] lang=zh-CN
# 如果你想试试信任库，用 `pkilab init`
# 生成一套**全新的随机证书**：它的私钥来自操作系统的随机数生成器，只存在于那个文件夹里。（它的输出里的日期从今天算起，所以每次运行都不一样。）

# %% tags=["nbval-ignore-output"]
exit_code = run_pkilab("init trust-demo", cwd=lab)

# %% [markdown]
# Then, with **`trust-demo/root.crt`** (never a lesson set's), and a plan to undo it:
#
# | system | add | remove afterwards |
# |---|---|---|
# | Debian/Ubuntu | `sudo cp trust-demo/root.crt /usr/local/share/ca-certificates/pkilab-demo.crt` (must end in `.crt`), then `sudo update-ca-certificates` | `sudo rm /usr/local/share/ca-certificates/pkilab-demo.crt`, then `sudo update-ca-certificates --fresh` |
# | Red Hat/Fedora | copy to `/etc/pki/ca-trust/source/anchors/`, then `sudo update-ca-trust` | delete it there, then `sudo update-ca-trust` |
# | macOS | `sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain trust-demo/root.crt` | `sudo security delete-certificate -c "pkilab Root CA" /Library/Keychains/System.keychain` (or Keychain Access → System → delete) |
# | Windows | `certutil -addstore -user Root trust-demo\root.crt` | `certutil -delstore -user Root "pkilab Root CA"` (or `certmgr.msc` → Trusted Root Certification Authorities → delete) |
# | Firefox | Settings → Privacy & Security → Certificates → *View Certificates…* → *Authorities* → Import | the same list → select *pkilab* → *Delete or Distrust…* |
#
# curl, wget and most system tools use the system store (Python's `ssl` too; `requests`
# uses `certifi` unless told otherwise); Java keeps its own (a truststore, lesson 04).
# **Firefox 120 and later also trusts roots added to the OS store** by default on
# Windows, macOS and Android (the setting `security.enterprise_roots.enabled`); on Linux
# it uses its own list. So remove the root from the OS store *and* check Firefox's list.
#
# Apple adds a rule of its own: macOS and iOS refuse a TLS **server** certificate valid
# for more than **825 days**, even when its root is one you trusted yourself. The lesson
# set's server certificate is far too long-lived for that (it lasts many years, so that
# stored lesson outputs stay true): it would not work there. `pkilab init`'s would:

# %% [markdown] lang=zh-CN
# 然后，用 **`trust-demo/root.crt`**（绝不要用课程证书里的那个），并且事先想好怎么撤销：
#
# | 系统 | 添加 | 用完后删除 |
# |---|---|---|
# | Debian/Ubuntu | `sudo cp trust-demo/root.crt /usr/local/share/ca-certificates/pkilab-demo.crt`（必须以 `.crt` 结尾），然后 `sudo update-ca-certificates` | `sudo rm /usr/local/share/ca-certificates/pkilab-demo.crt`，然后 `sudo update-ca-certificates --fresh` |
# | Red Hat/Fedora | 复制到 `/etc/pki/ca-trust/source/anchors/`，然后 `sudo update-ca-trust` | 从那里删掉，然后 `sudo update-ca-trust` |
# | macOS | `sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain trust-demo/root.crt` | `sudo security delete-certificate -c "pkilab Root CA" /Library/Keychains/System.keychain`（或在“钥匙串访问”→ 系统 → 删除） |
# | Windows | `certutil -addstore -user Root trust-demo\root.crt` | `certutil -delstore -user Root "pkilab Root CA"`（或 `certmgr.msc` → 受信任的根证书颁发机构 → 删除） |
# | Firefox | 设置 → 隐私与安全 → 证书 → *查看证书…* → *证书颁发机构* → 导入 | 同一个列表 → 选中 *pkilab* → *删除或不信任…* |
#
# curl、wget 和大多数系统工具使用系统的信任库（Python 的 `ssl` 也是；`requests` 默认用
# `certifi`，除非另行指定）；Java 有自己的信任库（truststore，第 04 课）。**Firefox 120
# 及以后的版本默认也信任加入操作系统信任库的根证书**，在 Windows、macOS 和 Android
# 上都是如此（设置项 `security.enterprise_roots.enabled`）；在 Linux
# 上它用自己的列表。所以要从操作系统的信任库里删掉根证书，*并且*检查一下 Firefox 的列表。
#
# Apple 还有一条自己的规则：macOS 和 iOS 拒绝有效期超过 **825 天**的 TLS
# **服务端**证书（server
# certificate），即使它的根证书是你自己信任的。课程证书里的服务端证书有效期太长（长达多年，这样存储的课程输出才一直成立）：在那里它用不了。`pkilab init` 生成的就可以：

# %%
def days_valid(certificate):
    return (certificate.not_valid_after_utc - certificate.not_valid_before_utc).days


fresh_server = load_any((lab / "trust-demo" / "server.crt").read_bytes()).certificates[0]
for label, certificate in (("lesson set", cs.server.certificate), ("pkilab init", fresh_server)):
    days = days_valid(certificate)
    print(f"{label:12} server.crt valid {days:5} days:",
          "refused by Apple (over 825)" if days > 825 else "within Apple's 825 days")

# %% [markdown]
# Which CA should sign a real server's certificate? A **public** server (a website, a
# public API) needs a **public CA** that browsers already trust — Let's Encrypt (free,
# automated with the ACME protocol, e.g. certbot), DigiCert, Sectigo, GlobalSign and
# others, or your cloud's certificate service. Public CAs can lose that trust: Chrome and
# Mozilla stopped trusting **Entrust** for certificates issued after November 2024 (the
# seed still names it), after years of compliance failures. And public certificates are
# now for servers only: **Let's Encrypt stopped issuing certificates with the clientAuth
# usage in 2026**, and the other public CAs are dropping it too. A **private PKI** like
# ours is for labs, internal services and, above all, **mTLS client certificates** —
# which is exactly why mutual TLS (lesson 06) needs the private CA the seed builds: there
# you decide who gets one, and only your own servers need to trust your root.
#
# ## 7. Break it on purpose
#
# Each failure comes back as a `TLSConnectionError` with a short `kind`, and *what*, *why*
# and *fix* in words. The server's log is emptied first, so that its last cell shows only
# what this section does.
#
# **An untrusted root.** We hand the client the impostor's root instead of ours:

# %% [markdown] lang=zh-CN
# 真实服务器的证书该由哪个 CA 签发？**公网**服务器（网站、公开
# API）需要一个浏览器已经信任的**公共 CA**——Let's Encrypt（免费，用 ACME 协议自动化，例如
# certbot）、DigiCert、Sectigo、GlobalSign 等，或者你所用云平台的证书服务。公共 CA
# 也会失去信任：Chrome 和 Mozilla 在 **Entrust** 多年合规问题之后，不再信任它在 2024 年 11
# 月之后签发的证书（原教程仍然把它列在其中）。而且公共证书现在只给服务器用：**Let's
# Encrypt 在 2026 年停止签发带 clientAuth 用途的证书**，其他公共 CA
# 也在陆续取消。像我们这样的**私有 PKI**
# 用于实验、内部服务，最重要的是用于**双向认证的客户端证书**——这正是双向认证（第 06
# 课）需要原教程所搭建的私有 CA
# 的原因：在那里由你决定谁能拿到证书，而且只有你自己的服务器需要信任你的根证书。
#
# ## 7. 故意弄坏它
#
# 每种失败都会以 `TLSConnectionError` 的形式返回，带一个简短的 `kind`，以及用文字写的
# *what*（发生了什么）、*why*（为什么）和
# *fix*（怎么办）。先清空服务器的日志，这样本节最后一个单元格只显示本节所做的事。
#
# **不受信任的根证书。** 我们把冒名者的根证书交给客户端，而不是我们自己的：

# %%
server.clear_events()
try:
    request(server.url, ca=impostor_set.root.certificate)
except TLSConnectionError as err:
    print(err.kind)
    print("what:", err.what)
    print("why: ", err.why)
    print("fix: ", err.fix)

# %% [markdown]
# **A wrong host name.** The certificate is for `localhost` and `127.0.0.1`. We connect to
# the same server but check the name `www.example.com` (curl's `--resolve` does the same:
# it sends the connection to 127.0.0.1 but expects a certificate for that name):

# %% [markdown] lang=zh-CN
# **主机名不对。** 证书是给 `localhost` 和 `127.0.0.1`
# 的。我们连接同一台服务器，但检查的名字是 `www.example.com`（curl 的 `--resolve`
# 做的是同一件事：把连接发往 127.0.0.1，但期望证书是给那个名字的）：

# %%
try:
    request(server.url, ca=lab / "set" / "root.crt", host="www.example.com")
except TLSConnectionError as err:
    print(err.kind, "-", err.what)
    print("why:", err.why)

# %% [markdown]
# `127.0.0.1` works, because it is in the subjectAltName:

# %% [markdown] lang=zh-CN
# `127.0.0.1` 可以，因为它在 subjectAltName 里：

# %%
print(request(f"https://127.0.0.1:{server.port}/", ca=lab / "set" / "root.crt").status)

# %% [markdown]
# The server saw all of this from the other side. In its log, each refused handshake shows
# the alert the client sent it (`unknown CA`; `bad certificate` for the wrong name):

# %% [markdown] lang=zh-CN
# 服务器从另一端看到了这一切。在它的日志里，每次被拒绝的握手都会显示客户端发给它的告警（alert）——`unknown CA`，名字不对时则是 `bad certificate`：

# %%
server.wait_idle()  # let the server finish writing its notes
print(server.take_events())

# %% [markdown]
# The wrong name with curl. curl checks the host name only *after* the handshake, so the
# server sees no alert from it — curl simply hangs up (the server's log calls that
# `closed`):

# %% [markdown] lang=zh-CN
# 用 curl 试试错误的名字。curl 在握手*之后*才检查主机名，所以服务器收不到它的告警——curl
# 直接挂断（服务器日志里记为 `closed`）：

# %% tags=["needs-curl"]
curl("--cacert", "root.crt", "--resolve", f"www.example.com:{server.port}:127.0.0.1",
     url=f"https://www.example.com:{server.port}/")
server.wait_idle()
print(server.take_events())

# %% [markdown]
# **A missing intermediate on the server.** The classic deployment mistake: configure
# `server.crt` instead of `fullchain.crt`. Browsers often cope (they cache intermediates or
# download them); curl, Python and most API clients do not:

# %% [markdown] lang=zh-CN
# **服务器上缺了中间证书。** 最经典的部署错误：配置了 `server.crt` 而不是
# `fullchain.crt`。浏览器往往能应付过去（它们会缓存中间证书，或者自己去下载）；curl、Python 和大多数 API 客户端不行：

# %%
with HTTPSServer(lab / "set", chain="leaf") as leaf_only:
    try:
        request(leaf_only.url, ca=lab / "set" / "root.crt")
    except TLSConnectionError as err:
        print(err.kind, "-", err.what)
        print("why:", err.why)
        print("fix:", err.fix)

# %% tags=["needs-curl"]
with HTTPSServer(lab / "set", chain="leaf") as leaf_only:
    curl("--cacert", "root.crt", url=leaf_only.url)

# %% [markdown]
# Note curl's text: "unable to get local issuer certificate" — the very same words as for
# the impostor. OpenSSL cannot tell a missing link from a foreign CA; pkilab looks at what
# the server sent to tell them apart.
#
# ## Recap
#
# * One-way TLS: the server proves who it is; the client stays anonymous.
# * The client **verifies** the chain (signatures up to a trusted root, dates, purpose,
#   host name). `curl -k` / `insecure=True` switch all of that off: use `--cacert root.crt`.
# * Modern TLS does not encrypt a secret with the server's key: both sides contribute
#   ephemeral (EC)DHE shares and the server *signs* (`curl -v` shows `Server key
#   exchange`). Old recordings stay safe even if `server.key` leaks later (forward
#   secrecy).
# * TLS 1.3 encrypts everything after `ServerHello`: an observer cannot tell which
#   certificate a connection used (the server's own certificate is public anyway; the
#   client's, in mTLS, is what gains). The server name (SNI in the `ClientHello`) and the
#   IP address stay visible (ECH fixes the name).
# * A server must send `fullchain.crt`; "unable to get local issuer certificate" can mean a
#   missing intermediate *or* a root you do not trust.
# * Never trust a lesson root anywhere: its key can be rebuilt from its seed. Try trust
#   stores with a fresh `pkilab init` set, and remove the root afterwards.
#
# ## Exercise 1: the server's key share
#
# In the TLS 1.2 trace, which message carries the server's ephemeral ECDHE public key
# (signed with `server.key`)? Set `answer` to its name.

# %% [markdown] lang=zh-CN
# 注意 curl 的提示：“unable to get local issuer
# certificate”——和冒名者那次一字不差。OpenSSL 分不清是缺了一环还是来自别的 CA；pkilab
# 会查看服务器发来了什么，把两者区分开。
#
# ## 小结
#
# * 单向认证：服务器证明自己是谁；客户端保持匿名。
# * 客户端要**验证**证书链（一直到受信任根证书的签名、有效期、用途、主机名）。`curl -k` /
#   `insecure=True` 会把这些全部关掉：请用 `--cacert root.crt`。
# * 现代 TLS 不用服务器的密钥去加密秘密：双方各自贡献临时的 (EC)DHE
#   密钥共享，服务器只负责*签名*（`curl -v` 显示 `Server key exchange`）。即使
#   `server.key` 以后泄露，以前录下的通信依然安全（前向保密）。
# * TLS 1.3 加密了 `ServerHello`
#   之后的所有内容：观察者看不出一次连接用的是哪张证书（服务器自己的证书本来就是公开的；在双向认证里，真正受益的是客户端的证书）。服务器名称（`ClientHello` 里的 SNI）和 IP 地址仍然可见（ECH 解决名称的问题）。
# * 服务器必须发送 `fullchain.crt`；“unable to get local issuer certificate”
#   既可能是缺了中间证书，*也*可能是你不信任的根证书。
# * 绝不要在任何地方信任课程的根证书：它的私钥可以从种子重新生成。要试信任库，就用新生成的
#   `pkilab init` 证书，用完把根证书删掉。
#
# ## 练习 1：服务器的密钥共享
#
# 在 TLS 1.2 的记录里，哪一条消息携带服务器的临时 ECDHE 公钥（用 `server.key` 签过名）？把
# `answer` 设为它的名字。

# %%
answer = None  # e.g. "ClientHello"
l05.key_share_check(answer, tls12)

# %% tags=["hide-cell"]
# Solution: the server's messages, in order; the one between Certificate and
# ServerHelloDone is the answer. (Own names, so "Run All" leaves your answer alone.)
print(tls12.sent_by("server"))
solution_answer = tls12.sent_by("server")[tls12.sent_by("server").index("Certificate") + 1]
l05.key_share_check(solution_answer, tls12)

# %% [markdown]
# ## Exercise 2: a second site
#
# Issue a certificate for `api.localhost` only from `cs.intermediate2`, serve it with
# `HTTPSServer(..., name="05 api").start()` as `api_server`, and request it so that the
# client checks the name `api.localhost`; keep the response in `api_result`. The check
# connects to your server itself, so leave it running until the check has passed (the
# last cell of the lesson stops it).

# %% [markdown] lang=zh-CN
# ## 练习 2：第二个站点
#
# 用 `cs.intermediate2` 签发一张只给 `api.localhost` 的证书，用
# `HTTPSServer(..., name="05 api").start()` 把它作为 `api_server`
# 提供服务，然后发出请求，让客户端检查的名字是 `api.localhost`；把响应保存在 `api_result`
# 里。检查会自己连接你的服务器，所以在检查通过之前不要停掉它（本课最后一个单元格会停掉它）。

# %%
api_server = None  # your server here
api_result = None  # your request's result here
l05.second_site_check(api_server, api_result, cs)

# %% tags=["hide-cell"]
# Solution (own names; a with block stops this server when the check is done)
solution_api = cs.intermediate2.issue_server(["api.localhost"])
with HTTPSServer(solution_api) as solution_server:
    solution_result = request(solution_server.url, ca=cs.root.certificate,
                              host="api.localhost")
    print(solution_result.summary())
    l05.second_site_check(solution_server, solution_result, cs)

# %% [markdown]
# ## Exercise 3: what does an eavesdropper see?
#
# Record a TLS **1.2** handshake as the wire shows it (`source="records"`) into `wire12`,
# and set `visible` to `True` if the server's `Certificate` can be read by anyone on the
# network, `False` if not — computed from `wire12.messages` (each has `.name`,
# `.sender` and `.encrypted`).

# %% [markdown] lang=zh-CN
# ## 练习 3：窃听者看到了什么？
#
# 按网络上看到的样子（`source="records"`）记录一次 TLS **1.2** 握手，存入
# `wire12`；如果网络上任何人都能读到服务器的 `Certificate`，就把 `visible` 设为
# `True`，否则设为 `False`——要根据 `wire12.messages` 计算出来（每条消息都有
# `.name`、`.sender` 和 `.encrypted`）。

# %%
wire12 = None  # your trace here
visible = None  # True or False, computed from wire12
l05.eavesdropper_check(visible, wire12)

# %% tags=["hide-cell"]
# Solution (own names)
solution_wire = record(server.url, ca=lab / "set" / "root.crt", tls_version="1.2",
                       source="records")
solution_visible = any(m.name == "Certificate" and m.sender == "server" and not m.encrypted
                       for m in solution_wire.messages)
l05.eavesdropper_check(solution_visible, solution_wire)

# %% [markdown]
# Finally, stop the servers (leaving a `with` block does this by itself):

# %% [markdown] lang=zh-CN
# 最后，停掉服务器（离开 `with` 块时会自动停掉）：

# %%
server.stop()
if isinstance(api_server, HTTPSServer):
    api_server.stop()
server
