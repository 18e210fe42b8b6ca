"""pkilab.passwords: one rule for new passwords, and openssl's -passin sources."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from pkilab.certset import build_certificate_set, client_p12
from pkilab.errors import InputError
from pkilab.passwords import StdinLines, check_new_password, read_password


def _code(call) -> str:
    with pytest.raises(InputError) as info:
        call()
    return info.value.code


@pytest.mark.parametrize("password, kind, code", [
    (None, "keystore", "password_missing"),
    ("", "key", "password_missing"),
    ("12345", "keystore", "password_too_short"),
    ("123", "key", "password_too_short"),
    ("a" * 1024, "key", "password_too_long"),
    ("é" * 512, "keystore", "password_too_long"),  # 512 characters, 1024 bytes
    ("abc\udcffdef", "keystore", "not_utf8"),
    (b"\xff\xfeabcdef", "keystore", "not_utf8"),
    ("abc\ndef", "keystore", "control_character"),
    ("abc\x1b[0m", "key", "control_character"),
])
def test_the_rule_refuses_with_a_code(password, kind, code):
    assert _code(lambda: check_new_password(password, kind)) == code


def test_the_rule_accepts():
    assert check_new_password("123456") == b"123456"
    assert check_new_password("abcd", "key") == b"abcd"
    assert check_new_password("a" * 1023, "key") == b"a" * 1023
    assert check_new_password("密码密码密码") == "密码密码密码".encode()  # 6 characters


def test_the_library_uses_the_same_rule():
    cs = build_certificate_set(clients=("alice",))
    assert _code(lambda: client_p12(cs.clients["alice"], "alice", "12")) == "password_too_short"


def test_sources(tmp_path, monkeypatch):
    monkeypatch.setenv("P12PASS", "from-env")
    (tmp_path / "pw").write_bytes(b"from-file\nsecond line\n")
    assert read_password("env:P12PASS") == "from-env"
    assert read_password(f"file:{tmp_path / 'pw'}") == "from-file"
    assert read_password("pass:env:P12PASS") == "env:P12PASS"
    assert read_password("plain") == "plain"
    assert read_password(None) is None
    lines = StdinLines(io.BytesIO(b"first\r\nsecond\n"))
    assert read_password("stdin", stdin=lines) == "first"
    assert read_password("-", stdin=lines) == "second"
    assert _code(lambda: read_password("stdin", stdin=lines)) == "password_source_missing"
    monkeypatch.delenv("P12PASS")
    assert _code(lambda: read_password("env:P12PASS")) == "password_source_missing"
    assert _code(lambda: read_password(f"file:{tmp_path / 'nope'}")) == "file_not_found"
    (tmp_path / "bad").write_bytes(b"\xff\xfe\n")
    assert _code(lambda: read_password(f"file:{tmp_path / 'bad'}")) == "not_utf8"
    assert _code(lambda: read_password("\udcff")) == "not_utf8"


def test_a_terminal_is_asked_without_echo():
    class Tty(io.BytesIO):
        def isatty(self):
            return True

    asked = []
    lines = StdinLines(Tty(), ask=lambda prompt: asked.append(prompt) or "typed")
    assert read_password("stdin", "--password", lines) == "typed"
    assert asked == ["--password: "]


def _pkilab(*args, stdin=None, env=None):
    return subprocess.run([sys.executable, "-m", "pkilab", *map(str, args)], input=stdin,
                          capture_output=True, timeout=60, env=env)


def test_cli_passwords_from_env_file_and_stdin(tmp_path):
    import os

    env = {**os.environ, "P12PASS": "secret-from-env"}
    done = _pkilab("init", tmp_path / "s", "--client", "a", "--p12-password", "env:P12PASS",
                   env=env)
    assert done.returncode == 0, done.stderr
    assert b"secret-from-env" not in done.stdout  # a password from env is not printed
    opened = _pkilab("inspect", tmp_path / "s" / "a.p12", "--password", "stdin",
                     stdin=b"secret-from-env\n")
    assert opened.returncode == 0, opened.stderr
    assert b"CN=a" in opened.stdout
    (tmp_path / "pw").write_text("another-secret\n")
    # two stdin passwords: the input's first, as openssl reads -passin before -passout
    both = _pkilab("convert", tmp_path / "s" / "a.p12", tmp_path / "b.p12", "--in-password",
                   "-", "--password", "stdin", stdin=b"secret-from-env\nnew-secret\n")
    assert both.returncode == 0, both.stderr
    check = _pkilab("inspect", tmp_path / "b.p12", "--password", "pass:new-secret")
    assert check.returncode == 0, check.stderr
    short = _pkilab("init", tmp_path / "t", "--p12-password", f"file:{tmp_path / 'short'}")
    assert short.returncode == 2 and b"Traceback" not in short.stderr


def test_help_says_where_passwords_come_from():
    for command in ("init", "convert", "inspect"):
        done = _pkilab(command, "--help")
        assert b"env:VAR" in done.stdout and b"file:PATH" in done.stdout, command
