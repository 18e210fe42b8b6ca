"""write_certificate_set / pkilab init: all or nothing, even when killed or run twice at once."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from pkilab.certset import (
    SET_GATE,
    build_certificate_set,
    load_certificate_set,
    write_certificate_set,
)
from pkilab.errors import InputError, OverwriteError
from pkilab.facts import signed_by
from pkilab.load import load_certificate

FORK = multiprocessing.get_context("fork")


def _leftovers(folder: Path) -> list[str]:
    """Staging folders a run left, next to the set or inside it."""
    near = [p.name for p in folder.parent.iterdir() if ".pkilab-init-" in p.name]
    inside = [p.name for p in folder.iterdir() if ".pkilab-init-" in p.name] \
        if folder.is_dir() else []
    return near + inside


def _state(folder: Path, clients: tuple[str, ...]) -> str:
    """absent, none (not a set: a gate file is missing), or complete; anything else is
    returned as a description of what is wrong."""
    if not folder.exists():
        return "absent"
    if any(not (folder / name).exists() for name in SET_GATE):
        return "none"
    names = ["root.key", "intermediate1.crt", "intermediate1.key", "intermediate2.crt",
             "intermediate2.key", *(f"{c}{ext}" for c in clients for ext in
                                    (".crt", ".key", ".p12"))]
    missing = [n for n in names if not (folder / n).exists()]
    if missing:
        return f"partial: missing {missing}"
    cert = {stem: load_certificate(folder / f"{stem}.crt") for stem in
            ("root", "intermediate1", "intermediate2", "server", *clients)}
    links = [("intermediate1", "root"), ("intermediate2", "intermediate1"),
             ("server", "intermediate2"), *((c, "intermediate2") for c in clients)]
    mixed = [f"{a}<-{b}" for a, b in links if not signed_by(cert[a], cert[b])]
    return f"mixed: {mixed}" if mixed else "complete"


def _write_in_child(folder: Path, seed: str, clients: tuple[str, ...], force: bool) -> None:
    cs = build_certificate_set(seed=seed, clients=clients)
    write_certificate_set(cs, folder, force=force)


def _time_one_write(tmp_path: Path) -> float:
    cs = build_certificate_set(clients=("a", "b"))
    start = time.perf_counter()
    write_certificate_set(cs, tmp_path / "timing")
    return time.perf_counter() - start


def _kill_at_random(folder: Path, window: float, rng: random.Random, force: bool,
                    seed: str) -> None:
    child = FORK.Process(target=_write_in_child, args=(folder, seed, ("a", "b"), force))
    child.start()
    time.sleep(rng.uniform(0, window))
    os.kill(child.pid, signal.SIGKILL)
    child.join(timeout=30)


def test_killed_fresh_init_leaves_no_set_or_a_complete_one(tmp_path):
    window = 2 * _time_one_write(tmp_path) + 0.005  # the child also builds its keys
    rng = random.Random(9)
    seen = set()
    for run in range(30):
        folder = tmp_path / f"run{run}" / "set"
        folder.parent.mkdir()
        _kill_at_random(folder, window, rng, force=False, seed=f"s{run}")
        state = _state(folder, ("a", "b"))
        assert state in ("absent", "complete"), (run, state)
        seen.add(state)
        if state == "absent":  # the next run cleans what the killed one left
            write_certificate_set(build_certificate_set(clients=("a", "b")), folder)
            assert _state(folder, ("a", "b")) == "complete"
        else:
            assert _leftovers(folder) == []
        assert _leftovers(folder) == [], run


def test_killed_forced_init_never_leaves_a_partial_set(tmp_path):
    folder = tmp_path / "set"
    write_certificate_set(build_certificate_set(clients=("a", "b")), folder)
    window = 2 * _time_one_write(tmp_path) + 0.005
    rng = random.Random(5)
    for run in range(30):
        _kill_at_random(folder, window, rng, force=True, seed=f"f{run}")
        state = _state(folder, ("a", "b"))
        assert state in ("none", "complete"), (run, state)
        # whatever was left, the next run finishes or removes it
        write_certificate_set(build_certificate_set(clients=("a", "b")), folder, force=True)
        assert _state(folder, ("a", "b")) == "complete", run
        assert _leftovers(folder) == [], run


def test_two_forced_inits_at_once_never_mix(tmp_path):
    folder = tmp_path / "set"
    write_certificate_set(build_certificate_set(clients=("a", "b")), folder)
    for run in range(10):
        children = [FORK.Process(target=_write_in_child,
                                 args=(folder, f"c{run}{i}", ("a", "b"), True))
                    for i in range(2)]
        for child in children:
            child.start()
        for child in children:
            child.join(timeout=60)
        assert [c.exitcode for c in children] == [0, 0], run
        assert _state(folder, ("a", "b")) == "complete", run
        assert _leftovers(folder) == []


def test_force_moves_only_the_replaced_sets_files(tmp_path):
    folder = tmp_path / "set"
    write_certificate_set(build_certificate_set(clients=("alice",)), folder)
    other = build_certificate_set(seed="someone else's", clients=("mysite",))
    (folder / "mysite.crt").write_bytes(
        other.clients["mysite"].certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "mysite.key").write_bytes(b"the user's own key")
    (folder / "notes.p12").write_bytes(b"x")
    (folder / "sub").mkdir()
    write_certificate_set(build_certificate_set(clients=("bob",)), folder, force=True)
    names = {p.name for p in folder.iterdir()}
    assert {"mysite.crt", "mysite.key", "notes.p12", "sub", "bob.crt"} <= names
    assert "alice.crt" not in names  # the old set's client went with its set
    replaced = [p for p in folder.iterdir() if p.name.startswith("replaced-")]
    assert len(replaced) == 1
    assert {p.name for p in replaced[0].iterdir()} == {
        "root.key", "root.crt", "intermediate1.key", "intermediate1.crt",
        "intermediate2.key", "intermediate2.crt", "server.key", "server.crt",
        "fullchain.crt", "alice.key", "alice.crt", "alice.p12"}
    assert load_certificate_set(folder).clients == ["bob"]


def test_folders_are_0700_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        folder = tmp_path / "new" / "set"
        write_certificate_set(build_certificate_set(), folder)
        write_certificate_set(build_certificate_set(), folder, force=True)
    finally:
        os.umask(old)
    replaced = next(folder.glob("replaced-*"))
    for path in (folder.parent, folder, replaced):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    assert stat.S_IMODE((folder / "root.key").stat().st_mode) == 0o600


def test_init_dot_keeps_the_working_folder(tmp_path):
    """An existing DIR is filled in place: a shell sitting in it keeps a valid folder."""
    folder = tmp_path / "set"
    folder.mkdir()
    fd = os.open(folder, os.O_RDONLY)
    try:
        write_certificate_set(build_certificate_set(), folder)
        write_certificate_set(build_certificate_set(), folder, force=True)
        assert os.fstat(fd).st_ino == folder.stat().st_ino  # the same folder, not a new one
        assert os.fstat(fd).st_nlink > 0
    finally:
        os.close(fd)


def test_a_dead_runs_staging_is_finished_or_removed(tmp_path):
    folder = tmp_path / "set"
    write_certificate_set(build_certificate_set(clients=("a",)), folder)
    (folder / ".pkilab-init-deadbeef").mkdir()  # died before its plan: deleted
    (folder / ".pkilab-init-deadbeef" / "root.crt").write_bytes(b"half")
    (tmp_path / ".set.pkilab-init-cafebabe").mkdir()  # a fresh run that died
    write_certificate_set(build_certificate_set(clients=("a",)), folder, force=True)
    assert _leftovers(folder) == [] and _state(folder, ("a",)) == "complete"


def test_refusals_have_codes(tmp_path):
    folder = tmp_path / "set"
    write_certificate_set(build_certificate_set(), folder)
    with pytest.raises(OverwriteError) as info:
        write_certificate_set(build_certificate_set(), folder)
    assert info.value.code == "would_overwrite"
    (tmp_path / "file").write_bytes(b"")
    for target, code in [(tmp_path / "file", "not_a_folder"),
                         (tmp_path / "file" / "set", "not_a_folder"),
                         (tmp_path / ("x" * 300), "name_too_long")]:
        with pytest.raises(InputError) as info:
            write_certificate_set(build_certificate_set(), target)
        assert info.value.code == code, target


def test_unwritable_parent(tmp_path):
    if os.geteuid() == 0:
        target = Path("/proc/pkilab-test/set")  # even root cannot make folders in /proc
    else:
        locked = tmp_path / "ro"
        locked.mkdir(mode=0o500)
        target = locked / "set"
    with pytest.raises(InputError) as info:
        write_certificate_set(build_certificate_set(), target)
    assert info.value.code in ("not_writable", "cannot_create_folder")


def test_init_through_a_link_fills_the_real_folder(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    write_certificate_set(build_certificate_set(), tmp_path / "link")
    assert (tmp_path / "link").is_symlink() and (real / "root.crt").exists()


def test_write_then_load_round_trips(tmp_path):
    cs = build_certificate_set(seed="round trip", clients=("alice", "bob"))
    write_certificate_set(cs, tmp_path / "set")
    loaded = load_certificate_set(tmp_path / "set")
    assert loaded.root == cs.root.certificate and loaded.server == cs.server.certificate
    assert loaded.intermediates == [cs.intermediate2.certificate, cs.intermediate1.certificate]
    assert loaded.clients == ["alice", "bob"]
    again = loaded.certificate_set()

    def key(k):
        return k.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                               serialization.NoEncryption())

    for a, b in [(cs.root, again.root), (cs.intermediate1, again.intermediate1),
                 (cs.intermediate2, again.intermediate2), (cs.server, again.server),
                 *((cs.clients[n], again.clients[n]) for n in ("alice", "bob"))]:
        assert a.certificate == b.certificate and key(a.private_key) == key(b.private_key)
    assert again.server.fullchain == cs.server.fullchain
    assert list(again.clients) == ["alice", "bob"]
    # and back: the loaded set writes the same files
    write_certificate_set(again, tmp_path / "copy")
    for name in ("root.crt", "fullchain.crt", "alice.crt", "bob.key"):
        assert (tmp_path / "copy" / name).read_bytes() == (tmp_path / "set" / name).read_bytes()


def test_cli_init_killed_by_signal_in_a_real_process(tmp_path):
    """The same guarantee for the command a user runs (a few kills, at random)."""
    rng = random.Random(3)
    for run in range(3):
        folder = tmp_path / f"cli{run}"
        process = subprocess.Popen([sys.executable, "-m", "pkilab", "init", str(folder)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.1, 0.6))
        process.kill()
        process.wait(timeout=30)
        assert _state(folder, ("client", "client2")) in ("absent", "complete")
