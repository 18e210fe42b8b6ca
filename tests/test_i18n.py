"""pkilab's words in Chinese: the catalogue is complete, consistent and compiled, and the
CLI, the problem table and the lesson feedback speak the language asked for."""

from __future__ import annotations

import ast
import gettext
import io
import os
import string
import subprocess
import sys
from pathlib import Path

import pytest

from pkilab import i18n, i18n_catalogue, problems
from pkilab.lesson import feedback

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = [folder for folder in i18n.LANGUAGES.values() if folder]


@pytest.fixture(autouse=True)
def _english_after():
    yield
    i18n.set_language("en")


def _placeholders(text: str) -> list[tuple[str, str, str]]:
    """The {name!conversion:spec} fields of a template, each once, sorted (a translation
    may name a fact twice, or in another order)."""
    return sorted({(name, conversion or "", spec or "")
                   for _, name, spec, conversion in string.Formatter().parse(text)
                   if name is not None})


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_message_is_translated(folder):
    """A new problem code, exercise message or covered error without its translation
    fails here: run `python -m pkilab.i18n_catalogue`, fill the empty msgstr, run again."""
    catalogue = i18n_catalogue.read(folder)
    missing = []
    for context, english in i18n_catalogue.entries():
        found = catalogue.get(english, context=context)
        if found is None or not found.string or found.fuzzy:
            missing.append(f"{context}: {english!r}")
    assert not missing, (f"{len(missing)} messages lack a {folder} translation in "
                         f"{i18n_catalogue.po_path(folder)} (run python -m "
                         "pkilab.i18n_catalogue, then fill them in):\n" + "\n".join(missing))


@pytest.mark.parametrize("folder", FOLDERS)
def test_no_stale_messages(folder):
    """The .po holds exactly the messages pkilab uses (an English text that changed
    leaves its old entry behind until the catalogue is updated)."""
    wanted = set(i18n_catalogue.entries())
    have = {(m.context, m.id) for m in i18n_catalogue.read(folder) if m.id}
    assert have == wanted, ("stale: " + repr(sorted(have - wanted)[:5]))


@pytest.mark.parametrize("folder", FOLDERS)
def test_placeholders_match(folder):
    wrong = [f"{m.context}: {_placeholders(m.id)} != {_placeholders(m.string)}"
             for m in i18n_catalogue.read(folder)
             if m.id and m.string and _placeholders(m.id) != _placeholders(m.string)]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("folder", FOLDERS)
def test_compiled_catalogue_is_up_to_date(folder):
    po = i18n_catalogue.po_path(folder)
    fresh = gettext.GNUTranslations(io.BytesIO(
        i18n_catalogue.compile_mo(i18n_catalogue.read(folder))))
    with po.with_suffix(".mo").open("rb") as handle:
        stored = gettext.GNUTranslations(handle)
    assert stored._catalog == fresh._catalog, \
        f"{po.with_suffix('.mo').name} is older than {po.name}: run python -m pkilab.i18n_catalogue"


def test_every_problem_code_has_both_languages():
    for key, words in problems.PROBLEMS.items():
        code, _, variant = key.partition("/")
        facts = {name: f"<{name}>" for part in (words.what, words.why, words.fix)
                 for name, _, _ in _placeholders(part)}
        i18n.set_language("en")
        english = problems.words(code, variant, **facts)
        i18n.set_language("zh")
        chinese = problems.words(code, variant, **facts)
        for part, en, zh in zip(("what", "why", "fix"), english, chinese, strict=True):
            if en.strip("<>").isidentifier():  # a bare {detail}: the words come from outside
                continue
            assert zh != en, f"{key}|{part} is not translated"
            assert any("\u4e00" <= c <= "\u9fff" for c in zh), f"{key}|{part}: {zh!r}"


def test_problem_reads_as_chinese_sentences():
    i18n.set_language("zh")
    text = str(problems.problem("expired", name="server", start="2026-01-01",
                                end="2026-02-01", at="2026-12-01 00:00"))
    assert text.startswith("'server' 已过期。") and text.endswith("。")
    assert "2026-12-01 00:00 UTC" in text


@pytest.mark.parametrize(("value", "expected"), [
    ("zh", "zh"), ("zh-CN", "zh"), ("zh_CN.UTF-8", "zh"), ("zh_Hans", "zh"),
    ("en_US.UTF-8", "en"), ("C", "en"), ("fr_FR", None), ("", None)])
def test_normalise(value, expected):
    assert i18n.normalise(value) == expected


