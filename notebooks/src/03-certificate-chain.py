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
