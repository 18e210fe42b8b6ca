# %% [markdown]
# # 06b · The illustrated mTLS connection: every byte of your own handshake
#
# **What you'll do:** capture one mutual-TLS connection between the lab client and the
# lab server — every byte each side sent, and the session secrets OpenSSL wrote to a key
# log — then take it apart field by field, decrypt the encrypted half, recompute the key
# schedule, and check each Finished and CertificateVerify against the bytes on the wire.
# You will also write a capture that Wireshark opens and decrypts.
#
# **What you'll learn:** what is in a ClientHello and why; which messages TLS 1.3
# encrypts and with which keys; what exactly each side signs to prove it holds its
# private key; why the ECDHE shared secret is the one value nobody can see afterwards
# (forward secrecy), and what TLS 1.2 did differently; how resumption, SNI and ALPN
# change the picture, and what a 2026 browser sends that this lab's OpenSSL 3.0 does not.
#
# **What you'll need:** lessons 05 and 06. `tshark` (Wireshark's command line), `curl` and
# `nginx` are optional: their cells are skipped where they are missing.
#
# Nothing here is a static picture: every value below comes from the connection made in
# this run. Random values (randoms, keys, signatures) change every time, so the stored
# outputs show them as `<32 bytes>` or leave their cells uncompared; the verdicts
# ("matches the wire") are always compared.

# %% [markdown] lang=zh-CN
# # 06b · 图解双向认证连接：你自己握手的每一个字节
#
# **你将做什么：** 抓取实验客户端与实验服务器之间的一条双向认证（mTLS）连接——双方发送的每一个字节，以及 OpenSSL 写入密钥日志（key log）的会话密钥——然后逐个字段拆开，解密其中加密的一半，重新计算密钥调度（key schedule），并把每个 Finished 和 CertificateVerify 与线上的字节逐一核对。你还会生成一个 Wireshark 能打开并解密的抓包文件。
#
# **你将学到什么：** ClientHello 里有什么、为什么有；TLS 1.3 加密哪些消息、用哪把密钥；每一方为证明自己持有私钥到底签了什么；为什么 ECDHE 共享密钥是事后谁也看不到的那个值（前向安全，forward secrecy），以及 TLS 1.2 有何不同；会话恢复、SNI 和 ALPN 如何改变这一切；以及 2026 年的浏览器会发送、而本实验的 OpenSSL 3.0 不会发送的内容。
#
# **你需要什么：** 第 05、06 课。`tshark`（Wireshark 的命令行版）、`curl` 和 `nginx` 可选：没有安装时相应单元格会被跳过。
#
# 这里没有一张静态图：下面的每个值都来自本次运行建立的连接。随机值（随机数、密钥、签名）每次都不同，所以保存的输出把它们显示为 `<32 bytes>`，或者不比较那些单元格；而结论（“matches the wire”）始终参与比较。

# %%
import os
import subprocess

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pkilab import HTTPSServer, build_certificate_set, write_certificate_set
from pkilab import annotate_capture, capture_connection, capture_table, explain_message
from pkilab import handshake_checks, write_capture_files, serve_names
from pkilab import PkilabError, rsa_premaster_secret, tls12_master_secret
from pkilab import NginxServer, find_nginx, capture_trace
from pkilab import (certificate_verify_input, early_secret, finished_verify_data,
                    hkdf_expand_label, traffic_keys, transcript_hash, verify_signature)
from pkilab.exercises import l06b
from pkilab.lesson import have, lab_dir
from pkilab.viz import draw_bytemap, draw_handshakes

lab = lab_dir("06b")
cs = build_certificate_set(seed="lesson-06b")
write_certificate_set(cs, lab / "set")
files = lab / "set"
server = HTTPSServer(cs, mtls="required", name="06b main")
server.start()
server

# %% [markdown]
# ## 1. One connection, recorded whole
#
# `capture_connection` makes one HTTPS GET with `client.crt`, exactly as `request` does,
# and keeps every byte that crossed the socket plus the key log that OpenSSL writes when
# `SSLContext.keylog_filename` is set. `annotate_capture` cuts the bytes into records and
# messages and, with the key log, opens the encrypted records. Here is the list of
# handshake messages, in the order they crossed the wire:

# %% [markdown] lang=zh-CN
# ## 1. 完整记录一条连接
#
# `capture_connection` 用 `client.crt` 发起一次 HTTPS GET，与 `request` 完全相同，并保留经过套接字的每一个字节，以及设置了 `SSLContext.keylog_filename` 时 OpenSSL 写出的密钥日志。`annotate_capture` 把字节切成记录（record）和消息，并借助密钥日志打开加密的记录。下面是握手消息的列表，按它们在线上传输的顺序排列：

# %%
cap = capture_connection(server.url, ca=cs.root.certificate, cert=cs.clients["client"])
conn = annotate_capture(cap, cs)
print(capture_table(conn))
print(f"records: client sent {len(conn.records['client'])}, "
      f"server sent {len(conn.records['server'])}")

# %% [markdown]
# Every TLS record starts with the same 5-byte header: a content type, a "legacy" version
# frozen at TLS 1.2 (0x0303) or 1.0 (0x0301, only in the very first record) for the sake
# of old middleboxes, and a length. The first record the client sent:

# %% [markdown] lang=zh-CN
# 每条 TLS 记录都以同样的 5 字节头开始：内容类型、一个为照顾老旧中间设备而冻结的“遗留”版本号（TLS 1.2 即 0x0303，只有第一条记录是 1.0 即 0x0301），以及长度。客户端发出的第一条记录：

