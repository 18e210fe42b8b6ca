# %% [markdown]
# # 08 · Revocation: a laptop was lost — lock it out
#
# **What you'll do:** a laptop holding `client2.p12` was lost. You will revoke `client2`
# with the CA that issued it, read the certificate revocation list (CRL) it writes with
# `openssl crl`, see `openssl verify -crl_check`, `pkilab verify` and Python's `ssl`
# refuse the lost certificate (and accept the others), lock it out of pkilab's server and
# of a real nginx, ask an OCSP responder about it, and draw the set's lifecycle.
#
# **What you'll learn:** what a CRL is (a list of serial numbers the CA signs, with a
# validity window of its own), why a server must load the new list (restart or reload),
# why revocation cannot be undone, what OCSP answers, and why public CAs are moving from
# OCSP back to CRLs and to short-lived certificates.
#
# **What you'll need:** lessons 03 and 06. `openssl`, `curl` and `nginx` are optional:
# their cells are skipped where they are missing.
#
# The seed stops when the first curl succeeds; this is what comes next.

# %% [markdown] lang=zh-CN
# # 08 · 吊销：笔记本丢了，把它挡在门外
#
# **你将做什么：** 一台装着 `client2.p12` 的笔记本丢了。你要用签发它的 CA 吊销（revoke）`client2`，用 `openssl crl` 查看写出的证书吊销列表（CRL），看 `openssl verify -crl_check`、`pkilab verify` 和 Python 的 `ssl` 拒绝这张丢失的证书（同时接受其他证书），在 pkilab 的服务器和真正的 nginx 上把它挡在门外，向 OCSP 服务询问它的状态，最后画出整套证书的生命周期。
#
# **你将学到什么：** CRL 是什么（CA 签名的一份序列号清单，自带有效期）；为什么服务器必须重新加载新清单（重启或 reload）；为什么吊销无法撤销；OCSP 回答什么；以及为什么公共 CA 正在从 OCSP 回到 CRL，并转向短期证书。
#
# **你需要什么：** 第 03 课和第 06 课。`openssl`、`curl`、`nginx` 可选：缺少时相应单元格会跳过。
#
# 原教程在第一次 curl 成功时就结束了；本课讲的是接下来的事。

# %%
import datetime as dt
import ssl

from pkilab import build_certificate_set, write_certificate_set, derive_key
from pkilab import revoke_certificate, load_crls, verify_chain, load_certificate
from pkilab import build_crl, crl_number, revocations
from pkilab import HTTPSServer, TLSConnectionError, request, OCSPResponder, ocsp_status
from pkilab import NginxServer, find_nginx
from pkilab.exercises import l08
from pkilab.lesson import CHECKED_AT, lab_dir, run_pkilab, run_tool
from pkilab.lesson import curl as run_curl
from pkilab.viz import draw_chain, draw_timeline, timeline_entries

lab = lab_dir("08")
# intern: a third client, for nginx in section 6
cs = build_certificate_set(seed="lesson-08", clients=("client", "client2", "intern"))
write_certificate_set(cs, lab / "set")
files = lab / "set"
# Fixed moments, so that the stored outputs stay true: the laptop was lost the day
# before the lesson's "checked at" time, and the lists stay valid for 20 years.
LOST_AT = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone.utc)
CRL_DAYS = 7305
print(sorted(p.name for p in files.iterdir()))

# %% [markdown]
# ## 1. Before: the lost certificate still works
#
# A mutual-TLS server, as in lesson 06. Both laptops' certificates get the page:

# %% [markdown] lang=zh-CN
# ## 1. 吊销之前：丢失的证书依然有效
#
# 和第 06 课一样的双向认证（mTLS）服务器。两台笔记本的证书都能拿到页面：

# %%
server = HTTPSServer(files, mtls="required", name="08 main")
server.start()


def status(name, url=None):
    """The HTTP status for client ``name``, or the code of the error that refused it."""
    try:
        return request(url or server.url, ca=files / "root.crt", cert=files / f"{name}.crt",
                       key=files / f"{name}.key", timeout=10).status
    except TLSConnectionError as error:
        return error.code


print({name: status(name) for name in ("client", "client2")})

