"""pcapng output: the file's blocks, and tshark decrypting it (where tshark is installed)."""

from __future__ import annotations

import shutil
import struct
import subprocess

import pytest

from pkilab.capture.export import capture_set, write_files
from pkilab.capture.pcapng import one_record_each, pcapng_bytes, segments
from pkilab.cli import main
from pkilab.errors import PkilabError


def _blocks(data: bytes) -> list[int]:
    out, pos = [], 0
    while pos < len(data):
        kind, length = struct.unpack_from("<II", data, pos)
        assert struct.unpack_from("<I", data, pos + length - 4)[0] == length
        out.append(kind)
        pos += length
    return out


def _record(kind: int, size: int) -> bytes:
    return bytes([kind, 3, 3]) + size.to_bytes(2, "big") + b"\xaa" * size


def test_chunks_are_recut_one_record_each():
    a, b, c = _record(22, 10), _record(23, 300), _record(23, 7)
    chunks = [("client", a + b[:100]), ("server", c), ("client", b[100:])]
    assert one_record_each(chunks) == [("client", a), ("server", c), ("client", b)]
    assert one_record_each([("client", a[:3])]) == [("client", a[:3])]


def test_blocks_and_tcp_sequence_numbers():
    chunks = [("client", _record(22, 10)), ("server", b"\x17" * 70000)]
    data = pcapng_bytes(chunks, "CLIENT_RANDOM 00 11\n")
    kinds = _blocks(data)
    assert kinds[:3] == [0x0A0D0D0A, 1, 0x0A]
    assert kinds[3:] == [6] * len(segments(one_record_each(chunks)))
    packets = segments(chunks)
    # 70000 server bytes in 16384-byte segments: the sequence numbers add up
    seqs = [struct.unpack_from("!I", p, 24)[0] for p in packets[3:-3]]
    assert seqs[1:3] == [5000, 5000 + 16384]
    assert _blocks(pcapng_bytes(chunks))[:3] == [0x0A0D0D0A, 1, 6]  # no key log, no DSB


def test_trace_cli_writes_private_files(set_dir, tmp_path, capsys):
    pcap, keys = tmp_path / "t.pcapng", tmp_path / "t.keys"
    assert main(["trace", str(set_dir), "--mtls", "required", "--pcap", str(pcap),
                 "--keylog", str(keys)]) == 0
    out = capsys.readouterr().out
    assert "client CertificateVerify: matches the wire" in out
    assert pcap.stat().st_mode & 0o777 == 0o600 and keys.stat().st_mode & 0o777 == 0o600
    assert "CLIENT_HANDSHAKE_TRAFFIC_SECRET" in keys.read_text()
    assert main(["trace", str(set_dir), "--pcap", str(pcap)]) == 2  # exists, no --force


def test_unknown_client_has_a_code(set_dir):
    with pytest.raises(PkilabError) as bad:
        capture_set(set_dir, client="nobody")
    assert bad.value.code == "unknown_client"


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed")
@pytest.mark.parametrize("embedded", [False, True])
def test_tshark_decrypts_the_capture(set_dir, tmp_path, embedded):
    conn = capture_set(set_dir, mtls="required")
    pcap, keys = tmp_path / "c.pcapng", tmp_path / "c.keys"
    write_files(conn, pcap, keys)
    argv = ["tshark", "-r", str(pcap), "-T", "fields", "-e", "tls.handshake.type",
            "-e", "http.request.method", "-e", "http.response.code"]
    if not embedded:
        # the Decryption Secrets Block is ignored here, so only the key log file can help
        argv[3:3] = ["-o", f"tls.keylog_file:{keys}", "-o", "tls.desegment_ssl_records:TRUE"]
        stripped = tmp_path / "plain.pcapng"
        stripped.write_bytes(pcapng_bytes(conn.capture.chunks))
        argv[2] = str(stripped)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    types = {t for line in done.stdout.splitlines() for t in line.split("\t")[0].split(",")
             if t}
    # 11 Certificate and 15 CertificateVerify are inside the encrypted handshake
    assert {"1", "2", "8", "13", "11", "15", "20"} <= types
    assert "GET" in done.stdout and "200" in done.stdout


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_writes_sslkeylogfile(set_dir, tmp_path):
    """Lesson 06b: curl writes the NSS key log to the file SSLKEYLOGFILE names."""
    import os

    from pkilab import HTTPSServer

    keys = tmp_path / "curl.keys"
    with HTTPSServer(set_dir, mtls="off") as server:
        subprocess.run(["curl", "-s", "-o", os.devnull, "--cacert", "root.crt", server.url],
                       cwd=set_dir, env={**os.environ, "SSLKEYLOGFILE": str(keys)},
                       timeout=30, check=True)
    assert "CLIENT_HANDSHAKE_TRAFFIC_SECRET" in keys.read_text()


def test_trace_cli_bad_folder_exits_2(tmp_path, capsys):
    assert main(["trace", str(tmp_path / "missing")]) == 2
    assert "not a folder" in capsys.readouterr().err
