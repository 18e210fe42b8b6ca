"""The handshake recorder: pure parsing from bytes, then real handshakes on 127.0.0.1."""

from __future__ import annotations

import pytest
from tls_fixtures import client, foreign_set, lab_set, root

from pkilab.errors import InputError
from pkilab.tls import HTTPSServer
from pkilab.trace import (
    HandshakeMessage,
    RecordParser,
    compare,
    has_msg_callback,
    messages_from_callbacks,
    messages_from_records,
    record,
)

# ---- pure: records ---------------------------------------------------------------------


def rec(ctype: int, payload: bytes) -> bytes:
    return bytes([ctype, 3, 3]) + len(payload).to_bytes(2, "big") + payload


def hs(mtype: int, body: bytes = b"") -> bytes:
    return bytes([mtype]) + len(body).to_bytes(3, "big") + body


def server_hello(tls13: bool) -> bytes:
    extensions = (b"\x00\x2b\x00\x02\x03\x04" if tls13 else b"\xff\x01\x00\x01\x00")
    return (b"\x03\x03" + bytes(32) + b"\x00" + b"\x13\x01" + b"\x00"
            + len(extensions).to_bytes(2, "big") + extensions)


def names(messages: list[HandshakeMessage]) -> list[str]:
    return [f"{m.sender}: {m.label}{' (enc)' if m.encrypted else ''}" for m in messages]


def test_records_tls13_hide_everything_after_server_hello():
    chunks = [("client", rec(22, hs(1, b"hello"))),
              ("server", rec(22, hs(2, server_hello(True))) + rec(20, b"\x01")
               + rec(23, bytes(40)) + rec(23, bytes(900))),
              ("client", rec(20, b"\x01") + rec(23, bytes(60)))]
    messages = messages_from_records(chunks)
    assert names(messages) == [
        "client: ClientHello", "server: ServerHello", "server: ChangeCipherSpec",
        "server: EncryptedRecord (enc)", "server: EncryptedRecord (enc)",
        "client: ChangeCipherSpec", "client: EncryptedRecord (enc)"]
    assert {m.version for m in messages} == {"TLS 1.3"}
    assert messages[4].size == 900


def test_records_tls12_coalesced_messages_and_finished_by_position():
    flight = hs(2, server_hello(False)) + hs(11, bytes(300)) + hs(12, bytes(100)) + hs(14)
    chunks = [("client", rec(22, hs(1, b"hello"))),
              ("server", rec(22, flight)),
              ("client", rec(22, hs(16, bytes(33))) + rec(20, b"\x01") + rec(22, bytes(40))),
              ("server", rec(22, hs(4, bytes(10))) + rec(20, b"\x01") + rec(22, bytes(40))),
              ("client", rec(23, bytes(50)))]
    parser = RecordParser()
    for sender, data in chunks:  # byte by byte: records and messages must be reassembled
        for i in range(len(data)):
            parser.feed(sender, data[i:i + 1])
    assert parser.version == "TLS 1.2"
    assert names(parser.messages) == [
        "client: ClientHello", "server: ServerHello", "server: Certificate",
        "server: ServerKeyExchange", "server: ServerHelloDone", "client: ClientKeyExchange",
        "client: ChangeCipherSpec", "client: Finished (enc)", "server: NewSessionTicket",
        "server: ChangeCipherSpec", "server: Finished (enc)", "client: ApplicationData (enc)"]
    assert parser.messages[2].size == 304  # with its 4-byte header


def test_records_plain_alert_is_named():
    messages = messages_from_records([("client", rec(22, hs(1))),
                                      ("server", rec(21, b"\x02\x28"))])
    assert messages[-1].is_alert and messages[-1].alert_description == "handshake failure"
    assert messages[-1].label == "Alert (handshake failure)"


# ---- pure: the message hook --------------------------------------------------------------

HEADER = 0x100