# %% [markdown]
# Nothing in `client2.crt` can change: it is signed, and whoever has the laptop has the
# file and its key. Its dates say it is valid until 2046. The only thing that can change
# is what the CA says *about* it — that is revocation.
#
# ## 2. Revoke client2
#
# `revoke_certificate` puts the certificate's serial number on the CRL of the CA that
# issued it, signed with that CA's key: `intermediate2` for the server and the clients, in
# `crl.pem`. (Revoking `intermediate2` itself would go on `intermediate1`'s list,
# `crl-intermediate1.pem`; `intermediate1` on the root's, `crl-root.pem`.) The reason
# `keyCompromise` says the key may be in someone else's hands.

# %% [markdown] lang=zh-CN
# `client2.crt` 本身无法改变：它已经签了名，捡到笔记本的人同时拿着这个文件和它的私钥。它的日期说它一直有效到 2046 年。唯一能改变的是 CA *对它的说法*——这就是吊销。
#
# ## 2. 吊销 client2
#
# `revoke_certificate` 把证书的序列号放进签发它的 CA 的 CRL，并用该 CA 的私钥签名：服务器和客户端证书由 `intermediate2` 签发，写在 `crl.pem` 里。（吊销 `intermediate2` 本身会进 `intermediate1` 的清单 `crl-intermediate1.pem`；吊销 `intermediate1` 则进根 CA 的 `crl-root.pem`。）吊销原因 `keyCompromise` 表示私钥可能已落入他人之手。

# %%
lost = revoke_certificate(files, "client2", "keyCompromise", at=LOST_AT, days=CRL_DAYS)
print(lost)
print(sorted(p.name for p in files.glob("crl*.pem")))

# %% [markdown]
# The CAs above `intermediate2` now publish a list too, empty for now: a verifier that
# checks the whole chain (nginx does, section 6) needs one from every CA.
#
# Running it again changes nothing — the first date and reason stay, and the file is not
# rewritten. The command line does the same (`pkilab revoke DIR NAME --reason ...`):

# %% [markdown] lang=zh-CN
# `intermediate2` 之上的 CA 现在也各自发布了一份清单（目前为空）：检查整条证书链的验证方（比如第 6 节的 nginx）需要每个 CA 都有一份。
#
# 再运行一次不会有任何变化——第一次的日期和原因保留，文件也不会重写。命令行（`pkilab revoke DIR NAME --reason ...`）的行为相同：

# %%
run_pkilab("revoke set client2 --reason keyCompromise", cwd=lab)

# %% [markdown]
# **There is no unrevoke.** Once a key may have been copied, nothing proves the copy is
# gone, so a revoked certificate must never be trusted again: the user gets a *new*
# certificate with a *new* key (section 4). X.509 once had a reason `certificateHold` — a
# suspension that a later list could lift with `removeFromCRL`. The CA/Browser Forum
# forbids it for public CAs, and pkilab does not offer it; you will only meet it in old
# lists.
#
# ## 3. Look inside the CRL
#
# A CRL is a signed list: who issued it, when it was made (`Last Update`), until when it
# speaks (`Next Update`), its number (which grows with each new list), and one entry per
# revoked serial, with the date and reason. `openssl crl` shows it:

# %% [markdown] lang=zh-CN
# **吊销无法撤销。** 私钥一旦可能被复制，就无法证明副本已经消失，所以被吊销的证书永远不能再被信任：用户会拿到一张带*新*私钥的*新*证书（第 4 节）。X.509 曾有一个原因码 `certificateHold`——一种暂停，之后的清单可以用 `removeFromCRL` 解除。CA/浏览器论坛禁止公共 CA 使用它，pkilab 也不提供；你只会在旧清单里见到它。
#
# ## 3. 看看 CRL 里面有什么
#
# CRL 是一份签了名的清单：谁签发的、何时生成（`Last Update`）、有效到何时（`Next Update`）、它的编号（每出一份新清单就加一），以及每个被吊销序列号的一条记录，带日期和原因。用 `openssl crl` 查看：

# %% tags=["needs-openssl"]
run_tool("openssl crl -in set/crl.pem -noout -text", cwd=lab,
         keep=("Issuer", "Update", "CRL Number", "Serial Number", "Revocation Date", "Key "))
