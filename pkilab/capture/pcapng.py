"""A pcapng file of one captured connection, with its key log inside, for Wireshark.

The TLS bytes are the real ones; the IPv4 and TCP framing around them is made up here
(the lab's client reads and writes a socket, it never sees packets): a three-way
handshake, one segment per TLS record, a FIN each way, with
correct sequence numbers and checksums. The server port is written as 443 so Wireshark
dissects TLS without being told; the key log goes in a Decryption Secrets Block
(pcapng's block type 10, "TLSK" secrets, Wireshark 3.0+), so the file alone decrypts.

Blocks, all little-endian: Section Header, Interface Description (link type 101,
raw IP), Decryption Secrets, then Enhanced Packet blocks.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

LINKTYPE_RAW = 101
TLS_KEY_LOG = 0x544C534B  # "TLSK"
CLIENT = (bytes([127, 0, 0, 1]), 50443)
SERVER = (bytes([127, 0, 0, 1]), 443)
_SYN, _ACK, _PSH, _FIN = 0x02, 0x10, 0x08, 0x01


def _pad4(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def _block(block_type: int, body: bytes) -> bytes:
    body = _pad4(body)
    total = 12 + len(body)
    return struct.pack("<II", block_type, total) + body + struct.pack("<I", total)


def section_header() -> bytes:
    return _block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))


def interface(link_type: int = LINKTYPE_RAW) -> bytes:
    return _block(1, struct.pack("<HHI", link_type, 0, 0))


def decryption_secrets(keylog: str) -> bytes:
    data = keylog.encode("ascii")
    return _block(0x0A, struct.pack("<II", TLS_KEY_LOG, len(data)) + _pad4(data))


def packet(data: bytes, microseconds: int) -> bytes:
    head = struct.pack("<IIIII", 0, microseconds >> 32, microseconds & 0xFFFFFFFF,
                       len(data), len(data))
    return _block(6, head + _pad4(data))


def _checksum(data: bytes) -> int:
    data = _pad2(data)
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _pad2(data: bytes) -> bytes:
    return data + b"\0" * (len(data) % 2)


def tcp_ip(src: tuple[bytes, int], dst: tuple[bytes, int], seq: int, ack: int,
           flags: int, payload: bytes = b"", ident: int = 0) -> bytes:
    """An IPv4 packet carrying one TCP segment, checksums filled in."""
    tcp = struct.pack("!HHIIBBHHH", src[1], dst[1], seq, ack, 5 << 4, flags, 65535, 0, 0)
    pseudo = src[0] + dst[0] + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
    tcp = tcp[:16] + struct.pack("!H", _checksum(pseudo + tcp + payload)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), ident, 0x4000,
                     64, 6, 0, src[0], dst[0])
    ip = ip[:10] + struct.pack("!H", _checksum(ip)) + ip[12:]
    return ip + tcp + payload


def one_record_each(chunks: Iterable[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The chunks re-cut so that each holds exactly one TLS record (order kept).

    How ``recv`` grouped the bytes changes from run to run; records do not, so a capture
    cut this way has the same packets every time. An unfinished record at the end of a
    side's stream is kept as it is.
    """
    out: list[tuple[str, bytes]] = []
    pending = {"client": b"", "server": b""}
    for sender, data in chunks:
        buffer = pending[sender] + data
        while len(buffer) >= 5 and len(buffer) >= 5 + int.from_bytes(buffer[3:5], "big"):
            size = 5 + int.from_bytes(buffer[3:5], "big")
            out.append((sender, buffer[:size]))
            buffer = buffer[size:]
        pending[sender] = buffer
    out += [(sender, rest) for sender, rest in pending.items() if rest]
    return out


def segments(chunks: Iterable[tuple[str, bytes]]) -> list[bytes]:
    """The packets of a TCP connection that carries ``chunks`` ("client"/"server", bytes)."""
    seq = {"client": 1000, "server": 5000}
    ends = {"client": (CLIENT, SERVER), "server": (SERVER, CLIENT)}
    out = [tcp_ip(CLIENT, SERVER, seq["client"] - 1, 0, _SYN),
           tcp_ip(SERVER, CLIENT, seq["server"] - 1, seq["client"], _SYN | _ACK),
           tcp_ip(CLIENT, SERVER, seq["client"], seq["server"], _ACK)]
    for sender, data in chunks:
        other = "server" if sender == "client" else "client"
        for start in range(0, len(data), 16384):
            piece = data[start:start + 16384]
            src, dst = ends[sender]
            out.append(tcp_ip(src, dst, seq[sender], seq[other], _PSH | _ACK, piece,
                              len(out)))
            seq[sender] += len(piece)
    for sender in ("client", "server"):
        other = "server" if sender == "client" else "client"
        src, dst = ends[sender]
        out.append(tcp_ip(src, dst, seq[sender], seq[other], _FIN | _ACK, b"", len(out)))
        seq[sender] += 1
    out.append(tcp_ip(CLIENT, SERVER, seq["client"], seq["server"], _ACK, b"", len(out)))
    return out


def pcapng_bytes(chunks: Iterable[tuple[str, bytes]], keylog: str | None = None,
                 start_us: int = 1_767_225_600_000_000) -> bytes:
    """The whole file; timestamps start at ``start_us`` (default 2026-01-01 UTC) and step
    by 1 ms, so the same bytes give the same file."""
    blocks = [section_header(), interface()]
    if keylog:
        blocks.append(decryption_secrets(keylog))
    packets = segments(one_record_each(chunks))
    blocks += [packet(p, start_us + 1000 * i) for i, p in enumerate(packets)]
    return b"".join(blocks)