def test_callbacks_mark_tls13_messages_encrypted_and_skip_close_notify():
    events = [("write", 0x0304, 22, 1, hs(1, bytes(200))),
              ("read", 0x0304, 22, 2, hs(2, bytes(100))),
              ("read", 0x0303, HEADER, 0, b"\x14\x03\x03\x00\x01"),
              ("read", 0x0304, 22, 8, hs(8, b"\x00\x00")),
              ("read", 0x0304, 22, 11, hs(11, bytes(1000))),
              ("write", 0x0303, HEADER, 0, b"\x14\x03\x03\x00\x01"),
              ("write", 0x0304, 20, 0x101, b"\x01"),  # CCS body: counted once, by header
              ("write", 0x0304, 22, 20, hs(20, bytes(48))),
              ("read", 0x0304, 21, 116, b"\x02\x74"),
              ("write", 0x0304, 21, 0, b"\x01\x00")]
    messages = messages_from_callbacks(events)
    assert names(messages) == [
        "client: ClientHello", "server: ServerHello", "server: ChangeCipherSpec",
        "server: EncryptedExtensions (enc)", "server: Certificate (enc)",
        "client: ChangeCipherSpec", "client: Finished (enc)",
        "server: Alert (certificate required) (enc)"]
    assert messages[4].size == 1004


def test_callbacks_tls12_encrypts_only_after_each_sides_ccs():
    events = [("write", 0x0303, 22, 1, hs(1)), ("read", 0x0303, 22, 2, hs(2)),
              ("write", 0x0303, HEADER, 0, b"\x14\x03\x03\x00\x01"),
              ("write", 0x0303, 22, 20, hs(20, bytes(12))),
              ("read", 0x0303, 22, 4, hs(4)),
              ("read", 0x0303, HEADER, 0, b"\x14\x03\x03\x00\x01"),
              ("read", 0x0303, 22, 20, hs(20, bytes(12)))]
    assert names(messages_from_callbacks(events)) == [
        "client: ClientHello", "server: ServerHello", "client: ChangeCipherSpec",
        "client: Finished (enc)", "server: NewSessionTicket", "server: ChangeCipherSpec",
        "server: Finished (enc)"]


# ---- real handshakes ---------------------------------------------------------------------

needs_hook = pytest.mark.skipif(not has_msg_callback(), reason="ssl has no _msg_callback")

ONE_WAY_12 = ["client: ClientHello", "server: ServerHello", "server: Certificate",
              "server: ServerKeyExchange", "server: ServerHelloDone",
              "client: ClientKeyExchange", "client: ChangeCipherSpec", "client: Finished",
              "server: NewSessionTicket", "server: ChangeCipherSpec", "server: Finished"]
MUTUAL_13 = ["client: ClientHello", "server: ServerHello", "server: ChangeCipherSpec",
             "server: EncryptedExtensions", "server: CertificateRequest",
             "server: Certificate", "server: CertificateVerify", "server: Finished",
             "client: ChangeCipherSpec", "client: Certificate", "client: CertificateVerify",
             "client: Finished"]


@pytest.fixture(scope="module")
def servers():
    with HTTPSServer(lab_set()) as one_way, HTTPSServer(lab_set(), mtls="required") as mutual:
        yield {"off": one_way, "required": mutual}


@needs_hook
def test_tls12_one_way(servers):
    trace = record(servers["off"].url, ca=root(), tls_version="1.2")
    assert trace.names == ONE_WAY_12
    assert (trace.version, trace.outcome, trace.source) == ("TLS 1.2", "ok", "msg_callback")
    assert [m.name for m in trace.messages if m.encrypted] == ["Finished", "Finished"]


@needs_hook
def test_tls13_one_way_encrypts_the_certificate(servers):
    trace = record(servers["off"].url, ca=root(), tls_version="1.3")
    assert trace.names[:7] == [n for n in MUTUAL_13 if "CertificateRequest" not in n][:7]
    certificate = next(m for m in trace.messages if m.name == "Certificate")
    assert certificate.encrypted and certificate.sender == "server"
    assert trace.result.status == 200


@needs_hook
def test_tls12_mutual(servers):
    trace = record(servers["required"].url, ca=root(), cert=client(), tls_version="1.2")
    assert trace.sent_by("client") == ["ClientHello", "Certificate", "ClientKeyExchange",
                                       "CertificateVerify", "ChangeCipherSpec", "Finished"]
    assert "CertificateRequest" in trace.sent_by("server")
    assert trace.outcome == "ok"


