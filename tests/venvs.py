"""A throw-away virtual environment for the packaging and install tests."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path


def borrowing_venv(venv: Path) -> Path:
    """A fresh venv that sees this environment's packages (a .pth line to its
    site-packages) but not its pkilab: no network needed for the dependencies."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    (site,) = (venv / "lib").glob("python3*/site-packages")
    (site / "_borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv
