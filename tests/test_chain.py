import datetime as dt

import pytest

from pkilab.ca import CertificateAuthority
from pkilab.certset import build_certificate_set
from pkilab.chain import check_served_order, order_chain, verify_chain
from pkilab.errors import InputError, VerificationError
from pkilab.keys import generate_key
from pkilab.legacy import make_v1_certificate

NOW = dt.datetime.now(dt.timezone.utc)


def test_valid_chain_reports_every_check(certset):
    report = verify_chain(certset.server.fullchain, certset.root.certificate, host="localhost")
    assert report.ok and report.problems == []
    assert [link.role for link in report.links] == ["leaf", "intermediate", "intermediate", "root"]
    names = {c.name for link in report.links for c in link.checks}
    assert {"signature", "validity", "CA flag", "path length", "key usage", "purpose",
            "name", "version"} <= names
    assert "cryptography.x509.verification" in report.verified_by
    assert report.raise_for_problems() is report
    assert "OK: a valid server chain for localhost" in report.text()


def test_missing_intermediate_and_foreign_root_are_told_apart(certset):
    leaf, root = certset.server.certificate, certset.root.certificate
    missing = verify_chain(leaf, root, [certset.intermediate1.certificate])
    assert missing.codes == ["missing_intermediate"]
    assert "pkilab Intermediate CA 2" in missing.problem.what

    foreign = build_certificate_set(organization="other")
    # The foreign server sends its whole chain, root included: it ends at a root we do not trust.
    sent = [*foreign.server.fullchain, foreign.root.certificate]
    assert verify_chain(sent, root).codes == ["untrusted_root"]
    # Without its root it climbs to an issuer nobody has: that looks exactly like a
    # missing intermediate higher up, so pkilab says both.
    unknown = verify_chain(foreign.server.fullchain, root)
    assert unknown.codes == ["unknown_issuer"]
    assert "other Root CA" in unknown.problem.what
    no_int1 = verify_chain(certset.server.fullchain[:2], root)
    assert no_int1.codes == ["unknown_issuer"]
    assert "left out" in no_int1.problem.why
    # A same-named root with another key (the seed's recipe run twice).
    twin = build_certificate_set()
    twin_report = verify_chain(twin.server.fullchain, root)
    assert twin_report.codes == ["untrusted_root"]
    assert "same name" in twin_report.problem.why
    # Only the leaf, nothing else: honest "either/or".
    alone = verify_chain(leaf, root)
    assert alone.codes == ["unknown_issuer"]
    assert "fullchain.crt" in alone.problem.why


def test_expired_and_not_yet_valid(certset):
    chain, root = certset.server.fullchain, certset.root.certificate
    later = verify_chain(chain, root, at=certset.server.certificate.not_valid_after_utc
                         + dt.timedelta(days=1))
    assert later.codes == ["expired"] and later.problem.position == 0
    earlier = verify_chain(chain, root, at=certset.root.certificate.not_valid_before_utc
                           - dt.timedelta(days=1))
    assert set(earlier.codes) == {"not_yet_valid"}


def test_wrong_host_and_purpose(certset):
    root = certset.root.certificate
    assert verify_chain(certset.server.fullchain, root, host="example.com").codes == \
        ["wrong_host"]
    assert verify_chain(certset.server.fullchain, root, host="127.0.0.2").codes == ["wrong_host"]
    assert verify_chain(certset.server.fullchain, root, host="127.0.0.1").ok
    as_client = verify_chain(certset.server.fullchain, root, purpose="client")
    assert as_client.codes == ["wrong_purpose"]
    assert "serverAuth" in as_client.problem.why


def test_issuer_is_not_a_ca(certset):
    leaf = certset.server
    fake_ca = CertificateAuthority.from_pair(leaf.certificate, leaf.private_key,
                                             parent=certset.intermediate2, allow_invalid=True)
    victim = fake_ca.issue_server(["victim.example"])
    report = verify_chain(victim.fullchain, certset.root.certificate, host="victim.example")
    assert "not_a_ca" in report.codes
    assert report.problem.position == 1


