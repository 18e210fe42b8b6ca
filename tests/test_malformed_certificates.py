"""Certificates whose extensions cannot be read (two subjectAltNames; an IP constraint of
the wrong length) load fine and fail only when their extensions are read. inspect, the
summary, the anatomy picture and identify show the defect instead of crashing.

cryptography's builder refuses duplicates, so the first certificate is made by editing
DER: a placeholder OID of the same length is rewritten into the SAN's OID and the
to-be-signed part signed again with the issuer's key.
"""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtensionOID

from pkilab import der, facts
from pkilab.cli import main
from pkilab.formats import identify, load_any
from pkilab.inspect import describe, summary
from pkilab.viz.anatomy import anatomy_layout, certificate_parts

_SAN_OID = b"\x06\x03\x55\x1d\x11"  # 2.5.29.17
_PLACEHOLDER_OID = b"\x06\x03\x55\x1d\x63"  # 2.5.29.99, the same length


def _tlv(tag: int, content: bytes) -> bytes:
    """A DER element (a writer just big enough for these tests)."""
    n = len(content)
    length = bytes([n]) if n < 0x80 else (
        bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes((n.bit_length() + 7) // 8,
                                                                  "big"))
    return bytes([tag]) + length + content


def _builder(issuer, subject: str) -> x509.CertificateBuilder:
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    return (x509.CertificateBuilder()
            .subject_name(x509.Name.from_rfc4514_string(subject))
            .issuer_name(issuer.certificate.subject)
            .public_key(ec.generate_private_key(ec.SECP256R1()).public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + dt.timedelta(days=3650)))


def _resign(certificate: x509.Certificate, tbs: bytes, key) -> x509.Certificate:
    _, algorithm, _ = der.read(certificate.public_bytes(Encoding.DER)).children()
    signature = key.sign(tbs, ec.ECDSA(hashes.SHA256()))
    return x509.load_der_x509_certificate(
        _tlv(0x30, tbs + algorithm.raw + _tlv(0x03, b"\x00" + signature)))


@pytest.fixture(scope="module")
def two_sans(certset):
    issuer = certset.intermediate2
    placeholder = x509.UnrecognizedExtension(
        x509.ObjectIdentifier("2.5.29.99"),
        x509.SubjectAlternativeName([x509.DNSName("evil.test")]).public_bytes())
    good = (_builder(issuer, "CN=twice.test")
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("twice.test")]), False)
            .add_extension(placeholder, False)
            .sign(issuer.private_key, hashes.SHA256()))
    tbs = good.tbs_certificate_bytes
    assert tbs.count(_PLACEHOLDER_OID) == 1
    return _resign(good, tbs.replace(_PLACEHOLDER_OID, _SAN_OID), issuer.private_key)


@pytest.fixture(scope="module")
def bad_ip_constraint(certset):
    issuer = certset.intermediate2
    # NameConstraints { permittedSubtrees [0] { GeneralSubtree { [7] iPAddress } } } with
    # 5 bytes where an IPv4 constraint has 8 (address + mask)
    subtree = _tlv(0x30, _tlv(0x87, b"\x0a\x00\x00\x00\xff"))
    value = _tlv(0x30, _tlv(0xA0, subtree))
    return (_builder(issuer, "CN=Bad Constraints CA")
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
            .add_extension(x509.UnrecognizedExtension(ExtensionOID.NAME_CONSTRAINTS, value),
                           True)
            .sign(issuer.private_key, hashes.SHA256()))


@pytest.fixture(params=["two_sans", "bad_ip_constraint"])
def malformed(request):
    return request.getfixturevalue(request.param)


def test_the_fixtures_really_are_malformed(two_sans, bad_ip_constraint):
    with pytest.raises(x509.DuplicateExtension):
        _ = list(two_sans.extensions)
    with pytest.raises((ValueError, TypeError)):
        _ = [e.value for e in bad_ip_constraint.extensions]
    assert "twice" in facts.extension_defect(two_sans)
    assert facts.extension_defect(bad_ip_constraint)


def test_describe_and_summary_show_the_defect(malformed):
    info = describe(malformed)
    assert info["extension_defect"] == facts.extension_defect(malformed)
    text = summary(malformed)
    assert "UNREADABLE" in text and info["extension_defect"] in text
    assert info["sha256"] in text


def test_the_anatomy_picture_is_drawn_with_the_defect(malformed, two_sans):
    parts = certificate_parts(malformed)
    extensions = parts.find("extensions")
    assert extensions.meaning.startswith("MALFORMED")
    assert len(extensions.children) >= 2
    scene = anatomy_layout(malformed)
    assert any("MALFORMED" in t.text for t in scene.of_kind("part-meaning"))
    if malformed is two_sans:
        names = [c.name for c in extensions.children]
        assert names.count("subjectAltName") == 2
        assert "again" in extensions.children[-1].meaning


def test_identify_and_load_any_warn(malformed):
    data = malformed.public_bytes(Encoding.DER)
    found = identify(data)
    assert found.kind == "der-certificate"
    assert any("malformed" in w for w in found.warnings)
    assert load_any(data).warnings == found.warnings
    pem_found = identify(malformed.public_bytes(Encoding.PEM))
    assert any("malformed" in w for w in pem_found.warnings)


def test_pkilab_inspect_reports_instead_of_crashing(malformed, tmp_path, capsys):
    path = tmp_path / "bad.crt"
    path.write_bytes(malformed.public_bytes(Encoding.PEM))
    assert main(["inspect", str(path)]) == 1  # read, with a problem to fix
    out, err = capsys.readouterr()
    assert "UNREADABLE" in out and "warning:" in out and "Traceback" not in err


def test_facts_refuse_for_checks_and_tolerate_for_pictures(malformed):
    from pkilab.errors import InputError

    with pytest.raises(InputError) as info:
        facts.extension(malformed, x509.SubjectAlternativeName)
    assert info.value.code == "malformed_extensions"
    assert facts.extension_or_none(malformed, x509.BasicConstraints) is None
    assert facts.is_ca(malformed) is False
