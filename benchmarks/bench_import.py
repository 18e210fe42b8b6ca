"""How long ``import pkilab`` takes in a fresh interpreter, and what it pulls in.

Goal (issue #2): ``import pkilab`` takes at most 150 ms (median of 15 fresh
interpreters) and imports neither matplotlib nor ipywidgets — not even after every
name in ``pkilab.__all__`` has been used (they load lazily, on first access).

Printed: the import time measured inside each fresh interpreter (not counting
interpreter start-up, which is shown apart), the same after touching every public
name, the CLI's import, and the top entries of ``python -X importtime``.

usage: python benchmarks/bench_import.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

GOAL_MS = 150.0
HEAVY = ("matplotlib", "ipywidgets")

# Runs in the fresh interpreter: time one statement, report which heavy modules loaded.
PROBE = """
import json, sys, time
start = time.perf_counter()
exec(sys.argv[1])
elapsed = (time.perf_counter() - start) * 1000
print(json.dumps({"ms": elapsed, "heavy": [m for m in HEAVY if m in sys.modules],
                  "modules": len(sys.modules)}))
""".replace("HEAVY", repr(HEAVY))

STATEMENTS = {
    "import pkilab": "import pkilab",
    "import pkilab + every public name":
        "import pkilab\nfor n in pkilab.__all__: getattr(pkilab, n)",
    "import pkilab.cli (the command)": "import pkilab.cli",
}


def child_env() -> dict[str, str]:
    # As a learner's shell has it: Python writes and reuses .pyc files. (Some CI and
    # sandbox shells set PYTHONDONTWRITEBYTECODE, which makes every run compile pkilab.)
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def probe(statement: str) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE, statement], capture_output=True,
                         text=True, check=True, env=child_env())
    return json.loads(out.stdout)


def startup_ms(repeat: int) -> float:
    import time

    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True, env=child_env())
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def importtime_top(statement: str, count: int = 12) -> list[tuple[int, int, str]]:
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", statement],
                         capture_output=True, text=True, check=True, env=child_env())
    rows = []
    for line in out.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line.split(":", 1)[1].split("|")
        rows.append((int(cumulative), int(own), name.rstrip()))
    return sorted(rows, reverse=True)[:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="fresh interpreters (15)")
    args = parser.parse_args()
    probe("import pkilab")  # write the .pyc files once, as any first run does
    print(f"Python {sys.version.split()[0]}; interpreter start-up alone: "
          f"{startup_ms(5):.0f} ms (median of 5, not included below)")
    print(f"{'statement':<38}{'median':>9}{'min':>9}  modules  heavy modules")
    failed = False
    medians = {}
    for label, statement in STATEMENTS.items():
        runs = [probe(statement) for _ in range(args.repeat)]
        times = [r["ms"] for r in runs]
        heavy = sorted({m for r in runs for m in r["heavy"]})
        medians[label] = statistics.median(times)
        print(f"{label:<38}{medians[label]:>7.1f}ms{min(times):>7.1f}ms  "
              f"{runs[-1]['modules']:>7}  {', '.join(heavy) or 'none'}")
        if heavy:
            failed = True
            print(f"FAIL  {label} imports {', '.join(heavy)}")
    print("\n-X importtime, import pkilab + every public name (cumulative, top 12; site is "
          "interpreter start-up):")
    for cumulative, own, name in importtime_top(STATEMENTS["import pkilab + every public name"]):
        print(f"  {cumulative / 1000:7.1f} ms  (self {own / 1000:5.1f})  {name}")
    ok = medians["import pkilab"] <= GOAL_MS
    failed |= not ok
    print(f"\n{'PASS' if ok else 'FAIL'}  import pkilab: {medians['import pkilab']:.1f} ms median "
          f"(goal <= {GOAL_MS:g} ms)")
    untouched = not failed
    print(f"{'PASS' if untouched else 'FAIL'}  matplotlib and ipywidgets are not imported")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
