"""How long leaving ``with HTTPSServer(...)`` takes, with clients hanging on.

Goal (issue #4): the server stops within a second, even while a client stalls in the
middle of a handshake and another stays connected without sending anything. The
handshake timeout is set to 30 s, so a server that waited for its clients would take
30 s. Side by side: an idle server, and one with two hanging clients.

    .venv/bin/python benchmarks/bench_server_stop.py [--repeat N]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import time

from pkilab.certset import build_certificate_set
from pkilab.tls import HTTPSServer

GOAL_SECONDS = 1.0
# A ClientHello record header that promises more bytes than it sends.
PARTIAL_CLIENT_HELLO = bytes([22, 3, 1, 0x02, 0x00, 1, 0, 1, 0xFC, 3, 3])


def stop_time(certificates, hanging: bool) -> float:
    clients = []
    with HTTPSServer(certificates, handshake_timeout=30) as server:
        if hanging:
            stalled = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            stalled.sendall(PARTIAL_CLIENT_HELLO)
            silent = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            clients = [stalled, silent]
            time.sleep(0.1)  # let the server's threads pick them up
        started = time.perf_counter()
    elapsed = time.perf_counter() - started
    for client in clients:
        client.close()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=11)
    args = parser.parse_args()
    certificates = build_certificate_set(seed="bench")
    rows = {"idle": [], "two hanging clients": []}
    for _ in range(args.repeat):
        rows["idle"].append(stop_time(certificates, hanging=False))
        rows["two hanging clients"].append(stop_time(certificates, hanging=True))
    print(f"{'case':<22}{'median':>10}{'max':>10}")
    for case, times in rows.items():
        print(f"{case:<22}{statistics.median(times) * 1000:>8.0f}ms{max(times) * 1000:>8.0f}ms")
    worst = max(rows["two hanging clients"])
    ok = worst <= GOAL_SECONDS
    print(f"{'PASS' if ok else 'FAIL'}  stop within {GOAL_SECONDS:.0f} s with hanging clients: "
          f"worst {worst * 1000:.0f} ms of {args.repeat}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
