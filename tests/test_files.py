"""files: read_input refuses what is not a regular file; write_output never replaces a
file by accident, private files get 0600."""

from __future__ import annotations

import os
import stat
import tempfile
import threading

import pytest

import pkilab.files as files
from pkilab.errors import InputError, OverwriteError
from pkilab.files import read_input, write_output


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_is_written_with_the_right_mode(tmp_path):
    key = write_output(tmp_path / "sub" / "a.key", b"secret", private=True)
    crt = write_output(tmp_path / "a.crt", b"public")
    assert key.read_bytes() == b"secret" and _mode(key) == 0o600
    assert crt.read_bytes() == b"public" and _mode(crt) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.crt", "sub"]  # no temp files


def test_existing_file_is_kept_without_overwrite(tmp_path):
    target = tmp_path / "a.key"
    target.write_bytes(b"original")
    with pytest.raises(OverwriteError) as info:
        write_output(target, b"new", private=True)
    assert info.value.code == "output_exists"
    assert target.read_bytes() == b"original"


def test_overwrite_replaces_and_sets_the_mode(tmp_path):
    target = tmp_path / "a.key"
    target.write_bytes(b"original")
    target.chmod(0o644)
    write_output(target, b"new", private=True, overwrite=True)
    assert target.read_bytes() == b"new" and _mode(target) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["a.key"]


def test_a_file_that_appears_while_writing_is_not_replaced(tmp_path, monkeypatch):
    """Another program creates the file after pkilab checked the name: it must survive."""
    target = tmp_path / "a.key"
    real_mkstemp = tempfile.mkstemp

    def racing_mkstemp(*args, **kwargs):
        made = real_mkstemp(*args, **kwargs)
        target.write_bytes(b"written by someone else")  # between the check and publishing
        return made

    monkeypatch.setattr(files.tempfile, "mkstemp", racing_mkstemp)
    with pytest.raises(OverwriteError) as info:
        write_output(target, b"ours", private=True)
    assert info.value.code == "output_exists"
    assert target.read_bytes() == b"written by someone else"
    assert [p.name for p in tmp_path.iterdir()] == ["a.key"]  # the temp file is gone


def test_unwritable_places_give_input_errors(tmp_path):
    folder = tmp_path / "dir"
    folder.mkdir()
    with pytest.raises(InputError) as info:
        write_output(folder, b"x", overwrite=True)  # a folder cannot become a file
    assert info.value.code == "not_a_regular_file"
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    with pytest.raises(InputError) as info:
        write_output(blocker / "a.crt", b"x")  # parent is a file
    assert info.value.code == "cannot_write"
    with pytest.raises(InputError) as info:
        write_output(tmp_path / ("x" * 300), b"x")
    assert info.value.code == "name_too_long"


def _code(call) -> str:
    with pytest.raises(InputError) as info:
        call()
    return info.value.code


def test_read_input_errors(tmp_path):
    assert _code(lambda: read_input(tmp_path / "missing.crt")) == "file_not_found"
    assert _code(lambda: read_input(tmp_path)) == "not_a_regular_file"
    assert _code(lambda: read_input(tmp_path / ("x" * 300))) == "name_too_long"
    assert _code(lambda: read_input("a\0b")) == "bad_path"


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_devices_are_refused_at_once(device):
    if not os.path.exists(device):
        pytest.skip(f"no {device} here")
    assert _code(lambda: read_input(device)) == "not_a_regular_file"


def test_a_fifo_without_writer_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "pipe.crt"
    os.mkfifo(fifo)
    result: list[str] = []
    worker = threading.Thread(target=lambda: result.append(_code(lambda: read_input(fifo))),
                              daemon=True)
    worker.start()
    worker.join(timeout=10)  # a guard against the old hang, not a speed test
    assert not worker.is_alive(), "read_input blocked on a FIFO"
    assert result == ["not_a_regular_file"]


def test_size_cap(tmp_path):
    big = tmp_path / "big.pem"
    big.write_bytes(b"x" * 2048)
    assert read_input(big, limit=2048) == b"x" * 2048
    assert _code(lambda: read_input(big, limit=2047)) == "too_large"
    with open(big, "r+b") as handle:  # sparse: large on paper, cheap on disk
        handle.truncate(files.MAX_INPUT_BYTES + 1)
    assert _code(lambda: read_input(big)) == "too_large"


def test_unreadable_file(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    secret = tmp_path / "a.key"
    secret.write_bytes(b"x")
    secret.chmod(0)
    assert _code(lambda: read_input(secret)) == "permission_denied"


def test_outputs_that_are_not_regular_files_are_never_replaced(tmp_path):
    fifo = tmp_path / "out.der"
    os.mkfifo(fifo)
    assert _code(lambda: write_output(fifo, b"x", overwrite=True)) == "not_a_regular_file"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    link = tmp_path / "null.der"
    link.symlink_to("/dev/null")  # judged by what it points to
    assert _code(lambda: write_output(link, b"x", overwrite=True)) == "not_a_regular_file"
    assert link.is_symlink() and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_name_that_just_fits_is_written(tmp_path):
    """The temporary file's name must not be longer than the target's."""
    target = tmp_path / ("k" * 251 + ".key")
    assert write_output(target, b"x", private=True).read_bytes() == b"x"
