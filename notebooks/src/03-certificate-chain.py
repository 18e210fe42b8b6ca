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

# %%
report = verify_chain(server.fullchain, root.certificate, host="localhost")
print(report)

# %% [markdown]
# The same report as a picture: each box is a certificate (subject, issuer, key, validity,
# CA flag and path length), each arrow a signature.

# %%
from pkilab.viz import draw_chain

draw_chain(report, save=lab / "chain.png")

# %% [markdown]
# The openssl twin, strict: `-x509_strict` (RFC 5280 rules), `-purpose sslserver`, a host
# name, the intermediates as **untrusted**:

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

# %% tags=["needs-curl"]
from pkilab.lesson import curl

with HTTPSServer(cn_only, name="lesson-03 cn-only") as cn_server:
    curl(cn_server.url, "--cacert", "root.crt", "-o", "/dev/null", "-w", "HTTP %{http_code}",
         cwd=lab)

# %% [markdown]
# So "no SAN" works in Python scripts and in curl, and fails in every browser and in
# strict clients. Put every name in the subjectAltName and the question never comes up.

# %% [markdown]
# ### An RFC 5280 audit
#
# Verification answers "does this chain work?". An audit asks "is each certificate made
# the way the standard says?". pkilab's doctor runs pkilint's RFC 5280 linter (PKIX: the
# IETF's profile of X.509 for the Internet) plus
# pkilab's own checks for the seed's pitfalls. Our chain has two findings, both on the
# server, both worth understanding rather than hiding:

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

# %%
problem = cases["intermediate2 missing"].problem
print("what:", problem.what)
print("why: ", problem.why)
print("fix: ", problem.fix)

# %% [markdown]
# Drawn, the broken link is marked with its reason:

# %%
draw_chain(cases["intermediate2 missing"])

# %%
draw_chain(cases["signed by a leaf (not a CA)"])

# %% [markdown]
# And openssl, strict, on the same missing intermediate — it only knows that it could not
# find an issuer:

# %% tags=["needs-openssl"]
run_tool("openssl verify -x509_strict -purpose sslserver -CAfile root.crt "
         "-untrusted intermediate1.crt server.crt", cwd=lab)

# %% [markdown]
# ### Your turn: the chain breaker
#
# Tick a box to remove an intermediate, expire a certificate, change the host name or drop a
# CA flag, and watch the verdict and the picture change. (Widgets need a live kernel; the
# stored notebook shows nothing here until you run the cell.)

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
# 做双向认证时，班上每台笔记本（或公司里每台机器）都要把 `root.crt` 装成信任锚
# （trust anchor）——而信任锚可以为**任何**名字担保。谁拿到这个根证书的私钥，或它下面任何
# 一个中间证书的私钥，就能签出一张 `bank.com` 的证书，这些笔记本会一声不响地接受。
# 班级或公司自建的 CA 很少能像公共 CA 那样严加看管，所以要限制它能担保的范围：中间证书上的
# **名称约束**（nameConstraints，RFC 5280 第 4.2.1.10 节）扩展表示“在我之下，只能是这些名字”。
# pkilab 把它加在 intermediate1 上并标记为关键（critical），intermediate2 和所有叶子证书
# 都受它约束。在终端里：
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
# `lab.example` 允许这个名字本身以及它下面的所有名字（`www.lab.example`），按标签边界匹配：
# `badlab.example` 不在其内。证书集里的 CA 拒绝签发约束之外的名字，`pkilab init` 遇到这样的
# `--server-name` 也会在生成任何私钥之前就拒绝：

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
# pkilab 自己拒绝签发，保护不了任何人：偷到 intermediate2 私钥的人会用 openssl，而不是 pkilab。
# 真正起作用的是**客户端**如何对待这样的证书。所以我们故意签一张
# （`allow_outside_constraints=True`），交给三个验证方去检查。pkilab 会指出是哪条约束：

