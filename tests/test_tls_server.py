"""The lab HTTPS server: one-way, mTLS required/optional, allow list — real handshakes."""

from __future__ import annotations

import socket

import pytest
from tls_fixtures import client, expired_client, foreign_set, lab_set, root

from pkilab.certset import write_certificate_set
from pkilab.errors import InputError
from pkilab.tls import NO_CERT_TEXT, HTTPSServer, TLSConnectionError, request

VERSIONS = ["1.2", "1.3"]
# TLS 1.3 clients finish their side of the handshake before the server checks their
# certificate: a refusal arrives at the first read as an alert, or (racy) as the end of
# the connection. Both are accepted; TLS 1.2 fails inside the handshake.
NO_CERT_KINDS = {"1.2": {"certificate_required"},
                 "1.3": {"certificate_required", "closed_after_handshake"}}


@pytest.mark.parametrize("version", VERSIONS)
def test_one_way_tls_answers_without_client_certificate(version):
    with HTTPSServer(lab_set()) as server:
        result = request(server.url, ca=root(), tls_version=version)
        assert server.url.startswith("https://localhost:")
        assert server.port > 0
    assert (result.status, result.tls_version) == (200, f"TLS {version}")
    assert "sent no client certificate" in result.body
    assert result.verified and not result.sent_certificate


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", ["client", "client2"])
def test_mtls_required_accepts_both_seed_clients(version, name):
    with HTTPSServer(lab_set(), mtls="required") as server:
        result = request(server.url, ca=root(), cert=client(name), tls_version=version)
    events = server.events  # after the with block: every connection thread has finished
    assert result.status == 200
    assert f"Hello, {name}!" in result.body
    assert f"subject: /O=pkilab/CN={name}" in result.body
    assert "issuer:  /O=pkilab/CN=pkilab Intermediate CA 2" in result.body
    assert [(e.kind, e.status, e.client) for e in events] == [("request", 200, name)]


@pytest.mark.parametrize("version", VERSIONS)
def test_mtls_required_refuses_a_client_without_certificate(version):
    with HTTPSServer(lab_set(), mtls="required") as server, \
            pytest.raises(TLSConnectionError) as info:
        request(server.url, ca=root(), tls_version=version)
    events = server.events
    assert info.value.kind in NO_CERT_KINDS[version]
    assert "client certificate" in info.value.message
    assert "_ssl.c" not in info.value.message
    assert [e.kind for e in events] == ["handshake-failed"]
    assert "no certificate" in events[0].detail


def test_tls12_refusal_names_the_handshake_failure_alert():
    with HTTPSServer(lab_set(), mtls="required") as server, \
            pytest.raises(TLSConnectionError) as info:
        request(server.url, ca=root(), tls_version="1.2")
    assert info.value.alert == "handshake failure"


@pytest.mark.parametrize("version", VERSIONS)
def test_mtls_optional_answers_400_like_nginx(version):
    with HTTPSServer(lab_set(), mtls="on") as server:
        without = request(server.url, ca=root(), tls_version=version)
        with_cert = request(server.url, ca=root(), cert=client(), tls_version=version)
    assert without.status == 400
    assert f"<title>400 {NO_CERT_TEXT}</title>" in without.body
    assert with_cert.status == 200


@pytest.mark.parametrize("mode", ["required", "on"])
@pytest.mark.parametrize("version", VERSIONS)
def test_client_certificate_from_a_foreign_ca_is_refused(mode, version):
    # CERT_OPTIONAL still verifies a certificate that is sent (nginx optional_no_ca would not)
    with HTTPSServer(lab_set(), mtls=mode) as server, pytest.raises(TLSConnectionError) as info:
        request(server.url, ca=root(), cert=foreign_set().clients["client"],
                tls_version=version)
    events = server.events
    assert info.value.kind == "client_certificate_rejected"
    assert info.value.alert == "unknown CA"
    assert "unable to get local issuer certificate" in events[0].detail


def test_expired_client_certificate_is_refused():
    with HTTPSServer(lab_set(), mtls="required") as server, \
            pytest.raises(TLSConnectionError) as info:
        request(server.url, ca=root(), cert=expired_client(), tls_version="1.2")
    assert info.value.kind == "client_certificate_rejected"
    assert info.value.alert == "certificate expired"


def test_allow_list_answers_403_to_a_valid_client_not_on_it():
    with HTTPSServer(lab_set(), mtls="required", allow=["client"]) as server:
        allowed = request(server.url, ca=root(), cert=client("client"))
        other = request(server.url, ca=root(), cert=client("client2"))
    assert allowed.status == 200
    assert other.status == 403
    assert "authentication" in other.body and "authorization" in other.body


