"""Build the lessons: notebooks/src/NN-topic.py (percent format) -> NN-topic.ipynb, executed.

    python notebooks/build.py                    # every lesson, both editions
    python notebooks/build.py 03 05              # some lessons, both editions
    python notebooks/build.py --edition zh-CN 03 # one edition

Two editions from one source: English (notebooks/NN-topic.ipynb) and Simplified Chinese
(notebooks/zh-CN/NN-topic.ipynb). The Chinese edition takes each "# %% [markdown]
lang=zh-CN" cell in place of the English text cell before it, and gets one extra code
cell, before the first code cell, that switches pkilab's own words to Chinese
(:data:`ZH_SETUP`); every other code cell is the same in both. Each edition runs with
its own folder as the kernel's working directory (as nbval does), so the lab folders
(_lab/NN) of the two never collide. A matplotlib "Glyph ... missing from font" warning
in any output fails the build: a picture would show boxes instead of characters.

Each notebook is executed top to bottom in one fresh kernel with notebooks/ as the
working directory, then stored with its outputs (nbval compares them in CI). The .py
files are the source of truth; tests/test_notebook_sources.py checks that they agree.

Cell markers:  "# %%" code, "# %% [markdown]" text (lines start with "# "),
"# %% tags=["hide-cell"]" a collapsed solution, "# %% tags=["nbval-ignore-output"]",
"# %% tags=["needs-openssl"]" (needs-curl, needs-keytool, needs-nginx; several allowed)
a cell whose output depends on that tool: the tags are stored in the cell's metadata,
and notebooks/conftest.py leaves its output uncompared where the tool is missing.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
_MARKER = re.compile(r"^# %%(?P<md> \[markdown\])?(?: lang=(?P<lang>[A-Za-z-]+))?"
                     r"(?: tags=(?P<tags>\[.*\]))?\s*$")
#: The language of the text cells without a ``lang=`` marker.
SOURCE_LANGUAGE = "en"
#: The one code cell the Chinese edition adds (tests allow exactly this difference).
ZH_SETUP = ("# 中文版：pkilab 的提示、检查结果和图表都用中文\n"
            "import pkilab\n\n"
            "pkilab.set_language(\"zh\")")
#: The tag of a cell that installs pkilab where it is missing (lesson 00's first code
#: cell, for Colab): the Chinese setup cell imports pkilab, so it goes after such cells.
INSTALL_TAG = "install-pkilab"
#: edition (the ``lang=`` of its cells) -> (folder of its notebooks, extra first code cell)
EDITIONS: dict[str, tuple[Path, str | None]] = {
    "en": (HERE, None),
    "zh-CN": (HERE / "zh-CN", ZH_SETUP),
}
_MISSING_GLYPH = re.compile(r"Glyph \d+ .*missing from (current )?font")


def parse_percent(text: str, lang: str = SOURCE_LANGUAGE) -> list[dict]:
    """Cells as dicts {cell_type, source, tags} from percent-format text, in ``lang``.

    A translated text cell replaces the text cell it follows; untranslated text stays in
    the source language (a test checks that every text cell has its translation).
    """
    return select_language(parse_all(text), lang)


def select_language(cells: list[dict], lang: str) -> list[dict]:
    """The cells of one edition from :func:`parse_all`'s cells (which carry ``lang``)."""
    out: list[dict] = []
    for cell in cells:
        if cell["lang"] == SOURCE_LANGUAGE:
            out.append(cell)
        elif cell["lang"] == lang and out and out[-1]["cell_type"] == "markdown" \
                and out[-1]["lang"] == SOURCE_LANGUAGE:
            out[-1] = cell
    return [{k: v for k, v in c.items() if k != "lang"} for c in out]


def parse_all(text: str) -> list[dict]:
    """Every cell of the source, each with its ``lang`` (translations included)."""
    cells: list[dict] = []
    current: dict | None = None
    for line in text.splitlines():
        match = _MARKER.match(line)
        if match:
            current = {"cell_type": "markdown" if match.group("md") else "code",
                       "lines": [], "tags": json.loads(match.group("tags") or "[]"),
                       "lang": match.group("lang") or SOURCE_LANGUAGE}
            cells.append(current)
            continue
        if current is None:
            continue  # a file header before the first cell
        current["lines"].append(line)
    out = []
    for cell in cells:
        lines = cell["lines"]
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        if cell["cell_type"] == "markdown":
            lines = [re.sub(r"^# ?", "", line) for line in lines]
        out.append({"cell_type": cell["cell_type"], "source": "\n".join(lines),
                    "tags": cell["tags"], "lang": cell["lang"]})
    return out


def edition_cells(text: str, edition: str = SOURCE_LANGUAGE) -> list[dict]:
    """The cells of ``edition`` as stored: its text, and its setup cell if it has one."""
    cells = parse_percent(text, lang=edition)
    setup = EDITIONS[edition][1]
    if setup:
        first_code = next((i for i, c in enumerate(cells) if c["cell_type"] == "code"
                           and INSTALL_TAG not in c["tags"]),
                          len(cells))
        cells.insert(first_code, {"cell_type": "code", "source": setup, "tags": []})
    return cells


