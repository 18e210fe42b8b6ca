"""TLS records: the 5-byte header (type, legacy version, length) and the payload.

Pure: a byte stream in, :class:`Record` objects out. Encrypted TLS 1.3 records keep
their header as the AEAD's additional data (RFC 8446 section 5.2), which is why the
header bytes are kept whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from .fields import Field
from .registry import CONTENT_TYPES, VERSIONS, name_of


@dataclass(frozen=True)
class Record:
    """One record as ``sender`` sent it; ``offset`` is where it starts in that side's stream."""

    sender: str
    offset: int
    header: bytes
    payload: bytes

    @property
    def content_type(self) -> int:
        return self.header[0]

    @property
    def type_name(self) -> str:
        return CONTENT_TYPES.get(self.content_type, f"type {self.content_type}")

    @property
    def raw(self) -> bytes:
        return self.header + self.payload

    def header_fields(self) -> list[Field]:
        version = int.from_bytes(self.header[1:3], "big")
        return [
            Field("record type", 0, self.header[:1], f"{self.content_type} = {self.type_name}"
                  + (" (TLS 1.3 hides the real type inside the encryption)"
                     if self.content_type == 23 else "")),
            Field("legacy version", 1, self.header[1:3],
                  f"{name_of(VERSIONS, version)}: frozen for old middleboxes, not the "
                  "negotiated version"),
            Field("length", 3, self.header[3:5], f"{len(self.payload)} bytes of payload follow"),
        ]


def split_records(sender: str, stream: bytes) -> tuple[list[Record], bytes]:
    """Cut ``stream`` into records; also returns the bytes of an unfinished last record."""
    out, pos = [], 0
    while pos + 5 <= len(stream):
        length = int.from_bytes(stream[pos + 3:pos + 5], "big")
        if pos + 5 + length > len(stream):
            break
        out.append(Record(sender, pos, stream[pos:pos + 5], stream[pos + 5:pos + 5 + length]))
        pos += 5 + length
    return out, stream[pos:]
