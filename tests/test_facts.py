"""pkilab.facts: the one home of extension look-ups, is-CA, signed-by, fingerprints, keys."""

from __future__ import annotations

import pytest
from cryptography import x509

from pkilab import facts
from pkilab.certset import build_certificate_set
from pkilab.errors import InputError


@pytest.fixture(scope="module")
def cs():
    return build_certificate_set(seed="test-facts")


def test_is_ca_and_path_length(cs):
    assert facts.is_ca(cs.root.certificate) and facts.is_ca(cs.intermediate2.certificate)
    assert not facts.is_ca(cs.server.certificate)
    assert facts.path_length(cs.intermediate2.certificate) == 0
    assert facts.path_length(cs.server.certificate) is None


def test_signed_by_and_names_issuer(cs):
    leaf, i2, root = cs.server.certificate, cs.intermediate2.certificate, cs.root.certificate
    assert facts.signed_by(leaf, i2) and not facts.signed_by(leaf, root)
    assert facts.names_issuer(leaf, i2) and not facts.names_issuer(leaf, root)
    assert facts.is_self_signed(root) and not facts.is_self_signed(i2)


def test_key_ids_link_child_and_parent(cs):
    assert facts.authority_key_id(cs.server.certificate) == \
        facts.subject_key_id(cs.intermediate2.certificate)


def test_key_pair_checks(cs):
    assert facts.key_matches(cs.server.private_key, cs.server.certificate)
    assert not facts.key_matches(cs.root.private_key, cs.server.certificate)
    assert facts.same_public_key(cs.server.private_key, cs.server.certificate)
    facts.require_key_matches(cs.server.private_key, cs.server.certificate)
    with pytest.raises(InputError) as info:
        facts.require_key_matches(cs.root.private_key, cs.server.certificate)
    assert info.value.code == "key_mismatch"


def test_fingerprint_and_unique(cs):
    leaf = cs.server.certificate
    assert len(facts.fingerprint(leaf)) == 32 * 3 - 1
    assert facts.unique([leaf, cs.root.certificate, leaf]) == [leaf, cs.root.certificate]
    assert facts.same_certificate(leaf, x509.load_der_x509_certificate(
        leaf.public_bytes(__import__("cryptography.hazmat.primitives.serialization",
                                     fromlist=["Encoding"]).Encoding.DER)))


def test_extension_present_absent(cs):
    assert facts.extension(cs.server.certificate, x509.SubjectAlternativeName) is not None
    assert facts.extension(cs.root.certificate, x509.SubjectAlternativeName) is None
    assert facts.extension_defect(cs.server.certificate) is None
    assert [n.value for n in facts.subject_alt_names(cs.server.certificate)][:1] == ["localhost"]


def test_every_key_mismatch_is_the_one_error(cs):
    from pkilab.ca import CertificateAuthority
    from pkilab.formats import jks, pkcs12
    from pkilab.formats.convert import key_and_chain

    wrong, leaf = cs.root.private_key, cs.server.certificate
    calls = [lambda: CertificateAuthority.from_pair(cs.intermediate2.certificate, wrong),
             lambda: pkcs12.export(wrong, leaf, [], "123456"),
             lambda: jks.export_keystore(wrong, leaf, [], "123456"),
             lambda: key_and_chain([wrong], [leaf])]
    for call in calls:
        with pytest.raises(InputError) as info:
            call()
        assert info.value.code == "key_mismatch"


def test_public_names_are_the_facts_and_the_old_homes_are_gone():
    import pkilab
    from pkilab import ca, keys
    from pkilab.formats import bundle
    from pkilab.formats import keys as format_keys

    assert pkilab.signed_by is facts.signed_by
    assert pkilab.fingerprint is facts.fingerprint
    assert pkilab.same_public_key is facts.same_public_key
    # one home: the old copies must not come back
    assert not hasattr(ca, "signed_by")
    assert not hasattr(keys, "same_public_key") and not hasattr(keys, "public_key_of")
    assert not hasattr(format_keys, "same_key")
    assert not any(hasattr(bundle, n) for n in ("key_matches", "issued_by", "_ski", "_aki"))


def _damaged_subject(cs) -> bytes:
    """The server certificate with a byte of its subject's first name type broken: it
    loads (cryptography decodes names on first use) but its subject does not decode."""
    from cryptography.hazmat.primitives import serialization

    der = bytearray(cs.server.certificate.public_bytes(serialization.Encoding.DER))
    at = bytes(der).find(cs.server.certificate.subject.public_bytes())
    der[at + 11] = 0x00
    return bytes(der)


def test_a_damaged_subject_is_caught_when_loading(cs, tmp_path):
    from pkilab.cli import main
    from pkilab.load import load_certificate

    damaged = _damaged_subject(cs)
    certificate = x509.load_der_x509_certificate(damaged)  # loads lazily ...
    assert facts.field_defect(certificate) is not None     # ... but its subject is broken
    with pytest.raises(InputError) as info:
        load_certificate(damaged)
    assert info.value.code == "malformed_certificate"
    (tmp_path / "bad.der").write_bytes(damaged)
    assert main(["inspect", str(tmp_path / "bad.der")]) == 2
    assert facts.field_defect(cs.server.certificate) is None