def untranslated(text: str, edition: str) -> list[int]:
    """Indexes (in the source's English cells) of the text cells without an ``edition``
    translation right after them."""
    cells = parse_all(text)
    missing, index = [], -1
    for position, cell in enumerate(cells):
        if cell["lang"] != SOURCE_LANGUAGE:
            continue
        index += 1
        following = cells[position + 1] if position + 1 < len(cells) else None
        if cell["cell_type"] == "markdown" and (following is None
                                                or following["lang"] != edition):
            missing.append(index)
    return missing


def to_notebook(cells: list[dict]):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": "python3"},
        "language_info": {"name": "python"},
    }
    for cell in cells:
        if cell["cell_type"] == "markdown":
            new = nbformat.v4.new_markdown_cell(cell["source"])
        else:
            new = nbformat.v4.new_code_cell(cell["source"])
        if cell["tags"]:
            new.metadata["tags"] = cell["tags"]
        if "hide-cell" in cell["tags"]:
            # Collapsed code *and* output: a visible "✅" would give the answer away.
            new.metadata["jupyter"] = {"source_hidden": True, "outputs_hidden": True}
        new["id"] = f"c{len(nb.cells):03d}"  # stable ids keep git diffs small
        nb.cells.append(new)
    return nb


def _coalesce(outputs: list) -> list:
    """Join consecutive stdout (or stderr) pieces: how a print is split into messages
    depends on timing, and would otherwise change the stored file on every build."""
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (previous is not None and output.get("output_type") == "stream"
                and previous.get("output_type") == "stream"
                and previous.get("name") == output.get("name")):
            previous["text"] = "".join(previous["text"]) + "".join(output["text"])
        else:
            merged.append(output)
    return merged


def build(path: Path, timeout: int = 120, edition: str = SOURCE_LANGUAGE) -> Path:
    import nbformat
    from nbclient import NotebookClient

    text = path.read_text(encoding="utf-8")
    folder = EDITIONS[edition][0]
    folder.mkdir(exist_ok=True)
    if edition != SOURCE_LANGUAGE and untranslated(text, edition):
        print(f"{path.stem}: text cells {untranslated(text, edition)} have no {edition} "
              "translation (the English is used; tests/test_notebook_sources.py fails)",
              file=sys.stderr)
    nb = to_notebook(edition_cells(text, edition))
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    slow = []
    for index, cell in enumerate(nb.cells):
        execution = cell.metadata.pop("execution", None)
        if execution and cell.cell_type == "code":
            began = (execution.get("iopub.execute_input")
                     or execution.get("shell.execute_reply.started"))
            ended = execution.get("shell.execute_reply")
            if began and ended:
                from datetime import datetime

                seconds = (datetime.fromisoformat(ended.replace("Z", "+00:00"))
                           - datetime.fromisoformat(began.replace("Z", "+00:00"))).total_seconds()
                if seconds > 2:
                    slow.append(f"cell {index} took {seconds:.1f} s")
        cell.metadata.pop("collapsed", None)
        if cell.cell_type == "code":
            # A stored widget view points at a model that no longer exists when the file
            # is opened ("model not found"); keep widgets live-only.
            cell.outputs = _coalesce([o for o in cell.outputs
                                      if "application/vnd.jupyter.widget-view+json"
                                      not in o.get("data", {})])
    nb.metadata.pop("widgets", None)
    boxes = missing_glyphs(nb)
    if boxes:
        raise SystemExit(f"{path.stem} ({edition}): a picture lacks glyphs in its font, "
                         "install fonts-noto-cjk: " + "; ".join(boxes))
    target = folder / (path.stem + ".ipynb")
    nbformat.write(nb, str(target))
    took = time.perf_counter() - start
    print(f"{target.relative_to(HERE)}: {len(nb.cells)} cells, executed in {took:.1f} s"
          + ("; slow: " + "; ".join(slow) if slow else ""))
    return target


def missing_glyphs(nb) -> list[str]:
    """'cell N: <warning>' for every matplotlib missing-glyph warning in the outputs."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", ""))
            found += [f"cell {index}: {line.strip()}" for line in text.splitlines()
                      if _MISSING_GLYPH.search(line)]
    return found


def main(argv: list[str]) -> int:
    editions = list(EDITIONS)
    if "--edition" in argv:
        at = argv.index("--edition")
        editions = [argv[at + 1]] if at + 1 < len(argv) else []
        argv = argv[:at] + argv[at + 2:]
        if not editions or editions[0] not in EDITIONS:
            print("--edition takes one of: " + ", ".join(EDITIONS), file=sys.stderr)
            return 2
    sources = sorted(SRC.glob("*.py"))
    if argv:
        sources = [s for s in sources if any(s.name.startswith(a) for a in argv)]
    if not sources:
        print("no lesson sources matched", file=sys.stderr)
        return 2
    for source in sources:
        for edition in editions:
            build(source, edition=edition)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
