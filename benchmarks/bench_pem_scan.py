"""PEM scanning: the two old scanners against the one linear scanner, side by side.

Goal (issue 9 §3): scanning is linear -- 10x the input may cost at most ~12x the time.
Before, pkilab had two PEM scanners, both quadratic on some input:

- ``load._PEM_BLOCK``: a lazy regular expression with a back-reference. On a file
  of stray ``BEGIN CERTIFICATE`` lines every BEGIN searches the rest of the file for
  its END (5,000 lines, 140 KB: 17.7 s in ``pkilab verify``).
- ``formats/pem.find_blocks``: ``data.count(b"\\n", 0, begin)`` for every block's line
  number, and ``data.find(END)`` over the rest of the file for every stray BEGIN.

Both are reproduced below exactly as they were ("before"), next to
:func:`pkilab.pem.find_blocks` ("after", called with ``limit=None`` so that the cap
of 1,000 blocks does not stop the measurement; pkilab itself refuses larger inputs,
which the last rows show). Two inputs, each at 1x and 10x: a file of stray BEGIN lines
and a bundle of real (distinct, EC P-256) certificates. The old scanners run at
smaller sizes than the new one, or the benchmark would take half an hour.

usage: python benchmarks/bench_pem_scan.py [--repeat N] [--quick]
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives.serialization import Encoding

from pkilab import pem
from pkilab.ca import CertificateAuthority
from pkilab.errors import PkilabError
from pkilab.load import certificates_from_bytes

GOAL = 12.0  # 10x the input may cost at most this many times the time

# ---- before: the two scanners as they were on main (2026-12-01) -------------------------

_OLD_LOAD_BLOCK = re.compile(
    rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", re.DOTALL)


def old_load_labels(data: bytes) -> list[str]:
    """``load.pem_labels`` before: the lazy regex with a back-reference."""
    return [m.group(1).decode("ascii") for m in _OLD_LOAD_BLOCK.finditer(data)]


_OLD_BEGIN = re.compile(rb"-----BEGIN ([^-\r\n]{1,80})-----")


def old_formats_blocks(data: bytes) -> list[tuple[str, int, bytes]]:
    """``formats/pem.find_blocks`` before (label, line, body), without the base64 step,
    which was linear and is the same in both."""
    blocks = []
    pos = 0
    while True:
        begin = _OLD_BEGIN.search(data, pos)
        if begin is None:
            return blocks
        label = begin.group(1).decode("ascii", "replace").strip()
        line = data.count(b"\n", 0, begin.start()) + 1
        end_marker = b"-----END " + begin.group(1) + b"-----"
        end = data.find(end_marker, begin.end())
        next_begin = _OLD_BEGIN.search(data, begin.end())
        if end < 0 or (next_begin is not None and next_begin.start() < end):
            stop = next_begin.start() if next_begin else len(data)
            re.search(rb"-----END ([^-\r\n]{1,80})-----", data[begin.end():stop])
            blocks.append((label, line, b""))
            pos = stop
            if next_begin is None:
                return blocks
            continue
        body = data[begin.end():end]
        with contextlib.suppress(binascii.Error, ValueError):
            base64.b64decode(b"".join(body.split()), validate=True)
        blocks.append((label, line, body))
        pos = end + len(end_marker)


def new_blocks(data: bytes) -> list[pem.PemBlock]:
    return pem.find_blocks(data, limit=None)


def reference(data: bytes) -> list[int]:
    """Not a scanner: only listing where the markers are, one small object each. Shows
    what 10x more objects cost on this machine by itself (caches, allocator, GC)."""
    return [m.start() for m in pem._MARKER.finditer(data)]


# ---- inputs ---------------------------------------------------------------------------------

def stray_begins(lines: int) -> bytes:
    return b"-----BEGIN CERTIFICATE-----\n" * lines


def certificate_bundle(count: int, distinct: list[bytes]) -> bytes:
    return b"".join(distinct[i % len(distinct)] for i in range(count))


def distinct_certificates(n: int) -> list[bytes]:
    root = CertificateAuthority.create_root("/CN=bench root", seed="bench-pem")
    ca = root.issue_intermediate("/CN=bench intermediate")
    return [ca.issue_server([f"host{i}.bench.test"]).certificate.public_bytes(Encoding.PEM)
            for i in range(n)]


# ---- measuring ------------------------------------------------------------------------------

def best_of(repeat: int, scan: Callable[[bytes], object], data: bytes) -> float:
    """The fastest of ``repeat`` runs: the least disturbed by the other engineers' jobs
    on this shared machine (the same rule for every row, so the ratios are fair)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        scan(data)
        times.append(time.perf_counter() - start)
    return min(times)


