"""The lab HTTPS client: results, strict verification, and explained failures."""

from __future__ import annotations

import socket
import ssl
import threading

import pytest
from tls_fixtures import expired_server, foreign_set, lab_set, root

from pkilab.errors import InputError, TLSError
from pkilab.tls import HTTPSServer, TLSConnectionError, client_context, request, sanitize
from pkilab.tls.explain import explain_failure


@pytest.fixture(scope="module")
def one_way():
    with HTTPSServer(lab_set()) as server:
        yield server


def test_result_carries_version_cipher_and_verified_chain(one_way):
    result = request(one_way.url, ca=root(), tls_version="1.3")
    assert result.cipher.startswith("TLS_")
    assert result.chain_source in ("verified", "leaf only")
    if result.chain_source == "verified":
        names = [c.subject.rfc4514_string() for c in result.server_chain]
        assert names == ["CN=localhost,O=pkilab", "CN=pkilab Intermediate CA 2,O=pkilab",
                         "CN=pkilab Intermediate CA 1,O=pkilab", "CN=pkilab Root CA,O=pkilab"]
    assert "HTTP 200 OK" in result.summary()


def test_tls12_cipher_is_ephemeral_ecdhe(one_way):
    result = request(one_way.url, ca=root(), tls_version="1.2")
    assert result.cipher.startswith("ECDHE-")


def test_client_contexts_verify_strictly():
    context = client_context(ca_pem=None)
    assert context.verify_flags & ssl.VERIFY_X509_STRICT
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_unknown_root_is_explained(one_way):
    with pytest.raises(TLSConnectionError) as info:
        request(one_way.url, ca=foreign_set().root.certificate)
    err = info.value
    assert err.kind == "unknown_ca"
    assert "same name" in err.why  # the foreign root is also "pkilab Root CA"
    assert "--cacert" in err.fix


def test_system_trust_store_does_not_know_the_lab_root(one_way):
    with pytest.raises(TLSConnectionError) as info:
        request(one_way.url)
    assert info.value.kind == "unknown_ca"


def test_hostname_mismatch_is_explained(one_way):
    with pytest.raises(TLSConnectionError) as info:
        request(one_way.url, ca=root(), host="example.com")
    assert info.value.kind == "hostname_mismatch"
    assert "example.com" in info.value.what


def test_ip_address_in_the_subject_alt_name_works(one_way):
    assert request(f"https://127.0.0.1:{one_way.port}/", ca=root()).status == 200


def test_expired_server_certificate_is_explained():
    with HTTPSServer(expired_server()) as server, pytest.raises(TLSConnectionError) as info:
        request(server.url, ca=root())
    assert info.value.kind == "expired"


def test_insecure_is_curl_k_and_says_so(one_way):
    result = request(one_way.url, ca=foreign_set().root.certificate, insecure=True)
    assert result.status == 200
    assert not result.verified
    assert "NOT VERIFIED" in result.summary()
    if result.chain_source == "as sent":
        assert len(result.server_chain) == 3  # the root is not sent


def test_pinned_versions_that_do_not_meet():
    with HTTPSServer(lab_set(), tls_version="1.2") as server, \
            pytest.raises(TLSConnectionError) as info:
        request(server.url, ca=root(), tls_version="1.3")
    assert info.value.kind == "protocol_version"


def test_nothing_listening():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(TLSConnectionError) as info:
        request(f"https://127.0.0.1:{port}/", ca=root())
    assert info.value.kind == "connection_refused"
    assert isinstance(info.value, TLSError) and info.value.exit_code == 1


def test_plain_http_server_is_not_tls():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    def answer():
        conn, _ = listener.accept()
        conn.recv(1000)
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        conn.close()

    thread = threading.Thread(target=answer)
    thread.start()
    try:
        with pytest.raises(TLSConnectionError) as info:
            request(f"https://127.0.0.1:{port}/", ca=root(), timeout=2)
    finally:
        thread.join(2)
        listener.close()
    assert info.value.kind == "not_tls"


