# %% [markdown]
# # 03 · The certificate chain: root → intermediate1 → intermediate2 → server
#
# **What you'll do:** run the seed's chain recipe and see why it fails today; build the
# same chain with pkilab step by step; verify it like a client does; then break it on
# purpose, one mistake at a time, and read what the verifier says.
#
# **What you'll learn:** what each link of a chain must carry (`CA:TRUE`, path length,
# key usage, subjectAltName), what a server must send (`fullchain.crt`), and how to tell
# a missing intermediate from an untrusted root.
#
# **What you'll need:** lessons 01–02. `openssl` is optional.
#
# Seed sections: *证书链*, *客户端验证证书链*.

# %% [markdown] lang=zh-CN
# # 03 · 证书链：root → intermediate1 → intermediate2 → server
#
# **你将做什么：** 照原样运行原教程的证书链命令，看看它今天为什么失败；用 pkilab 一步一步构建同样的证书链；像客户端那样验证它；然后故意把它弄坏，一次一个错误，读一读验证器怎么说。
#
# **你将学到什么：** 证书链的每一环必须带有什么（`CA:TRUE`、路径长度、密钥用途、subjectAltName），服务器必须发送什么（`fullchain.crt`），以及如何区分“缺少中间证书”和“根证书不受信任”。
#
# **你需要准备什么：** 先学完第 01–02 课。`openssl` 可选。
#
# 对应原教程章节：*证书链*、*客户端验证证书链*。

# %%
from cryptography.hazmat.primitives import serialization

from pkilab import CertificateAuthority, load_certificate, show, verify_chain
from pkilab.lesson import have, lab_dir, run_tool

lab = lab_dir("03")


def pem(*certs):
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


# %% [markdown]
# ## 1. The seed's recipe, run as written
#
# The seed makes each CA with `openssl req -new` + `openssl x509 -req -CA ...`. We run its
# commands in `_lab/03/seed/`, with EC keys instead of 4096-bit RSA so that the cell is quick
# (the key kind is not what goes wrong).

# %% [markdown] lang=zh-CN
# ## 1. 照原样运行原教程的命令
#
# 原教程用 `openssl req -new` + `openssl x509 -req -CA ...` 生成每一个 CA。我们在 `_lab/03/seed/` 里运行它的命令，只是把 4096 位 RSA 换成 EC 密钥，让这个单元格跑得快一些（出问题的并不是密钥类型）。

# %% tags=["needs-openssl"]
seed_dir = lab / "seed"
seed_dir.mkdir(exist_ok=True)
recipe = [
    "openssl ecparam -genkey -name prime256v1 -noout -out root.key",
    'openssl req -new -x509 -days 3650 -key root.key -out root.crt -subj "/CN=Root CA"',
    "openssl ecparam -genkey -name prime256v1 -noout -out intermediate1.key",
    'openssl req -new -key intermediate1.key -out intermediate1.csr -subj "/CN=Intermediate CA 1"',
    "openssl x509 -req -in intermediate1.csr -CA root.crt -CAkey root.key -CAcreateserial "
    "-out intermediate1.crt -days 3650",
    "openssl ecparam -genkey -name prime256v1 -noout -out intermediate2.key",
    'openssl req -new -key intermediate2.key -out intermediate2.csr -subj "/CN=Intermediate CA 2"',
    "openssl x509 -req -in intermediate2.csr -CA intermediate1.crt -CAkey intermediate1.key "
    "-CAcreateserial -out intermediate2.crt -days 3650",
    "openssl ecparam -genkey -name prime256v1 -noout -out server.key",
    'openssl req -new -key server.key -out server.csr -subj "/CN=server.example.com"',
    "openssl x509 -req -in server.csr -CA intermediate2.crt -CAkey intermediate2.key "
    "-CAcreateserial -out server.crt -days 365",
]
for step in recipe:
    run_tool(step, cwd=seed_dir, show_output=False)
print("files:", sorted(p.name for p in seed_dir.glob("*.crt")))

# %% [markdown]
# The seed then checks each link with `openssl verify`. The second and third checks fail
# with `invalid CA certificate`, although the seed shows `OK` (OpenSSL 1.x refused such
# intermediates too):

# %% [markdown] lang=zh-CN
# 原教程接着用 `openssl verify` 检查每一环。第二和第三次检查失败，报 `invalid CA certificate`，尽管原教程显示的是 `OK`（OpenSSL 1.x 同样会拒绝这样的中间证书）：

# %% tags=["needs-openssl"]
run_tool("openssl verify -CAfile root.crt intermediate1.crt", cwd=seed_dir)
(seed_dir / "chain1.pem").write_bytes((seed_dir / "root.crt").read_bytes()
                                      + (seed_dir / "intermediate1.crt").read_bytes()
                                      if have("openssl") else b"")
run_tool("openssl verify -CAfile chain1.pem intermediate2.crt", cwd=seed_dir)
(seed_dir / "chain2.pem").write_bytes((seed_dir / "chain1.pem").read_bytes()
                                      + (seed_dir / "intermediate2.crt").read_bytes()
                                      if have("openssl") else b"")
run_tool("openssl verify -CAfile chain2.pem server.crt", cwd=seed_dir)

# %% [markdown]
# pkilab says why, in words. `openssl x509 -req` without `-extfile` adds no `CA:TRUE` and no
# subjectAltName; OpenSSL 3.0 even writes **version 1** certificates, which cannot carry
# any extension (newer releases add key identifiers, still no `CA:TRUE`):

# %% [markdown] lang=zh-CN
# pkilab 用文字说明原因。不带 `-extfile` 的 `openssl x509 -req` 既不加 `CA:TRUE`，也不加 subjectAltName；OpenSSL 3.0 甚至写出的是**第 1 版**证书，根本不能携带任何扩展（更新的版本会加上密钥标识符，但仍然没有 `CA:TRUE`）：

# %% tags=["needs-openssl"]
if have("openssl"):
    seed_certs = {n: load_certificate(seed_dir / f"{n}.crt")
                  for n in ("root", "intermediate1", "intermediate2", "server")}
    report = verify_chain(seed_certs["server"], seed_certs["root"],
                          [seed_certs["intermediate2"], seed_certs["intermediate1"]],
                          host="server.example.com")
    for problem in report.problems:
        print(f"[{problem.code}] {problem.what}")
    print()
    print("why:", report.problem.why)
    print("fix:", report.problem.fix)
    print("\n(the root's missing keyUsage is an RFC 5280 conformance point: strict checkers")
    print(" refuse it; the v1 intermediates would break the chain even without it)")