@pytest.mark.parametrize(("environ", "expected"), [
    ({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LANG": "en_US.UTF-8"}, "en"), ({}, "en"),
    ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"LANGUAGE": "fr:zh_CN", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LC_MESSAGES": "zh_TW.UTF-8"}, "zh")])
def test_language_from_environment(environ, expected):
    assert i18n.from_environment(environ) == expected


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="fr"):
        i18n.set_language("fr")
    assert i18n.language() == "en"


def test_feedback_follows_the_language(capsys):
    i18n.set_language("zh")
    feedback(lambda: None)
    feedback(lambda: "your answer is still None")
    feedback(lambda: "a message built at run time", "an EC P-384 private key")
    assert capsys.readouterr().out.splitlines() == [
        "✅ 正确！", "❌ 还没完成：你的答案还是 None", "❌ 还没完成：a message built at run time"]
    i18n.set_language("en")
    feedback(lambda: None, "an EC P-384 private key")
    assert capsys.readouterr().out == "✅ an EC P-384 private key\n"


def _pkilab(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items()
               if k not in ("LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    return subprocess.run([sys.executable, "-m", "pkilab", *args], cwd=cwd, text=True,
                          capture_output=True, timeout=120, env={**environ, **env})


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("i18n")
    done = _pkilab(["init", "lab"], folder)
    assert done.returncode == 0, done.stderr
    return folder


def test_lang_zh_environment_explains_a_broken_chain_in_chinese(lab):
    # server.crt alone, without its intermediates: the chain is broken
    done = _pkilab(["verify", "lab/server.crt", "--ca", "lab/root.crt"], lab,
                   LANG="zh_CN.UTF-8")
    assert done.returncode == 1
    assert "既不是受信任的根证书，也没有被提供" in done.stdout
    assert "neither a trusted root" not in done.stdout


def test_lang_en_option_forces_english(lab):
    done = _pkilab(["--lang", "en", "verify", "lab/server.crt", "--ca", "lab/root.crt"],
                   lab, LANG="zh_CN.UTF-8")
    assert done.returncode == 1
    assert "neither a trusted root" in done.stdout
    assert not any("\u4e00" <= c <= "\u9fff" for c in done.stdout)


def test_lang_zh_option_translates_a_wrong_password(lab):
    done = _pkilab(["--lang=zh", "convert", "lab/client.p12", "out.pem", "--in-password",
                    "not-it"], lab, LANG="C.UTF-8")
    assert done.returncode == 2
    assert "密码错误" in done.stderr and "Traceback" not in done.stderr


def test_unknown_lang_option_is_a_usage_error(lab):
    done = _pkilab(["--lang", "fr", "inspect", "lab/root.crt"], lab)
    assert done.returncode == 2 and "unknown language 'fr'" in done.stderr


def test_cli_in_a_kernel_keeps_the_kernel_language(lab, capsys, monkeypatch):
    from pkilab.cli import main

    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.chdir(lab)
    i18n.set_language("zh")
    assert main(["verify", "lab/server.crt", "--ca", "lab/root.crt"]) == 1
    assert "既不是受信任的根证书" in capsys.readouterr().out  # a lesson's run_pkilab
    assert main(["--lang", "en", "verify", "lab/server.crt", "--ca", "lab/root.crt"]) == 1
    assert "neither a trusted root" in capsys.readouterr().out
    assert i18n.language() == "zh"  # --lang lasts for that command only


def _untranslatable(tree: ast.AST) -> list[int]:
    """Lines where an exercise check returns or shows an f-string: its words cannot be
    looked up in the catalogue (write ui("... {name} ...").format(name=...) instead)."""
    lines = []
    for node in ast.walk(tree):
        values: list[ast.AST] = []
        if isinstance(node, ast.Return) and node.value is not None:
            values = [node.value]
        elif isinstance(node, ast.Call) and i18n_catalogue._callee(node) in (
                "check", "feedback", "check_answer", "_not_yet"):
            values = [*node.args, *(k.value for k in node.keywords)]
        lines += [v.lineno for v in values if isinstance(v, ast.JoinedStr) and any(
            isinstance(part, ast.Constant) and any(c.isalpha() for c in part.value)
            for part in v.values)]  # "[{code}] {what}" has no words of its own
    return lines


def test_exercise_feedback_can_be_translated():
    """An f-string message would stay English in the Chinese edition, silently."""
    found = {path.name: _untranslatable(ast.parse(path.read_text(encoding="utf-8")))
             for path in sorted((ROOT / "pkilab" / "exercises").glob("l*.py"))}
    assert not {k: v for k, v in found.items() if v}
