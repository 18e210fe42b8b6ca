"""The stored lessons match their sources and were executed top to bottom."""

import ast
import importlib.util
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
spec = importlib.util.spec_from_file_location("build", NOTEBOOKS / "build.py")
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)

SOURCES = sorted((NOTEBOOKS / "src").glob("*.py"))


def test_every_source_has_a_notebook_and_back():
    stems = {p.stem for p in SOURCES}
    stored = {p.stem for p in NOTEBOOKS.glob("*.ipynb")}
    assert stems == stored
    assert {"00-start-here", "01-keys-and-certificates", "02-csr-and-root-ca",
            "03-certificate-chain"} <= stems


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_notebook_matches_its_source(source):
    cells = build.parse_percent(source.read_text(encoding="utf-8"))
    nb = json.loads((NOTEBOOKS / f"{source.stem}.ipynb").read_text(encoding="utf-8"))
    assert [c["cell_type"] for c in nb["cells"]] == [c["cell_type"] for c in cells]
    for stored, wanted in zip(nb["cells"], cells, strict=True):
        assert "".join(stored["source"]) == wanted["source"], f"rebuild {source.stem}"
        assert stored.get("metadata", {}).get("tags", []) == wanted["tags"]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_notebook_was_executed_in_order_and_is_clean(source):
    nb = json.loads((NOTEBOOKS / f"{source.stem}.ipynb").read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), "re-run the lesson top to bottom"
    assert "widgets" not in nb["metadata"]
    errors = [o for c in code for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors
    text = json.dumps(nb)
    assert "/tmp/" not in text and "/work/" not in text, "no machine paths in outputs"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_lesson_shape(source):
    """Opens with what you'll do / learn / need; has two exercises with hidden solutions."""
    cells = build.parse_percent(source.read_text(encoding="utf-8"))
    first = cells[0]["source"]
    for part in ("What you'll do", "What you'll learn", "What you'll need"):
        assert part in first
    solutions = [c for c in cells if "hide-cell" in c["tags"]]
    assert len(solutions) >= 2
    assert all(re.search(r"\w*check\w*\(", c["source"]) for c in solutions)


KNOWN_TAGS = {"hide-cell", "nbval-ignore-output", "nbval-skip", "raises-exception",
              "needs-openssl", "needs-curl", "needs-keytool", "needs-nginx",
              "needs-pebble", "needs-tshark"}


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_tags_are_known(source):
    """A typo such as "needs-opensll" would silently compare a cell that needs a tool."""
    cells = build.parse_percent(source.read_text(encoding="utf-8"))
    assert {t for c in cells for t in c["tags"]} <= KNOWN_TAGS


def _assigned(code: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def _left_empty(code: str) -> set[str]:
    """Names an exercise cell leaves for the learner: ``x = None`` or ``x = {"a": None}``."""
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Assign):
            value = node.value
            empty = (isinstance(value, ast.Constant) and value.value is None) or (
                isinstance(value, ast.Dict)
                and any(isinstance(v, ast.Constant) and v.value is None for v in value.values))
            if empty:
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_solutions_keep_the_learners_answers(source):
    """"Run All" must not overwrite an exercise's answer (``x = None  # your ...``) with the
    solution's: a solution cell assigns none of the names its exercise leaves empty (the
    exercise is the code cells since the last text cell)."""
    cells = build.parse_percent(source.read_text(encoding="utf-8"))
    for index, solution in enumerate(cells):
        if "hide-cell" not in solution["tags"]:
            continue
        exercise = []
        for cell in reversed(cells[:index]):
            if cell["cell_type"] != "code" or "hide-cell" in cell["tags"]:
                break
            exercise.append(cell)
        answers = set().union(*(_left_empty(c["source"]) for c in exercise))
        assert answers, f"the exercise before a solution has no answer variable: {exercise}"
        clash = answers & _assigned(solution["source"])
        assert not clash, f"{source.stem}: the solution overwrites {sorted(clash)}"


def test_a_translation_replaces_the_text_it_follows():
    text = "\n".join(["# %% [markdown]", "# Hello", "# %% [markdown] lang=zh-CN", "# 你好",
                      "# %%", "print(1)", "# %% [markdown]", "# Untranslated"])
    english = build.parse_percent(text)
    chinese = build.parse_percent(text, lang="zh-CN")
    assert [c["source"] for c in english] == ["Hello", "print(1)", "Untranslated"]
    assert [c["source"] for c in chinese] == ["你好", "print(1)", "Untranslated"]
