"""verify_chain trusts only what the caller trusts, tries every path, and reports broken
certificates instead of crashing (issue 9 §2 and §4)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID
from der_edit import duplicate_san, not_after_text, resign

from pkilab.ca import CertificateAuthority
from pkilab.certset import build_certificate_set
from pkilab.chain import verify_chain
from pkilab.doctor import audit, pitfalls

OPENSSL = shutil.which("openssl")
PKILAB = [sys.executable, "-m", "pkilab"]


def pkilab(*args, cwd=None):
    return subprocess.run([*PKILAB, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=60)


def write(folder: Path, name: str, *certificates: x509.Certificate) -> Path:
    path = folder / name
    path.write_bytes(b"".join(c.public_bytes(Encoding.PEM) for c in certificates))
    return path


def twin_of(real: x509.Certificate, signer: CertificateAuthority, *, ca: bool = True,
            eku: list | None = None, serial: int = 77) -> x509.Certificate:
    """A certificate with ``real``'s subject and key, re-signed by ``signer``, with its
    basicConstraints CA flag (and optionally an extendedKeyUsage) changed."""
    builder = (x509.CertificateBuilder().subject_name(real.subject)
               .issuer_name(signer.certificate.subject).public_key(real.public_key())
               .serial_number(serial).not_valid_before(real.not_valid_before_utc)
               .not_valid_after(real.not_valid_after_utc))
    for extension in real.extensions:
        value = extension.value
        if isinstance(value, x509.BasicConstraints):
            value = x509.BasicConstraints(ca=ca, path_length=value.path_length if ca else None)
        builder = builder.add_extension(value, extension.critical)
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    return builder.sign(signer.private_key, hashes.SHA256())


def with_extension(real: x509.Certificate, signer: CertificateAuthority,
                   extra: x509.ExtensionType) -> x509.Certificate:
    """``real`` re-signed by ``signer`` with one more (critical) extension."""
    builder = (x509.CertificateBuilder().subject_name(real.subject).issuer_name(real.issuer)
               .public_key(real.public_key()).serial_number(99)
               .not_valid_before(real.not_valid_before_utc)
               .not_valid_after(real.not_valid_after_utc))
    for extension in real.extensions:
        builder = builder.add_extension(extension.value, extension.critical)
    builder = builder.add_extension(extra, critical=True)
    edwards = isinstance(signer.private_key, ed25519.Ed25519PrivateKey)
    return builder.sign(signer.private_key, None if edwards else hashes.SHA256())


# ---- path building: a failing first path does not hide a good second one ------------------

@pytest.mark.parametrize("bad", [{"ca": False}, {"eku": [ExtendedKeyUsageOID.CLIENT_AUTH]}])
def test_a_bad_twin_first_does_not_hide_the_good_intermediate(certset, bad):
    real = certset.intermediate2.certificate
    twin = twin_of(real, certset.intermediate1, **bad)
    leaf, int1, root = (certset.server.certificate, certset.intermediate1.certificate,
                        certset.root.certificate)
    report = verify_chain([leaf, twin, real, int1], root, host="localhost")
    assert report.ok, report.text()
    assert report.chain[1] == real
    # with only the bad twin, its fault is reported, on it
    alone = verify_chain([leaf, twin, int1], root, host="localhost")
    assert not alone.ok and alone.problem.position == 1
    assert alone.problem.code == ("not_a_ca" if "ca" in bad else "wrong_purpose")


# ---- malformed extensions: reported problems, never a traceback ----------------------------

@pytest.fixture(scope="module")
def broken():
    root = CertificateAuthority.create_root()
    inter = root.issue_intermediate("/CN=broken constraints")
    leaf = inter.issue_server(["localhost"])
    double_san = resign(leaf.certificate, inter.private_key, duplicate_san)
    # name constraints whose IP entry has 3 bytes (an address needs 8 or 32 with its mask)
    bad_ip = b"\x30\x09\xa0\x07\x30\x05\x87\x03\x0a\x00\x00"
    bad_constraints = with_extension(
        inter.certificate, root,
        x509.UnrecognizedExtension(ExtensionOID.NAME_CONSTRAINTS, bad_ip))
    return types.SimpleNamespace(root=root, inter=inter, leaf=leaf, double_san=double_san,
                                 bad_constraints=bad_constraints)


def test_two_subject_alt_names_are_a_reported_problem(broken):
    report = verify_chain(broken.double_san, broken.root.certificate,
                          [broken.inter.certificate], host="localhost")
    assert report.codes == ["malformed_extensions"] and report.problem.position == 0
    assert "2.5.29.17 twice" in report.problem.why
    assert report.links[0].checks[-1].name == "extensions"


def test_bad_ip_bytes_in_name_constraints_are_a_reported_problem(broken):
    report = verify_chain(broken.leaf.certificate, broken.root.certificate,
                          [broken.bad_constraints], host="localhost")
    assert report.codes == ["malformed_extensions"] and report.problem.position == 1
    with pytest.raises(Exception) as info:
        report.raise_for_problems()
    assert info.value.code == "malformed_extensions"


def test_the_doctor_reports_malformed_extensions(broken):
    for certificate in (broken.double_san, broken.bad_constraints):
        found = {f.code: f.severity for f in pitfalls(certificate)}
        assert found == {"malformed_extensions": "error"}
        assert "malformed_extensions" in {f.code for f in audit(certificate)}


def test_verify_and_doctor_commands_report_malformed_certificates(broken, tmp_path):
    bad = write(tmp_path, "bad.crt", broken.double_san, broken.inter.certificate)
    root = write(tmp_path, "root.crt", broken.root.certificate)
    verified = pkilab("verify", bad, "--ca", root, "--host", "localhost")
    assert verified.returncode == 1 and "Traceback" not in verified.stderr
    assert "cannot be read" in verified.stdout
    doctor = pkilab("doctor", bad)
    assert doctor.returncode == 1 and "Traceback" not in doctor.stderr
    assert "malformed_extensions" in doctor.stdout
    assert "/CN=broken constraints: no findings" in doctor.stdout


# ---- validity in whole seconds ---------------------------------------------------------------

def test_validity_is_compared_in_whole_seconds():
    start = dt.datetime(2026, 1, 1, 12, 0, 0, 500000, tzinfo=dt.timezone.utc)
    root = CertificateAuthority.create_root(not_before=start - dt.timedelta(days=1))
    leaf = root.issue_server(["localhost"], not_before=start, days=30).certificate
    end = leaf.not_valid_after_utc  # DER keeps whole seconds: 12:00:00
    assert end.microsecond == 0
    for inside in (end + dt.timedelta(microseconds=999_999), leaf.not_valid_before_utc):
        assert verify_chain(leaf, root.certificate, host="localhost", at=inside).ok
    assert verify_chain(leaf, root.certificate, host="localhost",
                        at=end + dt.timedelta(seconds=1)).codes == ["expired"]
    before = leaf.not_valid_before_utc - dt.timedelta(microseconds=1)
    assert verify_chain(leaf, root.certificate, host="localhost",
                        at=before).codes == ["not_yet_valid"]
    # A notAfter with a fraction of a second cannot even be loaded by cryptography (DER
    # forbids it in certificates, RFC 5280 4.1.2.5.2), so pkilab never sees one.
    with pytest.raises(ValueError):
        resign(leaf, root.private_key, not_after_text(b"20270101000000.5Z"))


# ---- name constraints: evaluated by pkilab.constraints when it is there ------------------------

@dataclass(frozen=True)
class StubViolation:
    name: str
    kind: str
    subtree: str
    reason: str

    @property
    def text(self) -> str:
        return f"{self.name} is not within the permitted {self.subtree}."


def _stub_violations(constraints: x509.NameConstraints, certificate: x509.Certificate):
    """A stand-in for pkilab.constraints.violations: DNS names only."""
    permitted = [s.value for s in constraints.permitted_subtrees or []]
    try:
        names = certificate.extensions.get_extension_for_class(
            x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        names = []
    return [StubViolation(n, "dns", f"DNS:{permitted[0]}", "not_permitted") for n in names
            if permitted and not any(n == p or n.endswith("." + p) for p in permitted)]


@pytest.fixture
def evaluator(monkeypatch):
    module = types.ModuleType("pkilab.constraints")
    module.violations = _stub_violations
    monkeypatch.setitem(sys.modules, "pkilab.constraints", module)


def constrained_chain(key_kind: str):
    root = CertificateAuthority.create_root(key_kind=key_kind)
    ca = root.issue_intermediate("/CN=example CA")
    constrained = with_extension(ca.certificate, root, x509.NameConstraints(
        permitted_subtrees=[x509.DNSName("example.com")], excluded_subtrees=None))
    return root, ca, constrained


@pytest.mark.parametrize("key_kind", ["ec", "ed25519"])
def test_name_constraints_say_which_name_breaks_which_constraint(evaluator, key_kind):
    root, ca, constrained = constrained_chain(key_kind)
    outside = ca.issue_server(["localhost"]).certificate
    report = verify_chain(outside, root.certificate, [constrained], host="localhost")
    assert report.codes == ["name_constraints"] and report.problem.position == 0
    assert "'localhost'" in report.problem.what and "'example CA'" in report.problem.what
    assert "DNS:example.com" in report.problem.why
    inside = ca.issue_server(["www.example.com"]).certificate
    assert verify_chain(inside, root.certificate, [constrained], host="www.example.com").ok


def test_without_the_evaluator_ed25519_name_constraints_are_not_vouched_for(monkeypatch):
    monkeypatch.setitem(sys.modules, "pkilab.constraints", None)  # import fails
    root, ca, constrained = constrained_chain("ed25519")
    leaf = ca.issue_server(["www.example.com"]).certificate
    report = verify_chain(leaf, root.certificate, [constrained], host="www.example.com")
    assert report.codes == ["unsupported"]
    # EC chains still have cryptography's verifier for name constraints
    root, ca, constrained = constrained_chain("ec")
    outside = ca.issue_server(["localhost"]).certificate
    assert not verify_chain(outside, root.certificate, [constrained], host="localhost").ok


# ---- the words match what OpenSSL says ---------------------------------------------------

@pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")
def test_a_foreign_root_sent_along_is_openssl_error_19(certset, tmp_path):
    other = build_certificate_set(organization="other")
    sent = [*other.server.fullchain, other.root.certificate]
    write(tmp_path, "root.crt", certset.root.certificate)
    write(tmp_path, "sent.crt", *sent[1:])
    write(tmp_path, "server.crt", sent[0])
    result = subprocess.run([OPENSSL, "verify", "-CAfile", "root.crt", "-untrusted", "sent.crt",
                             "server.crt"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
    assert "error 19" in result.stdout + result.stderr
    assert "self-signed certificate in certificate chain" in result.stdout + result.stderr
    report = verify_chain(sent, certset.root.certificate)
    assert report.codes == ["untrusted_root"]
    assert "'self-signed certificate in certificate chain' (error 19)" in report.problem.why


@pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")
def test_partial_chain_trust_is_asked_for_as_with_openssl(certset, tmp_path):
    write(tmp_path, "inter.crt", certset.intermediate2.certificate)
    write(tmp_path, "server.crt", certset.server.certificate)

    def openssl(*flags):
        return subprocess.run([OPENSSL, "verify", *flags, "-CAfile", "inter.crt", "server.crt"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=60)

    assert openssl().returncode != 0
    assert openssl("-partial_chain").returncode == 0
    plain = pkilab("verify", "server.crt", "--ca", "inter.crt", cwd=tmp_path)
    assert plain.returncode == 1 and "not a root" in plain.stdout
    partial = pkilab("verify", "server.crt", "--ca", "inter.crt", "--partial-chain",
                     cwd=tmp_path)
    assert partial.returncode == 0, partial.stdout
    assert "anchor" in partial.stdout and "partial-chain" in partial.stdout


def test_verify_fullchain_against_itself_is_refused(certset, tmp_path):
    write(tmp_path, "fullchain.crt", *certset.server.fullchain)
    result = pkilab("verify", "fullchain.crt", "--ca", "fullchain.crt", cwd=tmp_path)
    assert result.returncode == 1 and "not a root" in result.stdout


def test_a_bag_of_hundreds_of_unrelated_certificates_is_explained(certset):
    # once a RecursionError: each unrelated certificate re-ran the whole explanation
    junk_root = CertificateAuthority.create_root("/CN=junk")
    junk = [junk_root.issue_server([f"h{i}.example"]).certificate for i in range(300)]
    report = verify_chain([certset.server.certificate, *junk], certset.root.certificate,
                          [certset.intermediate1.certificate])
    assert report.codes == ["missing_intermediate"]
