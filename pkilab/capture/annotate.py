"""A captured connection taken apart: records, decrypted messages, annotated fields.

:func:`annotate` walks each side's records in order. Plaintext handshake records are
cut into messages; in TLS 1.3 every later record is opened with the traffic keys
derived from the key log (handshake keys until that side's Finished, then application
keys; the sequence number starts again at 0 with each new key), so EncryptedExtensions,
CertificateRequest, both Certificates and CertificateVerifys, both Finished and the
NewSessionTickets get their fields too, and the HTTP request and reply their text.
TLS 1.2 is annotated up to each side's ChangeCipherSpec (its Finished stays sealed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..trace import HANDSHAKE_TYPES
from . import hello, messages
from .connection import Capture
from .fields import Field
from .keylog import secrets_for
from .keyschedule import Opened, Suite, TrafficKeys, open_record, suite, traffic_keys
from .origins import set_names
from .records import Record, split_records
from .registry import VERSIONS


@dataclass
class Message:
    """One handshake message: who sent it, its bytes (4-byte header included), its fields.

    ``encrypted``: it travelled inside encrypted records. ``record``: the index, in that
    side's record list, of the record that carried its first byte.
    """

    sender: str
    name: str
    data: bytes
    fields: list[Field]
    encrypted: bool
    record: int


@dataclass
class Opening:
    """How one encrypted record was opened: which keys, which sequence number."""

    sender: str
    record: int
    keys_name: str
    keys: TrafficKeys
    sequence: int
    opened: Opened


@dataclass
class Connection:
    """The annotated connection. ``messages`` in wire order per side, server's first
    flight before the client's second (the transcript's order)."""

    capture: Capture
    version: str
    suite_code: int
    records: dict[str, list[Record]]
    messages: list[Message] = field(default_factory=list)
    openings: list[Opening] = field(default_factory=list)
    application_data: list[tuple[str, bytes]] = field(default_factory=list)
    secrets: dict[str, bytes] = field(default_factory=dict)

    @property
    def suite(self) -> Suite:
        return suite(self.suite_code)

    def message(self, sender: str, name: str) -> Message:
        """The first message ``name`` that ``sender`` sent (KeyError if none)."""
        for m in self.messages:
            if m.sender == sender and m.name == name:
                return m
        raise KeyError(f"{sender} sent no {name}")

    def has(self, sender: str, name: str) -> bool:
        return any(m.sender == sender and m.name == name for m in self.messages)

    def transcript(self, upto: tuple[str, str], include: bool = True) -> list[bytes]:
        """The handshake messages from ClientHello up to (and with) ``(sender, name)``,
        in transcript order; NewSessionTickets are never part of it."""
        out = []
        for m in self._transcript_order():
            if (m.sender, m.name) == upto and not include:
                return out
            out.append(m.data)
            if (m.sender, m.name) == upto:
                return out
        raise KeyError(f"{upto} is not in this handshake")

    def _transcript_order(self) -> list[Message]:
        # ``messages`` is already in wire order (see _in_order)
        return [m for m in self.messages if m.name != "NewSessionTicket"]


#: TLS 1.2 suites whose key exchange is RSA encryption (no ECDHE, no DHE).
RSA_KEY_EXCHANGE = frozenset({0x009C, 0x009D, 0x003C, 0x003D, 0x002F, 0x0035})


def _parser(name: str, capture: Capture, tls13: bool, suite_code: int = 0
            ) -> Callable[[bytes, str], list[Field]]:
    names = capture.names
    rsa = suite_code in RSA_KEY_EXCHANGE
    table: dict[str, Callable[[bytes, str], list[Field]]] = {
        "ClientHello": lambda m, s: hello.client_hello(m),
        "ServerHello": lambda m, s: hello.server_hello(m),
        "EncryptedExtensions": messages.encrypted_extensions,
        "CertificateRequest": (lambda m, s: messages.certificate_request(m, names))
        if tls13 else messages.opaque("CertificateRequest"),
        "Certificate": lambda m, s: messages.certificate(m, names, s, tls13),
        "CertificateVerify": messages.certificate_verify,
        "Finished": messages.finished,
        "NewSessionTicket": messages.new_session_ticket if tls13
        else messages.opaque("NewSessionTicket"),
        "ServerKeyExchange": messages.server_key_exchange,
        "ClientKeyExchange": lambda m, s: messages.client_key_exchange(m, s, rsa),
    }
    return table.get(name, messages.opaque(name))


class _Side:
    """One direction's state: its handshake bytes not yet cut, and its current keys."""

    def __init__(self, sender: str) -> None:
        self.sender, self.buffer, self.keys_name = sender, b"", ""
        self.keys: TrafficKeys | None = None
        self.sequence, self.buffer_record = 0, 0

    def use(self, name: str, keys: TrafficKeys) -> None:
        self.keys_name, self.keys, self.sequence = name, keys, 0


def _cut(conn: Connection, side: _Side, data: bytes, index: int, encrypted: bool,
         tls13: bool) -> list[Message]:
    if not side.buffer:
        side.buffer_record = index
    side.buffer += data
    out = []
    while len(side.buffer) >= 4:
        length = int.from_bytes(side.buffer[1:4], "big")
        if len(side.buffer) < 4 + length:
            break
        raw, side.buffer = side.buffer[:4 + length], side.buffer[4 + length:]
        name = HANDSHAKE_TYPES.get(raw[0], f"Handshake{raw[0]}")
        fields = _parser(name, conn.capture, tls13, conn.suite_code)(raw, side.sender)
        out.append(Message(side.sender, name, raw, fields, encrypted, side.buffer_record))
        side.buffer_record = index
    return out