# %%
first = conn.records["client"][0]
for f in first.header_fields():
    print(f"{f.name:<15} {f.hex:<8} {f.meaning}")

# %% [markdown]
# ## 2. ClientHello: what the client offers
#
# Each line: the field, its bytes in hex, what it means, and (in brackets) where the value
# came from. Random values are shown as `<N bytes>`. Look for the things lesson 05
# talked about: the `server_name` the client wants (SNI), the cipher suites, the
# `supported_versions` that really negotiates TLS 1.3, and `key_share`: the client's
# ephemeral X25519 public key, sent *before* it knows what the server will pick.

# %% [markdown] lang=zh-CN
# ## 2. ClientHello：客户端提出什么
#
# 每行依次是：字段、十六进制字节、含义，以及（方括号里）这个值从哪里来。随机值显示为 `<N bytes>`。找一找第 05 课讲过的内容：客户端想访问的 `server_name`（SNI）、密码套件（cipher suite）、真正协商出 TLS 1.3 的 `supported_versions`，还有 `key_share`：客户端的临时 X25519 公钥，它在还不知道服务器会选什么之前就已发出。

# %%
client_hello = conn.message("client", "ClientHello")
print(explain_message(client_hello, stable=True, max_depth=2))

# %% [markdown]
# The same message as a byte map: one box per field, as wide as its bytes or its label.
# The yellow boxes are new every connection; the extensions are drawn one box each.

# %% [markdown] lang=zh-CN
# 同一条消息的字节图：每个字段一个方框，宽度取字节数与标签中较大者。黄色方框每次连接都不同；每个扩展（extension）各画一个方框。

# %%
draw_bytemap(client_hello, lab / "clienthello.png")

# %% [markdown]
# Inside the extensions, the lists the client offers (groups, signature schemes,
# versions) and the key share:

# %% [markdown] lang=zh-CN
# 扩展内部是客户端提供的各种列表（密钥交换组、签名算法、版本）以及密钥共享（key share）：

# %%
extensions = client_hello.fields[-1]
for name in ("supported_groups", "supported_versions", "key_share"):
    ext = next(f for f in extensions.children if f.name == name)
    print(name)
    for line in ext.children[2:]:
        shown = line.hex if line.size <= 4 else f"<{line.size} bytes>"
        print(f"  {line.name:<18} {shown:<12} {line.meaning}")
        for item in line.children:
            print(f"    {item.hex}  {item.meaning}")

# %% [markdown]
# ## 3. ServerHello: what the server chose
#
# The server picks one cipher suite, answers `supported_versions` with TLS 1.3, and sends
# its own ephemeral key share for the group it took from the client's list. From this
# moment both sides can compute the same ECDHE shared secret — and nobody else can.

# %% [markdown] lang=zh-CN
# ## 3. ServerHello：服务器选了什么
#
# 服务器选定一个密码套件，在 `supported_versions` 中回答 TLS 1.3，并为它从客户端列表里选中的组发送自己的临时密钥共享。从这一刻起，双方都能算出同一个 ECDHE 共享密钥——而其他任何人都算不出来。

# %%
print(explain_message(conn.message("server", "ServerHello"), stable=True))

# %% [markdown]
# ## 4. The server's encrypted flight, decrypted
#
# Everything after ServerHello is encrypted with the *server handshake traffic key*,
# derived from the key log's `SERVER_HANDSHAKE_TRAFFIC_SECRET` (section 6 does it by
# hand). Decrypted, it holds EncryptedExtensions, the CertificateRequest that makes this
# mutual TLS, the server's Certificate, its CertificateVerify and its Finished.
#
# The CertificateRequest lists the signature schemes the server accepts from the client.
# Browsers show their certificate picker with only the certificates whose issuer is in
# the request's `certificate_authorities` extension — but Python's `ssl` (and so this
# lab server) does not send that list; nginx sends the names from
# `ssl_client_certificate`.

# %% [markdown] lang=zh-CN
# ## 4. 服务器加密的那一轮消息，解密后
#
# ServerHello 之后的一切都用*服务器握手流量密钥*加密，它由密钥日志中的 `SERVER_HANDSHAKE_TRAFFIC_SECRET` 推导而来（第 6 节会手工推导）。解密后依次是 EncryptedExtensions、让这次连接成为双向认证的 CertificateRequest、服务器的 Certificate、它的 CertificateVerify 和 Finished。
#
# CertificateRequest 列出服务器接受客户端使用的签名算法。浏览器弹出证书选择框时，只列出签发者出现在请求的 `certificate_authorities` 扩展中的证书——但 Python 的 `ssl`（也就是本实验的服务器）不发送这个列表；nginx 会发送 `ssl_client_certificate` 中的 CA 名称。

# %%
print(explain_message(conn.message("server", "EncryptedExtensions"), stable=True))
print()
print(explain_message(conn.message("server", "CertificateRequest"), stable=True,
                      max_depth=2))

# %% [markdown]
# The same request to a real nginx serving your set (`ssl_verify_client on`) — where nginx
# is installed — does carry the list: the subjects of the CAs in its
# `ssl_client_certificate` file.

# %% [markdown] lang=zh-CN
# 向一个加载了你证书集的真实 nginx（`ssl_verify_client on`）发同样的请求——在装有 nginx 的机器上——就能看到这个列表：它的 `ssl_client_certificate` 文件里各个 CA 的主题（subject）。

