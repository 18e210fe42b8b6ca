"""The seed tutorial's own openssl recipes, run for real, and what pkilab says about them.

The seed (../shared/seed/) builds its chain and its mutual-TLS set with ``openssl``
commands. On OpenSSL 3 they produce certificates that no strict verifier accepts (or,
for the mTLS section, no server and client certificates at all). ``pkilab verify`` must
refuse them and name the real cause: version 1 intermediates, a missing
subjectAltName, 1024-bit keys. And the seed's final check, ``openssl verify -CAfile
root.crt fullchain.crt``, only ever looks at the first certificate in the file.

Every command below is the seed's, with two changes said where they happen: the
chain's ``genrsa 4096`` becomes 2048, and the interactive ``req`` prompts become
``-subj`` with the seed's answers.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pkilab.chain import verify_chain
from pkilab.load import load_certificate, load_certificates

OPENSSL = shutil.which("openssl")
pytestmark = [pytest.mark.tool,
              pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")]

# The seed's answers to `openssl req -new` in the mTLS section ("cn", "bj", ...).
SEED_SUBJ = "/C=cn/ST=bj/L=bj/O=alibaba/OU=test"
SEED_EMAIL = "/emailAddress=a.alibaba.com"

# What a learner adds to make the chain valid: the CA extensions...
CA_EXT = """basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
"""
# ...and a server profile, first still without a subjectAltName.
SERVER_EXT_NO_SAN = """basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
"""


def openssl(folder: Path, command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run one seed command line (``openssl ...`` without the leading word) in ``folder``."""
    args = command.split()
    # -subj values contain spaces ("/CN=Root CA"): pass them as one argument.
    if "-subj" in args:
        at = command.index("-subj ") + len("-subj ")
        quoted = re.match(r'"([^"]*)"', command[at:])
        assert quoted, command
        before = command[:at].split()
        after = command[at + quoted.end():].split()
        args = [*before, quoted.group(1), *after]
    result = subprocess.run([OPENSSL, *args], cwd=folder, capture_output=True, text=True,
                            timeout=60)
    if check:
        assert result.returncode == 0, f"openssl {command}\n{result.stderr}"
    return result


def pkilab(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pkilab", *args], capture_output=True,
                          text=True, timeout=60)


def openssl_major() -> int:
    version = subprocess.run([OPENSSL, "version"], capture_output=True, text=True).stdout
    return int(version.split()[1].split(".")[0])


@pytest.fixture(scope="module")
def chain_dir(tmp_path_factory) -> Path:
    """The seed's 证书链 section: root -> intermediate1 -> intermediate2 -> server."""
    folder = tmp_path_factory.mktemp("seed-chain")
    # The seed says 4096 bits; 2048 makes the same kind of certificate (RSA, v1, no
    # extensions) in a tenth of the time (RSA-4096 key generation takes ~1 s each here).
    for command in [
        "genrsa -out root.key 2048",
        'req -new -x509 -days 3650 -key root.key -out root.crt -subj "/CN=Root CA"',
        "genrsa -out intermediate1.key 2048",
        'req -new -key intermediate1.key -out intermediate1.csr -subj "/CN=Intermediate CA 1"',
        "x509 -req -in intermediate1.csr -CA root.crt -CAkey root.key -CAcreateserial "
        "-out intermediate1.crt -days 3650",
        "genrsa -out intermediate2.key 2048",
        'req -new -key intermediate2.key -out intermediate2.csr -subj "/CN=Intermediate CA 2"',
        "x509 -req -in intermediate2.csr -CA intermediate1.crt -CAkey intermediate1.key "
        "-CAcreateserial -out intermediate2.crt -days 3650",
        "genrsa -out server.key 2048",
        'req -new -key server.key -out server.csr -subj "/CN=server.example.com"',
        "x509 -req -in server.csr -CA intermediate2.crt -CAkey intermediate2.key "
        "-CAcreateserial -out server.crt -days 365",
    ]:
        openssl(folder, command)
    # cat server.crt intermediate2.crt intermediate1.crt > fullchain.crt
    (folder / "fullchain.crt").write_bytes(b"".join(
        (folder / n).read_bytes() for n in ("server.crt", "intermediate2.crt",
                                            "intermediate1.crt")))
    return folder


@pytest.fixture(scope="module")
def mtls_dir(tmp_path_factory) -> Path:
    """The seed's 自签名证书 mTLS 实战 section: 1024-bit keys, -signkey, pkcs12."""
    folder = tmp_path_factory.mktemp("seed-mtls")
    openssl(folder, "genrsa -out root.key 1024")
    openssl(folder, f'req -new -out root.csr -key root.key -subj "{SEED_SUBJ}/CN=root{SEED_EMAIL}"')
    openssl(folder, "x509 -req -in root.csr -out root.crt -signkey root.key -CAcreateserial "
                    "-days 3650")
    for name, cn in (("server", "localhost"), ("client", "client"), ("client2", "client2")):
        openssl(folder, f"genrsa -out {name}.key 1024")
        openssl(folder, f'req -new -out {name}.csr -key {name}.key -subj "{SEED_SUBJ}/CN={cn}"')
    return folder