else:
    print("(openssl is not installed: section 4 breaks a chain the same way with pkilab)")

# %% [markdown]
# Two more lessons hide in the seed's checks:
#
# * `openssl verify -CAfile chain2.pem server.crt` puts the intermediates among the
#   **trusted** certificates. OpenSSL still walks up to the self-signed root — unless
#   `-partial_chain` is given (Python 3.13's default context sets that flag), and then an
#   intermediate alone is enough. Either way, that is not how a chain reaches a client:
#   pass intermediates with `-untrusted`, as a server sends them.
# * `openssl verify -CAfile root.crt fullchain.crt` reads only the **first** certificate of
#   the file; the intermediates in it are ignored. Use `-untrusted fullchain.crt` as well.
#
# ### The seed's recipe, repaired
#
# The same openssl commands work once each certificate gets its extensions from an
# `-extfile`: `CA:TRUE` with a path length and `keyCertSign` for the intermediates;
# `CA:FALSE`, `digitalSignature`, `serverAuth` (or `clientAuth`) and a subjectAltName for
# the leaves; key identifiers for all. And the root gets them with `-addext`:

# %% [markdown] lang=zh-CN
# 原教程的检查里还藏着两个问题：
#
# * `openssl verify -CAfile chain2.pem server.crt` 把中间证书放进了**受信任**的证书里。OpenSSL 仍会一直向上走到自签名的根证书——除非给了 `-partial_chain`（Python 3.13 的默认上下文会设置这个标志），那样的话单凭一张中间证书就够了。无论哪种情况，证书链都不是这样到达客户端的：应当像服务器发送时那样，用 `-untrusted` 传入中间证书。
# * `openssl verify -CAfile root.crt fullchain.crt` 只读取文件里的**第一张**证书；其中的中间证书都被忽略。还要同时加上 `-untrusted fullchain.crt`。
#
# ### 修好的原教程命令
#
# 只要每张证书都从 `-extfile` 获得自己的扩展，同样的 openssl 命令就能用：中间证书要 `CA:TRUE` 加路径长度以及 `keyCertSign`；叶子证书要 `CA:FALSE`、`digitalSignature`、`serverAuth`（或 `clientAuth`）和 subjectAltName；所有证书都要密钥标识符。根证书则用 `-addext` 加上扩展：

