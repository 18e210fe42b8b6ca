"""Revoking a certificate of a set: the CRL files, their numbers, and what verifies them."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

import pkilab
from pkilab.certset import build_certificate_set, write_certificate_set
from pkilab.cli import main
from pkilab.crl import crl_number, revocation_of, revocations
from pkilab.errors import InputError
from pkilab.load import load_certificate

OPENSSL = shutil.which("openssl")
T0 = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)


@pytest.fixture
def folder(tmp_path) -> Path:
    write_certificate_set(build_certificate_set(seed="revoke-tests"), tmp_path / "set")
    return tmp_path / "set"


def _cert(folder: Path, name: str) -> x509.Certificate:
    return load_certificate(folder / f"{name}.crt")


def _verify(folder: Path, name: str, crls, *, at=T0, purpose="client"):
    return pkilab.verify_chain(_cert(folder, name), _cert(folder, "root"),
                               [_cert(folder, "intermediate1"), _cert(folder, "intermediate2")],
                               purpose=purpose, at=at, crls=crls)


def test_revoke_writes_crl_pem_signed_by_intermediate2(folder):
    result = pkilab.revoke_certificate(folder, "client2", "keyCompromise", at=T0)
    assert result.changed and result.crl_path == folder / "crl.pem"
    [crl] = pkilab.load_crls(folder / "crl.pem")
    assert crl.issuer == _cert(folder, "intermediate2").subject
    assert crl.is_signature_valid(_cert(folder, "intermediate2").public_key())
    entry = revocation_of(crl, _cert(folder, "client2"))
    assert entry is not None and entry.reason == "keyCompromise" and entry.date == T0
    assert revocation_of(crl, _cert(folder, "client")) is None
    assert crl.next_update_utc - crl.last_update_utc == dt.timedelta(days=7)


def test_revoking_again_changes_nothing(folder):
    pkilab.revoke_certificate(folder, "client2", "keyCompromise", at=T0)
    before = (folder / "crl.pem").read_bytes()
    again = pkilab.revoke_certificate(folder, "client2", "superseded", at=T0 + dt.timedelta(1))
    assert not again.changed and again.revocation.reason == "keyCompromise"
    assert (folder / "crl.pem").read_bytes() == before


def test_the_crl_number_grows_and_keeps_the_entries(folder):
    numbers = [pkilab.revoke_certificate(folder, name, at=T0).crl_number
               for name in ("client2", "client")]
    numbers.append(pkilab.refresh_crl(folder, at=T0 + dt.timedelta(days=3)).crl_number)
    assert numbers == [1, 2, 3]
    [crl] = pkilab.load_crls(folder / "crl.pem")
    assert crl_number(crl) == 3 and len(revocations(crl)) == 2
    assert crl.last_update_utc == T0 + dt.timedelta(days=3)


def test_the_cas_above_publish_an_empty_list(folder):
    pkilab.revoke_certificate(folder, "client2", at=T0)
    lists = {p.name: pkilab.load_crls(p)[0] for p in sorted(folder.glob("crl*.pem"))}
    assert sorted(lists) == ["crl-intermediate1.pem", "crl-root.pem", "crl.pem"]
    assert not revocations(lists["crl-root.pem"]) and not revocations(
        lists["crl-intermediate1.pem"])
    report = _verify(folder, "client", pkilab.load_crls(folder))
    assert report.ok and all(c.ok for link in report.links for c in link.checks
                             if c.name == "revocation")
    assert len(pkilab.refresh_crls(folder, at=T0)) == 3


def test_revoking_an_intermediate_writes_the_list_of_its_issuer(folder):
    two = pkilab.revoke_certificate(folder, "intermediate2", "cessationOfOperation", at=T0)
    one = pkilab.revoke_certificate(folder, "intermediate1", at=T0)
    assert two.crl_path.name == "crl-intermediate1.pem" and one.crl_path.name == "crl-root.pem"
    assert not (folder / "crl.pem").exists()
    [root_crl] = pkilab.load_crls(one.crl_path)
    assert root_crl.is_signature_valid(_cert(folder, "root").public_key())
    report = _verify(folder, "server", pkilab.load_crls(folder), purpose="server")
    assert "revoked" in report.codes  # intermediate2 is revoked: every leaf below falls


@pytest.mark.parametrize(("name", "reason", "code"), [
    ("root", "unspecified", "cannot_revoke_root"),
    ("client2", "certificateHold", "unknown_reason"),
    ("client2", "nonsense", "unknown_reason"),
    ("nobody", "unspecified", "file_not_found"),
    ("../set/client2", "unspecified", "not_in_set"),
    ("fullchain", "unspecified", "not_in_set"),
    ("", "unspecified", "not_in_set"),
])
def test_bad_requests_are_explained(folder, name, reason, code):
    with pytest.raises(InputError) as info:
        pkilab.revoke_certificate(folder, name, reason)
    assert info.value.code == code and info.value.fix


def test_a_certificate_from_another_ca_is_not_revoked_here(folder, tmp_path):
    other = build_certificate_set(seed="someone else")
    write_certificate_set(other, tmp_path / "other")
    shutil.copy(tmp_path / "other" / "client.crt", folder / "stranger.crt")
    with pytest.raises(InputError) as info:
        pkilab.revoke_certificate(folder, "stranger")
    assert info.value.code == "not_in_set"


# ---- verify_chain with CRLs ----------------------------------------------------------------

def test_verify_reports_revoked_with_date_and_reason(folder):
    pkilab.revoke_certificate(folder, "client2", "keyCompromise", at=T0)
    crls = pkilab.load_crls(folder / "crl.pem")
    report = _verify(folder, "client2", crls, at=T0 + dt.timedelta(days=1))
    assert report.codes == ["revoked"] and report.problem.position == 0
    assert "2026-06-01" in report.problem.what and "keyCompromise" in report.problem.what
    assert _verify(folder, "client", crls, at=T0 + dt.timedelta(days=1)).ok
    # before the revocation date the certificate was still good
    assert _verify(folder, "client2", crls, at=T0 - dt.timedelta(seconds=1)).codes == \
        ["crl_not_yet_valid"]


def test_an_expired_crl_is_its_own_problem(folder):
    pkilab.revoke_certificate(folder, "client2", at=T0, days=7)
    crls = pkilab.load_crls(folder / "crl.pem")
    assert _verify(folder, "client", crls, at=T0 + dt.timedelta(days=7)).ok
    report = _verify(folder, "client", crls, at=T0 + dt.timedelta(days=7, seconds=1))
    assert report.codes == ["crl_expired"]


def _forged_crl(issuer_name: x509.Name, key) -> x509.CertificateRevocationList:
    return (x509.CertificateRevocationListBuilder().issuer_name(issuer_name)
            .last_update(T0).next_update(T0 + dt.timedelta(days=7))
            .add_extension(x509.CRLNumber(9), critical=False)
            .sign(key, hashes.SHA256()))


def test_a_crl_signed_by_another_key_is_refused(folder):
    stranger = build_certificate_set(seed="forger")
    # the same issuer name, another key: only the signature tells them apart
    forged = _forged_crl(_cert(folder, "intermediate2").subject,
                         stranger.intermediate2.private_key)
    assert _verify(folder, "client", [forged]).codes == ["crl_bad_signature"]


def test_a_crl_of_another_issuer_does_not_cover_the_leaf(folder):
    pkilab.revoke_certificate(folder, "intermediate2", at=T0)  # intermediate1's list only
    report = _verify(folder, "client", pkilab.load_crls(folder / "crl-intermediate1.pem"))
    assert "crl_wrong_issuer" in report.codes and "revoked" in report.codes
    wrong = next(p for p in report.problems if p.code == "crl_wrong_issuer")
    assert wrong.position == 0 and "Intermediate CA 2" in wrong.what


def test_without_crls_nothing_about_revocation_is_said(folder):
    pkilab.revoke_certificate(folder, "client2", at=T0)
    report = _verify(folder, "client2", ())
    assert report.ok and not any(c.name == "revocation" for c in report.links[0].checks)


def test_verify_chain_refuses_a_non_crl():
    cs = build_certificate_set(seed="x")
    with pytest.raises(InputError) as info:
        pkilab.verify_chain(cs.server.certificate, cs.root.certificate, cs.server.chain,
                            crls=[b"not a crl"])
    assert info.value.code == "not_a_crl"


def test_load_crls_explains_a_file_that_is_not_a_crl(folder):
    with pytest.raises(InputError) as info:
        pkilab.load_crls(folder / "client.crt")
    assert info.value.code == "not_a_crl"


# ---- the command line ------------------------------------------------------------------------

def test_cli_revoke_and_verify_with_crl(folder, capsys):
    assert main(["revoke", str(folder), "client2", "--reason", "keyCompromise"]) == 0
    assert "revoked client2" in capsys.readouterr().out
    assert main(["revoke", str(folder), "client2"]) == 0
    assert "already revoked" in capsys.readouterr().out
    common = ["--ca", str(folder / "root.crt"), "--untrusted", str(folder / "intermediate2.crt"),
              "--untrusted", str(folder / "intermediate1.crt"), "--purpose", "client",
              "--crl", str(folder / "crl.pem")]
    assert main(["verify", str(folder / "client2.crt"), *common]) == 1
    out = capsys.readouterr().out
    assert "revoked on" in out and "keyCompromise" in out
    assert main(["verify", str(folder / "client.crt"), *common]) == 0
    assert main(["revoke", str(folder), "root"]) == 2
    assert main(["revoke", str(folder)]) == 2


# ---- the same files, judged by openssl ---------------------------------------------------------

needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")


@needs_openssl
def test_openssl_crl_lists_client2_with_its_reason(folder):
    pkilab.revoke_certificate(folder, "client2", "keyCompromise")
    text = subprocess.run([OPENSSL, "crl", "-in", str(folder / "crl.pem"), "-noout", "-text"],
                          capture_output=True, text=True, check=True).stdout
    serial = f"{_cert(folder, 'client2').serial_number:X}"
    assert f"Serial Number: {serial}" in text and "Key Compromise" in text
    assert "X509v3 CRL Number" in text


def _openssl_verify(folder: Path, name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([OPENSSL, "verify", "-x509_strict", "-crl_check",
                           "-CRLfile", str(folder / "crl.pem"),
                           "-CAfile", str(folder / "root.crt"),
                           "-untrusted", str(folder / "intermediate1.crt"),
                           "-untrusted", str(folder / "intermediate2.crt"),
                           str(folder / f"{name}.crt")], capture_output=True, text=True)


@needs_openssl
def test_openssl_verify_crl_check_refuses_client2_and_accepts_client(folder):
    pkilab.revoke_certificate(folder, "client2", "keyCompromise")
    refused = _openssl_verify(folder, "client2")
    assert refused.returncode != 0 and "certificate revoked" in refused.stdout + refused.stderr
    assert _openssl_verify(folder, "client").returncode == 0


# ---- where to ask: the revocation pointers of a set made with --ocsp-url / --crl-url ----------

def test_init_puts_the_ocsp_url_and_crl_point_on_the_leaves(tmp_path, capsys):
    assert main(["init", str(tmp_path / "s"), "--ocsp-url", "http://127.0.0.1:8888",
                 "--crl-url", "http://127.0.0.1:8080/crl.pem"]) == 0
    from pkilab import facts

    for name in ("server", "client", "client2"):
        leaf = _cert(tmp_path / "s", name)
        aia = facts.extension(leaf, x509.AuthorityInformationAccess)
        cdp = facts.extension(leaf, x509.CRLDistributionPoints)
        assert [d.access_location.value for d in aia] == ["http://127.0.0.1:8888"]
        assert [n.value for n in cdp[0].full_name] == ["http://127.0.0.1:8080/crl.pem"]
    assert facts.extension(_cert(tmp_path / "s", "intermediate2"),
                           x509.AuthorityInformationAccess) is None
    report = _verify(tmp_path / "s", "client", (), at=dt.datetime.now(dt.timezone.utc))
    assert report.ok  # the pointers change nothing for a verifier without CRLs
    plain = build_certificate_set(seed="plain")
    from pkilab import facts as f

    assert f.extension(plain.server.certificate, x509.CRLDistributionPoints) is None


@pytest.mark.parametrize("url", ["ftp://example.com/crl", "https://", "http://a b/", "crl.pem"])
def test_a_bad_revocation_url_is_refused_before_anything_is_written(tmp_path, url):
    assert main(["init", str(tmp_path / "s"), "--crl-url", url]) == 2
    assert not (tmp_path / "s").exists()


def test_the_kubernetes_client_ca_secret_can_carry_the_crls(tmp_path):
    import base64

    from pkilab.deploy import kubernetes_ca_secret
    from pkilab.revoke import crl_chain

    write_certificate_set(build_certificate_set(seed="k8s"), tmp_path / "k")
    pkilab.revoke_certificate(tmp_path / "k", "client2")
    plain = kubernetes_ca_secret("client-ca", b"CA")
    assert "ca.crl" not in plain
    secret = kubernetes_ca_secret("client-ca", b"CA", crl_pem=crl_chain(tmp_path / "k"))
    line = next(x for x in secret.splitlines() if x.strip().startswith("ca.crl:"))
    data = base64.b64decode(line.split(":", 1)[1].strip())
    assert len(pkilab.load_crls(data)) == 3


@pytest.mark.parametrize("kind", ["rsa2048", "ec384", "ed25519"])
def test_other_key_kinds_sign_lists_and_answers(tmp_path, kind):
    from cryptography.x509 import ocsp as x509_ocsp

    from pkilab.ocsp import ocsp_answer, set_authorities

    write_certificate_set(build_certificate_set(key_kind=kind, seed=f"kinds-{kind}"),
                          tmp_path / "s")
    pkilab.revoke_certificate(tmp_path / "s", "client2", "keyCompromise", at=T0)
    report = _verify(tmp_path / "s", "client2", pkilab.load_crls(tmp_path / "s"))
    assert "revoked" in report.codes
    request = (x509_ocsp.OCSPRequestBuilder()
               .add_certificate(_cert(tmp_path / "s", "client2"),
                                _cert(tmp_path / "s", "intermediate2"), hashes.SHA1())
               .build().public_bytes(serialization.Encoding.DER))
    answer = x509_ocsp.load_der_ocsp_response(ocsp_answer(request,
                                                          set_authorities(tmp_path / "s")))
    assert answer.certificate_status == x509_ocsp.OCSPCertStatus.REVOKED
