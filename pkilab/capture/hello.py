"""ClientHello and ServerHello, field by field, each extension in its own words.

Only framing is parsed here (no cryptography): lengths, lists, numbers. Where a value
came from is said from the client's point of view (the lab client is OpenSSL, driven
by Python's ``ssl``).
"""

from __future__ import annotations

from collections.abc import Callable

from .fields import Field, Reader
from .registry import CIPHER_SUITES, EXTENSIONS, GROUPS, SIGNATURE_SCHEMES, VERSIONS, name_of

_SET_BY_SSL = "OpenSSL's defaults, as Python's ssl configures them"


def handshake_header(r: Reader, name: str) -> list[Field]:
    mtype = r.take(1, "handshake type", f"{r.data[0]} = {name}")
    length = r.take(3, "handshake length", f"{int.from_bytes(r.data[1:4], 'big')} bytes "
                    "of message body follow")
    return [mtype, length]


def _list_of(body: Field, item_size: int, table: dict[int, str], what: str) -> list[Field]:
    r = Reader(body.data, body.offset, what)
    out = []
    while r.left >= item_size:
        value, f = r.number(item_size, what)
        f.meaning = name_of(table, value)
        out.append(f)
    return out


def _vector_list(r: Reader, length_size: int, item_size: int, table: dict[int, str],
                 what: str, meaning: str, origin: str = _SET_BY_SSL) -> list[Field]:
    length, body = r.vector(length_size, what, meaning, origin)
    body.children = _list_of(body, item_size, table, what.rstrip("s"))
    return [length, body]


def _server_name(r: Reader, server: bool) -> list[Field]:
    if server or r.left == 0:
        return [r.rest("(empty)", "the server accepted the name it was sent")]
    out = [r.take(2, "list length", "bytes of names that follow")]
    out.append(r.take(1, "name type", "0 = host_name"))
    length, name = r.vector(2, "host name", "", "the URL's host (or request(host=...))")
    name.meaning = f"'{name.data.decode('ascii', 'replace')}': the name the client wants"
    return [*out, length, name]


def _groups(r: Reader, server: bool) -> list[Field]:
    return _vector_list(r, 2, 2, GROUPS, "groups", "key-exchange groups the client "
                        "can use, best first")


def _signature_algorithms(r: Reader, server: bool) -> list[Field]:
    return _vector_list(r, 2, 2, SIGNATURE_SCHEMES, "schemes",
                        "signatures this side accepts in CertificateVerify")


def _versions(r: Reader, server: bool) -> list[Field]:
    if server:
        value, f = r.number(2, "selected version")
        f.meaning = f"{name_of(VERSIONS, value)}: the real version of this connection"
        return [f]
    length, body = r.vector(1, "versions", "versions the client speaks",
                            "tls_version= pins one; default 1.2 and 1.3")
    body.children = _list_of(body, 2, VERSIONS, "version")
    return [length, body]


def _key_share(r: Reader, server: bool) -> list[Field]:
    out: list[Field] = []
    if not server:
        out.append(r.take(2, "shares length", "bytes of key shares that follow"))
    while r.left >= 4:
        group, f = r.number(2, "group", origin="the first group the client prefers"
                            if not server else "the server picked it from the client's")
        f.meaning = name_of(GROUPS, group)
        length, key = r.vector(2, "public key",
                               f"an ephemeral {name_of(GROUPS, group)} public key "
                               f"({0} bytes)", "made fresh for this connection by the "
                               + ("client" if not server else "server")
                               + "; its private half never leaves memory")
        key.meaning = key.meaning.replace("(0 bytes)", f"({key.size} bytes)")
        out += [f, length, key]
    return out


def _psk_modes(r: Reader, server: bool) -> list[Field]:
    length, body = r.vector(1, "modes", "how a resumed session may set its keys")
    body.children = _list_of(body, 1, {0: "psk_ke (PSK only: no forward secrecy)",
                                       1: "psk_dhe_ke (PSK plus a fresh ECDHE)"}, "mode")
    return [length, body]


def _alpn(r: Reader, server: bool) -> list[Field]:
    out = [r.take(2, "list length", "bytes of protocol names that follow")]
    while r.left:
        length, name = r.vector(1, "protocol", "", "set_alpn_protocols() on the context")
        name.meaning = f"'{name.data.decode('ascii', 'replace')}'"
        out += [length, name]
    return out


