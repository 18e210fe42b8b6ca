"""files.write_output: never replaces a file by accident, private files get 0600."""

from __future__ import annotations

import stat
import tempfile

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
    with pytest.raises(OverwriteError):
        write_output(target, b"new", private=True)
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
    with pytest.raises(OverwriteError):
        write_output(target, b"ours", private=True)
    assert target.read_bytes() == b"written by someone else"
    assert [p.name for p in tmp_path.iterdir()] == ["a.key"]  # the temp file is gone


def test_unwritable_places_give_input_errors(tmp_path):
    folder = tmp_path / "dir"
    folder.mkdir()
    with pytest.raises(InputError, match="cannot write"):
        write_output(folder, b"x", overwrite=True)  # a folder cannot become a file
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    with pytest.raises(InputError, match="cannot write"):
        write_output(blocker / "a.crt", b"x")  # parent is a file


def test_read_input_errors(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_input(tmp_path / "missing.crt")
    with pytest.raises(InputError, match="folder"):
        read_input(tmp_path)