# %%
fixed_dir = lab / "seed-fixed"
fixed_dir.mkdir(exist_ok=True)
ca_ext = ("basicConstraints=critical,CA:TRUE,pathlen:{n}\nkeyUsage=critical,keyCertSign,"
          "cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
leaf_ext = ("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
            "extendedKeyUsage={purpose}\nsubjectAltName={san}\n"
            "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
(fixed_dir / "intermediate1.ext").write_text(ca_ext.format(n=1))
(fixed_dir / "intermediate2.ext").write_text(ca_ext.format(n=0))
(fixed_dir / "server.ext").write_text(leaf_ext.format(purpose="serverAuth",
                                                     san="DNS:server.example.com"))
(fixed_dir / "client.ext").write_text(leaf_ext.format(purpose="clientAuth",
                                                     san="email:client@example.com"))
print((fixed_dir / "intermediate1.ext").read_text())
print((fixed_dir / "server.ext").read_text())

# %% tags=["needs-openssl"]
def sign(name, subject, issuer, days):
    """The seed's three steps for one certificate, with -extfile added."""
    return [f"openssl ecparam -genkey -name prime256v1 -noout -out {name}.key",
            f'openssl req -new -key {name}.key -subj "{subject}" -out {name}.csr',
            f"openssl x509 -req -in {name}.csr -CA {issuer}.crt -CAkey {issuer}.key "
            f"-CAcreateserial -days {days} -extfile {name}.ext -out {name}.crt"]


repaired = [
    "openssl ecparam -genkey -name prime256v1 -noout -out root.key",
    'openssl req -x509 -new -key root.key -subj "/CN=Root CA" -days 3650 '
    '-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" '
    "-out root.crt",
    *sign("intermediate1", "/CN=Intermediate CA 1", "root", 3650),
    *sign("intermediate2", "/CN=Intermediate CA 2", "intermediate1", 3650),
    *sign("server", "/CN=server.example.com", "intermediate2", 365),
    *sign("client", "/CN=client", "intermediate2", 365),
]
for step in repaired:
    run_tool(step, cwd=fixed_dir, show_output=False)
if have("openssl"):
    (fixed_dir / "fullchain.crt").write_bytes(b"".join(
        (fixed_dir / f"{n}.crt").read_bytes() for n in ("server", "intermediate2",
                                                       "intermediate1")))
run_tool("openssl verify -x509_strict -purpose sslserver -verify_hostname server.example.com "
         "-CAfile root.crt -untrusted fullchain.crt server.crt", cwd=fixed_dir)
run_tool("openssl verify -x509_strict -purpose sslclient -CAfile root.crt "
         "-untrusted fullchain.crt client.crt", cwd=fixed_dir)

# %% [markdown]
# And pkilab agrees (the `pkilab verify` command does the same from a terminal):

# %% [markdown] lang=zh-CN
# pkilab 也认可（在终端里用 `pkilab verify` 命令效果相同）：

# %% tags=["needs-openssl"]
if have("openssl"):
    fixed = {n: load_certificate(fixed_dir / f"{n}.crt")
             for n in ("root", "intermediate1", "intermediate2", "server", "client")}
    middle = [fixed["intermediate2"], fixed["intermediate1"]]
    print("server:", verify_chain(fixed["server"], fixed["root"], middle,
                                  host="server.example.com").ok)
    print("client:", verify_chain(fixed["client"], fixed["root"], middle,
                                  purpose="client").ok)
else:
    print("(openssl is not installed: section 2 builds the same chain with pkilab)")

# %% [markdown]
# ## 2. The chain, built step by step
#
# Each CA gets `basicConstraints CA:TRUE` (critical) and a **path length**: how many more
# CAs may stand below it. intermediate1 allows one (intermediate2), intermediate2 allows none.
# The server certificate names its hosts in the **subjectAltName**.

# %% [markdown] lang=zh-CN
# ## 2. 一步一步构建证书链
#
# 每个 CA 都带 `basicConstraints CA:TRUE`（critical）和一个**路径长度**（path length）：它下面还能有几层 CA。intermediate1 允许一层（intermediate2），intermediate2 不允许再有。服务器证书在 **subjectAltName** 里写明它的主机名。

# %%
root = CertificateAuthority.create_root("/C=CN/O=alibaba/CN=Root CA", seed="lesson-03")
intermediate1 = root.issue_intermediate("/C=CN/O=alibaba/CN=Intermediate CA 1", path_length=1)
intermediate2 = intermediate1.issue_intermediate("/C=CN/O=alibaba/CN=Intermediate CA 2",
                                                 path_length=0)
server = intermediate2.issue_server(["localhost", "127.0.0.1"])
show(intermediate1.certificate)

# %%
show(server.certificate)

# %% [markdown]
# Write the files with the seed's names. `fullchain.crt` is the seed's
# `cat server.crt intermediate2.crt intermediate1.crt > fullchain.crt`: the server first, then
# each issuer. The root is left out: clients already have it (and would not trust a root
# just because a server sent it).

# %% [markdown] lang=zh-CN
# 用原教程的文件名写出文件。`fullchain.crt` 就是原教程的 `cat server.crt intermediate2.crt intermediate1.crt > fullchain.crt`：先是服务器证书，然后依次是各自的签发者。根证书不放进去：客户端已经有它了（而且也不会因为服务器发来了根证书就信任它）。

# %%
for name, cert in [("root", root.certificate), ("intermediate1", intermediate1.certificate),
                   ("intermediate2", intermediate2.certificate), ("server", server.certificate)]:
    (lab / f"{name}.crt").write_bytes(pem(cert))
(lab / "fullchain.crt").write_bytes(pem(*server.fullchain))
print([c.subject.rfc4514_string() for c in server.fullchain])

# %% [markdown]
# ## 3. Verify it as a client would
#
# The client holds `root.crt`, receives `fullchain.crt` from the server, and checks every
# link — signature, validity, CA flag, path length, key usage, purpose, host name:

# %% [markdown] lang=zh-CN
# ## 3. 像客户端那样验证
#
# 客户端持有 `root.crt`，从服务器收到 `fullchain.crt`，然后检查每一环——签名、有效期、CA 标志、路径长度、密钥用途、证书用途、主机名：

# %%
report = verify_chain(server.fullchain, root.certificate, host="localhost")
print(report)

# %% [markdown]
# The same report as a picture: each box is a certificate (subject, issuer, key, validity,
# CA flag and path length), each arrow a signature.

# %% [markdown] lang=zh-CN
# 同一份报告画成图：每个方框是一张证书（主体、签发者、密钥、有效期、CA 标志和路径长度），每个箭头是一次签名。

# %%
from pkilab.viz import draw_chain

draw_chain(report, save=lab / "chain.png")

# %% [markdown]
# The openssl twin, strict: `-x509_strict` (RFC 5280 rules), `-purpose sslserver`, a host
# name, the intermediates as **untrusted**:

# %% [markdown] lang=zh-CN
# 对应的 openssl 命令，严格模式：`-x509_strict`（RFC 5280 规则）、`-purpose sslserver`、主机名，中间证书作为 **untrusted** 传入：

# %% tags=["needs-openssl"]
run_tool("openssl verify -x509_strict -purpose sslserver -verify_hostname localhost "
         "-CAfile root.crt -untrusted fullchain.crt server.crt", cwd=lab)

# %% [markdown]
# ### Who still reads the Common Name?
#
# The seed's server certificate has no subjectAltName: its host name is only in the CN.
# Clients disagree about such a certificate. Browsers match host names against the
# subjectAltName only (Chrome has ignored the CN since 2017). **Python's `ssl` still falls
# back to the CN** when there is no subjectAltName
# (`ssl.create_default_context().hostname_checks_common_name` is `True`), and so does curl.
# pkilab's verifier and its client do not: they switch that fallback off.
#
# Here is such a certificate for `localhost` (`_lab/03/cn-only.crt`), signed by
# intermediate2 and right in every other way, served by a real server on 127.0.0.1:

# %% [markdown] lang=zh-CN
# ### 谁还在读通用名称（CN）？
#
# 原教程的服务器证书没有 subjectAltName：它的主机名只写在 CN 里。对这样的证书，各个客户端的看法并不一致。浏览器只用 subjectAltName 匹配主机名（Chrome 从 2017 年起就忽略 CN）。**没有 subjectAltName 时，Python 的 `ssl` 仍会退回去用 CN**（`ssl.create_default_context().hostname_checks_common_name` 为 `True`），curl 也一样。pkilab 的验证器和客户端不会：它们关掉了这个回退。
#
# 下面就是这样一张签给 `localhost` 的证书（`_lab/03/cn-only.crt`），由 intermediate2 签发，其他方面都没问题，由一台真实的服务器在 127.0.0.1 上提供：

# %%
import socket
import ssl

from pkilab import (HTTPSServer, IssuedCertificate, TLSConnectionError,
                    make_cn_only_server_certificate, request)
from pkilab.lesson import LESSON_DAYS, LESSON_EPOCH

cn_only = IssuedCertificate(
    make_cn_only_server_certificate("localhost", server.private_key.public_key(),
                                    intermediate2.certificate, intermediate2.private_key,
                                    not_before=LESSON_EPOCH, days=LESSON_DAYS),
    server.private_key, server.chain, root.certificate)
(lab / "cn-only.crt").write_bytes(pem(*cn_only.fullchain))
python_default = ssl.create_default_context(cadata=pem(root.certificate).decode())
print("Python: hostname_checks_common_name =", python_default.hostname_checks_common_name)
with HTTPSServer(cn_only, name="lesson-03 cn-only") as cn_server:
    with socket.create_connection(("127.0.0.1", cn_server.port), timeout=5) as raw:
        with python_default.wrap_socket(raw, server_hostname="localhost") as tls:
            print("Python's ssl, default context:   connected, CN=localhost accepted")
    try:
        request(cn_server.url, ca=root.certificate)
        print("pkilab's client: connected")
    except TLSConnectionError as error:
        print("pkilab's client:                 refused:", error.what)
print("pkilab verify_chain:             ",
      verify_chain(cn_only.fullchain, root.certificate, host="localhost").problem.code)

# %% [markdown]
# And curl, trusting the same `root.crt` (`HTTP 200`: it connected and got the page):

# %% [markdown] lang=zh-CN
# 再看 curl，信任同一个 `root.crt`（`HTTP 200`：它连上了，并拿到了页面）：

# %% tags=["needs-curl"]
from pkilab.lesson import curl

with HTTPSServer(cn_only, name="lesson-03 cn-only") as cn_server:
    curl(cn_server.url, "--cacert", "root.crt", "-o", "/dev/null", "-w", "HTTP %{http_code}",
         cwd=lab)

# %% [markdown]
# So "no SAN" works in Python scripts and in curl, and fails in every browser and in
# strict clients. Put every name in the subjectAltName and the question never comes up.

# %% [markdown] lang=zh-CN
# 所以“没有 SAN”在 Python 脚本和 curl 里能用，在所有浏览器和严格的客户端里都会失败。把每个名字都写进 subjectAltName，这个问题就根本不会出现。

# %% [markdown]
# ### An RFC 5280 audit
#
# Verification answers "does this chain work?". An audit asks "is each certificate made
# the way the standard says?". pkilab's doctor runs pkilint's RFC 5280 linter (PKIX: the
# IETF's profile of X.509 for the Internet) plus
# pkilab's own checks for the seed's pitfalls. Our chain has two findings, both on the
# server, both worth understanding rather than hiding:

# %% [markdown] lang=zh-CN
# ### RFC 5280 审计
#
# 验证回答的是“这条证书链能不能用？”。审计问的是“每张证书是否按标准规定的方式制作？”。pkilab 的 doctor 会运行 pkilint 的 RFC 5280 检查（PKIX：IETF 为互联网制定的 X.509 规范），外加 pkilab 自己针对原教程各种陷阱的检查。我们的证书链有两项发现，都在服务器证书上，都值得弄明白，而不是藏起来：

# %%
from pkilab import InputError
from pkilab import audit_many

try:
    for cert, findings in audit_many([*server.fullchain, root.certificate]):
        label = cert.subject.rfc4514_string()
        print(f"{label}: {len(findings) or 'no'} finding(s)")
        for finding in findings:
            mark = "expected in a lab" if finding.expected else finding.severity
            print(f"  [{mark}] {finding.code}: {finding.message}")
            print(f"      {finding.explanation}")
except InputError as error:  # pkilint is optional
    print(f"({error.what}: {error.fix})")

# %% [markdown]
# * `pkix.invalid_domain_name_syntax` on `localhost`: pkilint checks *public* DNS syntax
#   (at least two labels). `localhost` is reserved for the machine itself and is exactly
#   right for a lab server on 127.0.0.1; a public CA would refuse it.
# * `pkilab.server_validity_too_long`: lesson certificates last twenty years
#   (2026-01-01 to 2046-01-01) so that the stored outputs keep matching yours for years.
#   Public server certificates are short-lived, and getting shorter: CA/Browser Forum
#   ballot **SC-081** allows at most **200 days** for certificates issued from 2026-03-15
#   (398 before), **100 days** from 2027-03-15 and **47 days** from 2029-03-15. A private
#   CA is not bound by it, but the clients are the same: short lives and automatic renewal
#   are the habit to learn.
#
# The same audit from a terminal: `pkilab doctor _lab/03` (exit 1 if anything but notices
# and expected findings remain).
#
# ## 4. Break it on purpose
#
# Each row below changes one thing and asks the verifier again. Read the *code* (stable, for
# programs) and the *what* (for people). Note the first four rows: a missing intermediate,
# a server that sends only its own certificate, and a certificate from another CA sent
# without its root all look the same to OpenSSL ("unable to get local issuer
# certificate", error 20) and to `cryptography`'s verifier. A certificate from another CA
# sent *with* its root is different: OpenSSL says `self-signed certificate in certificate
# chain` (error 19; the openssl cell after the table shows both). pkilab looks at what
# was provided to tell them apart where the certificates allow it — and says "unknown
# issuer" (either one) where no verifier could know.

# %% [markdown] lang=zh-CN
# * `localhost` 上的 `pkix.invalid_domain_name_syntax`：pkilint 检查的是*公网* DNS 语法（至少两个标签）。`localhost` 是留给本机的名字，用作 127.0.0.1 上的实验服务器恰到好处；公共 CA 会拒绝它。
# * `pkilab.server_validity_too_long`：课程证书有效期长达二十年（2026-01-01 到 2046-01-01），好让保存的输出多年以后仍与你的一致。公开受信任的服务器证书有效期很短，而且越来越短：CA/浏览器论坛（CA/Browser Forum）**SC-081** 号投票规定，2026-03-15 起签发的证书最长 **200 天**（此前为 398 天），2027-03-15 起 **100 天**，2029-03-15 起 **47 天**。私有 CA 不受它约束，但客户端是同样的客户端：短有效期加自动续期，才是该养成的习惯。
#
# 在终端里做同样的审计：`pkilab doctor _lab/03`（除了提示和预期之内的发现外还有别的问题时，退出码为 1）。
#
# ## 4. 故意把它弄坏
#
# 下表每一行只改一处，然后再问一次验证器。读一读*代码*（code，稳定不变，给程序用）和*说明*（what，给人看）。注意前四行：缺少中间证书、服务器只发送了自己的证书、以及别家 CA 的证书不带根证书发送，在 OpenSSL（“unable to get local issuer certificate”，错误 20）和 `cryptography` 的验证器看来是一样的——这正是大家常搜的“证书链不完整”。别家 CA 的证书*带着*根证书发送则不同：OpenSSL 报 `self-signed certificate in certificate chain`（错误 19；表格后面的 openssl 单元格两种都演示了）。pkilab 会查看实际提供了什么，在证书本身能区分的地方把它们区分开——在任何验证器都无从知道的地方，就报“unknown issuer”（两种都有可能）。

# %%
import datetime as dt

from pkilab import make_v1_certificate

in_2026 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
other = CertificateAuthority.create_root("/CN=Other Root CA", seed="lesson-03 other")
other_server = other.issue_intermediate("/CN=Other CA").issue_server(["localhost"])
client = intermediate2.issue_client("client")
fake_ca = CertificateAuthority.from_pair(server.certificate, server.private_key,
                                         parent=intermediate2, allow_invalid=True)
# fake_ca has no lesson seed, so it is given the lesson's dates itself
signed_by_leaf = fake_ca.issue_server(["evil.localhost"], not_before=LESSON_EPOCH,
                                      days=LESSON_DAYS)
too_deep = intermediate2.issue_intermediate("/CN=Intermediate CA 3", allow_invalid=True)
too_deep_leaf = too_deep.issue_server(["localhost"])
v1_ca = make_v1_certificate(intermediate2.certificate.subject,
                            intermediate2.private_key.public_key(),
                            intermediate1.certificate.subject, intermediate1.private_key,
                            not_before=in_2026, days=LESSON_DAYS)
in_2047 = dt.datetime(2047, 1, 1, tzinfo=dt.timezone.utc)
in_2025 = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
R = root.certificate
cases = {
    "intermediate2 missing": verify_chain(server.certificate, R, [intermediate1.certificate]),
    "server sends server.crt only": verify_chain(server.certificate, R),
    "another CA (sends its root)": verify_chain([*other_server.fullchain,
                                                 other.certificate], R),
    "another CA (root not sent)": verify_chain(other_server.fullchain, R),
    "checked in 2047": verify_chain(server.fullchain, R, at=in_2047),
    "checked in 2025": verify_chain(server.fullchain, R, at=in_2025),
    "wrong host name": verify_chain(server.fullchain, R, host="example.com"),
    "client cert used as server": verify_chain(client.fullchain, R),
    "signed by a leaf (not a CA)": verify_chain(signed_by_leaf.fullchain, R),
    "path length exceeded": verify_chain(too_deep_leaf.fullchain, R),
    "v1 intermediate (seed recipe)": verify_chain(server.certificate, R,
                                                  [v1_ca, intermediate1.certificate]),
    "fullchain in the wrong order": verify_chain(
        [server.certificate, intermediate1.certificate, intermediate2.certificate], R),
}
for case, result in cases.items():
    print(f"{case:<31} {result.problem.code:<21} {result.problem.what}")

# %% [markdown]
# OpenSSL on two of those rows: another CA's chain sent with its root (error 19), and
# without it (error 20, the same words as a missing intermediate):

# %% [markdown] lang=zh-CN
# OpenSSL 对其中两行的反应：别家 CA 的证书链带着根证书发送（错误 19），以及不带根证书（错误 20，与缺少中间证书的提示一字不差）：

# %% tags=["needs-openssl"]
(lab / "other-server.crt").write_bytes(pem(other_server.certificate))
(lab / "other-with-root.pem").write_bytes(pem(*other_server.chain, other.certificate))
(lab / "other-without-root.pem").write_bytes(pem(*other_server.chain))
for sent in ("other-with-root.pem", "other-without-root.pem"):
    run_tool(f"openssl verify -x509_strict -purpose sslserver -CAfile root.crt "
             f"-untrusted {sent} other-server.crt", cwd=lab, keep=["error"])

# %% [markdown]
# One row is softer than the rest: **the wrong order is a TLS 1.2 rule.** TLS 1.2
# (RFC 5246, 7.4.2) says the server sends its own certificate and then each issuer in
# turn. RFC 8446 (TLS 1.3), 4.4.2, keeps the leaf first but asks implementations to
# accept the other certificates in any order, from any TLS version — and OpenSSL, hence
# Python's `ssl` and curl, builds the path from whatever was sent. Here a real server sends
# `server, intermediate1, intermediate2`, pinned to TLS 1.2:

# %% [markdown] lang=zh-CN
# 有一行比其他行宽松：**顺序错误是 TLS 1.2 的规则。** TLS 1.2（RFC 5246，7.4.2）规定服务器先发送自己的证书，然后依次发送每一个签发者。RFC 8446（TLS 1.3）4.4.2 节仍要求叶子证书在最前面，但要求各实现无论哪个 TLS 版本都接受其余证书的任意顺序——而 OpenSSL，以及基于它的 Python `ssl` 和 curl，会根据发来的任何内容构建路径。下面一台真实的服务器固定使用 TLS 1.2，发送的顺序是 `server, intermediate1, intermediate2`：

# %%
wrong_order = IssuedCertificate(server.certificate, server.private_key,
                                [intermediate1.certificate, intermediate2.certificate],
                                root.certificate)
with HTTPSServer(wrong_order, tls_version="1.2", name="lesson-03 wrong order") as shuffled:
    reply = request(shuffled.url, ca=root.certificate)
    print(f"Python's ssl, {reply.tls_version}, chain out of order: HTTP {reply.status}")
print("pkilab verify_chain:", cases["fullchain in the wrong order"].problem.code)

# %% [markdown]
# Who still cares? A TLS 1.2 client may refuse such a chain by the letter of RFC 5246, and
# checkers that enforce the rule do — pkilab's `verify_chain` reports it (above) so that
# you fix it before some strict client finds it. Send the chain in order and no client
# has a reason to refuse it.
#
# Every failure comes with *why* and *fix*. For example, the missing intermediate:

# %% [markdown] lang=zh-CN
# 那还有谁在乎？按 RFC 5246 的字面规定，TLS 1.2 客户端可以拒绝这样的证书链，执行这条规则的检查工具也确实会拒绝——pkilab 的 `verify_chain` 会报告它（见上），让你在某个严格的客户端发现之前就把它修好。按顺序发送证书链，任何客户端都没有理由拒绝。
#
# 每个失败都附有*原因*（why）和*修复方法*（fix）。比如缺少中间证书：

# %%
problem = cases["intermediate2 missing"].problem
print("what:", problem.what)
print("why: ", problem.why)
print("fix: ", problem.fix)

# %% [markdown]
# Drawn, the broken link is marked with its reason:

# %% [markdown] lang=zh-CN
# 画成图后，断开的那一环会标出原因：

# %%
draw_chain(cases["intermediate2 missing"])

# %%
draw_chain(cases["signed by a leaf (not a CA)"])

# %% [markdown]
# And openssl, strict, on the same missing intermediate — it only knows that it could not
# find an issuer:

# %% [markdown] lang=zh-CN
# openssl 在严格模式下面对同样缺失的中间证书——它只知道自己找不到签发者：

# %% tags=["needs-openssl"]
run_tool("openssl verify -x509_strict -purpose sslserver -CAfile root.crt "
         "-untrusted intermediate1.crt server.crt", cwd=lab)

# %% [markdown]
# ### Your turn: the chain breaker
#
# Tick a box to remove an intermediate, expire a certificate, change the host name or drop a
# CA flag, and watch the verdict and the picture change. (Widgets need a live kernel; the
# stored notebook shows nothing here until you run the cell.)

# %% [markdown] lang=zh-CN
# ### 动手试试：证书链破坏器
#
# 勾选一个选项来去掉一张中间证书、让一张证书过期、改掉主机名或去掉 CA 标志，看看结论和图如何变化。（控件需要运行中的内核；在你运行这个单元格之前，保存的笔记本在这里什么也不显示。）

# %% tags=["nbval-ignore-output"]
from pkilab import build_certificate_set
from pkilab.widgets import chain_breaker

chain_breaker(build_certificate_set(seed="lesson-03 breaker"))

# %% [markdown]
# ## 5. A CA that may only sign what it should
#
# For mutual TLS, every laptop of a class (or every machine of a company) installs
# `root.crt` as a trust anchor — and a trust anchor vouches for **any** name. Whoever
# holds the key of that root, or of any intermediate below it, can make a certificate
# for `bank.com` that all those laptops accept without a warning. A class or company CA
# is rarely guarded like a public one, so limit what it can vouch for. The
# **nameConstraints** extension (RFC 5280, 4.2.1.10) on an intermediate says "below me,
# only these names". pkilab puts it on intermediate1, marked critical, so intermediate2
# and every leaf are bound by it. From a terminal:
#
# `pkilab init _lab/03/constrained --permitted-dns lab.example --permitted-dns localhost --permitted-ip 127.0.0.1/32`
#
# `localhost` and `127.0.0.1` are listed on purpose: a constrained set refuses them like
# any other name that is not on its list.

# %% [markdown] lang=zh-CN
# ## 5. 只能签发该签的证书的 CA
#
# 做双向认证时，班上每台笔记本（或公司里每台机器）都要把 `root.crt` 装成信任锚（trust anchor）——而信任锚可以为**任何**名字担保。谁拿到这个根证书的私钥，或它下面任何一个中间证书的私钥，就能签出一张 `bank.com` 的证书，这些笔记本会一声不响地接受。班级或公司自建的 CA 很少能像公共 CA 那样严加看管，所以要限制它能担保的范围：中间证书上的 **名称约束**（nameConstraints，RFC 5280 第 4.2.1.10 节）扩展表示“在我之下，只能是这些名字”。pkilab 把它加在 intermediate1 上并标记为关键（critical），intermediate2 和所有叶子证书都受它约束。在终端里：
#
# `pkilab init _lab/03/constrained --permitted-dns lab.example --permitted-dns localhost --permitted-ip 127.0.0.1/32`
#
# 这里特意列出了 `localhost` 和 `127.0.0.1`：受约束的证书集对它们一视同仁，不在名单上就拒绝。

# %%
from cryptography import x509

from pkilab import PolicyError, build_certificate_set

constrained = build_certificate_set(
    seed="lesson-03 constrained", permitted_dns=["lab.example", "localhost"],
    permitted_ips=["127.0.0.1/32"], server_names=["www.lab.example", "localhost", "127.0.0.1"])
for extension in constrained.intermediate1.certificate.extensions:
    if isinstance(extension.value, x509.NameConstraints):
        print("intermediate1: nameConstraints, critical =", extension.critical)
        for subtree in extension.value.permitted_subtrees:
            print("  permitted", type(subtree).__name__, subtree.value)
print("server for www.lab.example verifies:",
      verify_chain(constrained.server.fullchain, constrained.root.certificate,
                   host="www.lab.example").ok)

# %% [markdown]
# `lab.example` permits that name and every name below it (`www.lab.example`), on a label
# boundary: `badlab.example` is outside. The set's CAs refuse to issue a name outside
# their constraints, and `pkilab init` refuses such a `--server-name` before it makes a
# single key:

# %% [markdown] lang=zh-CN
# `lab.example` 允许这个名字本身以及它下面的所有名字（`www.lab.example`），按标签边界匹配：`badlab.example` 不在其内。证书集里的 CA 拒绝签发约束之外的名字，`pkilab init` 遇到这样的 `--server-name` 也会在生成任何私钥之前就拒绝：

# %%
try:
    constrained.intermediate2.issue_server(["bank.example"])
except PolicyError as error:
    print(f"[{error.code}] {error.what}")
    print("fix:", error.fix)

# %% [markdown]
# ### A thief's certificate for `bank.example`
#
# A refusal inside pkilab protects nobody: a thief with intermediate2's key would use
# openssl, not pkilab. What counts is what the **clients** do with such a certificate.
# So make one on purpose (`allow_outside_constraints=True`) and show it to three
# verifiers. pkilab names the constraint:

# %% [markdown] lang=zh-CN
# ### 窃贼签出的 `bank.example` 证书
#
# pkilab 自己拒绝签发，保护不了任何人：偷到 intermediate2 私钥的人会用 openssl，而不是 pkilab。真正起作用的是**客户端**如何对待这样的证书。所以我们故意签一张（`allow_outside_constraints=True`），交给三个验证方去检查。pkilab 会指出是哪条约束：

# %%
bank = constrained.intermediate2.issue_server(["bank.example"], allow_outside_constraints=True)
bank_report = verify_chain(bank.fullchain, constrained.root.certificate, host="bank.example")
print(f"[{bank_report.problem.code}] {bank_report.problem.what}")
print("why:", bank_report.problem.why)

# %% [markdown]
# OpenSSL, strict, refuses it with error 47, `permitted subtree violation` (the set's own
# server certificate, first, passes):

# %% [markdown] lang=zh-CN
# 严格模式下的 OpenSSL 以错误 47（`permitted subtree violation`）拒绝它；排在前面的证书集自己的服务器证书则验证通过：

# %% tags=["needs-openssl"]
constrained_dir = lab / "constrained"
constrained_dir.mkdir(exist_ok=True)
(constrained_dir / "root.crt").write_bytes(pem(constrained.root.certificate))
(constrained_dir / "fullchain.crt").write_bytes(pem(*constrained.server.fullchain))
(constrained_dir / "bank.crt").write_bytes(pem(*bank.fullchain))
for sent in ("fullchain.crt", "bank.crt"):
    run_tool(f"openssl verify -x509_strict -purpose sslserver -CAfile root.crt "
             f"-untrusted {sent} {sent}", cwd=constrained_dir)

# %% [markdown]
# And Python's `ssl`, in a real handshake with a server on 127.0.0.1 that sends the chain:
# the client refuses it (OpenSSL's check, inside Python), while a leaf from the same CA
# inside the constraints connects:

# %% [markdown] lang=zh-CN
# 再看 Python 的 `ssl`：与 127.0.0.1 上发送这条证书链的服务器做一次真实的握手，客户端拒绝了它（Python 内部用的正是 OpenSSL 的检查）；而同一个 CA 签发、位于约束之内的叶子证书可以正常连接：

# %%
def connect(issued, host):
    """Python's own client, strict (3.13's default flag, set here for every version)."""
    context = ssl.create_default_context(cadata=pem(constrained.root.certificate).decode())
    context.verify_flags |= ssl.VERIFY_X509_STRICT
    with HTTPSServer(issued, name="lesson-03 constrained") as constrained_server:
        try:
            with socket.create_connection(("127.0.0.1", constrained_server.port),
                                          timeout=5) as raw, \
                    context.wrap_socket(raw, server_hostname=host):
                return "connected"
        except ssl.SSLCertVerificationError as error:
            return f"refused: error {error.verify_code}, {error.verify_message}"


print("www.lab.example:", connect(constrained.server, "www.lab.example"))
print("bank.example:   ", connect(bank, "bank.example"))

# %% [markdown]
# ### Why the root stays offline and signs only intermediates
#
# The constraint sits on intermediate1; the root carries none. So the root can still vouch
# for anything — a leaf for `bank.example` signed by the root itself verifies:

# %% [markdown] lang=zh-CN
# ### 为什么根证书要离线保存、只签中间证书
#
# 约束在 intermediate1 上，根证书本身没有任何约束。所以根证书仍然可以为任何名字担保——由根证书直接签发的 `bank.example` 叶子证书可以通过验证：

# %%
from_root = constrained.root.issue_server(["bank.example"])
print("bank.example signed by the root itself verifies:",
      verify_chain(from_root.fullchain, constrained.root.certificate, host="bank.example").ok)

# %% [markdown]
# That is why a root's private key is kept **offline** (on a machine that is never on a
# network, a hardware token, in a safe) and used only to sign intermediates, a few times
# in its life: then every certificate a client meets comes through an intermediate whose
# constraints are in the chain. Day-to-day issuing happens at the intermediates, whose
# keys have to be online. If one leaks, the thief gets only its names; the root revokes it
# (lesson 08) and signs a new one, and the `root.crt` on every laptop stays as it is.
# Constraints on the root itself would not help much: RFC 5280's path check does not read
# the trust anchor's own extensions (the root is an input to the check, not part of the
# path), so put them on the intermediate, where every verifier reads them.
#
# ### What name constraints cannot do
#
# * **They stop nothing at the CA.** The `bank.example` certificate above exists; the
#   constraints only decide what *clients* accept. OpenSSL (hence Python's `ssl`) and
#   pkilab check them. A client that does not know the extension must refuse the
#   certificate, because an unknown *critical* extension means "refuse" (RFC 5280) — that
#   is why pkilab marks it critical. A CA that marks it non-critical leaves such clients
#   unconstrained.
# * **They cover only the name forms they list.** `--permitted-ip 10.0.0.0/8` alone says
#   nothing about DNS names: every host name stays allowed. List both.
# * **The CN fallback.** RFC 5280's constraints apply to the subjectAltName (and the
#   subject's directory name), not to a host name written in the CN. A client that falls
#   back to the CN (Python's `ssl` and curl do, section 3) would accept a CN-only
#   `bank.example` certificate unless its verifier checks the CN as well. OpenSSL does:
#   when a leaf has no DNS subjectAltName, a CN that looks like a host name is checked
#   against the DNS constraints. Two CN-only certificates from the constrained
#   intermediate2:

# %% [markdown] lang=zh-CN
# 所以根证书的私钥要**离线**保存（放在从不联网的机器上、硬件令牌里、保险柜里），一生中只用寥寥几次，只用来签中间证书：这样客户端见到的每一张证书都要经过某个中间证书，而它的约束就在证书链里。日常签发由中间证书完成，它们的私钥必须在线。万一泄露，窃贼也只能得到它名下的那些名字；根证书吊销它（第 08 课），再签一张新的，每台笔记本上的 `root.crt` 都不用动。给根证书本身加约束用处不大：RFC 5280 的路径验证不读取信任锚自身的扩展（根证书是验证的输入，不是路径的一部分），所以约束要放在中间证书上，每个验证方都会读它。
#
# ### 名称约束做不到的事
#
# * **它拦不住 CA 签发。** 上面那张 `bank.example` 证书确实存在；约束只决定*客户端*接受什么。OpenSSL（因而 Python 的 `ssl`）以及 pkilab 都会检查。不认识这个扩展的客户端必须拒绝证书，因为不认识的*关键*扩展就意味着“拒绝”（RFC 5280）——这正是 pkilab 把它标为关键的原因。如果 CA 把它标为非关键，这类客户端就等于没有约束。
# * **它只管它列出的名字类型。** 只写 `--permitted-ip 10.0.0.0/8`，对 DNS 名字什么也没说：所有主机名照样放行。两种都要列。
# * **CN 回退。** RFC 5280 的约束作用于 subjectAltName（以及主题的目录名），而不是写在 CN 里的主机名。会回退到 CN 的客户端（Python 的 `ssl` 和 curl 都会，见第 3 节）可能接受一张只有 CN 的 `bank.example` 证书，除非它的验证器也检查 CN。OpenSSL 会检查：叶子证书没有 DNS 类型的 subjectAltName 时，看起来像主机名的 CN 会按 DNS 约束来检查。下面是受约束的 intermediate2 签发的两张只有 CN 的证书：

# %%
def cn_only_from_constrained(host):
    return IssuedCertificate(
        make_cn_only_server_certificate(host, constrained.server.private_key.public_key(),
                                        constrained.intermediate2.certificate,
                                        constrained.intermediate2.private_key,
                                        not_before=LESSON_EPOCH, days=LESSON_DAYS),
        constrained.server.private_key, constrained.intermediate2.intermediates,
        constrained.root.certificate)


for host in ("www.lab.example", "bank.example"):
    print(f"CN-only {host + ',':<17} Python's ssl:", connect(cn_only_from_constrained(host), host))

# %% [markdown]
# ### Your turn: a CA for one shop
#
# Make `shop_set`: a certificate set whose intermediate1 may vouch for `shop.example` and
# the names below it, and for nothing else (its server certificate is for `shop.example`).
# The check issues two more leaves from *your* intermediate2 — for `shop.example` and for
# `bank.example` — and verifies both against your root: the first must pass, the second
# must fail on the name constraints.

# %% [markdown] lang=zh-CN
# ### 动手练习：只属于一家商店的 CA
#
# 创建 `shop_set`：一个证书集，其中 intermediate1 只能为 `shop.example` 及其下的名字担保，别的一概不行（它的服务器证书签给 `shop.example`）。检查程序会用*你的* intermediate2 再签两张叶子证书——一张给 `shop.example`，一张给 `bank.example`——然后用你的根证书验证：第一张必须通过，第二张必须因名称约束而失败。

# %%
from pkilab.exercises import l03

shop_set = None  # your set here: build_certificate_set(...)
l03.check_shop_ca(shop_set)

# %% tags=["hide-cell"]
# Solution
solution_shop_set = build_certificate_set(seed="lesson-03 shop", permitted_dns=["shop.example"],
                                          server_names=["shop.example"])
l03.check_shop_ca(solution_shop_set)

# %% [markdown]
# ## Recap
#
# * Each CA needs `CA:TRUE` (critical), `keyCertSign`, a key identifier, and a path length
#   that leaves room for the CAs below it. The seed's v1 intermediates have none of that.
# * A server sends `fullchain.crt`: its certificate, then every intermediate, in order.
#   The client supplies the root.
# * In `openssl verify`, trusted roots go in `-CAfile`, intermediates in `-untrusted`; add
#   `-x509_strict`, `-purpose` and a host name, or it accepts far too much.
#
# ## Exercise 1: put the chain in order
#
# A colleague saved the full chain of another site, `shop.localhost`, in the wrong order:
# `jumbled` below. Set `fixed` to a list of the same three certificates in the order a
# server must send them. (Who issued whom is printed; `order_chain` is allowed too.)

# %% [markdown] lang=zh-CN
# ## 小结
#
# * 每个 CA 都需要 `CA:TRUE`（critical）、`keyCertSign`、密钥标识符，以及能为下面的 CA 留出空间的路径长度。原教程的 v1 中间证书一样也没有。
# * 服务器发送 `fullchain.crt`：先是它自己的证书，然后按顺序是每一张中间证书。根证书由客户端提供。
# * 在 `openssl verify` 中，受信任的根证书放在 `-CAfile`，中间证书放在 `-untrusted`；再加上 `-x509_strict`、`-purpose` 和主机名，否则它接受的东西太多了。
#
# ## 练习 1：把证书链排好顺序
#
# 一位同事把另一个站点 `shop.localhost` 的完整证书链按错误的顺序存了下来：就是下面的 `jumbled`。把 `fixed` 设为这三张证书按服务器必须发送的顺序排成的列表。（谁签发了谁已经打印出来了；也可以用 `order_chain`。）

# %%
from pkilab.exercises import l03

jumbled = l03.jumbled(intermediate1, intermediate2)
for number, cert in enumerate(jumbled):
    print(f"jumbled[{number}]: {cert.subject.rfc4514_string():<40} "
          f"issued by {cert.issuer.rfc4514_string()}")
fixed = None  # your list here
l03.check_order(fixed, jumbled, root.certificate)

# %% tags=["hide-cell"]
# Solution (its own name: running every cell keeps your answer)
from pkilab import order_chain

solution_fixed = order_chain(jumbled)
l03.check_order(solution_fixed, jumbled, root.certificate)

# %% [markdown]
# ## Exercise 2: a certificate for a second site
#
# Issue `api` from **intermediate2**, valid for the host `api.localhost`, so that it verifies
# against `root` when sent with its intermediates. (Store what the CA returns: it carries
# the chain.)

# %% [markdown] lang=zh-CN
# ## 练习 2：为第二个站点签发证书
#
# 用 **intermediate2** 签发 `api`，对主机 `api.localhost` 有效，使它在连同中间证书一起发送时能以 `root` 验证通过。（存下 CA 返回的结果：它带着证书链。）

# %%
api = None  # your code here
l03.check_api(api, intermediate2, root.certificate)

# %% tags=["hide-cell"]
# Solution
solution_api = intermediate2.issue_server(["api.localhost"])
l03.check_api(solution_api, intermediate2, root.certificate)

# %% [markdown]
# ## Exercise 3: name the problem
#
# `mystery` is what a badly configured server for `www.localhost` sends. Verify it
# against `root` as a client would, and set `diagnosis` to the problem code pkilab
# reports (one of the codes in the table of section 4).

# %% [markdown] lang=zh-CN
# ## 练习 3：说出问题所在
#
# `mystery` 是一台配置有误的 `www.localhost` 服务器发送的内容。像客户端那样用 `root` 验证它，把 `diagnosis` 设为 pkilab 报告的问题代码（第 4 节表格里的代码之一）。

# %%
mystery = l03.mystery(intermediate1, intermediate2)
diagnosis = None  # e.g. "expired"
l03.check_diagnosis(diagnosis, mystery, root.certificate)

# %% tags=["hide-cell"]
# Solution
solution_report = verify_chain(mystery, root.certificate, host="www.localhost")
print(solution_report.problem.what)
l03.check_diagnosis(solution_report.problem.code, mystery, root.certificate)

# %% [markdown]
# ## Exercise 4: repair it
#
# Set `repaired` to the list that server should send instead: its own certificate
# (`mystery[0]`) and then every intermediate, in order.

# %% [markdown] lang=zh-CN
# ## 练习 4：修好它
#
# 把 `repaired` 设为那台服务器本应发送的列表：它自己的证书（`mystery[0]`），然后按顺序是每一张中间证书。

# %%
repaired = None  # your list here
l03.check_repair(repaired, mystery, root.certificate)

# %% tags=["hide-cell"]
# Solution
solution_repaired = [mystery[0], intermediate2.certificate, intermediate1.certificate]
l03.check_repair(solution_repaired, mystery, root.certificate)