# ---- the chain section ----------------------------------------------------------------------

def test_chain_recipe_makes_v1_intermediates_and_pkilab_names_them(chain_dir):
    served = load_certificates(chain_dir / "fullchain.crt")
    report = verify_chain(served, load_certificate(chain_dir / "root.crt"),
                          host="server.example.com")
    assert not report.ok
    v1_positions = {p.position for p in report.problems if p.code == "v1_certificate"}
    assert {1, 2} <= v1_positions  # both intermediates (and the server, position 0)
    assert [c.subject.rfc4514_string() for c in report.chain[1:3]] == \
        ["CN=Intermediate CA 2", "CN=Intermediate CA 1"]

    cli = pkilab("verify", str(chain_dir / "fullchain.crt"), "--ca",
                 str(chain_dir / "root.crt"), "--host", "server.example.com")
    assert cli.returncode == 1, cli.stdout + cli.stderr
    assert cli.stdout.startswith("FAILED:")
    assert "'Intermediate CA 2' is a version 1 certificate" in cli.stdout
    assert "'Intermediate CA 1' is a version 1 certificate" in cli.stdout
    assert "openssl x509 -req without -extfile" in cli.stdout


def test_openssl_refuses_the_v1_intermediates_as_cas(chain_dir):
    result = openssl(chain_dir, "verify -CAfile root.crt -untrusted intermediate1.crt "
                               "-untrusted intermediate2.crt server.crt", check=False)
    assert result.returncode != 0
    assert "invalid CA certificate" in result.stderr


def test_openssl_verify_of_fullchain_checks_only_the_first_certificate(chain_dir):
    # The seed expects "fullchain.crt: OK". openssl verify takes only the first
    # certificate of the file (server.crt), and does not use the rest as intermediates:
    result = openssl(chain_dir, "verify -CAfile root.crt fullchain.crt", check=False)
    assert result.returncode != 0
    assert "error 20 at 0 depth lookup: unable to get local issuer certificate" in result.stderr
    assert "Intermediate" not in result.stderr + result.stdout
    # Proof that the rest of the file is ignored: a bundle whose first certificate is
    # fine passes, whatever follows it (here a server.crt that cannot be verified).
    tricky = chain_dir / "tricky.crt"
    tricky.write_bytes((chain_dir / "intermediate1.crt").read_bytes()
                       + (chain_dir / "server.crt").read_bytes())
    fooled = openssl(chain_dir, "verify -CAfile root.crt tricky.crt", check=False)
    assert (fooled.returncode, fooled.stdout.strip()) == (0, "tricky.crt: OK")


@pytest.fixture(scope="module")
def half_fixed_dir(chain_dir, tmp_path_factory) -> Path:
    """The seed's chain re-signed with CA extensions, but a server without subjectAltName
    (the CN server.example.com only) — the next mistake a learner meets."""
    folder = tmp_path_factory.mktemp("seed-half-fixed")
    for name in ("root.crt", "root.key", "intermediate1.key", "intermediate1.csr",
                 "intermediate2.key", "intermediate2.csr", "server.csr"):
        shutil.copy(chain_dir / name, folder / name)
    (folder / "ca.ext").write_text(CA_EXT)
    (folder / "server.ext").write_text(SERVER_EXT_NO_SAN)
    openssl(folder, "x509 -req -in intermediate1.csr -CA root.crt -CAkey root.key "
                    "-CAcreateserial -out intermediate1.crt -days 3650 -extfile ca.ext")
    openssl(folder, "x509 -req -in intermediate2.csr -CA intermediate1.crt -CAkey "
                    "intermediate1.key -CAcreateserial -out intermediate2.crt -days 3650 "
                    "-extfile ca.ext")
    openssl(folder, "x509 -req -in server.csr -CA intermediate2.crt -CAkey intermediate2.key "
                    "-CAcreateserial -out server.crt -days 365 -extfile server.ext")
    (folder / "fullchain.crt").write_bytes(b"".join(
        (folder / n).read_bytes() for n in ("server.crt", "intermediate2.crt",
                                            "intermediate1.crt")))
    return folder


def test_server_without_subject_alt_name_is_refused_by_name(half_fixed_dir):
    report = verify_chain(load_certificates(half_fixed_dir / "fullchain.crt"),
                          load_certificate(half_fixed_dir / "root.crt"),
                          host="server.example.com")
    assert report.problem is not None and report.problem.code == "missing_san"
    assert report.problem.position == 0
    cli = pkilab("verify", str(half_fixed_dir / "fullchain.crt"), "--ca",
                 str(half_fixed_dir / "root.crt"), "--host", "server.example.com")
    assert cli.returncode == 1
    assert "FAILED: 'server.example.com' has no subjectAltName" in cli.stdout
    assert "browsers ignore the CN" in cli.stdout  # Python and curl still fall back to it


