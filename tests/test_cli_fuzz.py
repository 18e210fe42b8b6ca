"""Arbitrary bytes and arguments into `pkilab inspect`, `verify` and `convert`: only exit
codes 0/1/2 and pkilab's own error lines, never a traceback, and every call returns."""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
import threading
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pkilab.certset import build_certificate_set, certificate_set_files
from pkilab.cli import main

_SET = certificate_set_files(build_certificate_set(seed="fuzz", clients=("alice",)))
_SEEDS = [_SET[name][0] for name in ("server.crt", "fullchain.crt", "server.key", "alice.p12")]
_SEEDS.append(_SEEDS[0].replace(b"-----BEGIN CERTIFICATE-----\n", b"")[:400])

# Text as argv brings it: any character, control characters, the lone surrogates that
# stand for bytes that are not UTF-8, and now and then a very long run.
_chars = st.one_of(st.characters(), st.characters(max_codepoint=0x1F),
                   st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF))
_text = st.one_of(st.text(_chars, max_size=20), st.integers(250, 400).map(lambda n: "x" * n),
                  st.sampled_from(["", "-", ".", "..", "stdin", "env:", "file:", "pass:"]))


@st.composite
def _contents(draw) -> bytes:
    if draw(st.booleans()):
        return draw(st.binary(max_size=3000))
    data = bytearray(draw(st.sampled_from(_SEEDS)))
    for _ in range(draw(st.sampled_from([0, 0, 1, 2, 4]))):  # damage a real file a little
        where = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["cut", "flip", "insert"]))
        if action == "cut":
            del data[where:]
        elif action == "flip" and where < len(data):
            data[where] ^= draw(st.integers(1, 255))
        else:
            data[where:where] = draw(st.binary(max_size=40))
    return bytes(data)


def _safe_name(text: str) -> str:
    return text.replace("/", "_") or "empty"


@st.composite
def _command(draw, folder: Path) -> list[str]:
    given_file = folder / "input.bin"
    other = folder / _safe_name(draw(_text))  # usually missing; may be odd, long, NUL
    first = str(draw(st.sampled_from([given_file, given_file, other])))
    command = draw(st.sampled_from(["inspect", "verify", "convert"]))
    if command == "inspect":
        args = ["inspect", first]
    elif command == "verify":
        args = ["verify", first, "--ca", str(draw(st.sampled_from([given_file, other])))]
        if draw(st.booleans()):
            args += ["--host", draw(_text)]
    else:
        ext = draw(st.sampled_from([".pem", ".der", ".crt", ".key", ".p12", ".jks", ".p7b", ""]))
        args = ["convert", first, str(folder / "out" / (_safe_name(draw(_text)) + ext))]
        if draw(st.booleans()):
            args += ["--to", draw(st.sampled_from(["pem", "der", "p12", "pkcs8", "jks",
                                                   "split", "p7b"]))]
        if draw(st.booleans()):
            args.append("--force")
    if draw(st.booleans()) and command != "verify":
        args += [draw(st.sampled_from(["--password", "--in-password"]))
                 if command == "convert" else "--password",
                 draw(st.one_of(_text, st.sampled_from(["123456", "pass:123456", "stdin"])))]
    return args


@contextlib.contextmanager
def _stdin(data: bytes):
    import sys

    saved = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(data))
    try:
        yield
    finally:
        sys.stdin = saved


def _call(args: list[str]) -> tuple[object, str, str]:
    out, err = io.StringIO(), io.StringIO()
    result: list[object] = []

    def target() -> None:
        # a "stdin" password reads one line of this, never the terminal
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                _stdin(b"123456\n"):
            try:
                result.append(main(args))
            except SystemExit as exc:  # argparse's usage errors
                result.append(exc.code)
            except BaseException as exc:  # the very thing under test
                result.append(exc)

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(timeout=5)  # a guard against hangs, not a measure of speed
    assert not worker.is_alive(), f"pkilab {args!r} did not return within 5 s"
    return result[0], out.getvalue(), err.getvalue()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_arbitrary_input_gives_only_pkilab_errors(data):
    folder = Path(tempfile.mkdtemp(prefix="pkilab-fuzz-"))
    try:
        (folder / "out").mkdir()
        (folder / "input.bin").write_bytes(data.draw(_contents()))
        args = data.draw(_command(folder))
        status, _out, err = _call(args)
        assert status in (0, 1, 2), (args, status)
        for line in err.splitlines():
            assert line.startswith(("pkilab: ", "usage: ", "  ")), (args, err)
        assert "Traceback" not in err
    finally:
        shutil.rmtree(folder, ignore_errors=True)