def test_path_length_exceeded():
    root = CertificateAuthority.create_root()
    one = root.issue_intermediate("/CN=one", path_length=0)
    two = one.issue_intermediate("/CN=two", allow_invalid=True)
    leaf = two.issue_server(["localhost"])
    report = verify_chain(leaf.fullchain, root.certificate)
    assert report.codes == ["path_length"]
    assert "'one' allows 0" in report.problem.what


def test_v1_intermediate_like_the_seeds_recipe():
    root = CertificateAuthority.create_root("/CN=Root CA")
    key = generate_key()
    v1 = make_v1_certificate("/CN=Intermediate CA 1", key.public_key(), "/CN=Root CA",
                             root.private_key)
    assert v1.version.name == "v1"
    ca = CertificateAuthority.from_pair(v1, key, parent=root, allow_invalid=True)
    leaf = ca.issue_server(["server.example.com"])
    report = verify_chain(leaf.fullchain, root.certificate)
    assert report.codes[0] == "v1_certificate"
    assert "version 1" in report.problem.what


def test_v1_leaf_without_san():
    root = CertificateAuthority.create_root("/CN=root")
    leaf = make_v1_certificate("/CN=server.example.com", generate_key().public_key(), "/CN=root",
                               root.private_key)
    report = verify_chain(leaf, root.certificate, host="server.example.com")
    assert report.codes == ["v1_certificate"]
    assert any(c.name == "name" and not c.ok for c in report.links[0].checks)


def test_weak_key_is_named():
    root = CertificateAuthority.create_root(key_kind="rsa1024", insecure=True)
    leaf = root.issue_server(["localhost"], key_kind="rsa2048")
    report = verify_chain(leaf.certificate, root.certificate, host="localhost")
    assert "weak_key" in report.codes


def test_wrong_order_fullchain(certset):
    shuffled = [certset.server.certificate, certset.intermediate1.certificate,
                certset.intermediate2.certificate]
    problems = check_served_order(shuffled)
    assert [(p.code, p.severity) for p in problems] == [("wrong_order", "warning")]
    # TLS 1.3 clients (OpenSSL, Python's ssl) accept any order after the leaf: a warning
    # about TLS 1.2's rule, not a chain that fails.
    report = verify_chain(shuffled, certset.root.certificate)
    assert report.ok and report.codes == ["wrong_order"] and report.errors == []
    assert report.warnings[0].code == "wrong_order"
    assert "intermediate2.crt" in report.problem.fix and "TLS 1.2" in report.problem.why
    assert report.raise_for_problems() is report
    assert "warning [wrong_order]" in report.text()
    assert check_served_order(certset.server.fullchain) == []


def test_a_leaf_that_is_not_first_is_an_error(certset):
    upside_down = [certset.intermediate1.certificate, certset.intermediate2.certificate,
                   certset.server.certificate]
    report = verify_chain(upside_down, certset.root.certificate, host="localhost")
    assert report.codes == ["leaf_not_first"] and not report.ok
    assert report.chain[0] == certset.server.certificate  # the real leaf was verified


def test_order_chain_from_a_bag(certset):
    bag = [certset.intermediate1.certificate, certset.root.certificate,
           certset.server.certificate, certset.intermediate2.certificate]
    assert order_chain(bag) == [*certset.server.fullchain, certset.root.certificate]
    other = build_certificate_set()
    with pytest.raises(InputError) as info:
        order_chain([*bag, other.server.certificate])
    assert info.value.code == "not_one_chain"


def test_raise_for_problems_is_a_pkilab_error(certset):
    report = verify_chain(certset.server.certificate, certset.root.certificate)
    with pytest.raises(VerificationError) as info:
        report.raise_for_problems()
    assert info.value.exit_code == 1
    assert info.value.code == "unknown_issuer"
    # every problem travels with the error, as data
    assert [(p.code, p.position) for p in info.value.problems] == \
        [(p.code, p.position) for p in report.problems]
    assert info.value.problems[0].fix == report.problem.fix