_MEANINGS = {
    "ec_point_formats": "TLS 1.2 leftover: points sent uncompressed",
    "session_ticket": "TLS 1.2 tickets: the client can store one",
    "encrypt_then_mac": "TLS 1.2 leftover for CBC suites",
    "extended_master_secret": "TLS 1.2: bind the master secret to the whole handshake",
    "post_handshake_auth": "the client may be asked for a certificate later",
    "renegotiation_info": "TLS 1.2: safe renegotiation",
    "padding": "zeros, so the ClientHello avoids sizes some old servers choke on",
    "pre_shared_key": "a ticket from an earlier connection (resumption)",
}
_PARSERS: dict[str, Callable[[Reader, bool], list[Field]]] = {
    "server_name": _server_name, "supported_groups": _groups,
    "signature_algorithms": _signature_algorithms, "supported_versions": _versions,
    "key_share": _key_share, "psk_key_exchange_modes": _psk_modes,
    "application_layer_protocol_negotiation": _alpn,
}


def extensions(r: Reader, server: bool = False) -> list[Field]:
    """The extensions block: its length, then one field per extension with children."""
    length, block = r.vector(2, "extensions", "the extensions that follow")
    er = Reader(block.data, block.offset, "extensions")
    while er.left >= 4:
        start = er.pos
        ext_type, type_field = er.number(2, "extension type")
        name = EXTENSIONS.get(ext_type, f"extension 0x{ext_type:04x}")
        type_field.meaning = f"{ext_type} = {name}"
        ext_len, body_len = er.number(2, "extension length", "bytes of this extension")
        body = er.take(ext_len, "extension data")
        parser = _PARSERS.get(name)
        inner = Reader(body.data, body.offset, name)
        parts = parser(inner, server) if parser else [inner.rest(
            "extension data", _MEANINGS.get(name, ""), _SET_BY_SSL)]
        if inner.left:
            parts.append(inner.rest("rest", "bytes this annotation does not split"))
        block.children.append(Field(name, block.offset + start, er.data[start:er.pos],
                                    _MEANINGS.get(name, ""), children=[type_field,
                                                                       body_len, *parts]))
    return [length, block]


def client_hello(message: bytes) -> list[Field]:
    """The fields of a ClientHello message (with its 4-byte handshake header)."""
    r = Reader(message, 0, "ClientHello")
    out = handshake_header(r, "ClientHello")
    out.append(r.take(2, "legacy version", "0x0303 = TLS 1.2, always: the real list is "
                      "in supported_versions"))
    out.append(r.take(32, "client random", "32 random bytes", "made by the client for "
                      "this connection; the key log is indexed by it"))
    length, sid = r.vector(1, "session id", "", "random: TLS 1.3's middlebox "
                           "compatibility mode (no TLS 1.2 session to resume)")
    sid.meaning = f"{sid.size} bytes a TLS 1.3 server echoes back"
    out += [length, sid]
    out += _vector_list(r, 2, 2, CIPHER_SUITES, "cipher suites",
                        "what the client can encrypt with, best first")
    length, comp = r.vector(1, "compression", "one byte 0: no compression (CRIME)")
    out += [length, comp]
    if r.left:
        out += extensions(r, server=False)
    return out


def server_hello(message: bytes) -> list[Field]:
    """The fields of a ServerHello (TLS 1.2 or 1.3)."""
    r = Reader(message, 0, "ServerHello")
    out = handshake_header(r, "ServerHello")
    out.append(r.take(2, "legacy version", "0x0303: TLS 1.3 says its version in "
                      "supported_versions"))
    out.append(r.take(32, "server random", "32 random bytes", "made by the server"))
    length, sid = r.vector(1, "session id", "the client's session id, echoed")
    out += [length, sid]
    suite, f = r.number(2, "cipher suite", origin="the server chose it from the client's list")
    f.meaning = name_of(CIPHER_SUITES, suite)
    out += [f, r.take(1, "compression", "0: none")]
    if r.left:
        out += extensions(r, server=True)
    return out


def chosen_suite(message: bytes) -> int:
    """The cipher suite a ServerHello chose."""
    sid_len = message[4 + 2 + 32]
    pos = 4 + 2 + 32 + 1 + sid_len
    return int.from_bytes(message[pos:pos + 2], "big")


def random_of(message: bytes) -> bytes:
    """The 32-byte random of a ClientHello or ServerHello."""
    return message[6:38]
