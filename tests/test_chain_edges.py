"""Edge cases from a code review: each once made verify_chain say OK wrongly or crash."""

import datetime as dt
import shutil
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import ExtendedKeyUsageOID as EKU

from pkilab.ca import CertificateAuthority
from pkilab.certset import build_certificate_set
from pkilab.chain import verify_chain
from pkilab.errors import InputError
from pkilab.keys import generate_key
from pkilab.names import build_name

NOW = dt.datetime.now(dt.timezone.utc)


def make(cn, issuer, issuer_key, key, *, ca=False, sans=("a.example",), eku=None, ku=None,
         extra=(), algorithm=None):
    """A certificate with exactly the extensions asked for (issuer=None: self-signed)."""
    subject = build_name(CN=cn)
    builder = (x509.CertificateBuilder().subject_name(subject)
               .issuer_name(issuer.subject if issuer else subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(NOW - dt.timedelta(days=1))
               .not_valid_after(NOW + dt.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   (issuer_key if issuer else key).public_key()), critical=False))
    usage = ku or ({"key_cert_sign", "crl_sign"} if ca else {"digital_signature"})
    builder = builder.add_extension(x509.KeyUsage(
        digital_signature="digital_signature" in usage, content_commitment=False,
        key_encipherment="key_encipherment" in usage, data_encipherment=False,
        key_agreement=False, key_cert_sign="key_cert_sign" in usage,
        crl_sign="crl_sign" in usage, encipher_only=False, decipher_only=False), critical=True)
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), critical=False)
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
    for value, critical in extra:
        builder = builder.add_extension(value, critical)
    signer = issuer_key if issuer else key
    if algorithm is None and not hasattr(signer, "curve") and not hasattr(signer, "key_size"):
        return builder.sign(signer, None)  # Ed25519
    return builder.sign(signer, algorithm or hashes.SHA256())


@pytest.fixture(params=["ec", "ed25519"])
def kind(request):
    return request.param


def chain_of(kind, *, inter_eku=None, leaf_ku=None, leaf_extra=(), inter_algorithm=None):
    rk, ik, lk = generate_key(kind), generate_key(kind), generate_key(kind)
    root = make("root", None, None, rk, ca=True)
    inter = make("inter", root, rk, ik, ca=True, eku=inter_eku, algorithm=inter_algorithm)
    leaf = make("leaf", inter, ik, lk, eku=(EKU.SERVER_AUTH,), ku=leaf_ku, extra=leaf_extra)
    return root, inter, leaf


def test_a_clean_custom_chain_passes(kind):
    root, inter, leaf = chain_of(kind)
    assert verify_chain(leaf, root, [inter], host="a.example").ok


def test_ca_limited_to_client_auth_cannot_vouch_for_a_server(kind):
    root, inter, leaf = chain_of(kind, inter_eku=(EKU.CLIENT_AUTH,))
    report = verify_chain(leaf, root, [inter], host="a.example")
    assert report.codes == ["wrong_purpose"] and report.problem.position == 1


@pytest.mark.parametrize("usage", [{"crl_sign"}, {"key_cert_sign"}])
def test_leaf_key_usage_must_allow_tls(kind, usage):
    root, inter, leaf = chain_of(kind, leaf_ku=usage)
    assert "key_usage" in verify_chain(leaf, root, [inter], host="a.example").codes


