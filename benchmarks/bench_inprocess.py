"""Building the whole certificate set in memory, without writing files.

Goal (issue #2): ``pkilab.certset.build_certificate_set()`` with EC keys (root, two
intermediates, server, client, client2) takes at most 10 ms (median).

Also printed, for information: the same with every file's bytes made (PEM and the two
PKCS#12 files, what ``pkilab init`` writes), a deterministic lesson set (``seed=``),
RSA-2048, and trustme building the same set in memory.

usage: python benchmarks/bench_inprocess.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

GOAL_MS = 10.0


def measure(function: Callable[[], object], repeat: int) -> list[float]:
    function()  # warm: imports and first-call costs are not what this measures
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        out.append((time.perf_counter() - start) * 1000)
    return out


def trustme_set() -> object:
    import trustme

    root = trustme.CA()
    intermediate2 = root.create_child_ca().create_child_ca()
    server = intermediate2.issue_cert("localhost", "127.0.0.1")
    return server, [intermediate2.issue_cert(common_name=n) for n in ("client", "client2")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="rounds (default 200)")
    args = parser.parse_args()
    from pkilab.certset import build_certificate_set, certificate_set_files

    counter = iter(range(10**9))
    cases: list[tuple[str, Callable[[], object], int]] = [
        ("build_certificate_set(), EC P-256", build_certificate_set, args.repeat),
        ("  + every file's bytes (PEM, 2 x .p12)",
         lambda: certificate_set_files(build_certificate_set()), max(args.repeat // 4, 5)),
        ("  seed='lesson-NN' (deterministic keys)",
         lambda: build_certificate_set(seed=f"lesson-{next(counter)}"), max(args.repeat // 4, 5)),
        ("  key_kind='rsa2048'", lambda: build_certificate_set(key_kind="rsa2048"), 5),
    ]
    try:
        import trustme  # noqa: F401
        cases.append(("trustme, same set in memory (EC P-256)", trustme_set,
                      max(args.repeat // 4, 5)))
    except ImportError:
        pass
    print(f"Python {sys.version.split()[0]}")
    print(f"{'case':<44}{'median':>9}{'min':>9}{'p90':>9}  rounds")
    results = {}
    for name, function, repeat in cases:
        times = sorted(measure(function, repeat))
        results[name] = times
        p90 = times[int(len(times) * 0.9) - 1] if len(times) >= 10 else times[-1]
        print(f"{name:<44}{statistics.median(times):>7.2f}ms{times[0]:>7.2f}ms{p90:>7.2f}ms"
              f"  {repeat}")
    median = statistics.median(results[cases[0][0]])
    ok = median <= GOAL_MS
    print(f"\n{'PASS' if ok else 'FAIL'}  in-memory EC set: {median:.2f} ms median "
          f"(goal <= {GOAL_MS:g} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