print("client2's serial:", f"{cs.clients['client2'].certificate.serial_number:X}")

# %% [markdown]
# The same list as data, with pkilab (no openssl needed):

# %% [markdown] lang=zh-CN
# 用 pkilab 把同一份清单读成数据（不需要 openssl）：

# %%
[crl] = load_crls(files / "crl.pem")
print("issuer:", crl.issuer.rfc4514_string(), "· number", crl_number(crl))
print("valid:", f"{crl.last_update_utc:%Y-%m-%d %H:%M}", "→",
      f"{crl.next_update_utc:%Y-%m-%d}")
for entry in revocations(crl):
    print(entry)

# %% [markdown]
# ## 4. The verifiers say no
#
# `openssl verify -crl_check` looks the leaf up in its issuer's CRL (`-crl_check_all` would
# check every CA of the chain too): client2 is refused with error 23, client passes.

# %% [markdown] lang=zh-CN
# ## 4. 验证方说“不”
#
# `openssl verify -crl_check` 会在签发者的 CRL 里查找叶子证书（`-crl_check_all` 会连链上每个 CA 一起查）：client2 因错误 23 被拒绝，client 通过。

# %% tags=["needs-openssl"]
for name in ("client2", "client"):
    run_tool(f"openssl verify -x509_strict -crl_check -CRLfile set/crl.pem -CAfile set/root.crt "
             f"-untrusted set/intermediate2.crt -untrusted set/intermediate1.crt set/{name}.crt",
             cwd=lab)

# %% [markdown]
# pkilab's `verify_chain` takes the CRLs with `crls=` and says when and why:

# %% [markdown] lang=zh-CN
# pkilab 的 `verify_chain` 通过 `crls=` 接收 CRL，并说明吊销的时间和原因：

# %%
root, chain = cs.root.certificate, [cs.intermediate2.certificate, cs.intermediate1.certificate]
report = verify_chain(load_certificate(files / "client2.crt"), root, chain, purpose="client",
                      at=CHECKED_AT, crls=load_crls(files))
print(report.problem.code, "·", report.problem.what)
print("why:", report.problem.why)
print("fix:", report.problem.fix)

# %% [markdown]
# A CRL is only as good as its signature and its dates: a list signed by another key, one
# past its `Next Update`, or one from another CA are each their own problem, never a
# silent "not revoked":

# %% [markdown] lang=zh-CN
# CRL 的可信程度取决于它的签名和日期：别的私钥签的清单、已过 `Next Update` 的清单、来自别的 CA 的清单，各自都是单独的问题，绝不会被悄悄当成“未吊销”：

# %%
other = build_certificate_set(seed="lesson-08 someone else")
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes  # noqa: E402

forged = (x509.CertificateRevocationListBuilder().issuer_name(crl.issuer)
          .last_update(LOST_AT).next_update(LOST_AT + dt.timedelta(days=7))
          .sign(other.intermediate2.private_key, hashes.SHA256()))
client = load_certificate(files / "client.crt")
cases = {
    "a list signed by another key": dict(crls=[forged]),
    # a list intermediate2 really signed, valid for one week, a month ago
    "a list past its Next Update": dict(crls=[build_crl(
        cs.intermediate2.certificate, cs.intermediate2.private_key, [],
        number=1, this_update=LOST_AT - dt.timedelta(days=30), days=7)]),
    "only the root's list": dict(crls=load_crls(files / "crl-root.pem")),
}
for label, arguments in cases.items():
    arguments.setdefault("at", CHECKED_AT)
    found = verify_chain(client, root, chain, purpose="client", **arguments).errors[0]
    print(f"{label:<30} {found.code:<18} {found.what}")

# %% [markdown]
# The command line: `pkilab verify ... --crl FILE` (repeatable).

# %% [markdown] lang=zh-CN
# 命令行：`pkilab verify ... --crl FILE`（可重复）。

# %%
run_pkilab("verify set/client2.crt --purpose client --ca set/root.crt "
           "--untrusted set/intermediate2.crt --untrusted set/intermediate1.crt "
           "--crl set/crl.pem", cwd=lab)