# %% tags=["needs-nginx"]
if find_nginx():
    with NginxServer(files, mtls="on") as nginx:
        nginx_conn = annotate_capture(capture_connection(
            nginx.url, ca=cs.root.certificate, cert=cs.clients["client"]), cs)
    asked = nginx_conn.message("server", "CertificateRequest").fields[-1]
    names = next(f for f in asked.children if f.name == "certificate_authorities")
    for ca_name in names.find("CA names").children[1::2]:
        print(f"certificate_authorities: {ca_name.meaning}")
else:
    print("(nginx is not installed here: this cross-check is skipped)")

# %% [markdown]
# The server's Certificate carries `server.crt`, then the intermediates — each one
# linked to the file of your set it came from (`fullchain.crt`, without the root):

# %% [markdown] lang=zh-CN
# 服务器的 Certificate 消息先是 `server.crt`，然后是各个中间证书——每一张都对应到你证书集中的文件（即不含根证书的 `fullchain.crt`）：

# %%
server_certificate = conn.message("server", "Certificate")
for entry in server_certificate.fields[-1].children:
    print(f"{entry.size:>5} bytes  {entry.meaning:<60} [{entry.origin}]")

# %% [markdown]
# ## 5. The client's answer: its certificate and its proof
#
# Because the server asked, the client sends its own Certificate (`client.crt` and the
# intermediates it was loaded with), then a CertificateVerify — a signature made with
# `client.key` over everything said so far — and its Finished. The byte map of the
# client's Certificate message shows where its 1.4 KB go:

# %% [markdown] lang=zh-CN
# ## 5. 客户端的回答：它的证书和它的证明
#
# 因为服务器提出了要求，客户端发送自己的 Certificate（`client.crt` 以及和它一起加载的中间证书），然后是 CertificateVerify——用 `client.key` 对到目前为止的全部握手内容做的签名——最后是 Finished。客户端 Certificate 消息的字节图显示这 1.4 KB 都用在了哪里：

# %%
client_certificate = conn.message("client", "Certificate")
draw_bytemap(client_certificate, lab / "client-certificate.png",
             expand=("certificate list", "certificate"))

# %%
print(explain_message(conn.message("client", "CertificateVerify"), stable=True))
print()
print(explain_message(conn.message("client", "Finished"), stable=True))

# %% [markdown]
# After the handshake the server sends NewSessionTickets (two, OpenSSL's default): each
# lets the client come back later without a full handshake (section 9).

# %% [markdown] lang=zh-CN
# 握手之后，服务器发送 NewSessionTicket（OpenSSL 默认两张）：每一张都让客户端以后无需完整握手就能重新连接（第 9 节）。

# %%
print(explain_message(conn.message("server", "NewSessionTicket"), stable=True))

# %% [markdown]
# ## 6. The key schedule, recomputed
#
# TLS 1.3 derives every key from a chain of HKDF steps (RFC 8446 section 7.1). This
# connection's suite uses SHA-384. The first two steps take no secret at all when no
# pre-shared key is used, so their values are the same for every connection in the world:

# %% [markdown] lang=zh-CN
# ## 6. 重新计算密钥调度
#
# TLS 1.3 的每一把密钥都由一串 HKDF 步骤推导而来（RFC 8446 第 7.1 节）。本次连接的套件使用 SHA-384。不使用预共享密钥（PSK）时，前两步根本没有秘密输入，所以它们的值对全世界的每条连接都一样：

# %%
print("suite:", conn.capture.cipher)
sha = conn.suite.hash
early = early_secret(sha)
derived = hkdf_expand_label(sha, early, "derived", transcript_hash(sha, []), sha.digest_size)
print("early secret   = HKDF-Extract(0, 0)           =", early.hex()[:32], "...")
print('derived secret = Derive-Secret(early, "derived") =', derived.hex()[:32], "...")

# %% [markdown]
# The next step is `handshake secret = HKDF-Extract(derived, ECDHE shared secret)`. That
# shared secret is the X25519 product of one side's ephemeral *private* key and the other
# side's public key share. The public halves are in the ClientHello and ServerHello above;
# the private halves never left the two processes, and OpenSSL erases them once the
# handshake is done. So neither you, nor an eavesdropper, nor the server's owner a year
# later holding `server.key`, can compute it: that is *forward secrecy*. What the key log
# gives is one step further down — the traffic secrets themselves:

# %% [markdown] lang=zh-CN
# 下一步是 `handshake secret = HKDF-Extract(derived, ECDHE 共享密钥)`。这个共享密钥是一方的临时*私钥*与另一方公开密钥共享做 X25519 运算的结果。公开的那一半就在上面的 ClientHello 和 ServerHello 里；私有的那一半从未离开过两个进程，握手一结束 OpenSSL 就把它们擦除了。所以无论是你、窃听者，还是一年后拿着 `server.key` 的服务器主人，都算不出它：这就是*前向安全*。密钥日志给出的是再往下一步——流量密钥本身：

# %%
for label, secret in sorted(conn.secrets.items()):
    print(f"{label:<32} {len(secret)} bytes")
server_keys = traffic_keys(conn.suite, conn.secrets["SERVER_HANDSHAKE_TRAFFIC_SECRET"])
print(f"server handshake key: {len(server_keys.key)} bytes (AES-256), "
      f"IV: {len(server_keys.iv)} bytes")

# %% [markdown]
# ### Decrypting the first encrypted record by hand
#
# The record's nonce is the IV xor the record's sequence number (0 for the first record
# under a key); the additional data is the record's 5-byte header; the plaintext ends
# with the real content type (22 = handshake) hidden inside the encryption.