def row(name: str, scan: Callable[[bytes], object], small: bytes, large: bytes,
        repeat: int) -> tuple[str, float, float, float]:
    t1 = best_of(repeat, scan, small)
    t10 = best_of(repeat, scan, large)
    return name, t1, t10, t10 / t1


def _fmt(seconds: float) -> str:
    return f"{seconds * 1000:10.1f} ms" if seconds < 10 else f"{seconds:10.1f} s "


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true",
                        help="smaller inputs (for a smoke run)")
    args = parser.parse_args(argv)
    div = 10 if args.quick else 1
    distinct = distinct_certificates(200)
    size = {"old stray": 300 // div, "new stray": 5000 // div,
            "old bundle": 500 // div, "new bundle": 10000 // div}
    rows = []
    print(f"{'scanner, input (1x -> 10x)':62} {'1x':>13} {'10x':>13} {'ratio':>7}")
    for name, scan, key, make in [
        ("before: load._PEM_BLOCK, stray BEGIN lines", old_load_labels, "old stray",
         stray_begins),
        ("before: formats/pem, stray BEGIN lines", old_formats_blocks, "old stray",
         stray_begins),
        ("after:  pkilab.pem, stray BEGIN lines", new_blocks, "old stray", stray_begins),
        ("after:  pkilab.pem, stray BEGIN lines", new_blocks, "new stray", stray_begins),
        ("(reference: marker positions only)", reference, "new stray", stray_begins),
        ("before: load._PEM_BLOCK, certificate bundle", old_load_labels, "old bundle", None),
        ("before: formats/pem, certificate bundle", old_formats_blocks, "old bundle", None),
        ("after:  pkilab.pem, certificate bundle", new_blocks, "old bundle", None),
        ("after:  pkilab.pem, certificate bundle", new_blocks, "new bundle", None),
        ("(reference: marker positions only)", reference, "new bundle", None),
    ]:
        n = size[key]

        def build(count: int, make=make) -> bytes:
            return make(count) if make else certificate_bundle(count, distinct)

        small, large = build(n), build(10 * n)
        unit = "lines" if make else "certs"
        label = f"{name} ({n:,} -> {10 * n:,} {unit})"
        result = row(label, scan, small, large, args.repeat)
        rows.append(result)
        print(f"{label:62} {_fmt(result[1])} {_fmt(result[2])} {result[3]:6.1f}x",
              flush=True)
    _refusals(size)
    worst = max(r[3] for r in rows if r[0].startswith("after"))
    verdict = "PASS" if worst <= GOAL else "FAIL"
    print(f"\n{verdict}  the one scanner is linear: worst 10x/1x ratio {worst:.1f}x "
          f"(goal <= {GOAL:.0f}x)")
    return 0 if verdict == "PASS" else 1


def _refusals(size: dict[str, int]) -> None:
    """What pkilab itself does with the issue's inputs: refuse them at the cap, at once."""
    print()
    for what, data in [(f"{size['new stray']:,} stray BEGIN lines",
                        stray_begins(size["new stray"])),
                       (f"{size['new bundle']:,}-certificate bundle",
                        certificate_bundle(size["new bundle"],
                                           distinct_certificates(20)))]:
        start = time.perf_counter()
        try:
            certificates_from_bytes(data)
            outcome = "read"
        except PkilabError as exc:
            outcome = f"refused ({exc.code})"
        print(f"load_certificates, {what}: {outcome} in "
              f"{(time.perf_counter() - start) * 1000:.1f} ms")


if __name__ == "__main__":
    raise SystemExit(main())
