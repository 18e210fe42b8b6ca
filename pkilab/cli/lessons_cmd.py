"""pkilab lessons DIR: copy the lesson notebooks into a folder of your own.

For wherever only the package is installed (``pip install pkilab``, Colab, a hosted
Jupyter): the wheel carries the stored lessons as ``pkilab/lessons/<edition>/`` (setup.py
copies them there at build time); a repository checkout (an editable install) has them
in notebooks/ and notebooks/zh-CN/, and they are copied from there.

A notebook already in DIR is left alone when it differs from the packaged one (the
learner's answers are in it) unless ``--force``; the command names every file it kept.
Limits: "differs" is byte for byte, so a lesson the learner only ran (outputs changed)
counts as edited, and an older pkilab's lesson is kept, not upgraded, without --force.
"""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from .. import i18n
from ..errors import InputError
from ..files import check_output, write_output

#: edition -> the folder under notebooks/ (and under pkilab/lessons/) that holds it
EDITIONS = {"en": "", "zh-CN": "zh-CN"}
EDITION_NAMES = {"en": "English", "zh-CN": "Simplified Chinese"}
FIRST_LESSON = "00-start-here.ipynb"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "lessons", help="copy the lesson notebooks into a folder (no repository needed)",
        description="Copy the lessons (Jupyter notebooks, stored with their outputs) into "
        "DIR, then open them there with Jupyter. A notebook already in DIR that differs "
        "from the lesson (your answers are in it) is kept unless --force.")
    parser.add_argument("dir", metavar="DIR", help="where to put them (created if missing)")
    parser.add_argument("--lang", dest="edition", type=_edition, choices=tuple(EDITIONS),
                        help="which edition: en (English) or zh-CN (Simplified Chinese); "
                             "default: the language pkilab speaks (pkilab --lang, LANG)")
    parser.add_argument("--force", action="store_true",
                        help="replace notebooks in DIR that differ from the lessons "
                             "(what you wrote in them is lost)")
    parser.set_defaults(run=run)


def _edition(value: str) -> str:
    if value in EDITIONS:
        return value
    return {"en": "en", "zh": "zh-CN"}.get(i18n.normalise(value) or "", value)


@dataclass
class Plan:
    """What copying will do to each lesson (file names), decided before anything is
    written: ``new`` and ``replaced`` are written, ``same`` and ``kept`` are not."""

    new: list[str] = field(default_factory=list)
    same: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    #: kept too, but they are the other edition's lessons, not the learner's edits
    other_edition: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)

    @property
    def to_write(self) -> list[str]:
        return sorted(self.new + self.replaced)


def plan_copy(lessons: dict[str, bytes], existing: dict[str, bytes | None],
              force: bool, other: dict[str, bytes] | None = None) -> Plan:
    """Pure: ``existing`` maps each lesson's name to the bytes already in DIR (None:
    absent); ``other`` is the other edition's lessons. A differing file is kept, or
    replaced with ``force``."""
    plan, other = Plan(), other or {}
    for name in sorted(lessons):
        there = existing.get(name)
        if there is None:
            plan.new.append(name)
        elif there == lessons[name]:
            plan.same.append(name)
        elif force:
            plan.replaced.append(name)
        else:
            (plan.other_edition if other.get(name) == there else plan.kept).append(name)
    return plan


def package_dir() -> Path:
    return Path(__file__).resolve().parent.parent


def lessons_folder(edition: str, package: Path | None = None) -> Path:
    """Where this installation keeps ``edition``: the wheel's ``pkilab/lessons/``, else
    a repository checkout's notebooks/ (recognised by notebooks/build.py beside it)."""
    package = package_dir() if package is None else package
    packaged = package / "lessons" / edition
    if packaged.is_dir():
        return packaged
    checkout = package.parent / "notebooks"
    if (checkout / "build.py").is_file():
        return checkout / EDITIONS[edition] if EDITIONS[edition] else checkout
    raise InputError("this pkilab has no lessons in it",
                     f"neither {packaged} nor a repository's notebooks/ is there",
                     "install pkilab from a wheel or a sdist (pip install pkilab), or "
                     "run this from a clone of the repository", code="lessons_not_found")


def read_lessons(folder: Path) -> dict[str, bytes]:
    lessons = {p.name: p.read_bytes() for p in sorted(folder.glob("*.ipynb"))}
    if not lessons:
        raise InputError(f"no lessons in {folder}", "the folder has no .ipynb files",
                         "reinstall pkilab", code="lessons_not_found")
    return lessons


def _existing(target: Path, names: list[str]) -> dict[str, bytes | None]:
    # a name that is not a regular file counts as absent: run() then refuses it before
    # writing anything (a folder named like a lesson is never replaced, even with --force)
    return {name: (target / name).read_bytes() if (target / name).is_file() else None
            for name in names}


def _other_edition(edition: str) -> dict[str, bytes]:
    other = next(e for e in EDITIONS if e != edition)
    try:
        return read_lessons(lessons_folder(other))
    except InputError:
        return {}


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise InputError(f"{target} is not a folder", "the lessons go into a folder",
                         "name a folder (it is created if missing)", code="not_a_folder")


def run(args: argparse.Namespace) -> int:
    edition = args.edition or ("zh-CN" if i18n.language() == "zh" else "en")
    lessons = read_lessons(lessons_folder(edition))
    target = Path(args.dir)
    _check_target(target)
    plan = plan_copy(lessons, _existing(target, list(lessons)), args.force,
                     _other_edition(edition))
    for name in plan.to_write:  # refuse a folder or a pipe named like a lesson before any write
        check_output(target / name)
    for name in plan.to_write:
        write_output(target / name, lessons[name], overwrite=name in plan.replaced)
    print("\n".join(report(plan, edition, args.dir)))
    return 0


def report(plan: Plan, edition: str, shown_dir: str) -> list[str]:
    """What was done, what was kept and why, and how to open the lessons."""
    kept = plan.kept + plan.other_edition
    total = len(plan.new) + len(plan.same) + len(kept) + len(plan.replaced)
    counts = (("copied", plan.new), ("replaced", plan.replaced),
              ("already there", plan.same), ("kept", kept))
    done = [f"{len(names)} {word}" for word, names in counts if names or word == "copied"]
    lines = [f"{total} lessons ({EDITION_NAMES[edition]}) in {shown_dir}: " + ", ".join(done)]
    if plan.kept:
        lines.append("kept, because they differ from the lesson (your answers may be in "
                     "them; --force replaces them): " + ", ".join(plan.kept))
    if plan.other_edition:
        other = next(e for e in EDITIONS if e != edition)
        lines.append(f"kept, because they are the {EDITION_NAMES[other]} edition (give each "
                     "edition its own folder; --force replaces them): "
                     + ", ".join(plan.other_edition))
    if plan.replaced:
        lines.append("replaced: " + ", ".join(plan.replaced))
    lines.append(f"open them: jupyter lab {shlex.quote(shown_dir)}, or from your Jupyter's "
                 f"file browser; start with {FIRST_LESSON} (each lesson writes its files "
                 "into _lab/ beside it)")
    return lines