# %% [markdown]
# The user gets a new laptop and a new certificate: same name, **new key**, new serial
# (renewing with the old key would be pointless — the thief has it).

# %% [markdown] lang=zh-CN
# 用户拿到新笔记本和一张新证书：名字相同，**私钥是新的**，序列号也是新的（用旧私钥续期毫无意义——小偷手里就有它）。

# %%
from cryptography.hazmat.primitives import serialization  # noqa: E402

new_laptop = cs.intermediate2.issue_client(
    "client2", subject="/O=pkilab/CN=client2", key=derive_key("ec", "lesson-08 new laptop"),
    not_before=dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.timezone.utc))
(files / "client2-new.crt").write_bytes(
    new_laptop.certificate.public_bytes(serialization.Encoding.PEM))
(files / "client2-new.key").write_bytes(new_laptop.private_key.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption()))
(files / "client2-new.key").chmod(0o600)
print(f"old serial {cs.clients['client2'].certificate.serial_number:x}")
print(f"new serial {new_laptop.certificate.serial_number:x}")

# %% [markdown]
# ## 5. The server locks the laptop out
#
# The server started in section 1 knows nothing of the new list: it read its files when
# it started. The lost laptop still gets in:

# %% [markdown] lang=zh-CN
# ## 5. 服务器把丢失的笔记本挡在门外
#
# 第 1 节启动的服务器对新清单一无所知：它只在启动时读取文件。丢失的笔记本依然能进来：

# %%
print({name: status(name) for name in ("client", "client2", "client2-new")})

# %% [markdown]
# Start it again (the same `name` replaces the old one). Now it finds `crl.pem` in the
# folder and hands it to Python's `ssl`, which does the real work: the list goes into the
# context's trust store with `load_verify_locations`, and the flag `VERIFY_CRL_CHECK_LEAF`
# makes OpenSSL look every client certificate up in it during the handshake.

# %% [markdown] lang=zh-CN
# 重新启动它（同一个 `name` 会替换旧服务器）。这次它在目录里找到 `crl.pem`，交给 Python 的 `ssl`，真正干活的是它：清单通过 `load_verify_locations` 进入上下文的信任库，`VERIFY_CRL_CHECK_LEAF` 标志让 OpenSSL 在握手（handshake）时为每张客户端证书查这份清单。

# %%
server = HTTPSServer(files, mtls="required", name="08 main")
server.start()
flags = server.context.verify_flags
print("VERIFY_CRL_CHECK_LEAF set:", bool(flags & ssl.VERIFY_CRL_CHECK_LEAF))
print("CRLs in the trust store:", server.context.cert_store_stats()["crl"])
print({name: status(name) for name in ("client", "client2", "client2-new")})

# %% [markdown]
# OpenSSL refuses inside the handshake, with the TLS alert `certificate_revoked`, before
# Python ever sees the certificate — so the server cannot show *which* certificate it was.
# Its log names what the list revokes, with the date and reason:

# %% [markdown] lang=zh-CN
# OpenSSL 在握手过程中就拒绝了，发出 TLS 告警 `certificate_revoked`，此时 Python 还没见到这张证书——所以服务器无法指出*到底是哪一张*。它的日志列出清单吊销了什么，带日期和原因：

# %%
server.wait_idle()
for event in server.events:
    print(event)

# %% [markdown]
# And the client's side of it, in words:

# %% [markdown] lang=zh-CN
# 客户端这一侧看到的，用文字说明：

# %%
try:
    request(server.url, ca=files / "root.crt", cert=files / "client2.crt",
            key=files / "client2.key", timeout=10)
except TLSConnectionError as error:
    print(error.code, "·", error.what)
    print("why:", error.why)

# %% [markdown]
# ## 6. nginx: `ssl_crl`
#
# nginx takes the list with `ssl_crl`. Two things to know. It checks **every**
# certificate of the client's chain (OpenSSL's `CRL_CHECK_ALL`), so the file must hold a
# list from each CA — `intermediate2`'s, `intermediate1`'s and the root's; with only
# `crl.pem` every client is refused. `NginxServer` writes `crl-chain.pem` with all three.
# And nginx reads it when it starts or reloads, never in between.
#
# The seed's three curl cases, and a fourth:

