"""PEM text: the one scanner that finds every ``-----BEGIN X-----`` block, in linear time.

PEM is only base64 of DER between two label lines, so one file may hold many blocks
(a full-chain bundle, a key and its certificate). Everything in pkilab that reads PEM
-- :mod:`pkilab.load`, :func:`pkilab.formats.identify`, the TLS client -- calls
:func:`find_blocks`, which makes one pass over the data: the BEGIN and END markers are
found by one bounded regular expression, paired by a small state machine (a BEGIN
while another block is open closes that one as damaged, so stray BEGIN lines cost
nothing extra), and line numbers are counted on the way. Bodies are decoded once.

Limits, stated honestly: a label is 1 to 80 characters without ``-``, CR or LF (every
label in RFC 7468 fits); at most :data:`MAX_BLOCKS` blocks are read, and a file with
more is refused (:class:`~pkilab.errors.InputError` code ``too_many_blocks``): no
certificate bundle in use is that large (Mozilla's root store holds about 150).
A damaged block comes back with a ``problem`` instead of raising.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .errors import InputError

#: More BEGIN lines than this in one input is refused (code ``too_many_blocks``).
MAX_BLOCKS = 1000

# One marker is at most 5 + 6 + 80 + 5 bytes, so each start position costs a bounded
# amount of work: the whole search is linear in the size of the data.
_MARKER = re.compile(rb"-----(BEGIN|END) ([^-\r\n]{1,80})-----")
_HEADER = re.compile(r"^([A-Za-z-]+):\s*(.*)$")
_BASE64 = re.compile(r"[A-Za-z0-9+/=]*")
# shared by every block without headers (nearly all): read-only, so sharing is safe
_NO_HEADERS: Mapping[str, str] = MappingProxyType({})


@dataclass(slots=True)  # slots: a file of many blocks stays small in memory
class PemBlock:
    """One PEM block: its ``label``, the decoded ``der`` bytes, any RFC 1421 ``headers``.

    ``problem`` is an explanation when the block is damaged (missing END line, bad
    base64); ``der`` is then empty. ``closed`` is True when its END line was found.
    ``headers`` holds lines such as ``Proc-Type: 4,ENCRYPTED`` that old OpenSSL
    writes for password-protected keys.
    """

    label: str
    der: bytes = b""
    headers: Mapping[str, str] = field(default_factory=lambda: _NO_HEADERS)
    problem: str = ""
    line: int = 1  # the line of the BEGIN marker, counted from 1
    text: bytes = b""  # the block as written, BEGIN to END line (for loaders that want PEM)
    closed: bool = True

    @property
    def encrypted(self) -> bool:
        return self.label == "ENCRYPTED PRIVATE KEY" or "ENCRYPTED" in self.headers.get(
            "Proc-Type", "")


def too_many_blocks(count: int, limit: int, origin: str = "the data") -> InputError:
    """The error for an input with more than ``limit`` PEM blocks."""
    return InputError(f"{origin} holds more than {limit} PEM blocks",
                      f"a real certificate bundle has far fewer (Mozilla's root store "
                      f"about 150); pkilab stops reading at {limit} BEGIN lines, so a file "
                      f"with {count} or more is taken as generated or damaged",
                      "split it into smaller files, or keep only the certificates you need",
                      code="too_many_blocks")


def find_blocks(data: bytes, *, limit: int | None = MAX_BLOCKS,
                origin: str = "the data") -> list[PemBlock]:
    """Every PEM block in ``data``, in order, damaged ones included.

    Raises :class:`InputError` (code ``too_many_blocks``) when there are more than
    ``limit`` BEGIN lines (``limit=None``: no cap, for benchmarks).
    """
    blocks: list[PemBlock] = []
    line, counted_to = 1, 0
    open_match: re.Match[bytes] | None = None
    open_line = 0
    for match in _MARKER.finditer(data):
        line += data.count(b"\n", counted_to, match.start())
        counted_to = match.start()
        if match.group(1) == b"BEGIN":
            if open_match is not None:  # a BEGIN inside a block: the open one never ended
                blocks.append(_unclosed(open_match, open_line, "the END line is missing "
                                        "(another BEGIN line comes first)"))
            if limit is not None and len(blocks) >= limit:
                raise too_many_blocks(len(blocks) + 1, limit, origin)
            open_match, open_line = match, line
        elif open_match is not None:  # an END with nothing open is ignored
            blocks.append(_close(data, open_match, match, open_line))
            open_match = None
    if open_match is not None:
        blocks.append(_unclosed(open_match, open_line, "the END line is missing (the file "
                                "looks cut short, or was pasted only in part)"))
    return blocks


def labels(data: bytes) -> list[str]:
    """The labels of the complete PEM blocks in ``data`` ("CERTIFICATE", ...)."""
    return [block.label for block in find_blocks(data) if block.closed]


@functools.lru_cache(maxsize=64)
def _decoded_label(raw: bytes) -> str:
    return raw.decode("ascii", "replace").strip()


def _label(match: re.Match[bytes]) -> str:
    return _decoded_label(match.group(2))


@functools.lru_cache(maxsize=64)
def _unclosed_problem(label: str, why: str) -> str:
    # one string for every stray BEGIN of a label: a file of thousands stays small
    return f"the {label} block is not closed: {why}"


def _unclosed(begin: re.Match[bytes], line: int, why: str) -> PemBlock:
    label = _label(begin)
    return PemBlock(label, problem=_unclosed_problem(label, why), line=line, closed=False)


def _close(data: bytes, begin: re.Match[bytes], end: re.Match[bytes], line: int) -> PemBlock:
    label = _label(begin)
    if end.group(2) != begin.group(2):
        other = _label(end)
        return PemBlock(label, problem=f"the {label} block is not closed: it ends with "
                        f"END {other} instead", line=line, closed=False)
    block = _decode_body(label, data[begin.end():end.start()], line)
    block.text = data[begin.start():end.end()] + b"\n"
    return block


def _decode_body(label: str, body: bytes, line: int) -> PemBlock:
    headers: dict[str, str] = {}  # RFC 1421 lines (old encrypted PEM keys) are rare
    base64_lines: list[str] = []
    for piece in body.decode("ascii", "replace").splitlines():
        piece = piece.strip()
        match = _HEADER.match(piece)
        if match and not base64_lines:
            headers[match.group(1)] = match.group(2)
        elif piece:
            base64_lines.append(piece)
    joined = "".join(base64_lines)
    if not joined:
        return PemBlock(label, headers=headers, problem=f"the {label} block is empty", line=line)
    if not _BASE64.fullmatch(joined):
        bad = sorted({c for c in joined if not (c.isascii() and (c.isalnum() or c in "+/="))})
        return PemBlock(label, headers=headers, line=line,
                        problem=f"the {label} block has characters that are not base64 "
                                f"({''.join(bad)[:10]!r}): it was edited or mangled in transit")
    try:
        der = base64.b64decode(joined, validate=True)
    except (binascii.Error, ValueError):
        return PemBlock(label, headers=headers, line=line,
                        problem=f"the {label} block's base64 does not decode (a line is "
                                "missing or was cut)")
    return PemBlock(label, der=der, headers=headers, line=line)


def encode(label: str, der: bytes) -> bytes:
    """PEM text for ``der`` under ``label``, 64 characters a line like OpenSSL."""
    text = base64.b64encode(der)
    lines = [text[i:i + 64] for i in range(0, len(text), 64)]
    return (b"-----BEGIN " + label.encode() + b"-----\n" + b"\n".join(lines) +
            b"\n-----END " + label.encode() + b"-----\n")