_SECRET_NAMES = {("client", "handshake"): "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
                 ("server", "handshake"): "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                 ("client", "application"): "CLIENT_TRAFFIC_SECRET_0",
                 ("server", "application"): "SERVER_TRAFFIC_SECRET_0"}


def _switch(conn: Connection, side: _Side, stage: str) -> None:
    label = _SECRET_NAMES[(side.sender, stage)]
    if label not in conn.secrets:
        raise InputError(f"the key log has no {label}", "without it the "
                         f"{side.sender}'s {stage} records cannot be opened",
                         "pass the whole key log of this connection",
                         code="keylog_incomplete")
    side.use(label, traffic_keys(conn.suite, conn.secrets[label]))


def _walk(conn: Connection, sender: str, tls13: bool) -> None:
    side = _Side(sender)
    for index, record in enumerate(conn.records[sender]):
        ctype, payload, encrypted = record.content_type, record.payload, False
        if ctype == 23 and tls13 and side.keys is None:
            _switch(conn, side, "handshake")  # the client's first encrypted record
        if ctype == 23 and tls13 and side.keys is not None:
            opened = open_record(conn.suite, side.keys, side.sequence, record.header, payload)
            conn.openings.append(Opening(sender, index, side.keys_name, side.keys,
                                         side.sequence, opened))
            side.sequence += 1
            ctype, payload, encrypted = opened.content_type, opened.plaintext, True
        if ctype == 23:
            conn.application_data.append((sender, payload))
        elif ctype == 22 and not tls13 and _after_ccs(conn, sender, index):
            conn.messages.append(Message(sender, "Finished", payload, [Field(
                "encrypted Finished", 0, payload, "sealed with keys from the master "
                "secret (TLS 1.2 record protection is not recomputed here)")], True, index))
        elif ctype == 22:
            for m in _cut(conn, side, payload, index, encrypted, tls13):
                conn.messages.append(m)
                if tls13 and m.name == "ServerHello":
                    _switch(conn, side, "handshake")
                elif tls13 and m.name == "Finished":
                    _switch(conn, side, "application")


def _after_ccs(conn: Connection, sender: str, index: int) -> bool:
    """TLS 1.2: a handshake record after this side's ChangeCipherSpec is its Finished,
    encrypted with keys this module does not derive."""
    return any(r.content_type == 20 for r in conn.records[sender][:index])


def annotate(capture: Capture, certificate_set: Any = None) -> Connection:
    """Take a :class:`~pkilab.capture.connection.Capture` apart (see the module docs).

    With ``certificate_set``, each certificate and CA name on the wire is linked to the
    set's file (``your client.crt``)."""
    if certificate_set is not None:
        capture.names = set_names(certificate_set)
    records = {s: split_records(s, capture.stream(s))[0] for s in ("client", "server")}
    if not records["client"] or not records["server"] or any(
            r[0].content_type != 22 for r in records.values()):
        raise InputError("the capture has no complete ClientHello and ServerHello",
                         "a connection's first records are the two hellos",
                         "capture a connection whose handshake got that far",
                         code="incomplete_capture")
    server_hello = records["server"][0].payload
    tls13 = capture.version == "TLS 1.3"
    conn = Connection(capture, capture.version, hello.chosen_suite(server_hello), records)
    client_hello = records["client"][0].payload
    conn.secrets = secrets_for(capture.keylog, hello.random_of(client_hello))
    _walk(conn, "server", tls13)
    _walk(conn, "client", tls13)
    conn.messages = _in_order(conn.messages, tls13)
    return conn


def _in_order(found: list[Message], tls13: bool) -> list[Message]:
    """ClientHello, the server's first flight, the client's second, then what the
    server sends last (TLS 1.3: tickets; TLS 1.2: ticket and Finished), each side's own
    order kept: the order they crossed the wire in a full handshake."""
    done = next((i for i, m in enumerate(found) if m.sender == "server" and m.name ==
                 ("Finished" if tls13 else "ServerHelloDone")), len(found))

    def rank(item: tuple[int, Message]) -> tuple[int, int]:
        position, m = item
        if m.sender == "client":
            return (0 if m.name == "ClientHello" else 2, position)
        return (1 if position <= done and m.name != "NewSessionTicket" else 3, position)
    return [m for _, m in sorted(enumerate(found), key=rank)]


def version_of(conn: Connection) -> str:
    return VERSIONS.get(0x0304 if conn.version == "TLS 1.3" else 0x0303, conn.version)


def as_trace(conn: Connection) -> Any:
    """The connection as a :class:`pkilab.trace.Trace`, so the handshake pictures of
    :mod:`pkilab.viz` draw it (``draw_handshakes(as_trace(full), as_trace(resumed))``)."""
    from ..trace import HandshakeMessage, Trace

    messages = [HandshakeMessage(m.sender, m.name, conn.version, len(m.data), m.encrypted)
                for m in conn.messages]
    note = "resumed with a ticket (PSK)" if conn.capture.reused else "full handshake"
    return Trace(messages, conn.version, "ok", None, "capture", notes=[note])