def test_ed25519_chain_is_checked_by_pkilab_itself():
    cs = build_certificate_set(key_kind="ed25519")
    report = verify_chain(cs.server.fullchain, cs.root.certificate, host="localhost")
    assert report.ok and "Ed25519" in report.verified_by
    broken = verify_chain(cs.server.certificate, cs.root.certificate,
                          [cs.intermediate1.certificate])
    assert broken.codes == ["missing_intermediate"]


def test_bad_arguments():
    with pytest.raises(InputError) as info:
        verify_chain([], [], purpose="email")
    assert info.value.code == "unknown_purpose"
    with pytest.raises(InputError) as info:
        verify_chain(build_certificate_set().server.certificate, [])
    assert info.value.code == "no_trusted_root"


def test_unknown_critical_extension_is_refused():
    root = CertificateAuthority.create_root()
    ca = root.issue_intermediate("/CN=i")
    from cryptography import x509 as cx
    from cryptography.hazmat.primitives import hashes

    leaf = ca.issue_server(["localhost"])
    builder = (cx.CertificateBuilder().subject_name(leaf.certificate.subject)
               .issuer_name(ca.certificate.subject).public_key(leaf.certificate.public_key())
               .serial_number(7).not_valid_before(leaf.certificate.not_valid_before_utc)
               .not_valid_after(leaf.certificate.not_valid_after_utc))
    for extension in leaf.certificate.extensions:
        builder = builder.add_extension(extension.value, extension.critical)
    builder = builder.add_extension(
        cx.UnrecognizedExtension(cx.ObjectIdentifier("1.3.6.1.4.1.99999.1"), b"\x05\x00"),
        critical=True)
    odd = builder.sign(ca.private_key, hashes.SHA256())
    report = verify_chain(odd, root.certificate, ca.intermediates, host="localhost")
    assert report.codes == ["unknown_critical_extension"]


def test_ed25519_chain_with_name_constraints_is_not_vouched_for(monkeypatch):
    import sys

    from cryptography import x509 as cx

    # as without pkilab.constraints (tests/test_chain_trust.py checks it with one)
    monkeypatch.setitem(sys.modules, "pkilab.constraints", None)

    root = CertificateAuthority.create_root(key_kind="ed25519")
    ca = root.issue_intermediate("/CN=i")
    constrained_builder = (cx.CertificateBuilder().subject_name(ca.certificate.subject)
                           .issuer_name(root.certificate.subject)
                           .public_key(ca.certificate.public_key()).serial_number(9)
                           .not_valid_before(ca.certificate.not_valid_before_utc)
                           .not_valid_after(ca.certificate.not_valid_after_utc))
    for extension in ca.certificate.extensions:
        constrained_builder = constrained_builder.add_extension(extension.value,
                                                                extension.critical)
    constrained_builder = constrained_builder.add_extension(
        cx.NameConstraints(permitted_subtrees=[cx.DNSName("example.com")],
                           excluded_subtrees=None), critical=True)
    constrained = constrained_builder.sign(root.private_key, None)
    leaf = ca.issue_server(["localhost"])  # outside example.com
    report = verify_chain(leaf.certificate, root.certificate, [constrained], host="localhost")
    assert report.codes == ["unsupported"]


def test_errors_come_before_warnings(certset):
    shuffled = [certset.server.certificate, certset.intermediate1.certificate,
                certset.intermediate2.certificate]
    late = certset.server.certificate.not_valid_after_utc + dt.timedelta(days=1)
    report = verify_chain(shuffled, certset.root.certificate, at=late)
    assert report.codes == ["expired", "wrong_order"] and not report.ok
    assert report.problem.code == "expired" and report.text().startswith("FAILED [expired]")
