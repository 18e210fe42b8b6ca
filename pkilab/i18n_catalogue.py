"""The messages pkilab's catalogues translate, and the command that keeps them current.

    python -m pkilab.i18n_catalogue          # update pkilab/locale/*/pkilab.po, compile .mo

What is translated (each a gettext context and the English text as msgid):

- every entry of :data:`pkilab.problems.PROBLEMS`: ``"<key>|what"``, ``"<key>|why"``,
  ``"<key>|fix"``;
- every ``ui("...")`` call with a literal string in pkilab's sources (lesson feedback,
  chart labels), the exercise checks' ✅/❌ messages (literal strings the checks in
  ``pkilab/exercises`` return or pass to ``check``/``feedback``), and the hints the
  lessons' own cells pass to ``check_answer``: context ``"ui"``;
- the pictures' fixed words (:data:`pkilab.viz._style.CHART_WORDS`): context ``"chart"``;
- the literal what / why / fix of the CLI's common input errors (:data:`ERROR_CODES`):
  context ``"error:<code>"``. An error text built at run time (an f-string naming a
  file) cannot be looked up, so only literal texts are in the catalogue.

Updating keeps every translation whose English text is unchanged, adds the new
messages with an empty translation (to fill in), and drops the ones no longer used.
Needs Babel (a test dependency); pkilab itself reads the compiled ``.mo`` with the
standard library's gettext.
"""

from __future__ import annotations

import ast
import datetime
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from .i18n import DOMAIN, LANGUAGES, LOCALE_DIR

PACKAGE = Path(__file__).resolve().parent
#: The lesson sources (in a source checkout; an installed pkilab has none).
LESSONS = PACKAGE.parent / "notebooks" / "src"
_DATE = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)

#: The CLI input errors whose literal words are translated (the common ones a learner meets).
ERROR_CODES = ("no_certificate", "damaged_file", "wrong_password", "password_required",
               "unknown_format", "not_a_key", "no_certificates", "key_mismatch",
               "missing_key", "damaged_certificate", "not_pem", "malformed_certificate",
               "system_error", "bad_host_name", "bad_port", "exercise_not_done")

_ERROR_CLASSES = {"PkilabError", "InputError", "PolicyError", "OverwriteError",
                  "VerificationError", "TLSError"}


def problem_entries() -> Iterator[tuple[str, str]]:
    """(context, English) of every problem-table template."""
    from .problems import PROBLEMS

    for key, words in PROBLEMS.items():
        for part in ("what", "why", "fix"):
            text = getattr(words, part)
            if text.strip("{}").strip() and text != "{detail}":
                yield f"{key}|{part}", text


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "locale" not in p.parts)


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) \
        else None


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


#: Feedback words that reach ``ui()`` as a parameter's default, not as a literal call.
_EXTRA_UI = ("Correct!",)
#: Exercise-check calls whose literal arguments are feedback (the hint, the success).
_FEEDBACK_CALLS = {"check", "feedback", "check_answer", "_not_yet"}


def _exercise_entries(tree: ast.AST) -> Iterator[str]:
    """The feedback texts of an exercise module: literal strings its functions return
    (the problem_* answers) and the literal hints and successes given to the checks."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and node.value is not None and _literal(node.value):
            yield _literal(node.value) or ""
        elif isinstance(node, ast.Call) and _callee(node) in _FEEDBACK_CALLS:
            values = [*node.args, *(k.value for k in node.keywords
                                    if k.arg in ("hint", "success"))]
            yield from (text for text in map(_literal, values) if text)


def source_entries() -> Iterator[tuple[str, str]]:
    """(context, English) of the ``ui("...")`` calls, the exercise checks' feedback and
    the covered errors' literals."""
    yield from (("ui", text) for text in _EXTRA_UI)
    for path in sorted(LESSONS.glob("*.py")):  # hints written in a lesson's own cells
        yield from (("ui", text) for text in _exercise_entries(ast.parse(
            path.read_text(encoding="utf-8"))) if not text.isalnum())
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if path.parent.name == "exercises":
            yield from (("ui", text) for text in _exercise_entries(tree))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _callee(node)
            if name == "ui" and node.args and _literal(node.args[0]):
                yield "ui", _literal(node.args[0]) or ""
            elif name in _ERROR_CLASSES:
                code = next((_literal(k.value) for k in node.keywords if k.arg == "code"),
                            None)
                if code in ERROR_CODES:
                    for arg in node.args[:3]:
                        text = _literal(arg)
                        if text:
                            yield f"error:{code}", text


def chart_entries() -> Iterator[tuple[str, str]]:
    """(context, English) of the pictures' fixed words (:data:`pkilab.viz._style.CHART_WORDS`)."""
    from .viz._style import CHART_WORDS

    yield from (("chart", word) for word in CHART_WORDS)


def entries() -> list[tuple[str, str]]:
    """Every (context, English) message, each once, in a stable order."""
    seen: dict[tuple[str, str], None] = {}
    for item in (*problem_entries(), *source_entries(), *chart_entries()):
        seen.setdefault(item, None)
    return list(seen)


def po_path(folder: str) -> Path:
    return LOCALE_DIR / folder / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(folder: str):
    """The Babel catalogue of ``folder`` (an empty one when there is no .po yet)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    path = po_path(folder)
    if not path.exists():
        return Catalog(locale=folder, domain=DOMAIN)
    with path.open("rb") as handle:
        return read_po(handle, locale=folder, domain=DOMAIN)


def compile_mo(catalogue) -> bytes:
    """The .mo bytes of a Babel catalogue (untranslated messages left out)."""
    from babel.messages.mofile import write_mo

    out = io.BytesIO()
    write_mo(out, catalogue)
    return out.getvalue()


def update(folder: str) -> tuple[int, int]:
    """Rewrite ``folder``'s .po from :func:`entries` and compile its .mo.

    Returns (messages, still untranslated).
    """
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    old = read(folder)
    # Fixed dates: the file changes only when its messages do.
    new = Catalog(locale=folder, domain=DOMAIN, project="pkilab", version="0.1",
                  copyright_holder="pkilab", fuzzy=False, creation_date=_DATE,
                  revision_date=_DATE)
    missing = 0
    for context, english in entries():
        found = old.get(english, context=context)
        text = found.string if found is not None and not found.fuzzy else ""
        missing += not text
        new.add(english, text, context=context)
    path = po_path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, new, width=100, omit_header=False, sort_output=False,
             include_lineno=False, no_location=True)
    path.write_bytes(buffer.getvalue())
    path.with_suffix(".mo").write_bytes(compile_mo(new))
    return len(new), missing


def main() -> int:
    for folder in (f for f in LANGUAGES.values() if f):
        total, missing = update(folder)
        print(f"{po_path(folder).relative_to(PACKAGE.parent)}: {total} messages, "
              f"{missing} to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