# %% [markdown] lang=zh-CN
# ## 6. nginx：`ssl_crl`
#
# nginx 用 `ssl_crl` 加载清单。有两点要知道。它会检查客户端证书链上的**每一张**证书（OpenSSL 的 `CRL_CHECK_ALL`），所以文件里必须有每个 CA 的清单——`intermediate2`、`intermediate1` 和根 CA 的；只放 `crl.pem` 的话，所有客户端都会被拒绝。`NginxServer` 会写出包含三份清单的 `crl-chain.pem`。另外，nginx 只在启动或 reload 时读取它，中途不会重读。
#
# 原教程的三个 curl 场景，再加第四个：

# %% tags=["needs-nginx", "needs-curl"]
def curl_as(nginx, name=None):
    cert = ["--cert", f"{name}.crt", "--key", f"{name}.key"] if name else []
    return run_curl(nginx.url, "--cacert", "root.crt", *cert, cwd=files, html_title=True)


if find_nginx() is None:
    print("(nginx is not installed on this machine: this part is skipped)")
else:
    with NginxServer(files, mtls="on") as nginx:
        print([line.strip().replace(str(files.resolve()), "set")
               for line in nginx.config.splitlines() if "ssl_crl" in line])
        for name in ("client", "client2-new", None, "client2"):
            curl_as(nginx, name)
        # the intern leaves: revoked, but nginx still has the old list...
        revoke_certificate(files, "intern", "affiliationChanged", at=LOST_AT, days=CRL_DAYS)
        curl_as(nginx, "intern")
        # ...until it reloads (nginx -s reload: SIGHUP to the master)
        nginx.reload()
        curl_as(nginx, "intern")

# %% [markdown]
# ## 7. OCSP: ask instead of download
#
# A CRL is downloaded whole and cached until its `Next Update`. OCSP (RFC 6960) asks the
# CA about one certificate and gets a signed answer: `good`, `revoked` (with time and
# reason) or `unknown`. pkilab runs a responder for the set on 127.0.0.1; each CA signs the
# answers about what it issued, and it reads the CA's CRL file for every question, so a
# revocation shows at once. (`pkilab ocsp DIR --port P` is the same from a terminal; a
# set made with `pkilab init --ocsp-url URL --crl-url URL` carries those addresses in
# every leaf, which is how a client finds them.)

# %% [markdown] lang=zh-CN
# ## 7. OCSP：去问，而不是去下载
#
# CRL 要整份下载，并缓存到它的 `Next Update`。OCSP（RFC 6960）则就一张证书向 CA 提问，得到一份签了名的回答：`good`、`revoked`（带时间和原因）或 `unknown`。pkilab 在 127.0.0.1 上为这套证书运行一个应答服务；每个 CA 为自己签发的证书签署回答，而且每次提问都会重新读取 CA 的 CRL 文件，所以吊销立即生效。（在终端里用 `pkilab ocsp DIR --port P` 效果相同；用 `pkilab init --ocsp-url URL --crl-url URL` 生成的证书，每张叶子证书都带着这些地址，客户端就是这样找到它们的。）

# %%
with OCSPResponder(files) as responder:
    issuer = cs.intermediate2.certificate
    for name in ("client", "client2", "client2-new"):
        print(f"{name:<12}", ocsp_status(load_certificate(files / f"{name}.crt"), issuer,
                                         responder.url))

# %% [markdown]
# `openssl ocsp` asks the same responder (and checks the answer's signature up to the
# root). The tests also ask OpenSSL's own responder (`openssl ocsp -index`, fed from the
# same set) and get the same answers.

# %% [markdown] lang=zh-CN
# `openssl ocsp` 向同一个应答服务提问（并把回答的签名一路验证到根 CA）。测试里还会询问 OpenSSL 自己的应答服务（`openssl ocsp -index`，数据来自同一套证书），得到的回答相同。

# %% tags=["needs-openssl"]
with OCSPResponder(files) as responder:
    for name in ("client2", "client"):
        run_tool(["openssl", "ocsp", "-issuer", "set/intermediate2.crt",
                  "-cert", f"set/{name}.crt", "-url", responder.url, "-CAfile", "set/root.crt",
                  "-verify_other", "set/intermediate1.crt"], cwd=lab,
                 keep=(": good", ": revoked", "Reason", "Revocation Time", "verify OK"))

