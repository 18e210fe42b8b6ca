"""A tiny DER reader: tag, length, value — enough to show the parts of a certificate.

DER (the binary form inside every PEM file) is a tree of TLV elements: one tag byte
(``0x30`` SEQUENCE, ``0x02`` INTEGER, ``0xa0`` the context tag ``[0]`` ...), a length
(one byte below 128; else ``0x81``/``0x82`` followed by one or two length bytes), then
the value, which for constructed types is more elements. This reader is pure and
strict (definite lengths only, as DER requires) and keeps the raw bytes of each
element, so a picture can show exactly which bytes make which part.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError

UNIVERSAL = {1: "BOOLEAN", 2: "INTEGER", 3: "BIT STRING", 4: "OCTET STRING", 5: "NULL",
             6: "OBJECT IDENTIFIER", 12: "UTF8String", 16: "SEQUENCE", 17: "SET",
             19: "PrintableString", 20: "T61String", 22: "IA5String", 23: "UTCTime",
             24: "GeneralizedTime", 30: "BMPString"}


@dataclass(frozen=True)
class Node:
    """One DER element: ``raw`` is its header and value, ``header`` the header's length."""

    tag: int
    raw: bytes
    header: int

    @property
    def value(self) -> bytes:
        return self.raw[self.header:]

    @property
    def constructed(self) -> bool:
        return bool(self.tag & 0x20)

    @property
    def tag_name(self) -> str:
        """``SEQUENCE``, ``INTEGER``, ``[3]`` (context-specific), ..."""
        number = self.tag & 0x1F
        if self.tag & 0xC0 == 0x80:
            return f"[{number}]"
        if self.tag & 0xC0 == 0:
            return UNIVERSAL.get(number, f"universal {number}")
        return f"tag 0x{self.tag:02x}"

    def children(self) -> list[Node]:
        """The elements inside a constructed element (empty for a primitive one)."""
        return read_all(self.value) if self.constructed else []


def _fail(what: str, offset: int) -> InputError:
    return InputError(f"not valid DER: {what} at byte {offset}",
                      "DER is tag, length, value, with every length exactly right",
                      "check that the data is a whole certificate (not cut, not PEM text)")


def read(data: bytes, offset: int = 0) -> Node:
    """The element that starts at ``offset`` of ``data``."""
    if offset + 2 > len(data):
        raise _fail("an element is cut short", offset)
    tag = data[offset]
    if tag & 0x1F == 0x1F:
        raise _fail("a multi-byte tag (not used in certificates)", offset)
    first = data[offset + 1]
    if first < 0x80:
        length, header = first, 2
    elif first == 0x80:
        raise _fail("an indefinite length (BER, not DER)", offset)
    else:
        count = first & 0x7F
        if count > 4 or offset + 2 + count > len(data):
            raise _fail("a length that does not fit", offset)
        length = int.from_bytes(data[offset + 2:offset + 2 + count], "big")
        header = 2 + count
    end = offset + header + length
    if end > len(data):
        raise _fail(f"an element that claims {length} bytes but has fewer", offset)
    return Node(tag, bytes(data[offset:end]), header)


def read_all(data: bytes) -> list[Node]:
    """Every element of ``data``, one after another."""
    nodes, offset = [], 0
    while offset < len(data):
        node = read(data, offset)
        nodes.append(node)
        offset += len(node.raw)
    return nodes


def decode_oid(value: bytes) -> str:
    """The dotted form of an OBJECT IDENTIFIER's value bytes, e.g. ``2.5.29.19``."""
    numbers, current = [], 0
    for byte in value:
        current = (current << 7) | (byte & 0x7F)
        if not byte & 0x80:
            numbers.append(current)
            current = 0
    if not numbers:
        return ""
    first = numbers[0]
    head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    return ".".join(str(n) for n in head + numbers[1:])
