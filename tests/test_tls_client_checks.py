"""The server trusts only the set's root, and checks clients as ``pkilab verify`` does.

Real handshakes on loopback. Each refused certificate here passes OpenSSL's handshake
checks; before the server ran ``verify_chain`` on it, each got the page (200).
"""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from tls_fixtures import client, foreign_set, lab_set, odd_clients, root

from pkilab.ca import CertificateAuthority
from pkilab.certset import write_certificate_set
from pkilab.chain import verify_chain
from pkilab.cli import main
from pkilab.errors import InputError
from pkilab.tls import HTTPSServer, TLSConnectionError, request
from pkilab.tls.http import BAD_CERT_TEXT, PROBLEM_HEADER


def _expected_code(name: str) -> str:
    """What ``pkilab verify --purpose client`` says about this certificate (its first code)."""
    cs = lab_set()
    report = verify_chain(odd_clients()[name].certificate, [cs.root.certificate],
                          [cs.intermediate1.certificate, cs.intermediate2.certificate],
                          purpose="client")
    assert not report.ok
    return report.codes[0]


@pytest.mark.parametrize("version", ["1.2", "1.3"])
@pytest.mark.parametrize("mode", ["required", "on"])
@pytest.mark.parametrize("name", ["root", "intermediate2", "ca-true-leaf",
                                  "key-agreement-only"])
def test_certificates_verify_refuses_are_refused_by_the_server(name, mode, version):
    with HTTPSServer(lab_set(), mtls=mode) as server:
        result = request(server.url, ca=root(), cert=odd_clients()[name], tls_version=version)
        server.wait_idle()
    code = _expected_code(name)
    assert result.status == 400
    assert result.headers[PROBLEM_HEADER.lower()] == code
    assert BAD_CERT_TEXT in result.body and f"[{code}]" in result.body
    assert "why:" in result.body and "fix:" in result.body
    [event] = server.events
    assert (event.kind, event.status, event.problem) == ("request", 400, code)
    assert code in event.detail


def test_the_two_codes_are_the_ones_verify_uses():
    # The names may change on main; what matters is that they are verify's own codes.
    assert {_expected_code(n) for n in ("root", "intermediate2", "ca-true-leaf")} == \
        {_expected_code("root")}
    assert _expected_code("key-agreement-only") != _expected_code("root")


def test_a_good_client_still_gets_the_page_and_the_allow_list_still_answers_403():
    with HTTPSServer(lab_set(), mtls="required", allow=["client"]) as server:
        good = request(server.url, ca=root(), cert=client("client"))
        other = request(server.url, ca=root(), cert=client("client2"))
        odd = request(server.url, ca=root(), cert=odd_clients()["ca-true-leaf"])
    assert (good.status, other.status, odd.status) == (200, 403, 400)
    assert PROBLEM_HEADER.lower() not in good.headers


def _self_signed_ca(name: str) -> CertificateAuthority:
    return CertificateAuthority.create_root(f"/O=pkilab/CN={name}")


def _folder_with_extra_ca(tmp_path):
    folder = tmp_path / "set"
    write_certificate_set(lab_set(), folder)
    extra = _self_signed_ca("pkilab Intermediate CA extra")
    (folder / "intermediate-extra.crt").write_bytes(
        extra.certificate.public_bytes(Encoding.PEM))
    return folder, extra.issue_client("intruder")


@pytest.mark.parametrize("mode", ["required", "on"])
def test_a_self_signed_ca_dropped_into_the_folder_is_not_trusted(tmp_path, mode):
    folder, intruder = _folder_with_extra_ca(tmp_path)
    with HTTPSServer(folder, mtls=mode) as server:
        with pytest.raises(TLSConnectionError) as info:
            request(server.url, ca=root(), cert=intruder, tls_version="1.2")
        good = request(server.url, ca=root(), cert=client())
    assert info.value.kind == "client_certificate_rejected"
    assert good.status == 200
    assert server.ignored == ("intermediate-extra.crt",)
    assert [c.subject for c in server.client_roots] == [root().subject]


def test_serve_says_which_files_it_ignores(tmp_path, capsys, monkeypatch):
    folder, _intruder = _folder_with_extra_ca(tmp_path)
    # run the command in-process; a stop signal is not needed: stop after the header
    import pkilab.cli.serve_cmd as serve_cmd

    monkeypatch.setattr(serve_cmd, "_wait_for_stop", lambda server, stop: None)
    assert main(["serve", str(folder), "--mtls", "required"]) == 0
    out = capsys.readouterr().out
    assert "intermediate-extra.crt" in out and "not trusted" in out


def test_an_intermediate_that_does_not_chain_to_the_root_is_refused(tmp_path):
    folder = tmp_path / "set"
    write_certificate_set(lab_set(), folder)
    (folder / "intermediate1.crt").write_bytes(
        foreign_set().intermediate1.certificate.public_bytes(Encoding.PEM))
    with pytest.raises(InputError) as info:
        HTTPSServer(folder, mtls="required")
    assert info.value.code == "intermediate_not_from_root"


def test_client_ca_needs_a_root():
    with pytest.raises(InputError) as info:
        HTTPSServer(lab_set(), mtls="required", client_ca=lab_set().intermediate2.certificate)
    assert info.value.code == "no_client_root"


def test_client_ca_with_another_root_trusts_only_that_root():
    with HTTPSServer(lab_set(), mtls="required", client_ca=foreign_set().root) as server:
        with pytest.raises(TLSConnectionError):
            request(server.url, ca=root(), cert=client(), tls_version="1.2")
        foreign = request(server.url, ca=root(), cert=foreign_set().clients["client"])
    assert foreign.status == 200


@pytest.mark.parametrize("source", [42, None, b"x", lab_set().root,
                                    lab_set().root.certificate])
def test_anything_but_a_folder_a_set_or_an_issued_certificate_is_refused(source):
    with pytest.raises(InputError) as info:
        HTTPSServer(source)
    assert info.value.code == "unsupported_server_source"
    assert type(source).__name__ in info.value.what
    assert "pkilab init" in info.value.fix and "CertificateSet" in info.value.fix


def test_a_bare_leaf_is_reported_with_verifys_code():
    # No keyUsage, no extendedKeyUsage, no subjectAltName: OpenSSL lets it through as a
    # client certificate; verify does not.
    cs = lab_set()
    now = dt.datetime.now(dt.timezone.utc)
    key = cs.intermediate2.private_key
    leaf_key = odd_clients()["ca-true-leaf"].private_key
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name.from_rfc4514_string("CN=no-eku,O=pkilab"))
            .issuer_name(cs.intermediate2.certificate.subject)
            .public_key(leaf_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    report = verify_chain(cert, [cs.root.certificate],
                          [cs.intermediate1.certificate, cs.intermediate2.certificate],
                          purpose="client")
    with HTTPSServer(cs, mtls="required") as server:
        result = request(server.url, ca=root(), cert=cert, key=leaf_key)
    assert not report.ok
    assert result.status == 400
    assert result.headers[PROBLEM_HEADER.lower()] == report.codes[0]