# %% [markdown] lang=zh-CN
# ### 手工解密第一条加密记录
#
# 记录的 nonce 是 IV 与该记录序号的异或（同一把密钥下第一条记录的序号为 0）；附加数据是记录的 5 字节头；明文末尾是被藏在加密之内的真实内容类型（22 = 握手）。

# %%
opening = next(o for o in conn.openings if o.sender == "server")
record = conn.records["server"][opening.record]
key = hkdf_expand_label(sha, conn.secrets["SERVER_HANDSHAKE_TRAFFIC_SECRET"], "key", b"", 32)
iv = hkdf_expand_label(sha, conn.secrets["SERVER_HANDSHAKE_TRAFFIC_SECRET"], "iv", b"", 12)
nonce = bytes(a ^ b for a, b in zip(iv, (0).to_bytes(12, "big")))
inner = AESGCM(key).decrypt(nonce, record.payload, record.header)
print("record header:", record.header.hex(" "), f"({len(record.payload)} bytes follow)")
print("plaintext:    ", inner[:-1].hex(" "), "+ content type", inner[-1])
print("that is", conn.message("server", "EncryptedExtensions").name,
      "(type 8, 2 bytes of body: an empty extension list)")
print("same as the annotation's decryption:", inner[:-1] == opening.opened.plaintext)

# %% [markdown]
# ### Both Finished messages, recomputed
#
# `verify_data = HMAC(finished_key, transcript hash)`, where `finished_key` comes from the
# sender's handshake traffic secret and the transcript is every handshake message before
# this Finished. If one byte of the handshake had been changed in flight, the two sides'
# hashes would differ and the handshake would fail here.

# %% [markdown] lang=zh-CN
# ### 重新计算两条 Finished 消息
#
# `verify_data = HMAC(finished_key, 握手记录哈希)`，其中 `finished_key` 来自发送方的握手流量密钥，握手记录（transcript）是这条 Finished 之前的全部握手消息。只要传输途中有一个字节被改动，双方的哈希就会不同，握手就会在这里失败。

# %%
for sender in ("server", "client"):
    secret = conn.secrets[f"{sender.upper()}_HANDSHAKE_TRAFFIC_SECRET"]
    before = conn.transcript((sender, "Finished"), include=False)
    mine = finished_verify_data(conn.suite, secret, before)
    wire = conn.message(sender, "Finished").data[4:]
    print(f"{sender} Finished over {len(before)} messages:",
          "matches the wire" if mine == wire else "DOES NOT match the wire")

# %% [markdown]
# ### Both CertificateVerify signatures, verified
#
# What a side signs is not the transcript hash alone: it is 64 spaces, a context string
# naming the side, a zero byte, and the hash of the transcript up to and including that
# side's Certificate. The spaces and the context make a TLS signature useless anywhere
# else (an old protocol, the other direction). The public key comes from the certificate
# the same side just sent: `server.crt` for the server, `client.crt` for the client.

# %% [markdown] lang=zh-CN
# ### 验证两个 CertificateVerify 签名
#
# 一方签名的并不只是握手记录哈希：而是 64 个空格、一个标明哪一方的上下文字符串、一个零字节，再加上截至（并包括）该方 Certificate 的握手记录哈希。空格和上下文让 TLS 签名在别处（旧协议、反方向）毫无用处。公钥来自同一方刚刚发送的证书：服务器用 `server.crt`，客户端用 `client.crt`。

# %%
for sender, certificate in (("server", cs.server.certificate),
                            ("client", cs.clients["client"].certificate)):
    message = conn.message(sender, "CertificateVerify").data
    scheme, signature = int.from_bytes(message[4:6], "big"), message[8:]
    digest = transcript_hash(sha, conn.transcript((sender, "CertificateVerify"), include=False))
    content = certificate_verify_input(sender, digest)
    print(f"{sender} signed: 64 spaces + {content[64:-49].decode()!r} + 00 + "
          f"{len(digest)}-byte hash")
    ok = verify_signature(certificate.public_key(), scheme, signature, content)
    print(f"  {sender} CertificateVerify:", "matches the wire" if ok
          else "DOES NOT match the wire")

# %% [markdown]
# `handshake_checks` runs the same checks (the tests run them on a fresh connection every
# time, so these annotations cannot drift from the truth):

# %% [markdown] lang=zh-CN
# `handshake_checks` 执行同样的检查（测试每次都在一条新连接上运行它们，所以这些注解不会偏离事实）：

# %%
for check in handshake_checks(conn):
    print(check.line())

# %% [markdown]
# And the application data, opened with the *application* traffic secrets
# (`CLIENT_TRAFFIC_SECRET_0`, `SERVER_TRAFFIC_SECRET_0`):

# %% [markdown] lang=zh-CN
# 还有应用数据，用*应用*流量密钥（`CLIENT_TRAFFIC_SECRET_0`、`SERVER_TRAFFIC_SECRET_0`）打开：

# %%
for sender, data in conn.application_data:
    print(f"{sender}: {data.decode().splitlines()[0]}")

# %% [markdown]
# ## 7. TLS 1.2 beside it: the seed's connection
#
# The seed's `curl -v` log shows TLS 1.2 with `ECDHE-RSA-AES256-GCM-SHA384`. The same
# capture with the versions pinned to 1.2 (with the lab's EC keys the suite is the
# ECDSA twin, `ECDHE-ECDSA-AES256-GCM-SHA384`): the certificates travel in the clear, and
# the key exchange is a message of its own, ServerKeyExchange.

