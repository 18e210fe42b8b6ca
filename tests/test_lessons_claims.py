"""The lessons' statements about tools stay true: the claims that no lesson cell shows
are measured here, and every proof named in notebooks/CLAIMS.md exists."""

from __future__ import annotations

import ast
import re
import shutil
import socket
import ssl
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from pkilab import (
    CertificateAuthority,
    HTTPSServer,
    IssuedCertificate,
    TLSConnectionError,
    generate_key,
    make_cn_only_server_certificate,
    request,
)

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = ROOT / "notebooks" / "CLAIMS.md"
SOURCES = ROOT / "notebooks" / "src"


def _pem(*certificates) -> str:
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certificates)


# ---- claims measured here ------------------------------------------------------------------

@pytest.fixture(scope="module")
def cn_only():
    root = CertificateAuthority.create_root("/CN=claims root")
    intermediate = root.issue_intermediate("/CN=claims intermediate")
    key = generate_key("ec")
    leaf = make_cn_only_server_certificate("localhost", key.public_key(),
                                           intermediate.certificate, intermediate.private_key)
    return IssuedCertificate(leaf, key, [intermediate.certificate], root.certificate)


def test_python_matches_the_cn_without_san_and_pkilab_does_not(cn_only):
    context = ssl.create_default_context(cadata=_pem(cn_only.root))
    assert context.hostname_checks_common_name is True
    with HTTPSServer(cn_only) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw, \
                context.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.getpeercert()["subject"] == ((("commonName", "localhost"),),)
        with pytest.raises(TLSConnectionError):
            request(server.url, ca=cn_only.root)
        strict = ssl.create_default_context(cadata=_pem(cn_only.root))
        strict.hostname_checks_common_name = False
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw, \
                pytest.raises(ssl.SSLCertVerificationError, match="mismatch"):
            strict.wrap_socket(raw, server_hostname="localhost")


@pytest.mark.tool
@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_curl_matches_the_cn_without_san(cn_only, tmp_path):
    (tmp_path / "root.crt").write_text(_pem(cn_only.root))
    with HTTPSServer(cn_only) as server:
        done = subprocess.run(["curl", "-sS", "--max-time", "5", "--cacert", "root.crt",
                               "-o", "/dev/null", "-w", "%{http_code}", server.url],
                              cwd=tmp_path, capture_output=True, text=True, timeout=20)
    assert done.returncode == 0 and done.stdout == "200", done.stderr


def test_ssl_refuses_a_1024_bit_key_at_the_default_security_level(tmp_path):
    key = generate_key("rsa1024", insecure=True)
    root = CertificateAuthority.create_root("/CN=weak", key=key)
    (tmp_path / "weak.crt").write_text(_pem(root.certificate))
    (tmp_path / "weak.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with pytest.raises(ssl.SSLError, match="EE_KEY_TOO_SMALL"):
        context.load_cert_chain(tmp_path / "weak.crt", tmp_path / "weak.key")


@pytest.mark.tool
@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_openssl_ca_default_policy_matches_country_state_and_organization():
    """Lesson 02: the seed's "other fields must match" is `openssl ca`'s policy_match."""
    version = subprocess.run(["openssl", "version", "-d"], capture_output=True, text=True,
                             check=True).stdout
    folder = Path(re.search(r'OPENSSLDIR: "(.*)"', version).group(1))
    config = (folder / "openssl.cnf").read_text()
    section = re.search(r"\[ *policy_match *\](.*?)(?=^\[)", config, re.S | re.M).group(1)
    rules = dict(re.findall(r"^(\w+)\s*=\s*(\w+)", section, re.M))
    assert {k for k, v in rules.items() if v == "match"} == {
        "countryName", "stateOrProvinceName", "organizationName"}
    assert rules["commonName"] == "supplied"
    assert re.search(r"^policy\s*=\s*policy_match", config, re.M)


def test_cryptography_gives_the_same_words_for_a_missing_intermediate_and_a_foreign_root():
    """Lesson 03: only pkilab's own look at the certificates tells these two apart."""
    from cryptography import x509
    from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

    root = CertificateAuthority.create_root("/CN=claims root")
    intermediate1 = root.issue_intermediate("/CN=claims intermediate 1", path_length=1)
    intermediate2 = intermediate1.issue_intermediate("/CN=claims intermediate 2")
    server = intermediate2.issue_server(["localhost"])
    other = CertificateAuthority.create_root("/CN=other root").issue_server(["localhost"])
    verifier = PolicyBuilder().store(Store([root.certificate])).build_server_verifier(
        x509.DNSName("localhost"))
    messages = []
    for leaf, intermediates in ((server.certificate, [intermediate1.certificate]),
                                (other.certificate, [])):
        with pytest.raises(VerificationError) as info:
            verifier.verify(leaf, intermediates)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


# ---- notebooks/CLAIMS.md -------------------------------------------------------------------

_CELL = re.compile(r'cell (\d\d) "([^"]+)"')
_TEST = re.compile(r"test (tests/[\w/]+\.py)::(\w+)")


def claim_rows() -> list[tuple[str, str]]:
    """(claim, proof) for every table row of CLAIMS.md."""
    rows = []
    for line in CLAIMS.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and line.startswith("|") and not set(cells[0]) <= set("-: "):
            if cells[0] in ("lesson",):
                continue
            rows.append((cells[1], cells[2]))
    return rows


def _code_cells(lesson: str) -> list[str]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build", ROOT / "notebooks" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    (source,) = SOURCES.glob(f"{lesson}-*.py")
    cells = build.parse_percent(source.read_text(encoding="utf-8"))
    return [c["source"] for c in cells if c["cell_type"] == "code"]


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


def test_claims_table_has_rows_for_the_first_lessons():
    assert len(claim_rows()) >= 15


@pytest.mark.parametrize("claim,proof", claim_rows(), ids=lambda v: v[:40])
def test_every_claim_names_a_proof_that_exists(claim, proof):
    cells, tests = _CELL.findall(proof), _TEST.findall(proof)
    assert cells or tests, f"no cell or test named for: {claim}"
    for lesson, marker in cells:
        assert any(marker in code for code in _code_cells(lesson)), (
            f'no code cell of lesson {lesson} contains "{marker}"')
    for path, name in tests:
        assert (ROOT / path).exists(), path
        assert name in _test_names(ROOT / path), f"{path} has no {name}"
