"""Capture and annotation of real connections over loopback: every byte accounted for."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from tls_fixtures import lab_set

from pkilab import HTTPSServer
from pkilab.capture import annotate, capture, leaves
from pkilab.capture.annotate import Connection
from pkilab.capture.report import explain, message_table
from pkilab.errors import PkilabError


def _connect(mtls: str = "required", tls_version: str | None = None, **extra) -> Connection:
    cs = lab_set()
    cert = cs.clients["client"] if mtls != "off" else None
    with HTTPSServer(cs, mtls=mtls, tls_version=tls_version) as server:
        cap = capture(server.url, ca=cs.root.certificate, cert=cert, tls_version=tls_version,
                      **extra)
    return annotate(cap, cs)


@pytest.fixture(scope="module")
def mutual() -> Connection:
    return _connect("required")


def test_mutual_tls13_messages_in_wire_order(mutual):
    assert [(m.sender, m.name) for m in mutual.messages][:10] == [
        ("client", "ClientHello"), ("server", "ServerHello"),
        ("server", "EncryptedExtensions"), ("server", "CertificateRequest"),
        ("server", "Certificate"), ("server", "CertificateVerify"), ("server", "Finished"),
        ("client", "Certificate"), ("client", "CertificateVerify"), ("client", "Finished")]
    assert mutual.has("server", "NewSessionTicket")
    assert [m.encrypted for m in mutual.messages[:2]] == [False, False]
    assert all(m.encrypted for m in mutual.messages[2:])


def test_every_byte_of_every_message_is_annotated_once(mutual):
    for m in mutual.messages:
        parts = leaves(m.fields)
        assert b"".join(f.data for f in parts) == m.data, m.name
        offsets = [f.offset for f in parts]
        assert offsets == sorted(offsets)


def test_client_hello_fields(mutual):
    ch = mutual.message("client", "ClientHello")
    top = {f.name: f for f in ch.fields}
    assert top["client random"].size == 32
    assert top["client random"].data == mutual.records["client"][0].payload[6:38]
    exts = [f.name for f in top["extensions"].children]
    for name in ("server_name", "supported_groups", "signature_algorithms",
                 "supported_versions", "key_share", "psk_key_exchange_modes"):
        assert name in exts
    host = top["extensions"].find("host name")
    assert host is not None and host.data == b"localhost"
    share = next(f for f in top["extensions"].children if f.name == "key_share")
    key = share.find("public key")
    assert key is not None and key.size == 32  # x25519
    assert share.find("group").meaning == "x25519"


def test_certificates_are_linked_to_the_set(mutual):
    server = mutual.message("server", "Certificate")
    client = mutual.message("client", "Certificate")
    server_origins = [f.origin for f in server.fields[-1].children]
    client_origins = [f.origin for f in client.fields[-1].children]
    assert server_origins == ["your server.crt", "your intermediate2.crt",
                              "your intermediate1.crt"]
    assert client_origins[0] == "your client.crt"


def test_certificate_request_lists_signature_algorithms(mutual):
    request = mutual.message("server", "CertificateRequest")
    block = next(f for f in request.fields if f.name == "extensions")
    names = [f.name for f in block.children]
    assert "signature_algorithms" in names
    schemes = block.find("schemes")
    assert "ecdsa_secp256r1_sha256" in [c.meaning for c in schemes.children]


def test_python_server_sends_no_certificate_authorities_and_two_tickets(mutual):
    """Lesson 06b: Python's ssl does not send the CA list; OpenSSL sends two tickets."""
    request = mutual.message("server", "CertificateRequest")
    block = next(f for f in request.fields if f.name == "extensions")
    assert "certificate_authorities" not in [f.name for f in block.children]
    assert [m.name for m in mutual.messages].count("NewSessionTicket") == 2


def test_http_request_and_reply_are_decrypted(mutual):
    sent = b"".join(d for s, d in mutual.application_data if s == "client")
    got = b"".join(d for s, d in mutual.application_data if s == "server")
    assert sent.startswith(b"GET / HTTP/1.1\r\nHost: localhost")
    assert got.startswith(b"HTTP/1.1 200 OK")


def test_one_way_has_no_client_certificate():
    conn = _connect("off")
    assert not conn.has("client", "Certificate")
    assert not conn.has("server", "CertificateRequest")


def test_report_stable_view_hides_random_bytes(mutual):
    text = explain(mutual.message("client", "ClientHello"), stable=True)
    assert mutual.message("client", "ClientHello").data[6:38].hex() not in text
    assert "<32 bytes>" in text
    assert "ClientHello" in message_table(mutual)


