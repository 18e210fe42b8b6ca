"""pkilab lessons DIR: copies the lessons out, never over a learner's edited notebook
without --force, and says which files it kept. Runs the real command (``main``) on real
folders; the wheel install is in tests/test_packaging.py."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from pkilab.cli import main
from pkilab.cli.lessons_cmd import lessons_folder, plan_copy, run
from pkilab.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
CHINESE = sorted(p.name for p in (ROOT / "notebooks" / "zh-CN").glob("*.ipynb"))


def lessons(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(["lessons", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_copies_every_english_lesson_from_the_checkout(tmp_path, capsys):
    target = tmp_path / "my lessons"
    code, out, _ = lessons([str(target), "--lang", "en"], capsys)
    assert code == 0
    assert sorted(p.name for p in target.iterdir()) == ENGLISH
    for name in ENGLISH:
        assert (target / name).read_bytes() == (ROOT / "notebooks" / name).read_bytes()
        assert (target / name).stat().st_mode & 0o777 == 0o644
    json.loads((target / "00-start-here.ipynb").read_text(encoding="utf-8"))
    assert f"{len(ENGLISH)} copied" in out
    assert "jupyter lab '" + str(target) + "'" in out  # quoted: the name has a space
    assert "00-start-here.ipynb" in out


def test_the_chinese_edition(tmp_path, capsys):
    code, out, _ = lessons([str(tmp_path), "--lang", "zh-CN"], capsys)
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == CHINESE
    first = (tmp_path / "00-start-here.ipynb").read_bytes()
    assert first == (ROOT / "notebooks" / "zh-CN" / "00-start-here.ipynb").read_bytes()
    assert "Simplified Chinese" in out


def test_zh_is_accepted_and_the_default_follows_pkilabs_language(tmp_path, capsys):
    assert lessons([str(tmp_path / "a"), "--lang", "zh"], capsys)[0] == 0
    assert main(["--lang", "zh", "lessons", str(tmp_path / "b")]) == 0
    capsys.readouterr()
    for folder in ("a", "b"):
        assert (tmp_path / folder / "01-keys-and-certificates.ipynb").read_bytes() == \
            (ROOT / "notebooks/zh-CN/01-keys-and-certificates.ipynb").read_bytes()


def test_an_edited_notebook_is_kept_and_named_then_replaced_with_force(tmp_path, capsys):
    lessons([str(tmp_path), "--lang", "en"], capsys)
    edited = tmp_path / "01-keys-and-certificates.ipynb"
    edited.write_text('{"my": "answers"}', encoding="utf-8")
    code, out, _ = lessons([str(tmp_path), "--lang", "en"], capsys)
    assert code == 0
    assert edited.read_text(encoding="utf-8") == '{"my": "answers"}'
    kept_line = next(line for line in out.splitlines() if line.startswith("kept"))
    assert "01-keys-and-certificates.ipynb" in kept_line and "--force" in kept_line
    assert "00-start-here.ipynb" not in kept_line  # unchanged ones are not "kept"
    assert f"{len(ENGLISH) - 1} already there, 1 kept" in out
    code, out, _ = lessons([str(tmp_path), "--lang", "en", "--force"], capsys)
    assert code == 0 and "replaced: 01-keys-and-certificates.ipynb" in out
    assert edited.read_bytes() == (ROOT / "notebooks" / edited.name).read_bytes()


def test_the_other_edition_is_kept_and_said_to_be_the_other_edition(tmp_path, capsys):
    lessons([str(tmp_path), "--lang", "en"], capsys)
    code, out, _ = lessons([str(tmp_path), "--lang", "zh-CN"], capsys)
    assert code == 0
    assert "English edition" in out and "your answers" not in out
    assert (tmp_path / "00-start-here.ipynb").read_bytes() == \
        (ROOT / "notebooks" / "00-start-here.ipynb").read_bytes()


def test_a_file_as_the_folder_is_a_coded_error(tmp_path, capsys):
    place = tmp_path / "file.txt"
    place.write_text("x")
    code, out, err = lessons([str(place)], capsys)
    assert code == 2 and not out
    assert err.startswith("pkilab: ") and "Traceback" not in err
    with pytest.raises(InputError) as caught:
        from pkilab.cli.lessons_cmd import _check_target

        _check_target(place)
    assert caught.value.code == "not_a_folder"


def test_a_folder_named_like_a_lesson_is_never_replaced_and_nothing_is_written(tmp_path,
                                                                              capsys):
    last = ENGLISH[-1]
    (tmp_path / last).mkdir()
    code, out, err = lessons([str(tmp_path), "--lang", "en", "--force"], capsys)
    assert code == 2 and not out and err.startswith("pkilab: ")
    assert [p.name for p in tmp_path.iterdir()] == [last]  # refused before any write
    with pytest.raises(InputError) as caught:
        run(argparse.Namespace(dir=str(tmp_path), edition="en", force=True))
    assert caught.value.code == "not_a_regular_file"
    assert (tmp_path / last).is_dir()


def test_an_unknown_edition_is_refused_by_usage(tmp_path, capsys):
    with pytest.raises(SystemExit) as done:
        main(["lessons", str(tmp_path), "--lang", "fr"])
    assert done.value.code == 2
    assert not list(tmp_path.iterdir())


def test_where_the_lessons_come_from(tmp_path):
    # the wheel's pkilab/lessons/<edition>/ first; else a checkout's notebooks/
    package = tmp_path / "site" / "pkilab"
    (package / "lessons" / "zh-CN").mkdir(parents=True)
    assert lessons_folder("zh-CN", package) == package / "lessons" / "zh-CN"
    checkout = tmp_path / "repo"
    (checkout / "pkilab").mkdir(parents=True)
    (checkout / "notebooks").mkdir()
    (checkout / "notebooks" / "build.py").write_text("")
    assert lessons_folder("en", checkout / "pkilab") == checkout / "notebooks"
    assert lessons_folder("zh-CN", checkout / "pkilab") == checkout / "notebooks" / "zh-CN"
    lonely = tmp_path / "lonely" / "pkilab"
    lonely.mkdir(parents=True)
    (lonely.parent / "notebooks").mkdir()  # a stray notebooks/ is not a checkout
    with pytest.raises(InputError) as caught:
        lessons_folder("en", lonely)
    assert caught.value.code == "lessons_not_found"


def test_the_plan_is_decided_before_writing():
    lessons_ = {"a.ipynb": b"A", "b.ipynb": b"B", "c.ipynb": b"C", "d.ipynb": b"D"}
    existing = {"a.ipynb": None, "b.ipynb": b"B", "c.ipynb": b"mine", "d.ipynb": b"zh"}
    plan = plan_copy(lessons_, existing, force=False, other={"d.ipynb": b"zh"})
    assert (plan.new, plan.same, plan.kept, plan.other_edition, plan.replaced) == \
        (["a.ipynb"], ["b.ipynb"], ["c.ipynb"], ["d.ipynb"], [])
    assert plan.to_write == ["a.ipynb"]
    forced = plan_copy(lessons_, existing, force=True, other={"d.ipynb": b"zh"})
    assert forced.replaced == ["c.ipynb", "d.ipynb"] and not forced.kept
    assert forced.to_write == ["a.ipynb", "c.ipynb", "d.ipynb"]