# %%
bank = constrained.intermediate2.issue_server(["bank.example"], allow_outside_constraints=True)
bank_report = verify_chain(bank.fullchain, constrained.root.certificate, host="bank.example")
print(f"[{bank_report.problem.code}] {bank_report.problem.what}")
print("why:", bank_report.problem.why)

# %% [markdown]
# OpenSSL, strict, refuses it with error 47, `permitted subtree violation` (the set's own
# server certificate, first, passes):

# %% [markdown] lang=zh-CN
# 严格模式下的 OpenSSL 以错误 47（`permitted subtree violation`）拒绝它；排在前面的证书集自己的
# 服务器证书则验证通过：

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
# 再看 Python 的 `ssl`：与 127.0.0.1 上发送这条证书链的服务器做一次真实的握手，客户端拒绝了它
# （Python 内部用的正是 OpenSSL 的检查）；而同一个 CA 签发、位于约束之内的叶子证书可以正常连接：

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
# 约束在 intermediate1 上，根证书本身没有任何约束。所以根证书仍然可以为任何名字担保——
# 由根证书直接签发的 `bank.example` 叶子证书可以通过验证：

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
# 所以根证书的私钥要**离线**保存（放在从不联网的机器上、硬件令牌里、保险柜里），一生中只用
# 寥寥几次，只用来签中间证书：这样客户端见到的每一张证书都要经过某个中间证书，而它的约束就在
# 证书链里。日常签发由中间证书完成，它们的私钥必须在线。万一泄露，窃贼也只能得到它名下的
# 那些名字；根证书吊销它（第 08 课），再签一张新的，每台笔记本上的 `root.crt` 都不用动。
# 给根证书本身加约束用处不大：RFC 5280 的路径验证不读取信任锚自身的扩展（根证书是验证的输入，
# 不是路径的一部分），所以约束要放在中间证书上，每个验证方都会读它。
#
# ### 名称约束做不到的事
#
# * **它拦不住 CA 签发。** 上面那张 `bank.example` 证书确实存在；约束只决定*客户端*接受什么。
#   OpenSSL（因而 Python 的 `ssl`）以及 pkilab 都会检查。不认识这个扩展的客户端必须
#   拒绝证书，因为不认识的*关键*扩展就意味着“拒绝”（RFC 5280）——这正是 pkilab 把它标为关键的
#   原因。如果 CA 把它标为非关键，这类客户端就等于没有约束。
# * **它只管它列出的名字类型。** 只写 `--permitted-ip 10.0.0.0/8`，对 DNS 名字什么也没说：
#   所有主机名照样放行。两种都要列。
# * **CN 回退。** RFC 5280 的约束作用于 subjectAltName（以及主题的目录名），而不是写在 CN
#   里的主机名。会回退到 CN 的客户端（Python 的 `ssl` 和 curl 都会，见第 3 节）可能接受一张只有
#   CN 的 `bank.example` 证书，除非它的验证器也检查 CN。OpenSSL 会检查：叶子证书没有 DNS 类型的
#   subjectAltName 时，看起来像主机名的 CN 会按 DNS 约束来检查。下面是受约束的 intermediate2
#   签发的两张只有 CN 的证书：

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
# 创建 `shop_set`：一个证书集，其中 intermediate1 只能为 `shop.example` 及其下的名字担保，
# 别的一概不行（它的服务器证书签给 `shop.example`）。检查程序会用*你的* intermediate2 再签两张
# 叶子证书——一张给 `shop.example`，一张给 `bank.example`——然后用你的根证书验证：
# 第一张必须通过，第二张必须因名称约束而失败。

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

# %%
repaired = None  # your list here
l03.check_repair(repaired, mystery, root.certificate)

# %% tags=["hide-cell"]
# Solution
solution_repaired = [mystery[0], intermediate2.certificate, intermediate1.certificate]
l03.check_repair(solution_repaired, mystery, root.certificate)
