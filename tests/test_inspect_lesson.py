import os
import shutil
import subprocess
import sys

import pytest

from pkilab.certset import build_certificate_set
from pkilab.csr import build_csr
from pkilab.errors import InputError
from pkilab.inspect import describe, show, summary, summary_html
from pkilab.lesson import check, lab_dir, run_tool


@pytest.fixture(scope="module")
def lesson_set():
    return build_certificate_set(seed="tests")


def test_summary_is_short_and_has_the_fingerprint(lesson_set):
    text = summary(lesson_set.server.certificate)
    assert len(text.splitlines()) < 20
    assert "SHA-256:" in text and "subjectAltName: DNS:localhost, IP:127.0.0.1" in text
    assert describe(lesson_set.server.certificate)["version"] == "v3"


def test_html_table_for_notebooks(lesson_set):
    html = summary_html(lesson_set.root.certificate)
    assert html.startswith("<table") and "basicConstraints" in html
    assert "CA:TRUE" in show(lesson_set.root.certificate)._repr_html_()
    assert lesson_set.server._repr_html_() == summary_html(lesson_set.server.certificate)


def test_csr_and_key_summaries(lesson_set):
    csr = build_csr(lesson_set.server.private_key, "/CN=x", ["x.example"])
    assert "asks for subjectAltName: x.example" in summary(csr)
    assert summary(lesson_set.server.private_key).startswith("Private key")
    with pytest.raises(InputError) as info:
        summary(42)
    assert info.value.code == "cannot_describe"


def test_check_prints_feedback(capsys):
    assert check(lambda: 1 + 1 == 2, "math")
    assert not check(lambda: None.real, "give an answer")
    out = capsys.readouterr().out
    assert "✅ Correct!" in out and "❌ Not yet: give an answer (your answer is still None)" in out


def test_lab_dir_is_fresh_each_time(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = lab_dir("99")
    (folder / "old.txt").write_text("x")
    assert not (lab_dir("99") / "old.txt").exists()


def test_run_tool_missing_and_filtered(capsys, tmp_path):
    assert run_tool(["no-such-tool-here", "x"]) is None
    assert "not installed" in capsys.readouterr().out
    done = run_tool([sys.executable, "-c", "print('keep me'); print('drop me')"],
                    keep=["keep"], cwd=tmp_path)
    command_line, *printed = capsys.readouterr().out.splitlines()
    assert command_line.startswith("$ ")
    assert done.returncode == 0 and printed == ["keep me"]


def test_import_pkilab_stays_light():
    code = ("import sys, pkilab, pkilab.lesson, pkilab.chain; "
            "bad = [m for m in ('matplotlib', 'ipywidgets', 'IPython') if m in sys.modules]; "
            "print(bad)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert done.stdout.strip() == "[]", done.stderr


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_lesson_curl_hides_the_port_and_shows_the_page_title(capsys, set_dir):
    from pkilab.lesson import curl
    from pkilab.tls import HTTPSServer

    with HTTPSServer(set_dir, mtls="on") as server:
        port = server.port
        done = curl(server.url, "--cacert", "root.crt", cwd=set_dir, html_title=True)
        refused = curl(server.url, cwd=set_dir)  # no --cacert: curl refuses our root
    out = capsys.readouterr().out
    assert f":{port}" not in out and "https://localhost:PORT/" in out
    assert done.returncode == 0
    assert "HTML page: 400 No required SSL certificate was sent" in out
    assert refused.returncode == 60 and "(exit status 60)" in out