# %% [markdown] lang=zh-CN
# ## 7. 旁边的 TLS 1.2：原教程里的那条连接
#
# 原教程的 `curl -v` 日志显示的是使用 `ECDHE-RSA-AES256-GCM-SHA384` 的 TLS 1.2。把版本固定为 1.2 再抓一次（实验用的是 EC 密钥，所以套件是对应的 ECDSA 版本 `ECDHE-ECDSA-AES256-GCM-SHA384`）：证书以明文传输，密钥交换是一条单独的消息——ServerKeyExchange。

# %%
with HTTPSServer(cs, mtls="required", tls_version="1.2") as old_server:
    old_cap = capture_connection(old_server.url, ca=cs.root.certificate,
                                 cert=cs.clients["client"], tls_version="1.2")
old = annotate_capture(old_cap, cs)
print(capture_table(old))

# %% [markdown]
# ServerKeyExchange carries the server's ephemeral ECDHE public key, *signed with
# `server.key`* over both randoms and the parameters — that signature is what stops a
# man in the middle from swapping in his own key share. Checked:

# %% [markdown] lang=zh-CN
# ServerKeyExchange 携带服务器的临时 ECDHE 公钥，并*用 `server.key` 签名*，签名覆盖双方随机数和这些参数——正是这个签名阻止了中间人替换成自己的密钥共享。验证如下：

# %%
print(explain_message(old.message("server", "ServerKeyExchange"), stable=True))
for check in handshake_checks(old):
    print(check.line())

# %% [markdown]
# **Why TLS 1.3 removed RSA key exchange.** With the old suites such as
# `AES256-GCM-SHA384` (no `ECDHE-` in front), the client made the premaster secret itself
# and sent it *encrypted with the public key in server.crt* (ClientKeyExchange). Anyone
# who recorded the traffic and later obtained `server.key` — a stolen backup, a court
# order, a decommissioned disk — could decrypt every past session. With ECDHE the
# server's key only *signs*; the secret comes from ephemeral keys that are gone. TLS 1.3
# keeps only (EC)DHE, so every TLS 1.3 connection has forward secrecy.
#
# Here it is, done: an RSA set, the RSA-key-exchange suite switched on at both ends
# (Python leaves it out by default), and the recording opened with `server.key` alone.

# %% [markdown] lang=zh-CN
# **为什么 TLS 1.3 去掉了 RSA 密钥交换。** 在 `AES256-GCM-SHA384`（前面没有 `ECDHE-`）这类旧套件里，预主密钥由客户端自己生成，并*用 server.crt 里的公钥加密*后发出（ClientKeyExchange）。任何人只要录下了流量，日后又拿到了 `server.key`——被盗的备份、法院命令、报废的硬盘——就能解密过去的每一次会话。使用 ECDHE 时，服务器的密钥只用来*签名*；秘密来自已经销毁的临时密钥。TLS 1.3 只保留 (EC)DHE，因此每条 TLS 1.3 连接都具备前向安全。
#
# 下面就实际做一遍：一套 RSA 证书，两端都打开 RSA 密钥交换套件（Python 默认不启用它），然后只用 `server.key` 打开录下的连接。

# %%
rsa_cs = build_certificate_set(seed="lesson-06b-rsa", key_kind="rsa2048")
with HTTPSServer(rsa_cs, mtls="off", tls_version="1.2") as rsa_server:
    rsa_server.context.set_ciphers("AES256-GCM-SHA384")
    rsa_cap = capture_connection(rsa_server.url, ca=rsa_cs.root.certificate,
                                 tls_version="1.2", ciphers="AES256-GCM-SHA384")
rsa_conn = annotate_capture(rsa_cap, rsa_cs)
print(capture_table(rsa_conn))
print(explain_message(rsa_conn.message("client", "ClientKeyExchange"), stable=True))
premaster = rsa_premaster_secret(rsa_conn, rsa_cs.server.private_key)
print(f"decrypted with server.key: a {len(premaster)}-byte premaster secret, "
      f"starting {premaster[:2].hex(' ')} (the client's highest version)")
master = tls12_master_secret(rsa_conn, premaster)
print("master secret from server.key and the recording:",
      "matches the key log" if master == rsa_conn.secrets["CLIENT_RANDOM"] else "differs")
try:
    rsa_premaster_secret(old, cs.server.private_key)
except PkilabError as refused:
    print(f"the ECDHE connection of above: {refused.code}: {refused.why}")

# %% [markdown]
# Read with this, the seed's log says: `Server key exchange (12)` — an ECDHE suite, good;
# `Request CERT (13)` — the server asks for a client certificate (mutual TLS);
# `CERT verify (15)` — the client signed the handshake with `client.key`; and the two
# `TLS change cipher, Client hello (1)` lines are ChangeCipherSpec records: that curl
# printed the record's single byte, 1, with the name of handshake type 1.

# %% [markdown] lang=zh-CN
# 带着这些知识再读原教程的日志：`Server key exchange (12)`——ECDHE 套件，好；`Request CERT (13)`——服务器要求客户端证书（双向认证）；`CERT verify (15)`——客户端用 `client.key` 对握手签了名；两行 `TLS change cipher, Client hello (1)` 其实是 ChangeCipherSpec 记录：那个版本的 curl 把记录里唯一的字节 1 按握手类型 1 的名字打印了出来。