def test_resumption_uses_a_ticket_and_skips_certificates():
    cs = lab_set()
    with HTTPSServer(cs, mtls="required") as server:
        first = capture(server.url, ca=cs.root.certificate, cert=cs.clients["client"])
        second = capture(server.url, ca=cs.root.certificate, cert=cs.clients["client"],
                         resume=first)
    assert not first.reused and second.reused
    conn = annotate(second, cs)
    names = [(m.sender, m.name) for m in conn.messages]
    assert ("server", "Certificate") not in names
    assert ("client", "Certificate") not in names
    ch = conn.message("client", "ClientHello")
    assert "pre_shared_key" in [f.name for f in ch.fields[-1].children]
    # no certificate this time, and still the server knows who the client is
    assert b"Hello, client!" in second.reply


def test_alpn_chooses_http11():
    cs = lab_set()
    with HTTPSServer(cs, mtls="off") as server:
        server.context.set_alpn_protocols(["http/1.1"])
        cap = capture(server.url, ca=cs.root.certificate, alpn=["h2", "http/1.1"])
    assert cap.alpn == "http/1.1"
    conn = annotate(cap, cs)
    ee = conn.message("server", "EncryptedExtensions")
    assert ee.fields[-1].find("protocol").data == b"http/1.1"


def test_bad_url_and_failed_handshake_have_codes():
    cs = lab_set()
    with pytest.raises(PkilabError) as bad:
        capture("http://localhost/", ca=cs.root.certificate)
    assert bad.value.code == "not_https_url"
    with HTTPSServer(cs, mtls="off") as server, pytest.raises(PkilabError) as failed:
        capture(server.url, ca=cs.root.certificate, host="wrong.example", timeout=5)
    assert failed.value.code == "capture_failed"


def test_sni_chooses_the_certificate_by_name():
    from pkilab import serve_names

    cs = lab_set()
    api = cs.intermediate2.issue_server(["api.lab.test"])
    with HTTPSServer(cs, mtls="off") as server:
        seen = serve_names(server, {"api.lab.test": api}, alpn=["http/1.1"])
        by_name = capture(server.url, ca=cs.root.certificate, host="api.lab.test",
                          alpn=["h2", "http/1.1"])
        default = capture(server.url, ca=cs.root.certificate)
    assert by_name.alpn == "http/1.1"  # answered by the context the callback chose
    assert seen == {"api.lab.test": ["api.lab.test"], "(other)": ["localhost"]}
    first = annotate(by_name, cs).message("server", "Certificate").fields[-1].children[0]
    assert first.find("certificate (DER)").data == api.certificate.public_bytes(Encoding.DER)
    second = annotate(default, cs).message("server", "Certificate").fields[-1].children[0]
    assert second.origin == "your server.crt"
    sni = annotate(by_name, cs).message("client", "ClientHello").fields[-1].find("host name")
    assert sni.data == b"api.lab.test"


def test_nginx_sends_certificate_authorities(set_dir):
    """Lesson 06b: nginx lists the CAs of ssl_client_certificate in CertificateRequest."""
    from pkilab import NginxServer, find_nginx
    from pkilab.certset import load_certificate_set

    if not find_nginx():
        pytest.skip("nginx is not installed")
    certificate_set = load_certificate_set(set_dir).certificate_set()
    with NginxServer(set_dir, mtls="on") as nginx:
        conn = annotate(capture(nginx.url, ca=certificate_set.root.certificate,
                                cert=certificate_set.clients["client"]), certificate_set)
    block = conn.message("server", "CertificateRequest").fields[-1]
    names = [f.meaning for f in block.find("CA names").children[1::2]]
    assert "the subject of your root.crt" in names
    assert "the subject of your intermediate2.crt" in names


def test_as_trace_feeds_the_handshake_pictures(mutual):
    from pkilab.capture import as_trace
    from pkilab.viz import handshake_layout

    trace = as_trace(mutual)
    assert trace.names[:2] == ["client: ClientHello", "server: ServerHello"]
    assert [m.encrypted for m in trace.messages][:3] == [False, False, True]
    scene = handshake_layout(trace)
    assert len(scene.arrows) >= len(trace.messages)


def test_incomplete_captures_and_key_logs_have_codes(mutual):
    from dataclasses import replace

    from pkilab.errors import PkilabError

    empty = replace(mutual.capture, chunks=[("client", b"\x16\x03\x01\x00")])
    with pytest.raises(PkilabError) as short:
        annotate(empty)
    assert short.value.code == "incomplete_capture"
    lines = [line for line in mutual.capture.keylog.splitlines()
             if not line.startswith("SERVER_HANDSHAKE")]
    with pytest.raises(PkilabError) as partial:
        annotate(replace(mutual.capture, keylog="\n".join(lines)))
    assert partial.value.code == "keylog_incomplete"
