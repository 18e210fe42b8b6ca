"""A good client against the lab server while hundreds of connections hold it: old vs new.

Goal (issue 9, section 6): a good mTLS client is served within 1 s while 1,000 idle or
slow connections are held. Side by side in one run:

  old  the server before the selector redesign (a thread per connection, at most 256
       connections counted before the handshake), taken from git (``--old-ref``,
       default: where this branch left main) into a temporary folder
  new  the server in this tree

Each server runs in its own process (``HTTPSServer(set, mtls="required")``, default
settings). This process holds N connections open against it and keeps holding them: a
connection the server closes is opened again at once.

  idle  connect, send nothing
  drip  connect, then send a ClientHello one byte every 0.5 s (a slow-loris handshake)

Meanwhile a good client (``pkilab.request`` with a client certificate) makes
``--requests`` requests, one after another, each with a 5 s timeout. A request is a
success when it gets 200 within 1 s. Prints success rate and latency (median, worst)
for N = 0, 300 and 1,000 of each kind; PASS when the new server has every request
succeed in every case. Raises this process's open-file limit to the hard limit (the
server processes raise their own).

    .venv/bin/python benchmarks/bench_server_pressure.py [--requests N] [--old-ref REF]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import selectors
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = "bench-pressure"
GOAL_SECONDS = 1.0
DRIP_INTERVAL = 0.5
# A ClientHello: record header (512 bytes follow), message header, TLS 1.2, a random...
CLIENT_HELLO = bytes([22, 3, 1, 0x02, 0x00, 1, 0, 1, 0xFC, 3, 3]) + bytes(501)

SERVER = """
import resource, sys
SEED = sys.argv[1]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
import pkilab
from pkilab.certset import build_certificate_set
from pkilab.tls import HTTPSServer
with HTTPSServer(build_certificate_set(seed=SEED), mtls="required") as server:
    print(server.port, pkilab.__file__, flush=True)
    sys.stdin.read()
"""


def raise_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def old_package(ref: str, into: Path) -> Path:
    """``pkilab/`` as it was at ``ref``, unpacked into ``into``."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", ref, "pkilab"],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


class Server:
    """One server process; ``path`` is where its pkilab comes from (None: this tree)."""

    def __init__(self, path: Path | None) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = str(path if path is not None else REPO)
        self.proc = subprocess.Popen([sys.executable, "-c", SERVER, SEED], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env,
                                     cwd=tempfile.gettempdir())
        port, self.package = self.proc.stdout.readline().split()
        self.port = int(port)

    def close(self) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Holder(threading.Thread):
    """Keeps ``count`` connections open against ``port``; reopens those the server closes."""

    def __init__(self, port: int, count: int, drip: bool) -> None:
        super().__init__(daemon=True)
        self.port, self.count, self.drip = port, count, drip
        self.stopping = threading.Event()
        self.reopened = 0
        self.selector = selectors.DefaultSelector()
        self.sent: dict[socket.socket, int] = {}

    def _open(self) -> None:
        sock = socket.socket()
        sock.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            sock.connect(("127.0.0.1", self.port))
        self.selector.register(sock, selectors.EVENT_READ)
        self.sent[sock] = 0

    def _close(self, sock: socket.socket) -> None:
        self.selector.unregister(sock)
        del self.sent[sock]
        sock.close()

    def run(self) -> None:
        for _ in range(self.count):
            self._open()
        next_drip = time.monotonic()
        while not self.stopping.is_set():
            for key, _ in self.selector.select(0.05):  # readable: closed (or an alert)
                self._close(key.fileobj)
                self._open()
                self.reopened += 1
            if self.drip and time.monotonic() >= next_drip:
                next_drip = time.monotonic() + DRIP_INTERVAL
                for sock, sent in list(self.sent.items()):
                    if sent < len(CLIENT_HELLO):
                        with contextlib.suppress(OSError):
                            sock.send(CLIENT_HELLO[sent:sent + 1])
                            self.sent[sock] = sent + 1
        for sock in list(self.sent):
            self._close(sock)
        self.selector.close()


def good_client(port: int, requests: int) -> list[float | None]:
    """Latency of each request that got 200 within the goal, None for the others."""
    from pkilab.certset import build_certificate_set
    from pkilab.errors import PkilabError
    from pkilab.tls import request

    cs = build_certificate_set(seed=SEED)
    out: list[float | None] = []
    for _ in range(requests):
        started = time.perf_counter()
        try:
            status = request(f"https://localhost:{port}/", ca=cs.root.certificate,
                             cert=cs.clients["client"], timeout=5).status
        except PkilabError:
            status = None
        elapsed = time.perf_counter() - started
        out.append(elapsed if status == 200 and elapsed <= GOAL_SECONDS else None)
        time.sleep(0.2)
    return out


def run_case(package: Path | None, count: int, drip: bool, requests: int) -> list[float | None]:
    server = Server(package)
    holder = Holder(server.port, count, drip)
    try:
        holder.start()
        time.sleep(1.0 + (DRIP_INTERVAL * 2 if drip else 0))  # let the pressure build
        return good_client(server.port, requests)
    finally:
        holder.stopping.set()
        holder.join(10)
        server.close()


def row(name: str, case: str, results: list[float | None]) -> str:
    good = [r for r in results if r is not None]
    median = f"{statistics.median(good) * 1000:8.1f}ms" if good else f"{'-':>10}"
    worst = f"{max(good) * 1000:8.1f}ms" if good else f"{'-':>10}"
    return f"{name:<5}{case:<12}{len(good):>4}/{len(results):<4}{median}{worst}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--old-ref", default=None,
                        help="git ref of the old server (default: merge-base of HEAD and main)")
    args = parser.parse_args()
    raise_file_limit()
    ref = args.old_ref or subprocess.run(
        ["git", "-C", str(REPO), "merge-base", "HEAD", "main"], capture_output=True,
        text=True, check=True).stdout.strip()
    cases = [(0, False), (300, False), (1000, False), (300, True), (1000, True)]
    with tempfile.TemporaryDirectory(prefix="pkilab-old-") as folder:
        old = old_package(ref, Path(folder))
        print(f"old = pkilab at {ref[:10]}; new = this tree; {args.requests} requests a case; "
              f"success = 200 within {GOAL_SECONDS:.0f} s")
        for name, package in (("old", old), ("new", None)):
            probe = Server(package)  # which pkilab each server really imports
            print(f"  {name} server imports {probe.package}")
            probe.close()
        print(f"{'impl':<5}{'held':<12}{'ok':>5}{'':<4}{'median':>10}{'worst':>10}")
        new_ok = True
        for count, drip in cases:
            case = f"{count} {'drip' if drip else 'idle'}" if count else "0"
            for name, package in (("old", old), ("new", None)):
                results = run_case(package, count, drip, args.requests)
                print(row(name, case, results), flush=True)
                if name == "new":
                    new_ok = new_ok and all(r is not None for r in results)
    print(f"{'PASS' if new_ok else 'FAIL'}  new server: every good request served within "
          f"{GOAL_SECONDS:.0f} s while up to 1,000 idle or dripping connections are held")
    return 0 if new_ok else 1


if __name__ == "__main__":
    sys.exit(main())
