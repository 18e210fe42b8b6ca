"""A class of 500 students, and the class server under a class, side by side with today's way.

Part 1 -- making the certificates, each as a whole process into a fresh folder:

  pkilab class   `pkilab class DIR --roster 500.csv` (500 students: folder + zip each)
  pkilab init    `pkilab init DIR --client s1 ... --client s1000` (issue 14's baseline:
                 4.2 s and 3,009 files in one folder); run with 500 and with 1,000 flags

Goal (issue 14): 500 students "in seconds" (<= 5 s wall); prints the ratio to init with
as many --client flags, files written, and the most files in any one folder.

Part 2 -- the class server (pkilab serve --class: HTTPSServer + the roll call's page hook)
against the same server without the roll call, both on loopback: 100 students, each
opening 3 connections at once (300 concurrent TLS 1.3 handshakes with client
certificates). Goal: every request answered 200 and recorded. Prints wall times and
the ratio.

usage: python benchmarks/bench_classroom.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def _pkilab() -> list[str]:
    script = Path(sys.executable).parent / "pkilab"
    return [str(script)] if script.exists() else [sys.executable, "-m", "pkilab"]


def _files(folder: Path) -> tuple[int, int]:
    total, most = 0, 0
    for _root, _dirs, names in os.walk(folder):
        total += len(names)
        most = max(most, len(names))
    return total, most


def _cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(command: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one process: CPU moves less when others share the machine."""
    start, cpu = time.perf_counter(), _cpu()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, _cpu() - cpu


def part_one(repeat: int) -> bool:
    results: dict[str, list[float]] = {"class 500": [], "init 500": [], "init 1000": []}
    cpu: dict[str, list[float]] = {label: [] for label in results}
    counts: dict[str, tuple[int, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        roster = Path(tmp) / "500.csv"
        roster.write_text("".join(f"Student {n},,{2026000 + n}\n" for n in range(500)),
                          encoding="utf-8")
        for round_ in range(repeat):
            for label in results:
                folder = Path(tmp) / f"{label.replace(' ', '-')}-{round_}"
                if label == "class 500":
                    command = [*_pkilab(), "class", str(folder), "--roster", str(roster)]
                else:
                    n = int(label.split()[1])
                    command = [*_pkilab(), "init", str(folder)]
                    for i in range(n):
                        command += ["--client", f"s{i}"]
                wall, used = _timed(command)
                results[label].append(wall)
                cpu[label].append(used)
                counts[label] = _files(folder)
    base = statistics.median(results["init 500"])
    print("making certificates (median of", repeat, "rounds, wall seconds):")
    for label, times in results.items():
        total, most = counts[label]
        print(f"  {label:<10} {statistics.median(times):6.2f} s  (min {min(times):.2f})  "
              f"CPU {statistics.median(cpu[label]):5.2f} s  "
              f"{total:5d} files, at most {most} in one folder  "
              f"ratio to init 500: {statistics.median(times) / base:.2f}")
    ok = statistics.median(results["class 500"]) <= 5.0
    print(f"  goal: 500 students in <= 5 s: {'PASS' if ok else 'FAIL'}")
    return ok


def _load(url: str, folder: Path, stems: list[str], per_student: int) -> tuple[float, int]:
    from pkilab.tls import request

    failures: list[BaseException] = []
    barrier = threading.Barrier(len(stems) * per_student)

    def one(stem: str) -> None:
        base = folder / "students" / stem / stem
        try:
            barrier.wait(30)
            reply = request(url, ca=folder / "root.crt", cert=f"{base}.crt",
                            key=f"{base}.key", timeout=60)
            if reply.status != 200:
                failures.append(RuntimeError(str(reply.status)))
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=one, args=(s,)) for s in stems
               for _ in range(per_student)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return time.perf_counter() - start, len(failures)


def part_two(repeat: int) -> bool:
    from pkilab.classroom import load_record, make_class, read_roster
    from pkilab.rollcall import Rollcall
    from pkilab.tls import HTTPSServer

    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cls"
        rows = read_roster("".join(f"S{n},,{n}\n" for n in range(100)).encode())
        stems = [s.stem for s in make_class(folder, rows, now_label="b").new]
        times: dict[str, list[float]] = {"class server": [], "plain server": []}
        for _ in range(repeat):
            for label in times:
                rollcall = Rollcall(load_record(folder))
                page = rollcall.page if label == "class server" else None
                server = (rollcall.server(folder, handshake_timeout=30) if page else
                          HTTPSServer(folder, mtls="required", max_connections=2048,
                                      handshake_timeout=30))
                with server:
                    took, failed = _load(server.url, folder, stems, 3)
                times[label].append(took)
                if failed:
                    ok = False
                    print(f"  {label}: {failed} of 300 requests failed")
                if page is not None and sum(int(r["connections"])
                                            for r in rollcall.table()) != 300 - failed:
                    ok = False
                    print("  the roll call missed connections")
    base = statistics.median(times["plain server"])
    print("100 students x 3 connections at once (median wall seconds):")
    for label, values in times.items():
        print(f"  {label:<13} {statistics.median(values):6.2f} s  (min {min(values):.2f})  "
              f"ratio to plain: {statistics.median(values) / base:.2f}")
    print(f"  goal: every request answered and recorded: {'PASS' if ok else 'FAIL'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    first = part_one(args.repeat)
    second = part_two(args.repeat)
    return 0 if first and second else 1


if __name__ == "__main__":
    sys.exit(main())
