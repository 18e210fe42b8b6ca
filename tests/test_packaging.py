"""The distributions: the sdist carries what its tests need, the wheel only the package.

Builds both with ``python -m build`` (the build backend is fetched into an isolated
environment, as pip does) into a temporary folder, then looks inside, runs a part of
the sdist's own tests on the unpacked sdist, and installs the wheel into a fresh venv.
"""

from __future__ import annotations

import email
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from venvs import borrowing_venv

pytest.importorskip("build", reason="python -m build is in the [test] extra")

ROOT = Path(__file__).resolve().parent.parent
#: a few quick test files that touch the package, the lessons and the CLI
SDIST_SUBSET = ("tests/test_cli_json.py", "tests/test_facts.py",
                "tests/test_notebook_sources.py", "tests/test_completion.py")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--sdist", "--wheel",
                           "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (sdist,) = out.glob("pkilab-*.tar.gz")
    (wheel,) = out.glob("pkilab-*.whl")
    return {"sdist": sdist, "wheel": wheel}


@pytest.fixture(scope="module")
def unpacked(dists, tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("sdist")
    with tarfile.open(dists["sdist"]) as archive:
        archive.extractall(where, filter="data")
    (top,) = where.iterdir()
    return top


def test_the_sdist_carries_what_its_tests_need(unpacked):
    names = {str(p.relative_to(unpacked)) for p in unpacked.rglob("*")}
    needed = {"LICENSE", "README.md", "pyproject.toml", "setup.py", "tests/conftest.py",
              "tests/tls_fixtures.py", "tests/der_edit.py", "notebooks/conftest.py",
              "notebooks/sanitize.cfg", "notebooks/CLAIMS.md", "notebooks/build.py"}
    assert needed <= names
    lessons = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert lessons and lessons <= {p.stem for p in (unpacked / "notebooks").glob("*.ipynb")}
    every_test = {f"tests/{p.name}" for p in (ROOT / "tests").glob("test_*.py")}
    assert every_test <= names
    assert not [n for n in names if "/_lab" in n or "__pycache__" in n]


def test_a_wheel_built_from_the_sdist_has_the_lessons(unpacked, tmp_path):
    """pip builds a wheel from the sdist where no wheel fits: setup.py finds the lessons
    in the sdist's notebooks/ too."""
    done = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir",
                           str(tmp_path), str(unpacked)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = tmp_path.glob("pkilab-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for folder, edition in ((ROOT / "notebooks", "en"), (ROOT / "notebooks/zh-CN", "zh-CN")):
        lessons = {f"pkilab/lessons/{edition}/{p.name}" for p in folder.glob("*.ipynb")}
        assert lessons and lessons <= names


def test_the_sdist_tests_pass_on_the_unpacked_sdist(unpacked):
    # run from the unpacked folder: its pkilab/ comes first on sys.path, so these are
    # the sdist's own code, lessons and tests
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           *SDIST_SUBSET], cwd=unpacked, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "error" not in done.stdout.splitlines()[-1]


def test_the_wheel_holds_the_package_and_the_license(dists):
    with zipfile.ZipFile(dists["wheel"]) as wheel:
        names = wheel.namelist()
        metadata = email.message_from_bytes(
            wheel.read(next(n for n in names if n.endswith(".dist-info/METADATA"))))
    tops = {name.split("/")[0] for name in names}
    assert tops == {"pkilab", next(t for t in tops if t.endswith(".dist-info"))}
    assert "pkilab/py.typed" in names
    # the stored lessons, both editions, for `pkilab lessons DIR` (setup.py copies them)
    for folder, edition in ((ROOT / "notebooks", "en"), (ROOT / "notebooks/zh-CN", "zh-CN")):
        lessons = {f"pkilab/lessons/{edition}/{p.name}" for p in folder.glob("*.ipynb")}
        assert lessons and lessons <= set(names)
    assert not [n for n in names if "/_lab/" in n or n.startswith("notebooks/")]
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert metadata["License-Expression"] == "MIT"
    urls = metadata.get_all("Project-URL")
    assert any(u.startswith("Source, https://") for u in urls)
    assert "Framework :: Jupyter" in metadata.get_all("Classifier")
    assert metadata["Author"] or metadata["Author-email"]
    extras = set(metadata.get_all("Provides-Extra"))
    assert {"lab", "test", "notebook"} <= extras
    requires = metadata.get_all("Requires-Dist")
    # the doctor's fix names these extras for pkilint
    for extra in ("lab", "notebook"):
        assert any(r.startswith("pkilint") and f'extra == "{extra}"' in r for r in requires)


def test_the_wheel_installs_and_runs_away_from_the_repository(dists, tmp_path):
    venv = borrowing_venv(tmp_path / "venv")
    done = subprocess.run([str(venv / "bin/python"), "-m", "pip", "install", "--quiet",
                           "--no-deps", str(dists["wheel"])],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    where = subprocess.run([str(venv / "bin/python"), "-c",
                            "import pkilab; print(pkilab.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=60)
    assert str(venv) in where.stdout, where.stdout + where.stderr
    version = subprocess.run([str(venv / "bin/pkilab"), "--version"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("pkilab 0.")


#: run inside the wheel's venv: execute a lesson in its folder, then say where the
#: kernel's pkilab came from (a kernel that found the repository would pass unnoticed)
_EXECUTE = """
import sys
import nbformat
from nbclient import NotebookClient

notebook, folder, out = sys.argv[1:]
nb = nbformat.read(notebook, as_version=4)
nb.cells.append(nbformat.v4.new_code_cell("import pkilab; print('PKILAB-AT', pkilab.__file__)"))
NotebookClient(nb, timeout=300, kernel_name="python3",
               resources={"metadata": {"path": folder}}).execute()
nbformat.write(nb, out)
"""


def test_the_lessons_run_from_the_wheel_alone(dists, tmp_path):
    """Colab's case: only the package is installed. ``pkilab lessons DIR`` copies the
    lessons out of the wheel, and lesson 01 runs from DIR in a kernel of that venv."""
    import json

    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    venv = borrowing_venv(tmp_path / "venv")
    done = subprocess.run([str(venv / "bin/python"), "-m", "pip", "install", "--quiet",
                           "--no-deps", str(dists["wheel"])],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    away = tmp_path / "class"
    away.mkdir()
    copied = subprocess.run([str(venv / "bin/pkilab"), "lessons", "lessons", "--lang", "en"],
                            cwd=away, capture_output=True, text=True, timeout=60)
    assert copied.returncode == 0, copied.stdout + copied.stderr
    folder = away / "lessons"
    stored = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert sorted(p.name for p in folder.glob("*.ipynb")) == stored
    assert f"{len(stored)} copied" in copied.stdout
    chinese = away / "zh"
    assert subprocess.run([str(venv / "bin/pkilab"), "lessons", str(chinese), "--lang",
                           "zh-CN"], capture_output=True, timeout=60, cwd=away).returncode == 0
    assert sorted(p.name for p in chinese.glob("*.ipynb")) == \
        sorted(p.name for p in (ROOT / "notebooks" / "zh-CN").glob("*.ipynb"))

    lesson = "01-keys-and-certificates.ipynb"
    ran = subprocess.run([str(venv / "bin/python"), "-c", _EXECUTE, str(folder / lesson),
                          str(folder), str(tmp_path / "ran.ipynb")],
                         cwd=away, capture_output=True, text=True, timeout=600)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    cells = json.loads((tmp_path / "ran.ipynb").read_text(encoding="utf-8"))["cells"]
    outputs = [o for c in cells if c["cell_type"] == "code" for o in c["outputs"]]
    text = "".join("".join(o.get("text", "")) for o in outputs)
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert f"PKILAB-AT {venv}" in text, text[-500:]
    # the exercises' solutions pass, as in the stored lesson
    assert text.count("✅") == (ROOT / "notebooks" / lesson).read_text("utf-8").count("✅")
    assert any((folder / "_lab" / "01").iterdir())


def test_lesson_00_installs_pkilab_where_it_is_missing(dists, tmp_path):
    """Lesson 00's first code cell, in a kernel without pkilab: it installs pkilab (here
    from the wheel just built instead of the repository, with no index: the dependencies
    are this environment's), and the lesson's next cell imports it in the same kernel."""
    import json

    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    import nbformat

    cells = json.loads((ROOT / "notebooks" / "00-start-here.ipynb").read_text("utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    install, first_import = ("".join(c["source"]) for c in code[:2])
    assert "install-pkilab" in code[0]["metadata"]["tags"] and not code[0]["outputs"]
    remote = "pkilab[notebook] @ git+https://github.com/pkilab/pkilab"
    assert install.count(remote) == 1
    local = install.replace(remote, f"pkilab[notebook] @ {dists['wheel'].as_uri()}")
    venv = borrowing_venv(tmp_path / "venv")
    notebook = tmp_path / "first.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in (
        "import importlib.util; print('BEFORE', importlib.util.find_spec('pkilab'))",
        local, first_import, "print('PKILAB-AT', pkilab.__file__)")]
    nbformat.write(nb, str(notebook))
    ran = subprocess.run([str(venv / "bin/python"), "-c", _EXECUTE, str(notebook),
                          str(tmp_path), str(tmp_path / "ran.ipynb")],
                         cwd=tmp_path, capture_output=True, text=True, timeout=600,
                         env={**os.environ, "PIP_NO_INDEX": "1"})
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    outputs = json.loads((tmp_path / "ran.ipynb").read_text("utf-8"))["cells"]
    text = ["".join("".join(o.get("text", "")) for o in c["outputs"]) for c in outputs]
    assert text[0].strip() == "BEFORE None"  # the kernel really had no pkilab
    assert text[2].startswith("pkilab 0.")
    assert f"PKILAB-AT {venv}" in text[3]