# %% [markdown]
# **Stapling.** Instead of every client asking the CA, the server fetches the answer about
# its own certificate and sends it inside the handshake: nginx's `ssl_stapling` with
# `ssl_stapling_file` (here `NginxServer(..., stapling=True)` writes the answer to
# `server.ocsp`). `openssl s_client -status` shows what was stapled:

# %% [markdown] lang=zh-CN
# **OCSP 装订（stapling）。** 不必让每个客户端都去问 CA，而是由服务器取回关于自己证书的回答，在握手中一并发送：nginx 的 `ssl_stapling` 加 `ssl_stapling_file`（这里 `NginxServer(..., stapling=True)` 会把回答写到 `server.ocsp`）。`openssl s_client -status` 能看到装订的内容：

# %% tags=["needs-nginx", "needs-openssl"]
if find_nginx() is None:
    print("(nginx is not installed on this machine: this part is skipped)")
else:
    with NginxServer(files, stapling=True) as nginx:
        run_tool(["openssl", "s_client", "-connect", f"127.0.0.1:{nginx.port}", "-status",
                  "-servername", "localhost", "-CAfile", "set/root.crt"], cwd=lab,
                 input_text="", keep=("OCSP Response Status", "Cert Status"))

# %% [markdown]
# **Why the public web is leaving OCSP.** Every OCSP question tells the CA which site you
# are visiting; when the responder is slow or down, browsers *soft-fail* (they carry on as
# if the answer were `good`), so an attacker who blocks the responder wins anyway. OCSP
# stapling (the server fetches the answer and sends it in the handshake) fixes the privacy
# leak but not the soft-fail. Let's Encrypt dropped OCSP URLs from its certificates in May
# 2025 and switched its responders off in August 2025, in favour of CRLs, which browsers
# download in bulk (Firefox's CRLite, Chrome's CRLSets). The other answer is to make
# revocation matter less: **short-lived certificates** (the CA/Browser Forum's limit for
# server certificates falls to 47 days by 2029) expire before a stolen key is worth much.
#
# For a private mTLS CA like ours, the server is the only verifier, it has the CA at hand,
# and a CRL it loads is simple and strict: that is the lesson's main tool.
#
# ## 8. The pictures
#
# The chain diagram crosses the revoked certificate out, with the date and reason:

# %% [markdown] lang=zh-CN
# **为什么公共网络正在放弃 OCSP。** 每次 OCSP 查询都会告诉 CA 你在访问哪个网站；应答服务慢或宕机时，浏览器会*软失败*（soft-fail，当作回答是 `good` 继续访问），所以屏蔽应答服务的攻击者照样得逞。OCSP 装订（stapling，由服务器取回回答并在握手中发送）解决了隐私泄露，却解决不了软失败。Let's Encrypt 在 2025 年 5 月从证书中去掉了 OCSP 地址，并在 2025 年 8 月关闭了应答服务，改用 CRL，由浏览器批量下载（Firefox 的 CRLite、Chrome 的 CRLSets）。另一条路是让吊销不那么重要：**短期证书**（CA/浏览器论坛对服务器证书有效期的上限到 2029 年降到 47 天）在被盗私钥派上大用场之前就过期了。
#
# 对我们这样的私有 mTLS CA 来说，服务器是唯一的验证方，CA 就在手边，让服务器加载一份 CRL 既简单又严格：这是本课的主要工具。
#
# ## 8. 图示
#
# 证书链图把被吊销的证书划掉，并标出日期和原因：

# %%
draw_chain(report, save=lab / "revoked-chain.png")

# %% [markdown]
# The timeline is what an operator looks at: each certificate's validity as a bar, the
# line at the time checked, the revocations hatched from their date on, and the
# replacement of client2 on the line below it, marked "renewed". (The set's CAs live 20 years;
# the axis stops in mid-2027 so that the leaves are not slivers.)

