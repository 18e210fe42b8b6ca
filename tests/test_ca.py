import datetime as dt
import os
import stat

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from pkilab.ca import LESSON_EPOCH, CertificateAuthority
from pkilab.certset import build_certificate_set, load_certificate_set, write_certificate_set
from pkilab.chain import verify_chain
from pkilab.csr import build_csr, check_csr, requested_names
from pkilab.errors import InputError, OverwriteError, PolicyError, VerificationError
from pkilab.facts import same_public_key
from pkilab.keys import generate_key


def ext(cert, kind):
    return cert.extensions.get_extension_for_class(kind)


def test_root_is_a_ten_year_self_signed_ca():
    root = CertificateAuthority.create_root("/C=cn/O=alibaba/CN=root")
    cert = root.certificate
    assert cert.subject == cert.issuer
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days == 3650
    bc = ext(cert, x509.BasicConstraints)
    assert bc.critical and bc.value.ca and bc.value.path_length is None
    assert ext(cert, x509.KeyUsage).value.key_cert_sign
    assert ext(cert, x509.SubjectKeyIdentifier)


def test_extensions_of_each_profile(certset):
    i1, i2 = certset.intermediate1.certificate, certset.intermediate2.certificate
    assert ext(i1, x509.BasicConstraints).value.path_length == 1
    assert ext(i2, x509.BasicConstraints).value.path_length == 0
    server = certset.server.certificate
    assert ExtendedKeyUsageOID.SERVER_AUTH in ext(server, x509.ExtendedKeyUsage).value
    sans = ext(server, x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["localhost"]
    assert [str(ip) for ip in sans.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    client = certset.clients["client"].certificate
    assert ExtendedKeyUsageOID.CLIENT_AUTH in ext(client, x509.ExtendedKeyUsage).value
    # AKI of each certificate equals the SKI of its issuer.
    for child, parent in ((server, i2), (i2, i1), (i1, certset.root.certificate)):
        aki = ext(child, x509.AuthorityKeyIdentifier).value.key_identifier
        assert aki == ext(parent, x509.SubjectKeyIdentifier).value.digest


def test_server_needs_names():
    root = CertificateAuthority.create_root()
    with pytest.raises(InputError) as info:
        root.issue_intermediate("/CN=i").issue_server([])
    assert info.value.code == "no_names"


def test_intermediate_under_pathlen_zero_is_refused_unless_on_purpose():
    root = CertificateAuthority.create_root()
    low = root.issue_intermediate("/CN=low", path_length=0)
    with pytest.raises(PolicyError) as info:
        low.issue_intermediate("/CN=lower")
    assert info.value.code == "path_length_exceeded"
    lower = low.issue_intermediate("/CN=lower", allow_invalid=True)
    leaf = lower.issue_server(["localhost"])
    report = verify_chain(leaf.certificate, root.certificate, leaf.chain, host="localhost")
    assert report.codes == ["path_length"]


def test_from_pair_checks_key_and_ca_flag(certset):
    with pytest.raises(InputError) as info:
        CertificateAuthority.from_pair(certset.root.certificate, generate_key())
    assert info.value.code == "key_mismatch"
    server = certset.server
    with pytest.raises(PolicyError) as info:
        CertificateAuthority.from_pair(server.certificate, server.private_key)
    assert info.value.code == "not_a_ca"
    CertificateAuthority.from_pair(server.certificate, server.private_key, allow_invalid=True)


def test_seeded_sets_are_byte_identical():
    a = build_certificate_set(seed="lesson")
    b = build_certificate_set(seed="lesson")
    assert a.server.certificate == b.server.certificate
    assert a.root.certificate.not_valid_before_utc == LESSON_EPOCH
    assert build_certificate_set(seed="other").server.certificate != a.server.certificate


@pytest.mark.parametrize("kind", ["ec", "ec384", "rsa2048", "ed25519"])
def test_every_key_kind_makes_a_valid_set(kind):
    cs = build_certificate_set(key_kind=kind)
    report = verify_chain(cs.server.fullchain, cs.root.certificate, host="127.0.0.1")
    assert report.ok, report.text()
    client = verify_chain(cs.clients["client"].fullchain, cs.root.certificate, purpose="client")
    assert client.ok, client.text()


def test_csr_flow_like_the_seed():
    root = CertificateAuthority.create_root()
    key = generate_key()
    csr = build_csr(key, "/C=CN/O=alibaba/CN=shop.example", ["shop.example"])
    check_csr(csr)
    assert requested_names(csr) == ["shop.example"]
    issued = root.sign_csr(csr)
    assert issued.private_key is None
    assert same_public_key(issued.certificate.public_key(), key)
    assert verify_chain(issued.certificate, root.certificate, host="shop.example").ok


def test_tampered_csr_is_refused():
    root = CertificateAuthority.create_root()
    csr = build_csr(generate_key(), "/CN=a.example", ["a.example"])
    der = bytearray(csr.public_bytes(__import__("cryptography.hazmat.primitives.serialization",
                                                fromlist=["Encoding"]).Encoding.DER))
    der[-1] ^= 0x01  # flip a bit of the signature
    bad = x509.load_der_x509_csr(bytes(der))
    with pytest.raises(VerificationError) as info:
        root.sign_csr(bad)
    assert info.value.code == "bad_csr_signature"


def test_csr_without_names_needs_names_for_a_server():
    root = CertificateAuthority.create_root()
    csr = build_csr(generate_key(), "/CN=server.example.com")
    with pytest.raises(InputError) as info:
        root.sign_csr(csr)
    assert info.value.code == "no_names"
    assert root.sign_csr(csr, names=["server.example.com"]).certificate


def test_renewal_keeps_key_and_subject(certset):
    old = certset.server.certificate
    new = certset.intermediate2.renew(old, days=30)
    assert new.subject == old.subject and new.serial_number != old.serial_number
    assert same_public_key(new.public_key(), old.public_key())
    assert (new.not_valid_after_utc - new.not_valid_before_utc).days == 30
    assert verify_chain(new, certset.root.certificate, certset.server.chain).ok
    # A root renews itself with the same key, as the seed describes.
    root = certset.root.renew(certset.root.certificate)
    assert verify_chain(certset.server.fullchain, root, host="localhost").ok
    with pytest.raises(InputError) as info:
        certset.intermediate1.renew(old)
    assert info.value.code == "wrong_issuer"


def test_expired_certificate_on_purpose():
    root = CertificateAuthority.create_root()
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=10)
    leaf = root.issue_client("late", not_before=past, days=1)
    assert verify_chain(leaf.certificate, root.certificate, purpose="client").codes == \
        ["expired"]


def test_write_set_modes_and_no_silent_overwrite(tmp_path):
    cs = build_certificate_set()
    written = write_certificate_set(cs, tmp_path / "s")
    names = sorted(p.name for p in written)
    assert names == sorted(cs.files())
    for path in written:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        private = path.suffix in (".key", ".p12")
        assert mode == (0o600 if private else 0o644), path
    before = (tmp_path / "s" / "root.key").read_bytes()
    with pytest.raises(OverwriteError) as info:
        write_certificate_set(build_certificate_set(), tmp_path / "s")
    assert info.value.code == "would_overwrite" and "root.key" in info.value.what
    assert (tmp_path / "s" / "root.key").read_bytes() == before
    write_certificate_set(build_certificate_set(), tmp_path / "s", force=True)
    kept = list((tmp_path / "s").glob("replaced-*/root.key"))
    assert len(kept) == 1 and kept[0].read_bytes() == before
    loaded = load_certificate_set(tmp_path / "s")
    assert loaded.clients == ["client", "client2"]
    assert [c.subject for c in loaded.intermediates] == [
        x509.load_pem_x509_certificate((tmp_path / "s" / n).read_bytes()).subject
        for n in ("intermediate2.crt", "intermediate1.crt")]


def test_fullchain_file_is_in_the_seeds_order(set_dir, certset):
    chain = x509.load_pem_x509_certificates((set_dir / "fullchain.crt").read_bytes())
    assert chain == [certset.server.certificate, certset.intermediate2.certificate,
                     certset.intermediate1.certificate]


def test_bad_client_names_rejected():
    with pytest.raises(InputError) as info:
        build_certificate_set(clients=["a", "a"])
    assert info.value.code == "duplicate_client"
    with pytest.raises(InputError) as info:
        build_certificate_set(clients=["server"])
    assert info.value.code == "bad_client_name"


def test_client_csr_without_names_still_verifies_as_a_client():
    root = CertificateAuthority.create_root()
    csr = build_csr(generate_key(), "/CN=laptop")
    issued = root.sign_csr(csr, kind="client")
    san = ext(issued.certificate, x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.RFC822Name) == ["laptop@pkilab.test"]
    assert verify_chain(issued.certificate, root.certificate, purpose="client").ok


def test_force_moves_every_file_of_the_old_set(tmp_path):
    write_certificate_set(build_certificate_set(clients=["alice"]), tmp_path / "s")
    write_certificate_set(build_certificate_set(clients=["bob"]), tmp_path / "s", force=True)
    names = {p.name for p in (tmp_path / "s").iterdir() if p.is_file()}
    assert "alice.crt" not in names and "bob.crt" in names
    assert load_certificate_set(tmp_path / "s").clients == ["bob"]
    kept = {p.name for p in (tmp_path / "s").glob("replaced-*/*")}
    assert {"alice.crt", "alice.key", "alice.p12", "root.key"} <= kept
