"""PEM text: find every ``-----BEGIN X-----`` block, decode it, and say what went wrong.

PEM is only base64 of DER between two label lines, so one file may hold many blocks
(a full-chain bundle, a key and its certificate). The label says what the DER is
meant to be; this module reads the labels and bodies and never raises for bad text:
a damaged block comes back with a ``problem`` instead.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field

_BEGIN = re.compile(rb"-----BEGIN ([^-\r\n]{1,80})-----")
_HEADER = re.compile(r"^([A-Za-z-]+):\s*(.*)$")


@dataclass
class PemBlock:
    """One PEM block: its ``label``, the decoded ``der`` bytes, any RFC 1421 ``headers``.

    ``problem`` is an explanation when the block is damaged (missing END line, bad
    base64); ``der`` is then empty. ``headers`` holds lines such as
    ``Proc-Type: 4,ENCRYPTED`` that old OpenSSL writes for password-protected keys.
    """

    label: str
    der: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    problem: str = ""
    line: int = 1  # the line of the BEGIN marker, counted from 1
    text: bytes = b""  # the block as written, BEGIN to END line (for loaders that want PEM)

    @property
    def encrypted(self) -> bool:
        return self.label == "ENCRYPTED PRIVATE KEY" or "ENCRYPTED" in self.headers.get(
            "Proc-Type", "")


def find_blocks(data: bytes) -> list[PemBlock]:
    """Every PEM block in ``data``, in order, damaged ones included."""
    blocks: list[PemBlock] = []
    pos = 0
    while True:
        begin = _BEGIN.search(data, pos)
        if begin is None:
            return blocks
        label = begin.group(1).decode("ascii", "replace").strip()
        line = data.count(b"\n", 0, begin.start()) + 1
        end_marker = b"-----END " + begin.group(1) + b"-----"
        end = data.find(end_marker, begin.end())
        next_begin = _BEGIN.search(data, begin.end())
        if end < 0 or (next_begin is not None and next_begin.start() < end):
            stop = next_begin.start() if next_begin else len(data)
            other_end = re.search(rb"-----END ([^-\r\n]{1,80})-----", data[begin.end():stop])
            why = (f"it ends with END {other_end.group(1).decode('ascii', 'replace')} "
                   "instead" if other_end else "the END line is missing (the file looks cut "
                   "short, or was pasted only in part)")
            blocks.append(PemBlock(label, problem=f"the {label} block is not closed: {why}",
                                   line=line))
            pos = stop
            if next_begin is None:
                return blocks
            continue
        block = _decode_body(label, data[begin.end():end], line)
        block.text = data[begin.start():end + len(end_marker)] + b"\n"
        blocks.append(block)
        pos = end + len(end_marker)


def _decode_body(label: str, body: bytes, line: int) -> PemBlock:
    headers: dict[str, str] = {}
    text = body.decode("ascii", "replace")
    lines = [piece.strip() for piece in text.splitlines()]
    base64_lines = []
    for piece in lines:
        match = _HEADER.match(piece)
        if match and not base64_lines:
            headers[match.group(1)] = match.group(2)
        elif piece:
            base64_lines.append(piece)
    joined = "".join(base64_lines)
    if not joined:
        return PemBlock(label, headers=headers, problem=f"the {label} block is empty", line=line)
    bad = sorted({c for c in joined if not (c.isascii() and (c.isalnum() or c in "+/="))})
    if bad:
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