@pytest.mark.parametrize("url", ["http://localhost/", "https:///x", "ftp://a"])
def test_bad_urls_are_input_errors(url):
    with pytest.raises(InputError):
        request(url, ca=root())


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"timeout": -1}, "bad_timeout"),
    ({"timeout": "5"}, "bad_timeout"),
    ({"path": "/a b\r\nX-Injected: 1"}, "bad_url_path"),
    ({"host": "local host"}, "bad_host_name"),
    ({"host": "bad\nname"}, "bad_host_name"),
    ({"cert": 42}, "unsupported_certificate_source"),
    ({"cert": lab_set().clients["client"].certificate, "key": 42}, "unsupported_key_source"),
    ({"cert": lab_set().clients["client"].certificate,
      "key": lab_set().clients["client2"].private_key}, "key_mismatch"),
])
def test_bad_request_arguments_are_input_errors(one_way, kwargs, code):
    with pytest.raises(InputError) as info:
        request(one_way.url, ca=root(), **kwargs)
    assert info.value.code == code


def test_url_must_be_text():
    with pytest.raises(InputError) as info:
        request(b"https://localhost/", ca=root())
    assert info.value.code == "url_not_text"


def test_international_host_is_sent_as_an_a_label():
    """SNI, the name check and the Host header all use xn--bcher-kva.example."""
    server = lab_set().intermediate2.issue_server(["bücher.example"])
    with HTTPSServer(server) as https:
        assert request(https.url, ca=root(), host="bücher.example").status == 200


def test_ca_bytes_that_are_not_certificates_are_input_errors():
    with pytest.raises(InputError) as info:
        client_context(ca_pem=b"not a certificate")
    assert info.value.code == "not_pem_certificates"


def test_certificate_without_key_is_an_input_error(one_way):
    with pytest.raises(InputError) as info:
        request(one_way.url, ca=root(), cert=lab_set().clients["client"].certificate)
    assert info.value.code == "missing_key"


def test_bad_tls_version_is_an_input_error(one_way):
    with pytest.raises(InputError) as info:
        request(one_way.url, ca=root(), tls_version="1.1")
    assert info.value.code == "unknown_tls_version"


def test_sanitize_drops_c_line_numbers():
    assert sanitize("[SSL: X] oops (_ssl.c:1006)") == "[SSL: X] oops"


def test_explain_reads_alerts_from_the_server():
    exc = ssl.SSLError(1, "[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert (_ssl.c:2580)")
    exc.reason = "TLSV13_ALERT_CERTIFICATE_REQUIRED"
    err = explain_failure(exc, stage="reply")
    assert (err.kind, err.alert) == ("certificate_required", "certificate required")
    assert "_ssl.c" not in err.message


def test_explain_eof_after_tls13_handshake_without_certificate():
    exc = ssl.SSLEOFError(8, "EOF occurred in violation of protocol (_ssl.c:2427)")
    err = explain_failure(exc, stage="reply", cert_given=False)
    assert err.kind == "closed_after_handshake"
    assert "TLS 1.3" in err.why


def _tls_server_that_answers(reply: bytes):
    """A bare TLS server (not pkilab's) that sends ``reply`` to one client, then closes."""
    from pkilab.tls.contexts import identity, server_context

    context = server_context(identity(lab_set().server))
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = listener.accept()
        with context.wrap_socket(conn, server_side=True) as tls:
            tls.settimeout(10)
            tls.recv(4096)
            tls.sendall(reply)
        listener.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener.getsockname()[1], thread


@pytest.mark.parametrize("reply", [b"SSH-2.0-OpenSSH_9.6\r\n\r\n", b"HTTP/1.1 200 OK\r\n"])
def test_a_reply_that_is_not_http_is_a_bad_reply(reply):
    port, thread = _tls_server_that_answers(reply)
    with pytest.raises(TLSConnectionError) as info:
        request(f"https://localhost:{port}/", ca=root(), timeout=10)
    thread.join(10)
    assert info.value.kind == "bad_reply"
