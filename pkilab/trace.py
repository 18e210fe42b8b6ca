"""A recorder of the real handshake of one TLS connection, message by message, as data.

>>> trace = record(server.url, ca="root.crt", cert="client.crt", key="client.key")
>>> print(trace)            # a table: who sent what, in which order
>>> [m.name for m in trace.messages if m.sender == "client"]
['ClientHello', 'ChangeCipherSpec', 'Certificate', 'CertificateVerify', 'Finished']

Where the messages come from (``Trace.source``):

``"msg_callback"``  CPython's private ``SSLContext._msg_callback`` hook (present on
                    3.10 to 3.13) reports every handshake message the client sent and
                    received, *after* decryption: TLS 1.3's encrypted messages get
                    their real names.
``"records"``       Fallback when the hook is missing (or when asked): the bytes on
                    the wire are cut into TLS records. TLS 1.2 is fully visible (its
                    Finished is named by position); in TLS 1.3 everything after
                    ServerHello is an opaque ``EncryptedRecord`` — which is what an
                    eavesdropper sees.

The parsing is pure (:func:`messages_from_callbacks`, :class:`RecordParser`) and
tested with bytes; only :func:`record` touches a socket, through :mod:`pkilab.tls`.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from typing import Any

from .errors import InputError
from .problems import REFUSALS

#: Handshake message types (RFC 5246 and RFC 8446) -> names used everywhere in pkilab.
HANDSHAKE_TYPES = {
    0: "HelloRequest", 1: "ClientHello", 2: "ServerHello", 4: "NewSessionTicket",
    5: "EndOfEarlyData", 8: "EncryptedExtensions", 11: "Certificate",
    12: "ServerKeyExchange", 13: "CertificateRequest", 14: "ServerHelloDone",
    15: "CertificateVerify", 16: "ClientKeyExchange", 20: "Finished", 24: "KeyUpdate",
    254: "MessageHash",
}
#: Alert descriptions (RFC 8446 section 6) in words.
ALERT_DESCRIPTIONS = {
    0: "close notify", 10: "unexpected message", 20: "bad record mac", 22: "record overflow",
    40: "handshake failure", 42: "bad certificate", 43: "unsupported certificate",
    44: "certificate revoked", 45: "certificate expired", 46: "certificate unknown",
    47: "illegal parameter", 48: "unknown CA", 49: "access denied", 50: "decode error",
    51: "decrypt error", 70: "protocol version", 71: "insufficient security",
    80: "internal error", 86: "inappropriate fallback", 90: "user canceled",
    109: "missing extension", 110: "unsupported extension", 112: "unrecognized name",
    113: "bad certificate status response", 115: "unknown PSK identity",
    116: "certificate required", 120: "no application protocol",
}
_VERSIONS = {0x0301: "TLS 1.0", 0x0302: "TLS 1.1", 0x0303: "TLS 1.2", 0x0304: "TLS 1.3"}
_CCS, _ALERT, _HANDSHAKE, _APPDATA = 20, 21, 22, 23
_HEADER, _INNER = 0x100, 0x101  # OpenSSL's pseudo content types in the message hook


@dataclass(frozen=True)
class HandshakeMessage:
    """One message of a handshake, as one side sent it. A stable public shape.

    ``sender``             ``"client"`` or ``"server"``.
    ``name``               ``"ClientHello"``, ``"Certificate"``, ``"ChangeCipherSpec"``,
                           ``"Alert"``, or (wire view) ``"EncryptedRecord"``,
                           ``"ApplicationData"``.
    ``version``            ``"TLS 1.2"`` or ``"TLS 1.3"`` (the connection's version once
                           ServerHello chose it).
    ``size``               bytes of the message including its 4-byte handshake header
                           (for records in the wire view: the record's payload).
    ``encrypted``          True when it travelled encrypted: in TLS 1.3 everything after
                           ServerHello except the compatibility ChangeCipherSpec; in TLS 1.2
                           what a side sends after its own ChangeCipherSpec (Finished).
    ``is_alert``           True for alerts.
    ``alert_description``  ``"certificate required"``, ``"unknown CA"``, ... (None unless an
                           alert; None too for an encrypted alert seen only on the wire).
    """

    sender: str
    name: str
    version: str
    size: int
    encrypted: bool
    is_alert: bool = False
    alert_description: str | None = None

    @property
    def label(self) -> str:
        """The name, with the alert's description: ``Alert (certificate required)``."""
        if self.is_alert and self.alert_description:
            return f"Alert ({self.alert_description})"
        return self.name


# ---- pure parsing: the message hook's reports --------------------------------------

def _version(value: Any) -> str:
    return _VERSIONS.get(int(value), f"0x{int(value):04x}")


def messages_from_callbacks(events: Iterable[tuple[str, Any, Any, Any, bytes]]
                            ) -> list[HandshakeMessage]:
    """Turn ``_msg_callback`` reports into messages, seen from the client.

    ``events`` are ``(direction, version, content_type, msg_type, data)`` tuples as the
    hook passes them (``direction`` is ``"write"`` for what the client sent). Record
    headers are used only to spot ChangeCipherSpec (OpenSSL reports that message's
    body on one side only); close-notify alerts (a normal goodbye) are left out.
    """
    raw: list[tuple[str, str, int, int, bytes]] = []  # sender, kind, version, type, data
    for direction, version, content_type, _msg_type, data in events:
        sender = "client" if direction == "write" else "server"
        ctype = int(content_type)
        if ctype == _HEADER and data[:1] == bytes([_CCS]):
            raw.append((sender, "ccs", int(version), 1, b"\x01"))
        elif ctype == _HANDSHAKE and len(data) >= 4:
            raw.append((sender, "hs", int(version), data[0], data))
        elif ctype == _ALERT and len(data) >= 2 and data[1] != 0:
            raw.append((sender, "alert", int(version), data[1], data))
    negotiated = next((_version(v) for s, k, v, t, _ in raw if k == "hs" and t == 2), None)
    tls13 = negotiated == "TLS 1.3"
    out: list[HandshakeMessage] = []
    after_server_hello = False
    sent_ccs = {"client": False, "server": False}
    for sender, kind, version, mtype, data in raw:
        label = negotiated or _version(version)
        if kind == "ccs":
            out.append(HandshakeMessage(sender, "ChangeCipherSpec", label, 1, False))
            if not tls13:
                sent_ccs[sender] = True
            continue
        encrypted = after_server_hello if tls13 else sent_ccs[sender]
        if kind == "alert":
            out.append(HandshakeMessage(sender, "Alert", label, 2, encrypted, True,
                                        ALERT_DESCRIPTIONS.get(mtype, f"alert {mtype}")))
            continue
        out.append(HandshakeMessage(sender, HANDSHAKE_TYPES.get(mtype, f"Handshake{mtype}"),
                                    label, len(data), encrypted))
        if mtype == 2:
            after_server_hello = True
    return out


# ---- pure parsing: records on the wire ---------------------------------------------

def _server_hello_version(body: bytes) -> str:
    """TLS 1.3 hides in ServerHello's supported_versions extension (legacy field: 1.2)."""
    try:
        pos = 2 + 32
        pos += 1 + body[pos]          # session id
        pos += 2 + 1                  # cipher suite, compression
        end = pos + 2 + int.from_bytes(body[pos:pos + 2], "big")
        pos += 2
        while pos + 4 <= end:
            ext_type = int.from_bytes(body[pos:pos + 2], "big")
            length = int.from_bytes(body[pos + 2:pos + 4], "big")
            if ext_type == 0x002B and length == 2:
                return _version(int.from_bytes(body[pos + 4:pos + 6], "big"))
            pos += 4 + length
        return _version(int.from_bytes(body[0:2], "big"))
    except IndexError:
        return "?"


@dataclass
class _Direction:
    records: bytes = b""
    handshake: bytes = b""
    after_ccs: bool = False


class RecordParser:
    """Cuts the two byte streams of a connection into TLS records and messages.

    Feed it what each side sent, in the order it crossed the wire; read
    :attr:`messages`. It never decrypts: it names what an eavesdropper can name.
    """

    def __init__(self) -> None:
        self.messages: list[HandshakeMessage] = []
        self.version: str | None = None
        self._sides = {"client": _Direction(), "server": _Direction()}
        self._server_hello_seen = False

    def feed(self, sender: str, data: bytes) -> None:
        """Add ``data`` that ``sender`` ("client" or "server") sent."""
        _check_sender(sender)
        side = self._sides[sender]
        side.records += data
        while len(side.records) >= 5:
            ctype = side.records[0]
            length = int.from_bytes(side.records[3:5], "big")
            if len(side.records) < 5 + length:
                return
            payload = side.records[5:5 + length]
            side.records = side.records[5 + length:]
            self._record(sender, side, ctype, payload)

    def _label(self) -> str:
        return self.version or "TLS 1.2"

    def _record(self, sender: str, side: _Direction, ctype: int, payload: bytes) -> None:
        tls13 = self.version == "TLS 1.3"
        add = self.messages.append
        if ctype == _CCS:
            add(HandshakeMessage(sender, "ChangeCipherSpec", self._label(), len(payload), False))
            side.after_ccs = side.after_ccs or not tls13
        elif ctype == _ALERT:
            if side.after_ccs or len(payload) != 2:
                add(HandshakeMessage(sender, "Alert", self._label(), len(payload), True, True))
            elif payload[1] != 0:
                add(HandshakeMessage(sender, "Alert", self._label(), 2, False, True,
                                     ALERT_DESCRIPTIONS.get(payload[1], f"alert {payload[1]}")))
        elif ctype == _HANDSHAKE and side.after_ccs:
            # TLS 1.2: the first message a side encrypts is its Finished.
            add(HandshakeMessage(sender, "Finished", self._label(), len(payload), True))
        elif ctype == _HANDSHAKE:
            side.handshake += payload
            self._handshake_messages(sender, side)
        elif ctype == _APPDATA:
            name = ("EncryptedRecord" if tls13 and self._server_hello_seen
                    else "ApplicationData")
            add(HandshakeMessage(sender, name, self._label(), len(payload), True))

    def _handshake_messages(self, sender: str, side: _Direction) -> None:
        while len(side.handshake) >= 4:
            length = int.from_bytes(side.handshake[1:4], "big")
            if len(side.handshake) < 4 + length:
                return
            message = side.handshake[:4 + length]
            side.handshake = side.handshake[4 + length:]
            mtype = message[0]
            if mtype == 2:
                self.version = _server_hello_version(message[4:])
                self._server_hello_seen = True
                # the ClientHello before it belongs to this connection's version too
                self.messages[:] = [HandshakeMessage(m.sender, m.name, self.version, m.size,
                                                     m.encrypted, m.is_alert,
                                                     m.alert_description)
                                    for m in self.messages]
            self.messages.append(HandshakeMessage(
                sender, HANDSHAKE_TYPES.get(mtype, f"Handshake{mtype}"), self._label(),
                len(message), False))


def messages_from_records(chunks: Iterable[tuple[str, bytes]]) -> list[HandshakeMessage]:
    """The wire view of ``(sender, bytes)`` chunks, in the order they were sent."""
    parser = RecordParser()
    for sender, data in chunks:
        parser.feed(sender, data)
    return parser.messages


# ---- the trace ------------------------------------------------------------------------

@dataclass
class Trace:
    """The handshake of one connection and how it ended.

    ``messages``  :class:`HandshakeMessage` list in the order they were sent/received.
    ``version``   negotiated TLS version (None when no ServerHello came).
    ``outcome``   ``"ok"`` (a reply came back), ``"refused"`` (one side refused the
                  other's certificate, or its absence) or ``"failed"`` (anything else).
    ``alert``     the first alert's description (``"certificate required"``), if any.
    ``source``    ``"msg_callback"`` or ``"records"`` (see the module docs).
    ``result``    the :class:`~pkilab.tls.RequestResult` when the request worked.
    ``error``     the :class:`~pkilab.tls.TLSConnectionError` when it did not.
    """

    messages: list[HandshakeMessage]
    version: str | None
    outcome: str
    alert: str | None
    source: str
    result: Any = None
    error: Any = None
    notes: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        """``["client: ClientHello", "server: ServerHello", ...]`` — handy in checks."""
        return [f"{m.sender}: {m.label}" for m in self.messages]

    def sent_by(self, sender: str) -> list[str]:
        """The labels of what ``sender`` ("client" or "server") sent, in order."""
        _check_sender(sender)
        return [m.label for m in self.messages if m.sender == sender]

    def table(self, sizes: bool = False) -> str:
        """A text table. Sizes vary by a byte or two between runs (ECDSA signatures),
        so they are off by default to keep notebook outputs stable."""
        head = f"{'#':>2}  {'direction':<17} {'message':<34} {'version':<8} encrypted"
        lines = [head + ("   bytes" if sizes else ""), "-" * (len(head) + (8 if sizes else 0))]
        for i, m in enumerate(self.messages, 1):
            arrow = "client -> server" if m.sender == "client" else "client <- server"
            line = (f"{i:>2}  {arrow:<17} {m.label:<34} {m.version:<8} "
                    f"{'yes' if m.encrypted else 'no':<9}")
            lines.append((line + (f" {m.size:>6}" if sizes else "")).rstrip())
        lines.append(self.ending())
        lines.extend(self.notes)
        return "\n".join(lines)

    def ending(self) -> str:
        if self.outcome == "ok" and self.result is not None:
            return f"outcome: ok, HTTP {self.result.status} over {self.version}"
        text = f"outcome: {self.outcome}"
        if self.error is not None:
            text += f" ({getattr(self.error, 'kind', 'error')})"
        return text

    def __str__(self) -> str:
        return self.table()

    def _repr_html_(self) -> str:
        rows = []
        for i, m in enumerate(self.messages, 1):
            align = "left" if m.sender == "client" else "right"
            arrow = "&rarr;" if m.sender == "client" else "&larr;"
            style = " style='color:#b00'" if m.is_alert else ""
            rows.append(f"<tr{style}><td>{i}</td><td>{m.sender}</td><td>{arrow}</td>"
                        f"<td style='text-align:{align}'>{escape(m.label)}</td>"
                        f"<td>{m.version}</td><td>{'🔒' if m.encrypted else ''}</td></tr>")
        notes = "".join(f"<br>{escape(n)}" for n in self.notes)
        return ("<table><tr><th>#</th><th>sender</th><th></th><th>message</th><th>version</th>"
                f"<th>encrypted</th></tr>{''.join(rows)}</table>"
                f"<p>{escape(self.ending())}{notes}</p>")


#: The values :func:`record` accepts for ``source``.
SOURCES = ("auto", "msg_callback", "records")
_SENDERS = ("client", "server")


def _check_sender(sender: Any) -> None:
    if sender not in _SENDERS:
        raise InputError(f"unknown sender {sender!r}", "a message comes from one of the two "
                         "sides of the connection", 'pass "client" or "server"',
                         code="unknown_sender")


#: Error kinds that mean one side refused the other's certificate (from the one table).
_REFUSALS = REFUSALS


def has_msg_callback() -> bool:
    """True when this Python's ``ssl`` has the private message hook (3.10-3.13 do)."""
    return hasattr(ssl.SSLContext, "_msg_callback")


def record(url: str, *, source: str = "auto", **request_args: Any) -> Trace:
    """Make one request (arguments as :func:`pkilab.tls.request`) and record its handshake.

    Never raises for a failed connection: the failure is the ``outcome``, ``alert`` and
    ``error`` of the trace. ``source="records"`` forces the wire view.
    """
    from .tls import TLSConnectionError, request

    if source not in SOURCES:
        raise InputError(f"unknown trace source {source!r}",
                         '"msg_callback" reads the decrypted messages, "records" the bytes '
                         'on the wire, "auto" picks the first one this Python has',
                         'pass source="auto", "msg_callback" or "records"',
                         code="unknown_trace_source")
    use_hook = source != "records" and has_msg_callback()
    reports: list[tuple[str, Any, Any, Any, bytes]] = []
    chunks: list[tuple[str, bytes]] = []

    def hook(_conn: Any, direction: str, version: Any, content_type: Any, msg_type: Any,
             data: bytes) -> None:
        reports.append((direction, version, content_type, msg_type, bytes(data)))

    def attach(context: ssl.SSLContext) -> None:
        if use_hook:
            context._msg_callback = hook  # type: ignore[attr-defined]

    result = error = None
    try:
        result = request(url, on_context=attach,
                         on_bytes=None if use_hook else lambda s, d: chunks.append((s, d)),
                         **request_args)
    except TLSConnectionError as exc:
        error = exc
    notes = []
    if use_hook:
        messages, used = messages_from_callbacks(reports), "msg_callback"
    else:
        messages, used = messages_from_records(chunks), "records"
        notes.append("source: raw records on the wire (no decryption); "
                     + ("ssl has no _msg_callback here" if source == "auto"
                        else "asked for the wire view"))
    version = next((m.version for m in messages if m.name == "ServerHello"), None)
    alert = next((m.alert_description for m in messages if m.is_alert), None)
    if error is not None and getattr(error, "alert", None) and alert is None:
        alert = error.alert
    outcome = "ok" if result is not None else (
        "refused" if getattr(error, "kind", None) in _REFUSALS else "failed")
    return Trace(messages, version, outcome, alert, used, result, error, notes)


def compare(a: Trace, b: Trace) -> str:
    """Two traces' message lists side by side (for example TLS 1.2 next to TLS 1.3)."""
    for trace in (a, b):
        if not isinstance(trace, Trace):
            raise InputError(f"compare() takes two traces, not a {type(trace).__name__}", "",
                             "pass what record() returned: compare(record(...), record(...))",
                             code="not_a_trace")
    left = [f"{'->' if m.sender == 'client' else '<-'} {m.label}" for m in a.messages]
    right = [f"{'->' if m.sender == 'client' else '<-'} {m.label}" for m in b.messages]
    width = max([len(x) for x in left] + [len(a.version or "?")]) + 4
    lines = [f"{a.version or '?':<{width}}{b.version or '?'}"]
    for i in range(max(len(left), len(right))):
        lines.append(f"{left[i] if i < len(left) else '':<{width}}"
                     f"{right[i] if i < len(right) else ''}")
    return "\n".join(lines)


#: The public name: ``pkilab.compare_traces(a, b)``.
compare_traces = compare
