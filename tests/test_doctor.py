"""The doctor: pkilint's RFC 5280 findings plus pkilab's checks for the seed's pitfalls."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from pkilab.ca import CertificateAuthority
from pkilab.certset import build_certificate_set
from pkilab.doctor import (
    Finding,
    _validator,
    audit,
    audit_many,
    explain,
    format_findings,
    max_server_days,
    pitfalls,
)
from pkilab.errors import InputError
from pkilab.keys import generate_key
from pkilab.load import load_certificate

pytest.importorskip("pkilint")

# The one finding a pkilab lab set is allowed to have, and why (see pkilab.doctor).
LOCALHOST = ("server", "pkix.invalid_domain_name_syntax")


def set_certificates(cs) -> dict[str, x509.Certificate]:
    named = {"root": cs.root.certificate, "intermediate1": cs.intermediate1.certificate,
             "intermediate2": cs.intermediate2.certificate, "server": cs.server.certificate}
    named.update({name: issued.certificate for name, issued in cs.clients.items()})
    return named


@pytest.mark.parametrize("key_kind", ["ec", "rsa2048"])
def test_a_pkilab_set_has_only_the_documented_localhost_finding(key_kind):
    named = set_certificates(build_certificate_set(key_kind=key_kind))
    found = {(name, f.code): f for name, cert in named.items() for f in audit(cert)}
    print(f"\n{key_kind} set:", *(f"{name}: {f}" for (name, _), f in found.items()), sep="\n")
    assert set(found) == {LOCALHOST}
    finding = found[LOCALHOST]
    assert finding.expected and finding.severity == "error"
    assert finding.message == 'Invalid domain name syntax: "localhost"'
    assert "RFC 6761" in finding.explanation and "lab" in finding.explanation
    assert "(expected in a lab)" in str(finding)


def test_a_public_style_name_has_no_findings_at_all():
    cs = build_certificate_set(server_names=["www.example.com", "192.0.2.10"])
    assert {name: audit(c) for name, c in set_certificates(cs).items()} == \
        {name: [] for name in set_certificates(cs)}


def test_other_bad_dns_names_are_not_excused():
    root = CertificateAuthority.create_root()
    # pkilab refuses such a name; a GeneralName object goes in unchecked, as another
    # tool's certificate would arrive.
    server = root.issue_server([x509.DNSName("-bad.example.com")]).certificate
    (finding,) = [f for f in audit(server) if f.code == "pkix.invalid_domain_name_syntax"]
    assert not finding.expected


def test_min_severity_filters_informational_findings(certset):
    root = certset.root.certificate
    assert audit(root) == []
    info = audit(root, min_severity="info")
    assert [f.code for f in info] == ["pkix.subject_key_identifier_method_1_identified"]
    assert info[0].severity == "info"


def test_bad_arguments_are_input_errors(certset):
    for call, code in ((lambda: audit(certset.root.certificate, profile="cabf"),
                        "unknown_profile"),
                       (lambda: audit(certset.root.certificate, min_severity="loud"),
                        "unknown_severity"),
                       (lambda: pitfalls(certset.root.certificate, role="web"),
                        "unknown_role")):
        with pytest.raises(InputError) as info:
            call()
        assert info.value.code == code


def test_validator_is_built_once():
    assert _validator("pkix") is _validator("pkix")


def test_importing_the_doctor_does_not_import_pkilint():
    code = "import sys, pkilab.doctor; print('pkilint' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.stdout.strip() == "False", out.stderr


# ---- pkilab's own checks, on certificates made to order ----------------------------------------

def make(*, key=None, issuer_key=None, days=90, extensions=(), subject="test", now=None):
    key = key or ec.generate_private_key(ec.SECP256R1())
    now = now or dt.datetime.now(dt.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    builder = (x509.CertificateBuilder().subject_name(name)
               .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "issuer")]))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now).not_valid_after(now + dt.timedelta(days=days)))
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical)
    return builder.sign(issuer_key or ec.generate_private_key(ec.SECP256R1()), hashes.SHA256())


SERVER_EKU = (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
CLIENT_EKU = (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False)
SAN = (x509.SubjectAlternativeName([x509.DNSName("www.example.com")]), False)


def codes(findings: list[Finding]) -> dict[str, str]:
    return {f.code: f.severity for f in findings}


def test_weak_rsa_key():
    weak = make(key=generate_key("rsa1024", insecure=True), extensions=[SERVER_EKU, SAN])
    assert codes(pitfalls(weak)) == {"weak_key": "error"}
    assert "1024-bit" in pitfalls(weak)[0].message


def test_server_without_san_is_an_error_a_guessed_one_a_warning():
    assert codes(pitfalls(make(extensions=[SERVER_EKU]))) == {"missing_san": "error"}
    assert codes(pitfalls(make())) == {"missing_san": "warning"}
    assert codes(pitfalls(make(extensions=[CLIENT_EKU]))) == {}
    assert codes(pitfalls(make(), role="client")) == {}


def test_ca_without_ca_flag():
    assert codes(pitfalls(make(), role="ca")) == {"not_a_ca": "error"}


@pytest.mark.parametrize(("day", "limit"), [
    (dt.date(2025, 1, 1), 398), (dt.date(2026, 3, 14), 398), (dt.date(2026, 3, 15), 200),
    (dt.date(2027, 3, 14), 200), (dt.date(2027, 3, 15), 100), (dt.date(2029, 3, 14), 100),
    (dt.date(2029, 3, 15), 47), (dt.date(2036, 1, 1), 47)])
def test_the_server_validity_limit_follows_ballot_sc_081(day, limit):
    assert max_server_days(day) == limit
    # a datetime counts by its UTC date: 23:30 at UTC-1 is already the next day in UTC
    late = dt.datetime(day.year, day.month, day.day, 23, 30,
                       tzinfo=dt.timezone(dt.timedelta(hours=-1)))
    assert max_server_days(late) == max_server_days(day + dt.timedelta(days=1))


@pytest.mark.parametrize(("issued", "allowed"), [
    (dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc), 398),
    (dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc), 200),
    (dt.datetime(2029, 6, 1, tzinfo=dt.timezone.utc), 47)])
def test_server_valid_longer_than_allowed_on_its_issue_date_gets_a_cab_note(issued, allowed):
    fits = make(days=allowed, extensions=[SERVER_EKU, SAN], now=issued)
    assert codes(pitfalls(fits)) == {}
    too_long = pitfalls(make(days=allowed + 1, extensions=[SERVER_EKU, SAN], now=issued))
    assert codes(too_long) == {"server_validity_too_long": "notice"}
    assert f"{allowed + 1} days" in too_long[0].message
    assert f"at most {allowed} days" in too_long[0].explanation
    assert "SC-081" in too_long[0].explanation and "825 days" in too_long[0].explanation


def test_format_findings():
    assert format_findings([]) == "no findings"
    text = format_findings(pitfalls(make(extensions=[SERVER_EKU])))
    assert text.startswith("ERROR missing_san: no subjectAltName\n  clients match")


def test_explain_knows_the_seed_codes():
    for code in ("pkix.certificate_version_is_not_v3",
                 "pkix.authority_key_identifier_extension_absent",
                 "pkix.ca_certificate_no_ku_extension", "pkix.invalid_domain_name_syntax"):
        assert explain(code)
    assert explain("pkix.something_else") == ""


# ---- the seed's openssl-made certificates ----------------------------------------------------

OPENSSL = shutil.which("openssl")


@pytest.fixture(scope="module")
def seed_chain(tmp_path_factory):
    """The seed's chain recipe (genrsa 2048 instead of 4096, for speed)."""
    folder = tmp_path_factory.mktemp("doctor-seed")

    def openssl(*args: str) -> None:
        result = subprocess.run([OPENSSL, *args], cwd=folder, capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 0, result.stderr

    openssl("genrsa", "-out", "root.key", "2048")
    openssl("req", "-new", "-x509", "-days", "3650", "-key", "root.key", "-out", "root.crt",
            "-subj", "/CN=Root CA")
    issuer = "root"
    for name, cn, days in (("intermediate1", "Intermediate CA 1", "3650"),
                           ("intermediate2", "Intermediate CA 2", "3650"),
                           ("server", "server.example.com", "365")):
        openssl("genrsa", "-out", f"{name}.key", "2048")
        openssl("req", "-new", "-key", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={cn}")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{issuer}.crt", "-CAkey",
                f"{issuer}.key", "-CAcreateserial", "-out", f"{name}.crt", "-days", days)
        issuer = name
    return {name: load_certificate(folder / f"{name}.crt")
            for name in ("root", "intermediate1", "intermediate2", "server")}


@pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")
def test_seed_certificates_get_the_findings_in_findings_md(seed_chain):
    names = list(seed_chain)
    audited = dict(zip(names, audit_many(list(seed_chain.values())), strict=True))
    found = {name: codes(findings) for name, (_, findings) in audited.items()}
    print("\n" + "\n".join(f"{name}: {sorted(c)}" for name, c in found.items()))
    # FINDINGS.md: the root lacks keyUsage; the server is v1 without authorityKeyIdentifier.
    assert found["root"] == {"pkix.ca_certificate_no_ku_extension": "error"}
    assert {"pkix.certificate_version_is_not_v3", "pkix.authority_key_identifier_extension_absent"
            } <= set(found["server"])
    assert found["server"]["missing_san"] == "warning"  # no EKU: "if a server"
    # The intermediates signed something, so they are audited as CAs.
    for name in ("intermediate1", "intermediate2"):
        assert found[name]["not_a_ca"] == "error"
        assert found[name]["pkix.certificate_version_is_not_v3"] == "error"
    # pkilab's own v1 check is dropped where pkilint already says it.
    assert not any("v1_certificate" in c for c in found.values())
    assert all(not f.expected for _, fs in audited.values() for f in fs)
