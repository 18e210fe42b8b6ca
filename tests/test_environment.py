"""The other ways in: environment.yml, Binder's files, the README's install paths."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from venvs import borrowing_venv

yaml = pytest.importorskip("yaml")
tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from 3.11")

ROOT = Path(__file__).resolve().parent.parent
# conda-forge's names for the PyPI packages that are called differently there
CONDA_NAMES = {"matplotlib-base": "matplotlib", "python-build": "build"}
# in environment.yml for the environment itself, not as a dependency of pkilab
ENVIRONMENT_ONLY = {"python", "pip", "openssl"}
LESSON_00 = "notebooks/00-start-here.ipynb"


def _requirement(text: str) -> tuple[str, str]:
    """('name', 'specifier') of 'name>=1,<2' (normalised: lower case, - for _)."""
    text = text.split("#")[0].strip()
    match = re.match(r"([A-Za-z0-9_.\-]+)\s*(.*)", text)
    assert match, text
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    return name, match.group(2).replace(" ", "")


@pytest.fixture(scope="module")
def project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


@pytest.fixture(scope="module")
def environment():
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def _environment_lists(environment) -> tuple[list[str], list[str]]:
    conda = [d for d in environment["dependencies"] if isinstance(d, str)]
    pips = [d["pip"] for d in environment["dependencies"] if isinstance(d, dict)]
    return conda, [line for block in pips for line in block]


def test_environment_lists_the_same_dependencies_as_pyproject(project, environment):
    extras = project["optional-dependencies"]
    wanted = dict(_requirement(r) for r in
                  [*project["dependencies"], *extras["lab"], *extras["test"]])
    conda, pip = _environment_lists(environment)
    listed = {}
    for line in conda + pip:
        name, spec = _requirement(line.replace("=", "==", 1) if re.match(r"python=\d", line)
                                  else line)
        listed[CONDA_NAMES.get(name, name)] = spec
    for name in ENVIRONMENT_ONLY:
        listed.pop(name, None)
    assert listed == wanted


def test_binder_pins_python_and_caches_the_environment(project, environment):
    conda, pip = _environment_lists(environment)
    pins = [line for line in conda if re.match(r"python\b(?!-)", line)]
    # repo2docker reads only "python=X.Y"; ">=" would give its default (3.10)
    assert len(pins) == 1 and re.fullmatch(r"python=3\.\d+", pins[0]), pins
    low = project["requires-python"].removeprefix(">=")
    assert tuple(map(int, pins[0][7:].split("."))) >= tuple(map(int, low.split(".")))
    # a local reference (-e ., .) makes repo2docker copy the repository first: no cache
    assert not [line for line in pip if line.startswith(("-e", ".", "/", "file:"))]
    post_build = (ROOT / "postBuild").read_text()
    assert "pip install --no-deps" in post_build and " -e " not in post_build
    assert (ROOT / "postBuild").stat().st_mode & 0o100


def test_apt_txt_brings_the_lessons_tools():
    packages = {line.strip() for line in (ROOT / "apt.txt").read_text().splitlines()
                if line.strip() and not line.startswith("#")}
    assert {"nginx", "openssl"} <= packages
    assert any(re.fullmatch(r"(default|openjdk-\d+)-jre(-headless)?", p) for p in packages)


def test_readme_links_open_lesson_00_of_this_repository(project):
    readme = (ROOT / "README.md").read_text()
    repository = project["urls"]["Source"].removeprefix("https://github.com/")
    assert (ROOT / LESSON_00).exists()
    binder = f"https://mybinder.org/v2/gh/{repository}/HEAD?urlpath=lab/tree/{LESSON_00}"
    colab = f"https://colab.research.google.com/github/{repository}/blob/main/{LESSON_00}"
    assert binder in readme and colab in readme
    assert f"git+https://github.com/{repository}" in readme


def test_the_make_variables_the_readme_names_exist():
    makefile = (ROOT / "Makefile").read_text()
    readme = (ROOT / "README.md").read_text()
    for variable in ("INSTALLER", "ARGS"):
        assert f"{variable} ?=" in makefile and f"{variable}=" in readme
    assert "$(ARGS)" in makefile
    assert "python3-venv" in readme


def _windows_block(readme: str) -> list[str]:
    block = readme.split("**Windows**", 1)[1].split("```bat", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.strip().splitlines()]


@pytest.mark.slow
def test_the_windows_commands_work_as_far_as_python_goes(tmp_path):
    """The README's two Windows commands, with Windows paths made POSIX: a venv, then pip
    installs the project into it. Dependencies come from this environment
    (borrowed, --no-deps); only the build backend is fetched."""
    venv_line, install_line = _windows_block((ROOT / "README.md").read_text())
    assert venv_line == "py -m venv .venv"
    assert install_line == '.venv\\Scripts\\python -m pip install -e ".[lab,test]"'
    venv = borrowing_venv(tmp_path / ".venv")
    python = venv / "bin" / "python"
    done = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "-e", str(ROOT)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    # the editable install is a plain .pth now: setuptools' warning banner is gone
    assert "Editable installation" not in done.stdout + done.stderr
    version = subprocess.run([str(venv / "bin" / "pkilab"), "--version"], capture_output=True,
                             text=True, timeout=60, cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("pkilab ")
