"""`pkilab init DIR` against trustme and the seed's openssl recipe, as whole processes.

Each round runs the three, in turn, writing the same set (root, two intermediates,
server, fullchain, two clients with .p12 files; EC P-256 keys) into a fresh folder:

  pkilab   `pkilab init DIR` (the console script of this Python's environment)
  trustme  `python benchmarks/trustme_set.py DIR`
  openssl  `bash benchmarks/openssl_recipe.sh DIR` (19 openssl commands, fixed to be valid)

Goals (issue #2): pkilab no slower than trustme, and at least 2x faster than openssl.
Prints median and min wall time (and CPU time) per tool and the ratios; PASS/FAIL per
goal, judged on the wall-time medians.

usage: python benchmarks/bench_init.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def pkilab_command() -> list[str]:
    script = Path(sys.executable).parent / "pkilab"
    return [str(script)] if script.exists() else [sys.executable, "-m", "pkilab"]


def commands() -> dict[str, list[str] | None]:
    out: dict[str, list[str] | None] = {"pkilab": [*pkilab_command(), "init"]}
    try:
        import trustme  # noqa: F401
        out["trustme"] = [sys.executable, str(HERE / "trustme_set.py")]
    except ImportError:
        out["trustme"] = None
    have_openssl = shutil.which("openssl") and shutil.which("bash")
    out["openssl"] = ["bash", str(HERE / "openssl_recipe.sh")] if have_openssl else None
    return out


def child_env() -> dict[str, str]:
    # As a learner's shell has it: Python writes and reuses .pyc files. (Some CI and
    # sandbox shells set PYTHONDONTWRITEBYTECODE, which makes every pkilab run compile
    # its own modules again while trustme's, installed by pip, come precompiled.)
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], folder: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one run; CPU counts every process it started (openssl's
    too) and is less disturbed than wall time when other work shares the machine."""
    cpu = _children_cpu()
    start = time.perf_counter()
    subprocess.run([*command, str(folder)], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env=child_env())
    return time.perf_counter() - start, _children_cpu() - cpu


def check_outputs(available: dict[str, list[str]], work: Path) -> None:
    """Once, before timing: each tool writes the same files, and openssl's are valid."""
    wanted = {"root.crt", "root.key", "intermediate1.crt", "intermediate2.crt", "server.crt",
              "server.key", "fullchain.crt", "client.p12", "client2.p12"}
    for name, command in available.items():
        folder = work / f"check-{name}"
        timed(command, folder)
        missing = wanted - {p.name for p in folder.iterdir()}
        status = "ok" if not missing else f"MISSING {sorted(missing)}"
        if name == "openssl" and not missing:
            verify = subprocess.run(
                ["openssl", "verify", "-x509_strict", "-purpose", "sslserver",
                 "-verify_hostname", "localhost", "-CAfile", "root.crt", "-untrusted",
                 "fullchain.crt", "server.crt"], cwd=folder, capture_output=True, text=True)
            status += ", openssl verify -x509_strict: " + (verify.stdout.strip() or
                                                         verify.stderr.strip())
        print(f"  {name:<8} output {status}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="rounds (default 15)")
    args = parser.parse_args()
    everything = commands()
    available = {k: v for k, v in everything.items() if v is not None}
    for name, command in everything.items():
        if command is None:
            print(f"  {name}: not available, skipped")
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.repeat} rounds")
    times: dict[str, list[float]] = {name: [] for name in available}
    cpu: dict[str, list[float]] = {name: [] for name in available}
    with tempfile.TemporaryDirectory(prefix="pkilab-bench-") as tmp:
        work = Path(tmp)
        check_outputs(available, work)
        for tool, command in available.items():  # warm the file cache, untimed
            timed(command, work / f"warm-{tool}")
        for round_number in range(args.repeat):
            # Interleaved, so a busy moment on the machine hits every tool alike.
            for tool, command in available.items():
                wall, used = timed(command, work / f"{tool}-{round_number}")
                times[tool].append(wall)
                cpu[tool].append(used)
    print(f"\n{'tool':<10}{'wall median':>12}{'min':>8}{'CPU median':>12}{'min':>8}")
    for tool, values in times.items():
        print(f"{tool:<10}{statistics.median(values) * 1000:>10.0f}ms"
              f"{min(values) * 1000:>6.0f}ms{statistics.median(cpu[tool]) * 1000:>10.0f}ms"
              f"{min(cpu[tool]) * 1000:>6.0f}ms")
    pk = statistics.median(times["pkilab"])
    failed = False
    print()
    for tool, goal, text in (("trustme", 1.0, "pkilab no slower than trustme"),
                             ("openssl", 2.0, "pkilab >= 2x faster than the openssl recipe")):
        if tool not in times:
            print(f"SKIP  {text} ({tool} not available)")
            continue
        ratio = statistics.median(times[tool]) / pk
        best = min(times[tool]) / min(times["pkilab"])
        cpu_ratio = statistics.median(cpu[tool]) / statistics.median(cpu["pkilab"])
        ok = ratio >= goal
        failed |= not ok
        print(f"{'PASS' if ok else 'FAIL'}  {text}: {tool}/pkilab = {ratio:.2f}x wall median "
              f"(min {best:.2f}x, CPU {cpu_ratio:.2f}x; goal >= {goal:g}x)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