# %% [markdown]
# ## 8. A capture Wireshark opens
#
# `write_capture_files` writes the connection as pcapng: the real TLS bytes inside
# made-up TCP/IP packets (server port 443, so Wireshark dissects TLS without being told),
# with the key log embedded as a Decryption Secrets Block, plus the key log on its own.
# Both files are private (mode 0600): they decrypt the connection. From the command line
# the same is `pkilab trace DIR --mtls required --pcap FILE.pcapng --keylog FILE.keys`.

# %% [markdown] lang=zh-CN
# ## 8. 一个 Wireshark 能打开的抓包文件
#
# `write_capture_files` 把这条连接写成 pcapng：真实的 TLS 字节装在合成的 TCP/IP 包里（服务器端口写为 443，这样 Wireshark 无需指定就会按 TLS 解析），密钥日志以解密密钥块（Decryption Secrets Block）的形式嵌入文件，另外再单独写一份密钥日志。两个文件都是私有的（权限 0600）：它们能解密这条连接。命令行上的等价操作是 `pkilab trace DIR --mtls required --pcap FILE.pcapng --keylog FILE.keys`。

# %%
pcap, keys = lab / "connection.pcapng", lab / "connection.keys"
for path in write_capture_files(conn, pcap, keys, overwrite=True):
    print(path.name, oct(path.stat().st_mode & 0o777))

# %% [markdown]
# `tshark` (Wireshark's command line) reads it back and, with the key log, shows what an
# eavesdropper cannot: the handshake types inside the encrypted records (11 Certificate,
# 15 CertificateVerify, 20 Finished) and the HTTP request.

# %% [markdown] lang=zh-CN
# `tshark`（Wireshark 的命令行版）读回这个文件，借助密钥日志显示窃听者看不到的内容：加密记录中的握手类型（11 Certificate、15 CertificateVerify、20 Finished）和 HTTP 请求。

# %% tags=["needs-tshark"]
if have("tshark"):
    done = subprocess.run(["tshark", "-r", str(pcap), "-o", f"tls.keylog_file:{keys}",
                           "-Y", "tls.handshake or http", "-T", "fields", "-e", "frame.number",
                           "-e", "tls.handshake.type", "-e", "http.request.method",
                           "-e", "http.request.uri", "-e", "http.response.code"],
                          capture_output=True, text=True, timeout=60)
    for line in done.stdout.splitlines():
        print("  ".join(part.strip() for part in line.split("\t") if part.strip()))
else:
    print("(tshark is not installed here: open connection.pcapng in Wireshark instead)")

# %% [markdown]
# **With your own tools.** curl and browsers write the same key log when the
# `SSLKEYLOGFILE` environment variable names a file:
#
# ```
# SSLKEYLOGFILE=$PWD/curl.keys curl --cacert root.crt --cert client.crt --key client.key https://localhost:PORT/
# SSLKEYLOGFILE=$PWD/browser.keys firefox      # Chrome/Chromium read it too
# ```
#
# In Wireshark: *Edit → Preferences → Protocols → TLS → (Pre)-Master-Secret log filename*,
# then capture on the loopback interface. Treat such files like private keys, and never
# set the variable for everyday browsing.

# %% [markdown] lang=zh-CN
# **用你自己的工具。** 当环境变量 `SSLKEYLOGFILE` 指向一个文件时，curl 和浏览器也会写出同样的密钥日志：
#
# ```
# SSLKEYLOGFILE=$PWD/curl.keys curl --cacert root.crt --cert client.crt --key client.key https://localhost:PORT/
# SSLKEYLOGFILE=$PWD/browser.keys firefox      # Chrome/Chromium 同样会读取
# ```
#
# 在 Wireshark 中：*编辑 → 首选项 → Protocols → TLS → (Pre)-Master-Secret log filename*，然后在回环接口上抓包。要像对待私钥一样对待这些文件，日常上网时千万不要设置这个变量。

# %% tags=["needs-curl"]
curl_keys = (lab / "curl.keys").resolve()
if have("curl"):
    subprocess.run(["curl", "-s", "-o", os.devnull, "--cacert", "root.crt", "--cert",
                    "client.crt", "--key", "client.key", server.url], cwd=files,
                   env={**os.environ, "SSLKEYLOGFILE": str(curl_keys)}, timeout=30)
    if curl_keys.exists():
        labels = sorted({line.split()[0] for line in curl_keys.read_text().splitlines()
                         if line and not line.startswith("#")})
        print("curl wrote:", ", ".join(labels))
    else:
        print("(this curl was built without SSLKEYLOGFILE support)")
else:
    print("(curl is not installed here)")

# %% [markdown]
# ## 9. Beyond one handshake: resumption
#
# The NewSessionTickets hold a pre-shared key (PSK) for next time. A second connection
# that offers the ticket skips the certificates and their signatures entirely:

# %% [markdown] lang=zh-CN
# ## 9. 不止一次握手：会话恢复
#
# NewSessionTicket 里保存着下次使用的预共享密钥（PSK）。第二条连接出示这张票据，就完全跳过了证书和它们的签名：

# %%
again = capture_connection(server.url, ca=cs.root.certificate, cert=cs.clients["client"],
                           resume=cap)
resumed = annotate_capture(again, cs)
full_rows = capture_table(conn).splitlines()
short_rows = capture_table(resumed).splitlines()
for i in range(max(len(full_rows), len(short_rows))):
    left = full_rows[i] if i < len(full_rows) else ""
    right = short_rows[i] if i < len(short_rows) else ""
    print(f"{left:<52}{right}")
print("resumed:", again.reused, "| reply:", again.reply.split(b"\r\n")[0].decode())
print("the server still greets:", next(line for line in again.reply.decode().splitlines()
                                       if line.startswith("Hello")))
