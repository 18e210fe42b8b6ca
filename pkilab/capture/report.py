"""Text views of an annotated connection: the message list and one message's fields.

Random values (randoms, keys, signatures, secrets) change on every connection; with
``stable=True`` their hex is replaced by ``<N random bytes>`` so a stored notebook
output stays the same from run to run while every length and meaning is still shown.
"""

from __future__ import annotations

import re

from .annotate import Connection, Message
from .fields import Field

#: Fields whose bytes differ on every connection.
RANDOM_FIELDS = frozenset({
    "client random", "server random", "session id", "public key", "signature",
    "verify_data", "ticket", "ticket age add", "ticket nonce", "certificate (DER)",
    "ticket lifetime", "handshake length", "length", "signature length",
    "certificate list length", "certificate (DER) length", "certificate list",
    "extension length", "extensions length", "extensions", "ticket length",
})


def message_table(conn: Connection) -> str:
    """One line per handshake message: direction, name, size, encrypted or not."""
    lines = [f"{conn.version}, {conn.suite_code:#06x} "
             f"{conn.capture.cipher}" + (", resumed" if conn.capture.reused else "")]
    for m in conn.messages:
        arrow = "client -> server" if m.sender == "client" else "client <- server"
        lines.append(f"  {arrow}  {m.name:<20} {'encrypted' if m.encrypted else 'plain'}")
    return "\n".join(lines)


#: Fields whose *size* changes too (an ECDSA signature is 70 to 72 bytes), with the
#: lengths that count them: stable views print "<varies>" and no number.
VARYING_FIELDS = frozenset({"signature", "signature length", "ticket", "ticket length"})
_VARYING_MESSAGES = frozenset({"CertificateVerify", "NewSessionTicket", "ServerKeyExchange"})


def _value(f: Field, stable: bool, varying: bool) -> str:
    if stable and (f.name in VARYING_FIELDS or (varying and f.name == "handshake length")):
        return "<varies>"
    if stable and (f.name in RANDOM_FIELDS or f.size > 24):
        return f"<{f.size} bytes>"
    return f.hex if f.size <= 12 else f.short_hex(12)


def _meaning(f: Field, stable: bool, varying: bool) -> str:
    if stable and (f.name in VARYING_FIELDS or (varying and f.name == "handshake length")):
        return re.sub(r"\d+", "N", f.meaning)
    return f.meaning


def field_lines(fields: list[Field], *, stable: bool = False, depth: int = 0,
                max_depth: int = 3, varying: bool = False) -> list[str]:
    """Indented ``name  hex  meaning  [origin]`` lines, children below their parent.
    ``varying``: the message's own length changes from run to run (signatures)."""
    out = []
    for f in fields:
        text = (f"{'  ' * depth}{f.name:<{max(26 - 2 * depth, 8)}} "
                f"{_value(f, stable, varying):<22}")
        meaning = _meaning(f, stable, varying)
        if meaning:
            text += f" {meaning}"
        if f.origin:
            text += f"  [from: {f.origin}]"
        out.append(text.rstrip())
        if f.children and depth + 1 < max_depth:
            out += field_lines(f.children, stable=stable, depth=depth + 1,
                               max_depth=max_depth, varying=varying)
    return out


def explain(message: Message, *, stable: bool = False, max_depth: int = 3) -> str:
    """A message's fields, Illustrated-style: bytes, meaning, where the value came from."""
    varying = message.name in _VARYING_MESSAGES
    size = "" if stable and varying else f"{len(message.data)} bytes, "
    head = (f"{message.sender} -> {message.name} ({size}"
            f"{'decrypted' if message.encrypted else 'plaintext'})")
    return "\n".join([head, *field_lines(message.fields, stable=stable,
                                         max_depth=max_depth, varying=varying)])