def test_openssl_verify_accepts_a_cn_only_server_where_pkilab_does_not(half_fixed_dir):
    """openssl verify -verify_hostname falls back to the CN when there is no DNS SAN;
    browsers and Python's ssl do not. That is why pkilab checks the SAN itself."""
    result = openssl(half_fixed_dir, "verify -purpose sslserver -verify_hostname "
                                     "server.example.com -CAfile root.crt -untrusted "
                                     "intermediate2.crt -untrusted intermediate1.crt server.crt",
                     check=False)
    assert (result.returncode, result.stdout.strip()) == (0, "server.crt: OK")


def test_root_without_key_usage_is_named(half_fixed_dir):
    # With a SAN the server is fine; what is left is the seed's root itself:
    # `openssl req -x509` with the default config writes no keyUsage, which
    # cryptography's verifier and `openssl verify -x509_strict` (error 92) refuse.
    (half_fixed_dir / "server-san.ext").write_text(
        SERVER_EXT_NO_SAN + "subjectAltName=DNS:server.example.com\n")
    openssl(half_fixed_dir, "x509 -req -in server.csr -CA intermediate2.crt -CAkey "
                            "intermediate2.key -CAcreateserial -out server-san.crt -days 365 "
                            "-extfile server-san.ext")
    strict = openssl(half_fixed_dir, "verify -x509_strict -CAfile root.crt -untrusted "
                                     "intermediate2.crt -untrusted intermediate1.crt "
                                     "server-san.crt", check=False)
    assert "CA cert does not include key usage extension" in strict.stderr
    report = verify_chain(load_certificate(half_fixed_dir / "server-san.crt"),
                          load_certificate(half_fixed_dir / "root.crt"),
                          load_certificates(half_fixed_dir / "fullchain.crt")[1:],
                          host="server.example.com")
    assert report.codes == ["key_usage"]
    assert report.problem.position == 3


# ---- the mTLS section -------------------------------------------------------------------------

def test_mtls_recipe_signkey_with_ca_writes_no_certificate(mtls_dir):
    if openssl_major() < 3:
        pytest.skip("OpenSSL 1.1 accepted -signkey with -CA")
    result = openssl(mtls_dir, "x509 -req -in server.csr -out server.crt -signkey server.key "
                               "-CA root.crt -CAkey root.key -CAcreateserial -days 3650",
                     check=False)
    assert result.returncode != 0
    assert "Cannot use both -key/-signkey and -CA option" in result.stderr
    assert not (mtls_dir / "server.crt").exists()


@pytest.fixture(scope="module")
def mtls_signed(mtls_dir) -> Path:
    """What the seed meant (what OpenSSL 1.1 made): the same commands without -signkey."""
    for name in ("server", "client", "client2"):
        openssl(mtls_dir, f"x509 -req -in {name}.csr -out {name}.crt -CA root.crt -CAkey "
                          "root.key -CAcreateserial -days 3650")
        # The seed types the password at a prompt ("123456"); -passout does it here.
        openssl(mtls_dir, f"pkcs12 -export -clcerts -in {name}.crt -inkey {name}.key "
                          f"-out {name}.p12 -passout pass:123456")
    return mtls_dir


def test_mtls_server_with_1024_bit_keys_is_refused_as_weak(mtls_signed):
    report = verify_chain(load_certificate(mtls_signed / "server.crt"),
                          load_certificate(mtls_signed / "root.crt"), host="localhost")
    weak = {p.position for p in report.problems if p.code == "weak_key"}
    v1 = {p.position for p in report.problems if p.code == "v1_certificate"}
    assert weak == {0, 1} and v1 == {0, 1}  # server and root: 1024-bit RSA, version 1
    cli = pkilab("verify", str(mtls_signed / "server.crt"), "--ca",
                 str(mtls_signed / "root.crt"), "--host", "localhost")
    assert cli.returncode == 1
    assert "'localhost' has a 1024-bit RSA key" in cli.stdout
    assert "'root' has a 1024-bit RSA key" in cli.stdout


@pytest.mark.parametrize("client", ["client", "client2"])
def test_mtls_clients_are_refused_as_weak(mtls_signed, client):
    report = verify_chain(load_certificate(mtls_signed / f"{client}.crt"),
                          load_certificate(mtls_signed / "root.crt"), purpose="client")
    assert "weak_key" in report.codes
    cli = pkilab("verify", str(mtls_signed / f"{client}.crt"), "--ca",
                 str(mtls_signed / "root.crt"), "--purpose", "client")
    assert cli.returncode == 1
    assert f"'{client}' has a 1024-bit RSA key" in cli.stdout