def test_allow_list_without_mtls_is_refused():
    with pytest.raises(InputError) as info:
        HTTPSServer(lab_set(), allow=["client"])
    assert info.value.code == "allow_needs_mtls"


def test_serves_a_folder_written_by_init(tmp_path):
    write_certificate_set(lab_set(), tmp_path / "set")
    with HTTPSServer(tmp_path / "set", mtls="required") as server:
        result = request(server.url, ca=tmp_path / "set" / "root.crt",
                         cert=tmp_path / "set" / "client.crt",
                         key=tmp_path / "set" / "client.key")
    assert result.status == 200
    assert [c.subject.rfc4514_string() for c in result.server_chain][-1] == \
        "CN=pkilab Root CA,O=pkilab"


def test_serves_an_issued_certificate(tmp_path):
    with HTTPSServer(lab_set().server, mtls="required") as server:
        result = request(server.url, ca=root(), cert=client("client2"))
    assert result.status == 200


def test_leaf_only_server_breaks_the_chain():
    with HTTPSServer(lab_set(), chain="leaf") as server, \
            pytest.raises(TLSConnectionError) as info:
        request(server.url, ca=root())
    assert info.value.kind == "missing_intermediate"
    assert "only its own certificate" in info.value.why


def test_bad_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as missing:
        HTTPSServer(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError) as empty:
        HTTPSServer(tmp_path / "empty")
    # load_certificate_set's errors (not this module's): the codes it gives, whatever they are
    assert missing.value.exit_code == empty.value.exit_code == 2
    assert "pkilab init" in missing.value.fix and "pkilab init" in empty.value.fix
    assert "missing" in empty.value.why


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"port": "8443"}, "bad_port"),
    ({"port": 70000}, "bad_port"),
    ({"handshake_timeout": 0}, "bad_timeout"),
    ({"handshake_timeout": "3"}, "bad_timeout"),
    ({"max_events": -1}, "bad_max_events"),
    ({"max_connections": 0}, "bad_max_connections"),
    ({"mtls": "required", "allow": [1]}, "bad_allow_list"),
    ({"chain": "half"}, "unknown_chain_choice"),
    ({"tls_version": "1.1"}, "unknown_tls_version"),
])
def test_bad_numbers_and_names_are_input_errors(kwargs, code):
    with pytest.raises(InputError) as info:
        HTTPSServer(lab_set(), **kwargs)
    assert info.value.code == code


def test_unknown_mode_is_an_input_error():
    with pytest.raises(InputError) as info:
        HTTPSServer(lab_set(), mtls="optional_no_ca")
    assert info.value.code == "unknown_mode"


def test_server_key_that_does_not_match_is_explained():
    wrong = lab_set().server
    mismatched = type(wrong)(wrong.certificate, client().private_key, wrong.chain, wrong.root)
    with pytest.raises(InputError) as info:
        HTTPSServer(mismatched)
    assert info.value.code == "key_mismatch"


def test_port_outside_the_with_block_is_an_error():
    server = HTTPSServer(lab_set())
    with pytest.raises(InputError) as info:
        server.url  # noqa: B018
    assert info.value.code == "server_not_running"
    assert "server.start()" in info.value.fix


def test_a_request_after_stop_says_the_server_is_not_running_and_how_to_start_it():
    server = HTTPSServer(lab_set()).start()
    url = server.url
    server.stop()
    with pytest.raises(InputError) as info:  # request(server.url, ...) in a later cell
        request(server.url, ca=root())
    assert info.value.code == "server_not_running"
    assert url in info.value.what
    assert "server.start()" in info.value.fix and "re-run the cell" in info.value.fix
    with pytest.raises(TLSConnectionError) as saved:  # a URL kept from before the stop
        request(url, ca=root())
    assert url in saved.value.what and "server.start()" in saved.value.fix


def test_a_stopped_server_starts_again_on_its_old_port():
    server = HTTPSServer(lab_set()).start()
    url = server.url
    server.stop()
    try:
        server.start()
        assert server.url == url
        assert request(url, ca=root()).status == 200
    finally:
        server.stop()


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_a_named_server_replaces_the_one_started_before():
    first = HTTPSServer(lab_set(), name="test-replace").start()
    old_port = first.port
    second = HTTPSServer(lab_set(), name="test-replace").start()
    try:
        assert not _listening(old_port)
        assert request(second.url, ca=root()).status == 200
        assert second.start() is second  # starting twice is harmless
    finally:
        second.stop()
        first.stop()