@pytest.mark.parametrize("extension", [
    x509.TLSFeature([x509.TLSFeatureType.status_request]),
    x509.AuthorityInformationAccess([x509.AccessDescription(
        x509.oid.AuthorityInformationAccessOID.OCSP,
        x509.UniformResourceIdentifier("http://ocsp.example"))]),
    x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.99999.1"), b"\x05\x00"),
])
def test_critical_extensions_pkilab_does_not_evaluate_are_refused(kind, extension):
    root, inter, leaf = chain_of(kind, leaf_extra=[(extension, True)])
    report = verify_chain(leaf, root, [inter], host="a.example")
    assert report.codes == ["unknown_critical_extension"]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_sha1_intermediate_is_named_weak(tmp_path):
    # cryptography no longer signs with SHA-1; openssl still does, as old tutorials show.
    root = CertificateAuthority.create_root("/CN=root")
    (tmp_path / "root.crt").write_bytes(root.certificate.public_bytes(Encoding.PEM))
    (tmp_path / "root.key").write_bytes(root.private_key.private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    inter_key = generate_key()
    (tmp_path / "inter.key").write_bytes(inter_key.private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    (tmp_path / "ca.ext").write_text("basicConstraints=critical,CA:TRUE\n"
                                     "keyUsage=critical,keyCertSign,cRLSign\n"
                                     "subjectKeyIdentifier=hash\n"
                                     "authorityKeyIdentifier=keyid\n")
    for command in ("openssl req -new -key inter.key -subj /CN=inter -out inter.csr",
                    "openssl x509 -req -sha1 -in inter.csr -CA root.crt -CAkey root.key "
                    "-CAcreateserial -days 30 -extfile ca.ext -out inter.crt"):
        subprocess.run(command.split(), cwd=tmp_path, check=True, capture_output=True)
    inter = x509.load_pem_x509_certificate((tmp_path / "inter.crt").read_bytes())
    leaf = CertificateAuthority.from_pair(inter, inter_key, parent=root).issue_server(
        ["a.example"])
    report = verify_chain(leaf.certificate, root.certificate, [inter], host="a.example")
    assert "weak_signature" in report.codes, report.text()


def test_single_label_wildcard_matches_nothing():
    rk, lk = generate_key(), generate_key()
    root = make("root", None, None, rk, ca=True)
    leaf = make("leaf", root, rk, lk, sans=("*.example",), eku=(EKU.SERVER_AUTH,))
    assert verify_chain(leaf, root, host="a.example").codes == ["wrong_host"]
    good = make("leaf", root, rk, lk, sans=("*.a.example",), eku=(EKU.SERVER_AUTH,))
    assert verify_chain(good, root, host="www.a.example").ok
    assert verify_chain(good, root).ok  # no host: the wildcard must not crash the check


def test_cross_signed_twin_before_the_real_intermediate():
    cs = build_certificate_set()
    other = CertificateAuthority.create_root("/CN=foreign")
    real = cs.intermediate2.certificate
    twin = (x509.CertificateBuilder().subject_name(real.subject).issuer_name(
        other.certificate.subject).public_key(real.public_key()).serial_number(5)
        .not_valid_before(real.not_valid_before_utc).not_valid_after(real.not_valid_after_utc))
    for extension in real.extensions:
        if not isinstance(extension.value, x509.AuthorityKeyIdentifier):
            twin = twin.add_extension(extension.value, extension.critical)
    twin = twin.sign(other.private_key, hashes.SHA256())
    report = verify_chain([cs.server.certificate, twin, real, cs.intermediate1.certificate],
                          cs.root.certificate, host="localhost")
    assert report.ok, report.text()


def test_an_intermediate_is_an_anchor_only_when_partial_chain_is_asked(certset):
    leaf, inter = certset.server.certificate, certset.intermediate2.certificate
    refused = verify_chain(leaf, inter, host="localhost")
    assert refused.codes == ["anchor_not_self_signed"] and refused.problem.position == 1
    assert [link.role for link in refused.links] == ["leaf", "intermediate"]
    report = verify_chain(leaf, inter, host="localhost", partial_chain=True)
    assert report.ok and report.partial_chain, report.text()
    assert report.links[-1].role == "anchor"
    assert "partial-chain" in report.links[-1].checks[1].detail
    assert "trusted as the anchor" in report.text()
    whole = verify_chain(certset.server.fullchain, certset.root.certificate, host="localhost")
    assert whole.ok and not whole.partial_chain


def test_trusting_the_fullchain_itself_is_not_trust(certset):
    fullchain = certset.server.fullchain
    report = verify_chain(fullchain, fullchain, host="localhost")
    assert report.codes == ["anchor_not_self_signed"]
    assert report.problem.position == len(fullchain) - 1  # the top one given as "trusted"
    with_root = [*fullchain, certset.root.certificate]
    assert verify_chain(fullchain, with_root, host="localhost").ok  # the root is an anchor


def test_hosts_are_normalized_and_bad_ones_refused(certset):
    assert verify_chain(certset.server.fullchain, certset.root.certificate,
                        host="LOCALHOST.").ok
    with pytest.raises(InputError) as info:
        verify_chain(certset.server.fullchain, certset.root.certificate, host="a..b")
    assert info.value.code == "bad_host_name"


def test_duplicates_and_naive_times(certset):
    chain = [*certset.server.fullchain, certset.intermediate1.certificate]
    assert verify_chain(chain, certset.root.certificate).ok
    naive = dt.datetime(2100, 1, 1)
    assert "expired" in verify_chain(chain, certset.root.certificate, at=naive).codes


def test_host_only_for_servers(certset):
    with pytest.raises(InputError) as info:
        verify_chain(certset.clients["client"].fullchain, certset.root.certificate,
                     host="evil.example", purpose="client")
    assert info.value.code == "host_for_client"
