"""Annotated bytes: a :class:`Field` is a run of bytes with its name, meaning and origin.

A :class:`Reader` walks a message left to right and hands out fields, so every
annotation carries the exact offset and bytes it describes: the byte maps and the
printed tables are both drawn from these, and the tests check that the fields of a
message cover its bytes exactly (no byte unexplained, none explained twice).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InputError


@dataclass
class Field:
    """``size`` bytes at ``offset`` (within the message) called ``name``.

    ``meaning`` says in one line what the value is; ``origin`` where it came from
    (``"your client.crt"``, ``"random, made by the server for this connection"``).
    ``children`` split a field into smaller ones (an extension into its parts).
    """

    name: str
    offset: int
    data: bytes
    meaning: str = ""
    origin: str = ""
    children: list[Field] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def hex(self) -> str:
        return self.data.hex()

    def short_hex(self, limit: int = 16) -> str:
        """The hex, cut in the middle when longer than ``limit`` bytes."""
        if self.size <= limit:
            return self.hex
        return f"{self.data[:limit // 2].hex()}…{self.data[-4:].hex()} ({self.size} bytes)"

    def find(self, name: str) -> Field | None:
        """The first field called ``name`` in this one's children (depth first)."""
        for child in self.children:
            if child.name == name:
                return child
            found = child.find(name)
            if found is not None:
                return found
        return None


def truncated(what: str) -> InputError:
    return InputError(f"the {what} ends too early", "its length fields promise more "
                      "bytes than there are", "capture the whole connection again",
                      code="truncated_tls_message")


class Reader:
    """Reads fields from ``data``; offsets are ``base`` + position."""

    def __init__(self, data: bytes, base: int = 0, what: str = "message") -> None:
        self.data, self.pos, self.base, self.what = bytes(data), 0, base, what

    @property
    def left(self) -> int:
        return len(self.data) - self.pos

    def take(self, size: int, name: str, meaning: str = "", origin: str = "") -> Field:
        if size < 0 or self.pos + size > len(self.data):
            raise truncated(self.what)
        out = Field(name, self.base + self.pos, self.data[self.pos:self.pos + size],
                    meaning, origin)
        self.pos += size
        return out

    def number(self, size: int, name: str, meaning: str = "", origin: str = ""
               ) -> tuple[int, Field]:
        f = self.take(size, name, meaning, origin)
        return int.from_bytes(f.data, "big"), f

    def vector(self, length_size: int, name: str, meaning: str = "", origin: str = ""
               ) -> tuple[Field, Field]:
        """A length-prefixed vector: (its length field, its body field)."""
        n, length = self.number(length_size, f"{name} length", f"{name}: bytes that follow")
        return length, self.take(n, name, meaning, origin)

    def rest(self, name: str, meaning: str = "", origin: str = "") -> Field:
        return self.take(self.left, name, meaning, origin)


def leaves(fields: list[Field]) -> list[Field]:
    """The innermost fields, left to right (a field with children is split into them)."""
    out: list[Field] = []
    for f in fields:
        out.extend(leaves(f.children) if f.children else [f])
    return out