@needs_hook
def test_tls13_mutual(servers):
    trace = record(servers["required"].url, ca=root(), cert=client(), tls_version="1.3")
    assert trace.names[:len(MUTUAL_13)] == MUTUAL_13
    assert set(trace.names[len(MUTUAL_13):]) <= {"server: NewSessionTicket"}


@needs_hook
def test_tls12_missing_client_certificate_fails_in_the_handshake(servers):
    trace = record(servers["required"].url, ca=root(), tls_version="1.2")
    assert trace.outcome == "refused" and trace.alert == "handshake failure"
    assert trace.sent_by("client")[1] == "Certificate"  # an empty one: 7 bytes
    assert trace.messages[-1].label == "Alert (handshake failure)"
    assert trace.messages[-1].sender == "server"
    assert trace.result is None and trace.error.kind == "certificate_required"


@needs_hook
def test_tls13_missing_client_certificate_surfaces_after_the_handshake(servers):
    trace = record(servers["required"].url, ca=root(), tls_version="1.3")
    assert trace.outcome == "refused"
    assert "client: Finished" in trace.names  # the client finished its side first
    # racy by nature: the alert, or just the end of the connection
    assert trace.alert in ("certificate required", None)


@needs_hook
def test_foreign_client_certificate_gets_unknown_ca_alert(servers):
    trace = record(servers["required"].url, ca=root(), cert=foreign_set().clients["client"],
                   tls_version="1.2")
    assert trace.messages[-1].label == "Alert (unknown CA)"
    assert trace.messages[-1].sender == "server"


@needs_hook
def test_client_refuses_unknown_server_with_its_own_alert(servers):
    trace = record(servers["off"].url, ca=foreign_set().root.certificate, tls_version="1.3")
    assert trace.outcome == "refused" and trace.error.kind == "unknown_ca"
    last = trace.messages[-1]
    assert (last.sender, last.label) == ("client", "Alert (unknown CA)")


def test_wire_view_of_tls13_shows_only_opaque_records(servers):
    trace = record(servers["required"].url, ca=root(), cert=client(), tls_version="1.3",
                   source="records")
    assert trace.source == "records" and trace.version == "TLS 1.3"
    assert trace.names[:2] == ["client: ClientHello", "server: ServerHello"]
    hidden = trace.messages[2:]
    assert {m.name for m in hidden} == {"ChangeCipherSpec", "EncryptedRecord"}
    assert "raw records" in trace.table()


def test_wire_view_of_tls12_matches_the_hook_names(servers):
    wire = record(servers["off"].url, ca=root(), tls_version="1.2", source="records")
    assert wire.names[:len(ONE_WAY_12)] == ONE_WAY_12
    assert set(wire.names[len(ONE_WAY_12):]) <= {"client: ApplicationData",
                                                 "server: ApplicationData",
                                                 "client: Alert", "server: Alert"}


@needs_hook
def test_table_and_html_are_stable_text(servers):
    trace = record(servers["off"].url, ca=root(), tls_version="1.2")
    table = trace.table()
    assert "client -> server  ClientHello" in table
    assert "outcome: ok, HTTP 200 over TLS 1.2" in table
    assert "bytes" not in table and "bytes" in trace.table(sizes=True)
    assert "<table>" in trace._repr_html_()
    other = record(servers["off"].url, ca=root(), tls_version="1.3")
    side_by_side = compare(trace, other)
    assert side_by_side.splitlines()[0].split() == ["TLS", "1.2", "TLS", "1.3"]


def test_bad_source_is_refused(servers):
    with pytest.raises(InputError) as info:
        record(servers["off"].url, ca=root(), source="pcap")
    assert info.value.code == "unknown_trace_source" and "'pcap'" in info.value.what


def test_bad_arguments_are_input_errors(servers):
    with pytest.raises(InputError) as info:
        RecordParser().feed("Client", rec(22, hs(1, b"x")))
    assert info.value.code == "unknown_sender"
    trace = record(servers["off"].url, ca=root())
    with pytest.raises(InputError) as info:
        trace.sent_by("browser")  # a typo used to give [] silently
    assert info.value.code == "unknown_sender"
    assert trace.sent_by("client")[0] == "ClientHello"
    with pytest.raises(InputError) as info:
        compare(trace, "TLS 1.3")
    assert info.value.code == "not_a_trace"
