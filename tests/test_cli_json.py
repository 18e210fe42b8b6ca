"""`--json` on inspect, verify and doctor: every outcome parses, codes not prose, same exits."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pkilab.cli import main
from pkilab.jsonout import FORMAT
from pkilab.problems import CODES

HEAD = ("format", "command", "ok", "exit_code", "error")


def run_json(capsys, *args) -> tuple[int, dict]:
    status = main([*map(str, args), "--json"])
    out, err = capsys.readouterr()
    document = json.loads(out)  # the whole of stdout is one JSON object
    assert err == ""
    assert list(document)[:5] == list(HEAD)
    assert document["format"] == FORMAT
    assert document["exit_code"] == status
    assert document["ok"] is (status == 0)
    return status, document


def test_verify_success_lists_the_chain(capsys, set_dir):
    status, doc = run_json(capsys, "verify", set_dir / "fullchain.crt", "--ca",
                           set_dir / "root.crt", "--host", "localhost")
    assert status == 0 and doc["error"] is None and doc["problems"] == []
    assert [link["role"] for link in doc["chain"]] == ["leaf", "intermediate", "intermediate",
                                                       "root"]
    assert doc["host"] == "localhost" and doc["purpose"] == "server"
    assert all(check["ok"] for link in doc["chain"] for check in link["checks"])


def test_verify_failure_gives_problem_codes_and_exit_1(capsys, set_dir):
    status, doc = run_json(capsys, "verify", set_dir / "server.crt", "--ca",
                           set_dir / "root.crt")
    assert status == 1
    codes = [problem["code"] for problem in doc["problems"]]
    assert codes[0] == "unknown_issuer" and set(codes) <= CODES
    first = doc["problems"][0]
    assert first["severity"] == "error" and first["what"] and first["why"] and first["fix"]


def test_verify_wrong_host(capsys, set_dir):
    status, doc = run_json(capsys, "verify", set_dir / "fullchain.crt", "--ca",
                           set_dir / "root.crt", "--host", "example.com")
    assert status == 1 and doc["problems"][0]["code"] == "wrong_host"
    assert doc["problems"][0]["position"] == 0


def test_verify_bad_input_is_a_json_error(capsys, set_dir, tmp_path):
    status, doc = run_json(capsys, "verify", tmp_path / "missing.crt", "--ca",
                           set_dir / "root.crt")
    assert status == 2
    assert doc["error"]["code"] == "file_not_found"
    assert set(doc["error"]) == {"code", "what", "why", "fix"}
    assert "chain" not in doc


def test_verify_key_mismatch_is_bad_input(capsys, set_dir):
    status, doc = run_json(capsys, "verify", set_dir / "server.crt", "--ca",
                           set_dir / "root.crt", "--key", set_dir / "root.key")
    assert status == 2 and doc["error"]["code"] == "key_mismatch"


def test_inspect_a_chain(capsys, set_dir):
    status, doc = run_json(capsys, "inspect", set_dir / "fullchain.crt")
    assert status == 0 and doc["kind"] == "pem-bundle"
    assert doc["certificates"][0]["subject"] == "/O=pkilab/CN=localhost"
    assert all(c["type"] == "certificate" and len(c["sha256"]) == 95
               for c in doc["certificates"])


def test_inspect_a_key(capsys, set_dir):
    status, doc = run_json(capsys, "inspect", set_dir / "server.key")
    assert status == 0 and doc["private_keys"][0]["type"] == "private key"


def test_inspect_a_problem_exits_1(capsys, set_dir, tmp_path):
    leaf, *rest = (set_dir / "fullchain.crt").read_text().split("-----END CERTIFICATE-----\n")
    backwards = tmp_path / "backwards.crt"
    backwards.write_text("".join(block + "-----END CERTIFICATE-----\n"
                                 for block in reversed([leaf, *rest]) if block.strip()))
    status, doc = run_json(capsys, "inspect", backwards)
    assert status == 1 and doc["warnings"]


def test_inspect_garbage_is_a_json_error(capsys, tmp_path):
    junk = tmp_path / "junk.crt"
    junk.write_bytes(b"\x00\x01 not a certificate")
    status, doc = run_json(capsys, "inspect", junk)
    assert status == 2 and doc["error"]["code"] not in ("", "error")


def test_inspect_password_source_errors_are_json(capsys, set_dir, monkeypatch):
    monkeypatch.delenv("PKILAB_NO_SUCH_VAR", raising=False)
    status, doc = run_json(capsys, "inspect", set_dir / "server.key", "--password",
                           "env:PKILAB_NO_SUCH_VAR")
    assert status == 2 and doc["error"]["code"] == "password_source_missing"


def test_doctor_on_a_set(capsys, set_dir):
    pytest.importorskip("pkilint")
    status, doc = run_json(capsys, "doctor", set_dir)
    assert status == 0 and doc["problems"] == 0
    findings = [f for c in doc["certificates"] for f in c["findings"]]
    # only localhost, which a public-DNS syntax check must flag, and it is marked expected
    assert {f["code"] for f in findings} == {"pkix.invalid_domain_name_syntax"}
    assert all(f["expected"] and not f["problem"] for f in findings)


def test_doctor_with_no_certificates(capsys, tmp_path):
    status, doc = run_json(capsys, "doctor", tmp_path)
    assert status == 2 and doc["error"]["code"] == "no_certificates"


def test_the_real_command_prints_json_and_exits_the_same(set_dir):
    done = subprocess.run([sys.executable, "-m", "pkilab", "verify", "--json",
                           str(set_dir / "server.crt"), "--ca", str(set_dir / "root.crt")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stderr == ""
    assert json.loads(done.stdout)["problems"][0]["code"] == "unknown_issuer"


def test_doctor_without_pkilint_names_the_extras_that_bring_it(set_dir):
    # pkilint hidden from the import system, as in an install without the extras
    code = ("import sys; sys.modules['pkilint'] = None; from pkilab.cli import main; "
            f"sys.exit(main(['doctor', {str(set_dir)!r}, '--json']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2, done.stderr
    error = json.loads(done.stdout)["error"]
    assert error["code"] == "missing_dependency"
    # the extras are names a learner types, not prose: both that bring pkilint
    assert "pkilab[lab]" in error["fix"] and "pkilab[notebook]" in error["fix"]