# %% [markdown] lang=zh-CN
# 时间线是运维人员要看的图：每张证书的有效期是一根条，竖线表示检查时刻，被吊销的证书从吊销之日起画上斜线，client2 的替换证书画在它下面一行，标为“renewed”。（这套证书的 CA 有效期是 20 年；坐标轴截止到 2027 年年中，免得叶子证书的条细得看不见。）

# %%
entries = [e for e in timeline_entries(files) if e[0] != "client2-new"]
entries.append(("client2", new_laptop.certificate))
draw_timeline(entries, crls=load_crls(files), at=CHECKED_AT,
              until=dt.datetime(2027, 7, 1, tzinfo=dt.timezone.utc),
              title="Lesson 08: who is trusted, and until when",
              save=lab / "timeline.png")

# %% [markdown]
# ## Recap
#
# * A certificate cannot be changed or recalled; its CA can only say "no longer" on a
#   signed list, the CRL, which has its own validity window and a number that grows.
# * The CRL is signed by the certificate's issuer: `crl.pem` from `intermediate2` for
#   leaves; the CAs above publish their own lists.
# * A verifier must be given the list (`-CRLfile`, `crls=`, `ssl_crl`) and must load the
#   new one: a running server or nginx keeps the old list until restart or reload.
# * Revocation is final. A revoked user gets a new certificate with a new key.
# * OCSP answers per certificate and sees a revocation at once, but leaks what you visit
#   and soft-fails; the public web is moving to CRLs and short-lived certificates.
#
# ## Exercise 1: revoke `client` yourself
#
# The user of `client` has a new certificate and no longer needs the old one. Revoke it
# with a fitting reason (not `unspecified`) and keep what `revoke_certificate` returned in
# `my_revocation`. The check reads `set/crl.pem` from disk.

# %% [markdown] lang=zh-CN
# ## 小结
#
# * 证书无法修改，也无法召回；签发它的 CA 只能在一份签了名的清单（CRL）上宣布“不再信任”，这份清单有自己的有效期和不断增长的编号。
# * CRL 由证书的签发者签名：叶子证书看 `intermediate2` 签的 `crl.pem`；上层 CA 各自发布清单。
# * 验证方必须拿到清单（`-CRLfile`、`crls=`、`ssl_crl`），并且要加载新清单：运行中的服务器或 nginx 会一直用旧清单，直到重启或 reload。
# * 吊销是最终的。被吊销的用户要拿一张带新私钥的新证书。
# * OCSP 逐张证书作答，吊销立即可见，但会泄露你访问了什么，还会软失败；公共网络正转向 CRL 和短期证书。
#
# ## 练习 1：亲手吊销 `client`
#
# `client` 的用户已经有了新证书，不再需要旧的。用一个合适的原因（不要用 `unspecified`）吊销它，把 `revoke_certificate` 的返回值保存在 `my_revocation` 中。检查程序会从磁盘读取 `set/crl.pem`。

# %%
my_revocation = None  # revoke_certificate(files, ...)
l08.revoked_client_check(my_revocation, files)

# %% tags=["hide-cell"]
# Solution (own names, so that "Run All" leaves your answer alone)
solution_revocation = revoke_certificate(files, "client", "superseded", days=CRL_DAYS)
l08.revoked_client_check(solution_revocation, files)

# %% [markdown]
# ## Exercise 2: a server that refuses the lost laptop
#
# Start an `HTTPSServer` for `files` that refuses `client2` (the lost laptop) and serves
# `client2-new`; keep it in `my_server`. The check connects as both.

# %% [markdown] lang=zh-CN
# ## 练习 2：拒绝丢失笔记本的服务器
#
# 为 `files` 启动一个 `HTTPSServer`，让它拒绝 `client2`（丢失的笔记本），接受 `client2-new`；保存在 `my_server` 中。检查程序会分别以两者的身份连接。

# %%
my_server = None  # HTTPSServer(files, ..., name="08 exercise"), started
l08.refusing_server_check(my_server, files)

# %% tags=["hide-cell"]
# Solution: mutual TLS, started after the revocation, so it loads crl.pem
with HTTPSServer(files, mtls="required") as solution_server:
    l08.refusing_server_check(solution_server, files)

# %% [markdown]
# Stop the server:

# %% [markdown] lang=zh-CN
# 停止服务器：

# %%
server.stop()
server
