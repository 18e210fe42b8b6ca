"""The public surface: what ``pkilab`` exports, and that lessons use nothing else."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import pkilab

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_MODULES = {"pkilab", "pkilab.viz", "pkilab.widgets", "pkilab.lesson", "pkilab.exercises"}


def _type_checking_names(init: Path) -> set[str]:
    """Names imported under ``if TYPE_CHECKING:`` in a package's ``__init__``."""
    tree = ast.parse(init.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom):
                    names.update(alias.asname or alias.name for alias in statement.names)
    return names


@pytest.mark.parametrize("package", ["pkilab", "pkilab.viz"])
def test_lazy_exports_and_type_checking_imports_agree(package):
    module = importlib.import_module(package)
    init = Path(module.__file__)
    assert set(module._EXPORTS) == _type_checking_names(init)
    assert sorted(module._EXPORTS) == sorted(module.__all__)


@pytest.mark.parametrize("name", sorted(pkilab._EXPORTS))
def test_every_export_resolves(name):
    assert getattr(pkilab, name) is not None


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError):
        pkilab.no_such_name  # noqa: B018


def _imports(source: str) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return modules


@pytest.mark.parametrize("lesson", sorted((ROOT / "notebooks" / "src").glob("*.py")),
                         ids=lambda p: p.stem)
def test_lessons_import_only_the_public_modules(lesson):
    used = {m for m in _imports(lesson.read_text(encoding="utf-8")) if m.startswith("pkilab")}
    assert used <= PUBLIC_MODULES, f"{lesson.name} imports internals: {used - PUBLIC_MODULES}"