draw_handshakes(capture_trace(conn), capture_trace(resumed), lab / "resumption.png",
                titles=["full mTLS handshake", "resumed with the ticket (PSK)"])

# %% [markdown]
# The resumed handshake has no Certificate, no CertificateVerify — and still the server
# says "Hello, client!": it took the client's identity from the ticket, that is, from the
# *first* connection's check. Whatever happened since (the certificate revoked, expired,
# removed from an allow list) goes unseen until the ticket expires (here
# 7200 s). That is why mTLS servers often disable resumption for client-certificate
# connections, keep ticket lifetimes short, or check the client's certificate again on
# every resumed request.

# %% [markdown] lang=zh-CN
# 恢复的握手里没有 Certificate，也没有 CertificateVerify——服务器却依然说“Hello, client!”：它从票据中取得客户端身份，也就是沿用了*第一条*连接时的检查结果。此后发生的任何事（证书被吊销、过期、被移出允许列表）在票据过期（这里是 7200 秒）之前都不会被发现。因此，双向认证服务器常常对使用客户端证书的连接禁用会话恢复、缩短票据有效期，或者在每个恢复的请求上重新检查客户端证书。

# %% [markdown]
# ## 10. SNI and ALPN: one server, two names
#
# `server_name` in the ClientHello lets one address serve several sites: `ssl` calls the
# server's `sni_callback` with the name *before* the server sends its Certificate, and the
# callback can switch to another certificate (and ALPN is then answered from the new
# context, so it must be set there too). `serve_names` sets that up; ALPN
# (`application_layer_protocol_negotiation`) lets the client offer `h2` and `http/1.1`
# and the server choose — in EncryptedExtensions, so only the two sides see the answer.

# %% [markdown] lang=zh-CN
# ## 10. SNI 与 ALPN：一台服务器，两个名字
#
# ClientHello 中的 `server_name` 让一个地址可以承载多个站点：`ssl` 在服务器发送 Certificate *之前*以这个名字调用服务器的 `sni_callback`，回调可以切换到另一张证书（之后 ALPN 由新的上下文应答，所以那里也必须设置）。`serve_names` 负责完成这些设置；ALPN（`application_layer_protocol_negotiation`）让客户端提供 `h2` 和 `http/1.1`，由服务器选择——答案放在 EncryptedExtensions 里，所以只有通信双方看得到。

# %%
api = cs.intermediate2.issue_server(["api.lab.test"])
with HTTPSServer(cs, mtls="off") as named:
    chosen = serve_names(named, {"api.lab.test": api}, alpn=["http/1.1"])
    for host in ("localhost", "api.lab.test"):
        one = annotate_capture(capture_connection(named.url, ca=cs.root.certificate,
                                                  host=host, alpn=["h2", "http/1.1"]), cs)
        leaf = one.message("server", "Certificate").fields[-1].children[0]
        sni = one.message("client", "ClientHello").fields[-1].find("host name")
        print(f"SNI {sni.data.decode():<13} -> {leaf.meaning}; ALPN chose "
              f"{one.capture.alpn}")
print({name: len(asked) for name, asked in chosen.items()})

# %% [markdown]
# ## 11. What a 2026 browser sends that this lab does not
#
# This lab's OpenSSL 3.0 offers X25519 first, whose key share is 32 bytes. Chrome,
# Firefox and OpenSSL 3.5+ offer the hybrid post-quantum group **X25519MLKEM768**
# (codepoint 0x11EC) first, usually with a plain X25519 share beside it: an ML-KEM-768
# encapsulation key (1184 bytes) joined with an X25519 key (32 bytes), **1216 bytes** of
# key share in the ClientHello; the server answers with an ML-KEM ciphertext plus its
# X25519 key, 1120 bytes. An attacker who records today's traffic to decrypt it with a
# future quantum computer must break both. The ClientHello grows past the 1460 bytes one
# TCP segment usually carries — a few old middleboxes choked on exactly that.

# %% [markdown] lang=zh-CN
# ## 11. 2026 年的浏览器会发送、而本实验不会发送的内容
#
# 本实验的 OpenSSL 3.0 首选 X25519，它的密钥共享只有 32 字节。Chrome、Firefox 和 OpenSSL 3.5 及以上版本首选混合后量子组 **X25519MLKEM768**（编号 0x11EC），通常还附带一个普通的 X25519 共享：ML-KEM-768 封装密钥（1184 字节）加上 X25519 公钥（32 字节），ClientHello 中的密钥共享共 **1216 字节**；服务器回以 ML-KEM 密文加上它的 X25519 公钥，共 1120 字节。今天录下流量、指望将来用量子计算机解密的攻击者必须同时攻破两者。ClientHello 因此超过一个 TCP 分段通常的 1460 字节负载——少数老旧中间设备恰恰在这一点上出过问题。

# %%
share = next(f for f in extensions.children if f.name == "key_share").find("public key")
print(f"this lab:     {share.size:>5}-byte key share ({share.meaning.split(' (')[0]})")

# The hybrid exchange, made here with cryptography's ML-KEM-768 and X25519.
try:
    from cryptography.hazmat.primitives.asymmetric.mlkem import MLKEM768PrivateKey
    client_kem = MLKEM768PrivateKey.generate()
except (ImportError, UnsupportedAlgorithm):  # an older cryptography: FIPS 203's sizes
    client_kem = None
