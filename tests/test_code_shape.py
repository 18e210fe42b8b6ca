"""Rules about the package's own code that keep the fixes from coming undone.

* every pkilab error raised names its problem with an explicit code (tests, JSON output
  and translations key on codes, never on wording);
* no function is longer than ~80 lines (long functions are where twenty checks hide);
* the certificate primitives have one home, pkilab.facts: nobody else asks cryptography
  for an extension by class or checks a signature by hand.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pkilab"
SOURCES = sorted(PACKAGE.rglob("*.py"))
ERRORS = {"PkilabError", "InputError", "PolicyError", "OverwriteError", "VerificationError",
          "TLSError", "TLSConnectionError"}
MAX_FUNCTION_LINES = 80


def _tree(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_raised_error_has_a_code(path):
    missing = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ERRORS and \
                not any(k.arg in ("code", "kind", None) for k in node.keywords):
            missing.append(f"line {node.lineno}: {node.func.id}(...) without code=")
    assert not missing, missing


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_function_is_too_long(path):
    long = [f"{n.name} (line {n.lineno}): {n.end_lineno - n.lineno + 1} lines"
            for n in ast.walk(_tree(path))
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            and n.end_lineno - n.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, long


# What only pkilab.facts (and the code that builds certificates) may call.
_PRIMITIVES = {"get_extension_for_class", "get_extension_for_oid",
               "verify_directly_issued_by"}
# csr.py reads a CSR's extensions (a CSR is not a certificate; its errors say "CSR").
_ALLOWED = {"facts.py", "csr.py"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_certificate_primitives_live_in_facts(path):
    if path.name in _ALLOWED:
        return
    used = [f"line {n.lineno}: .{n.attr}" for n in ast.walk(_tree(path))
            if isinstance(n, ast.Attribute) and n.attr in _PRIMITIVES]
    assert not used, f"call pkilab.facts instead: {used}"


# The bottom layer (DESIGN.md's data flow): these use nothing of pkilab above them.
_BOTTOM = {"facts.py": {"errors"}, "problems.py": {"i18n"}, "errors.py": {"problems"},
           "i18n.py": set()}


@pytest.mark.parametrize("name", sorted(_BOTTOM))
def test_the_bottom_layer_imports_nothing_above_it(name):
    imported = set()
    for node in ast.walk(_tree(PACKAGE / name)):
        if isinstance(node, ast.ImportFrom) and node.level:
            if node.module:
                imported.add(node.module.split(".")[0])
            else:  # from . import x
                imported.update(alias.name for alias in node.names)
    assert imported <= _BOTTOM[name], imported - _BOTTOM[name]
