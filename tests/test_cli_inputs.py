"""Bad input to the pkilab command: a pkilab error (exit 2, one or two lines), never a
traceback or a hang. One test per class of input from the core issue (section 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

LONG = "n" * 300  # longer than any file name a Linux or macOS file system allows


def run(*args: object, cwd: Path | None = None, stdin: bytes | None = None):
    """Run pkilab; the timeout only guards against the old hangs (a FIFO waited forever)."""
    argv = [os.fsencode(a) if isinstance(a, (str, Path)) else a for a in args]
    return subprocess.run([sys.executable.encode(), b"-m", b"pkilab", *argv], cwd=cwd,
                          input=stdin, capture_output=True, timeout=30)


def assert_pkilab_error(done) -> None:
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2, (done.returncode, err, done.stdout[-300:])
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert 1 <= len(lines) <= 2 and all(line.startswith("pkilab: ") for line in lines), lines


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inputs")
    done = run("init", folder / "set", "--client", "alice")
    assert done.returncode == 0, done.stderr
    os.mkfifo(folder / "pipe.crt")
    return folder


def _non_regular(lab: Path) -> list[str]:
    paths = [str(lab / "pipe.crt"), str(lab / "set")]
    paths += [d for d in ("/dev/zero", "/dev/null", "/dev/urandom") if os.path.exists(d)]
    return paths


@pytest.mark.parametrize("command", [
    lambda p, s: ["inspect", p],
    lambda p, s: ["verify", p, "--ca", s / "root.crt"],
    lambda p, s: ["verify", s / "fullchain.crt", "--ca", p],
    lambda p, s: ["verify", s / "server.crt", "--ca", s / "root.crt", "--untrusted", p],
    lambda p, s: ["convert", p, "out.pem"],
    lambda p, s: ["convert", s / "alice.crt", "out.p12", "--key", p, "--password", "123456"],
    lambda p, s: ["convert", s / "fullchain.crt", "out.pem", "--chain", p],
])
def test_non_regular_inputs_are_refused(lab, command):
    for path in _non_regular(lab):
        done = run(*command(path, lab / "set"), cwd=lab)
        assert_pkilab_error(done)


def test_doctor_and_serve_refuse_them_too(lab):
    pytest.importorskip("pkilint")
    for path in [*_non_regular(lab)[:1], "/dev/zero"]:
        if os.path.exists(path):
            assert_pkilab_error(run("doctor", path))


def test_serve_on_a_set_with_a_fifo_for_a_certificate(lab, tmp_path):
    broken = tmp_path / "set"
    broken.mkdir()
    for name in ("root.crt", "server.key", "server.crt"):
        (broken / name).write_bytes((lab / "set" / name).read_bytes())
    os.mkfifo(broken / "fullchain.crt")
    assert_pkilab_error(run("serve", broken))


@pytest.mark.parametrize("args", [
    ["doctor", LONG],
    ["inspect", LONG],
    ["verify", LONG, "--ca", LONG],
    ["convert", "set/server.crt", LONG + ".der"],
    ["convert", "set/server.crt", "out.pem", "--key", LONG],
    ["init", LONG],
    ["init", "set/" + LONG],
    ["serve", LONG],
    ["init", "/proc/pkilab-no/set"],
    ["init", "set/root.crt/sub"],
])
def test_names_too_long_or_unusable(lab, args):
    assert_pkilab_error(run(*args, cwd=lab))


def test_init_into_an_unwritable_folder(lab, tmp_path):
    target = Path("/proc/pkilab-test") if os.geteuid() == 0 else tmp_path / "ro" / "set"
    if os.geteuid() != 0:
        (tmp_path / "ro").mkdir(mode=0o500)
    assert_pkilab_error(run("init", target))
    assert not target.exists()


@pytest.mark.parametrize("args", [
    [b"init", b"x", b"--client", b"caf\xe9"],
    [b"init", b"x", b"--server-name", b"\xff.example"],
    [b"init", b"x", b"--p12-password", b"\xff\xfe123456"],
    [b"init", b"x", b"--org", b"\xc3"],
    [b"inspect", b"set/alice.p12", b"--password", b"\xff"],
    [b"convert", b"set/alice.p12", b"o.pem", b"--in-password", b"\xff"],
    [b"convert", b"set/alice.crt", b"o.p12", b"--key", b"set/alice.key", b"--password",
     b"\xff\xfe123456"],
    [b"verify", b"set/server.crt", b"--ca", b"set/root.crt", b"--key", b"set/server.key",
     b"--password", b"\xff"],
])
def test_text_that_is_not_utf8(lab, args):
    assert_pkilab_error(run(*args, cwd=lab))
    assert not (lab / "x").exists()


@pytest.mark.parametrize("args", [
    ["init", "x", "--client", "alice\nbob"],
    ["init", "x", "--client", "al\x1b[2Jice"],
    ["init", "x", "--org", "\x1b[31mred"],
    ["init", "x", "--org", "evil\u202etxt"],
    ["init", "x", "--subject", "/C=CN/O=a\rb"],
    ["init", "x", "--server-name", "a@b.example"],
    ["init", "x", "--server-name", "1.2.3.4.5"],
    ["init", "x", "--server-name", "bad\nname"],
    ["init", "x", "--p12-password", "12"],
    ["init", "x", "--p12-password", "a" * 1024],
    ["convert", "set/server.key", "o.key", "--to", "pkcs8", "--password", "a" * 1024],
    ["convert", "set/alice.crt", "o.p12", "--key", "set/alice.key", "--password", "12"],
    ["init", "x", "--p12-password", "env:PKILAB_TEST_UNSET"],
    ["init", "x", "--p12-password", "file:/nonexistent/pw"],
])
def test_text_pkilab_refuses(lab, args):
    assert_pkilab_error(run(*args, cwd=lab))
    assert not (lab / "x").exists() and not (lab / "o.key").exists()


def test_convert_never_replaces_a_pipe_a_device_or_its_input(lab, tmp_path):
    source = lab / "set" / "server.crt"
    os.mkfifo(tmp_path / "out.der")
    (tmp_path / "null.der").symlink_to("/dev/null")
    os.link(source, tmp_path / "same.crt")  # the input under another name
    for out in ("out.der", "null.der", "same.crt"):
        done = run("convert", source, tmp_path / out, "--force", "--to", "der")
        assert_pkilab_error(done)
    assert (tmp_path / "out.der").is_fifo() and os.path.exists("/dev/null")
    assert (tmp_path / "same.crt").read_bytes() == source.read_bytes()
    os.symlink(source, tmp_path / "link.crt")
    assert_pkilab_error(run("convert", source, tmp_path / "link.crt", "--force"))


def test_codes_of_the_library_behind_these_errors(lab, tmp_path):
    from pkilab.errors import InputError
    from pkilab.files import read_input

    with pytest.raises(InputError) as info:
        read_input(lab / "pipe.crt")
    assert info.value.code == "not_a_regular_file"

    from pkilab.cli.convert_cmd import _check_outputs

    with pytest.raises(InputError) as info:
        _check_outputs([lab / "set" / "root.crt"], [lab / "set" / ".." / "set" / "root.crt"],
                       True)
    assert info.value.code == "output_is_input"