client_x, server_x = X25519PrivateKey.generate(), X25519PrivateKey.generate()
if client_kem is not None:
    client_share = (client_kem.public_key().public_bytes_raw()
                    + client_x.public_key().public_bytes_raw())
    kem_secret, ciphertext = client_kem.public_key().encapsulate()  # the server's side
    server_share = ciphertext + server_x.public_key().public_bytes_raw()
    server_secret = kem_secret + server_x.exchange(client_x.public_key())
    client_secret = (client_kem.decapsulate(server_share[:1088])
                     + client_x.exchange(X25519PublicKey.from_public_bytes(server_share[1088:])))
    sizes = (len(client_share), len(server_share), len(client_secret))
    agree = client_secret == server_secret
else:
    sizes, agree = (1184 + 32, 1088 + 32, 32 + 32), True
print(f"X25519MLKEM768: {sizes[0]}-byte key share from the client, {sizes[1]} from the server")
print(f"shared secret: {sizes[2]} bytes (ML-KEM's 32 + X25519's 32); both sides agree: {agree}")
print(f"this ClientHello: {len(client_hello.data)} bytes, of which "
      f"{next(f for f in extensions.children if f.name == 'padding').size} are padding")

# %% [markdown]
# ## Recap
#
# * A connection is records (5-byte headers) carrying handshake messages; TLS 1.3 sends
#   only ClientHello and ServerHello in the clear, TLS 1.2 also both certificates.
# * The key log gives the traffic secrets; from them come the keys and IVs (HKDF-Expand-
#   Label), and each record's nonce is the IV xor its sequence number.
# * The ECDHE shared secret is never sent and never kept: that is forward secrecy, and why
#   TLS 1.3 dropped RSA key exchange.
# * Finished = HMAC over the transcript: tampering shows. CertificateVerify = a signature
#   over 64 spaces + context + transcript hash: it proves the key behind the certificate.
# * Resumption skips the certificates (and so any new check of them); SNI picks the
#   certificate; ALPN picks the protocol; 2026 browsers send a 1216-byte hybrid key share.

# %% [markdown] lang=zh-CN
# ## 小结
#
# * 一条连接由记录（5 字节头）组成，记录里装着握手消息；TLS 1.3 只有 ClientHello 和 ServerHello 是明文，TLS 1.2 连双方证书也是明文。
# * 密钥日志给出流量密钥；由它们通过 HKDF-Expand-Label 得到密钥和 IV，每条记录的 nonce 是 IV 与序号的异或。
# * ECDHE 共享密钥从不发送、也从不保留：这就是前向安全，也是 TLS 1.3 去掉 RSA 密钥交换的原因。
# * Finished = 对握手记录做的 HMAC：任何篡改都会暴露。CertificateVerify = 对 64 个空格 + 上下文 + 握手记录哈希的签名：它证明持有证书背后的私钥。
# * 会话恢复跳过证书（也就跳过了对证书的任何重新检查）；SNI 选择证书；ALPN 选择协议；2026 年的浏览器发送 1216 字节的混合密钥共享。

# %% [markdown]
# ## Exercise 1: recompute the client's Finished
#
# Write `client_finished(conn)` that returns the client Finished `verify_data` of *any*
# annotated connection, using `finished_verify_data`, `conn.suite`, `conn.secrets` and
# `conn.transcript(...)`. The check makes a fresh connection, blanks the client Finished
# on the wire before handing it to your function, and compares your result with the
# real bytes.

# %% [markdown] lang=zh-CN
# ## 练习 1：重新计算客户端的 Finished
#
# 编写 `client_finished(conn)`，对*任意*一条已注解的连接返回客户端 Finished 的 `verify_data`，使用 `finished_verify_data`、`conn.suite`、`conn.secrets` 和 `conn.transcript(...)`。检查程序会建立一条新连接，先把线上客户端 Finished 的内容抹掉再交给你的函数，然后把你的结果与真实字节比较。

# %%
client_finished = None  # def client_finished(conn): ...
l06b.client_finished_check(client_finished, server, cs)

# %% tags=["hide-cell"]
# Solution (own names, so that "Run All" leaves your answer alone)
def solution_client_finished(c):
    secret = c.secrets["CLIENT_HANDSHAKE_TRAFFIC_SECRET"]
    return finished_verify_data(c.suite, secret,
                                c.transcript(("client", "Finished"), include=False))


l06b.client_finished_check(solution_client_finished, server, cs)

# %% [markdown]
# ## Exercise 2: what exactly did the client sign?
#
# Set `signed_content` to the bytes the client's CertificateVerify signature covers in
# `conn`. The check verifies the client's real signature over your bytes with the public
# key of `client.crt`: only the exact bytes pass.

# %% [markdown] lang=zh-CN
# ## 练习 2：客户端到底签了什么？
#
# 把 `signed_content` 设为 `conn` 中客户端 CertificateVerify 签名所覆盖的字节。检查程序用 `client.crt` 的公钥验证客户端真实的签名是否覆盖你给出的字节：只有完全正确的字节才能通过。

# %%
signed_content = None  # bytes
l06b.signed_content_check(signed_content, conn)

# %% tags=["hide-cell"]
# Solution (own names)
solution_digest = transcript_hash(sha, conn.transcript(("client", "Certificate")))
solution_content = b" " * 64 + b"TLS 1.3, client CertificateVerify" + b"\0" + solution_digest
l06b.signed_content_check(solution_content, conn)

# %% [markdown]
# Stop the server:

# %% [markdown] lang=zh-CN
# 停止服务器：

# %%
server.stop()
server
