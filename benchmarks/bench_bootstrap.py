"""Fresh clone to a working workbook: pip vs uv, cold and warm package cache.

Goal (issue 13): the warm bootstrap (what `make test` and `make lab` do first on a fresh
clone) at least 3x faster than pip's. Each round clones this repository into a temporary
folder and runs the Makefile's own install step (`make .venv/.installed`) with
INSTALLER=pip or INSTALLER=uv, then starts JupyterLab as `make lab` does and waits for
its API to answer. Two figures per round:

* "install": fresh clone to `make test`'s install done (venv + packages);
* "lab": fresh clone to JupyterLab answering (the same install, then the server up).

"cold" uses an empty package cache (PIP_CACHE_DIR / UV_CACHE_DIR in the temporary
folder), "warm" the cache the cold round just filled. Packages still come from the
network (PyPI) or the machine's configured wheel folders when a cache misses.

    .venv/bin/python benchmarks/bench_bootstrap.py [--warm-only] [--keep]

It needs the network and a few minutes; the timings are noisy on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_RATIO = 3.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _lab_answers(clone: Path, env: dict[str, str], timeout: float = 180) -> float:
    """Seconds from starting JupyterLab (as `make lab` does) to its API answering."""
    port = _free_port()
    started = time.perf_counter()
    command = [str(clone / ".venv/bin/jupyter"), "lab", "--no-browser", f"--port={port}",
               "--ServerApp.token=bench", "--ServerApp.ip=127.0.0.1", "notebooks/"]
    if os.geteuid() == 0:
        command.insert(2, "--allow-root")
    server = subprocess.Popen(command, cwd=clone, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/api/status?token=bench"
        while time.perf_counter() - started < timeout:
            try:
                with urllib.request.urlopen(url, timeout=2) as reply:
                    if reply.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"JupyterLab did not answer within {timeout} s")
    finally:
        server.terminate()
        server.wait(timeout=30)


def one_round(installer: str, cache: Path, work: Path) -> tuple[float, float]:
    """(clone to install done, clone to lab answering) in seconds."""
    clone = work / f"clone-{installer}"
    shutil.rmtree(clone, ignore_errors=True)
    env = {**os.environ, "PIP_CACHE_DIR": str(cache / "pip"), "UV_CACHE_DIR": str(cache / "uv")}
    started = time.perf_counter()
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    done = subprocess.run(["make", "--no-print-directory", ".venv/.installed",
                           f"INSTALLER={installer}"], cwd=clone, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{installer} install failed:\n{done.stdout}\n{done.stderr}")
    if installer == "uv" and "installing with uv" not in done.stdout:
        raise RuntimeError("INSTALLER=uv fell back to pip:\n" + done.stdout + done.stderr)
    if "Editable installation" in done.stdout + done.stderr:
        raise RuntimeError("setuptools' editable-install banner is back")
    installed = time.perf_counter() - started
    lab = _lab_answers(clone, env)
    shutil.rmtree(clone, ignore_errors=True)
    return installed, installed + lab


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warm-only", action="store_true",
                        help="fill the caches without timing, then time the warm rounds")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="pkilab-bootstrap-"))
    results: dict[tuple[str, str], tuple[float, float]] = {}
    try:
        for installer in ("pip", "uv"):
            cache = work / f"cache-{installer}"
            cold = one_round(installer, cache, work)
            if not args.warm_only:
                results[(installer, "cold")] = cold
            results[(installer, "warm")] = one_round(installer, cache, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{'installer':<10}{'cache':<7}{'clone->install':>16}{'clone->lab':>13}")
    for (installer, cache), (install, lab) in results.items():
        print(f"{installer:<10}{cache:<7}{install:>15.1f}s{lab:>12.1f}s")
    for cache in ("cold", "warm"):
        if (("pip", cache) in results) and (("uv", cache) in results):
            pip, uv = results[("pip", cache)], results[("uv", cache)]
            print(f"{cache}: uv is {pip[0] / uv[0]:.1f}x faster to install, "
                  f"{pip[1] / uv[1]:.1f}x to JupyterLab answering")
    ratio = results[("pip", "warm")][0] / results[("uv", "warm")][0]
    verdict = "PASS" if ratio >= GOAL_RATIO else "FAIL"
    print(f"{verdict}  warm bootstrap with uv {ratio:.1f}x faster than pip (goal >= "
          f"{GOAL_RATIO:.0f}x)")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
