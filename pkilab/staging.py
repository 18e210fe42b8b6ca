"""A folder of files published all at once, or not at all, even when killed.

``pkilab init DIR`` writes a dozen files that only make sense together (a ``root.crt``
without its clients is a set that ``verify`` and ``serve`` would accept). Two ways:

* **DIR does not exist**: the files are written into ``.<DIR>.pkilab-init-XXXXXXXX``
  next to it, which is then renamed to DIR -- one atomic step. A run killed before it
  leaves only that hidden folder, which the next run deletes.
* **DIR exists** (it may be a shell's working folder, or a mount point, so it is never
  renamed): the files are written into ``DIR/.pkilab-init-XXXXXXXX/`` and a ``plan``
  file is written last. Then the old files named in the plan move to
  ``DIR/replaced-<time>/`` -- the ``gate`` files first -- and the new files are linked
  into DIR -- the ``gate`` files last. The gate is what makes a folder a set for
  :func:`pkilab.certset.load_certificate_set` (``root.crt`` and the server's files),
  so a run killed half-way leaves a folder that is no set at all, never a partial
  one; the next run (:func:`recover`) finishes the plan, or deletes a staging folder
  that has none.

Every step runs under :func:`locked`: an ``flock`` on DIR's parent folder itself, so
two runs never interleave and no lock file is left behind. Without ``fcntl``
(Windows) there is no lock. Not covered: power loss (nothing is fsync'ed).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from .errors import InputError
from .files import name_too_long, write_output

MARK = ".pkilab-init-"
FOLDER_MODE = 0o700


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder``'s parent for the duration (blocks until free)."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; two inits at once are then not kept apart
        yield
        return
    try:
        fd = os.open(folder.parent, os.O_RDONLY)
    except OSError as exc:
        raise folder_error(folder.parent, exc) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def make_parents(folder: Path) -> None:
    """Create the missing parents of ``folder`` (mode 0700), or explain why not."""
    missing = []
    parent = folder.parent
    while not parent.is_dir() and parent.parent != parent:
        missing.append(parent)
        parent = parent.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, FOLDER_MODE)
        except FileExistsError:
            continue
        except OSError as exc:
            raise folder_error(path, exc) from None


def folder_error(path: Path, exc: OSError) -> InputError:
    """A system error about creating or using the folder ``path``, with a code."""
    if exc.errno == errno.ENAMETOOLONG:
        return name_too_long(path)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return InputError(f"cannot write into {str(path.parent)!r}",
                          exc.strerror or "permission denied",
                          "choose a folder you can write to", code="not_writable")
    if exc.errno == errno.ENOTDIR:
        return InputError(f"{str(path)!r} is inside a file, not a folder", "",
                          "choose a path whose parents are folders", code="not_a_folder")
    return InputError(f"cannot create a folder at {str(path)!r}", exc.strerror or str(exc),
                      "choose a folder on a normal, writable file system",
                      code="cannot_create_folder")


def publish(folder: Path, files: Mapping[str, tuple[bytes, bool]], *,
            move_aside: Sequence[str] = (), gate: Sequence[str] = (),
            stamp: str | None = None) -> list[Path]:
    """Put ``files`` (name -> (bytes, private)) into ``folder``, all or nothing.

    ``move_aside``: names in an existing folder that go to ``replaced-<stamp>/``.
    ``gate``: the names that make the folder count as complete, published last.
    Call under :func:`locked`, after :func:`recover`.
    """
    try:
        if not folder.is_dir():
            return _publish_new(folder, files)
        work = Path(tempfile.mkdtemp(prefix=MARK, dir=folder))
        for name, (data, private) in files.items():
            write_output(work / name, data, private=private)
        order = [n for n in files if n not in gate] + [n for n in gate if n in files]
        plan = {"stamp": stamp or utc_stamp(), "files": order,
                "move_aside": [n for n in gate if n in move_aside] +
                              [n for n in move_aside if n not in gate]}
        write_output(work / "plan", json.dumps(plan).encode())  # from now on: roll forward
    except OSError as exc:  # an existing folder we cannot write into is named itself
        raise folder_error(folder / MARK if folder.is_dir() else folder, exc) from None
    _carry_out(folder, work, plan)
    return [folder / name for name in files]


def _publish_new(folder: Path, files: Mapping[str, tuple[bytes, bool]]) -> list[Path]:
    work = Path(tempfile.mkdtemp(prefix="." + folder.name[:40] + MARK, dir=folder.parent))
    try:
        for name, (data, private) in files.items():
            write_output(work / name, data, private=private)
        os.chmod(work, FOLDER_MODE)
        os.rename(work, folder)  # the one step that makes the set appear
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return [folder / name for name in files]


def _carry_out(folder: Path, work: Path, plan: dict) -> None:
    """Do the plan's moves and links; safe to repeat after a kill at any point."""
    aside = folder / f"replaced-{plan['stamp']}"
    started = any(not (work / n).exists() or _same(work / n, folder / n)
                  for n in plan["files"])
    try:
        if not started:  # phase 1 is repeated only until the first new file is out
            for name in plan["move_aside"]:
                if os.path.lexists(folder / name) and not os.path.lexists(aside / name):
                    _move_aside(folder / name, aside)
        for name in plan["files"]:
            if (work / name).exists():
                _link_in(work / name, folder / name, aside)
        shutil.rmtree(work)
    except OSError as exc:
        raise folder_error(folder, exc) from None


def _move_aside(path: Path, aside: Path) -> None:
    with contextlib.suppress(FileExistsError):
        os.mkdir(aside, FOLDER_MODE)
    os.rename(path, aside / path.name)


def _link_in(staged: Path, target: Path, aside: Path) -> None:
    """Publish ``staged`` as ``target`` without replacing anything (an intruder that
    took the name meanwhile is moved aside too), then drop the staged name."""
    for _ in range(3):
        if _same(staged, target):
            break
        try:
            os.link(staged, target)
            break
        except FileExistsError:
            _move_aside(target, aside)
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
            os.replace(staged, target)  # no hard links here: a rename is as good
            return
    os.unlink(staged)


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def recover(folder: Path) -> None:
    """Finish or undo what killed runs left (call under :func:`locked`).

    Holding the lock means no other run is active, so every staging folder next to or
    inside ``folder`` belongs to a run that died: one without a plan published
    nothing and is deleted; one with a plan is carried out to the end.
    """
    prefix = "." + folder.name[:40] + MARK
    for entry in _entries(folder.parent):
        if entry.name.startswith(prefix) and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
    for entry in _entries(folder):
        if not (entry.name.startswith(MARK) and entry.is_dir(follow_symlinks=False)):
            continue
        work = Path(entry.path)
        try:
            plan = json.loads((work / "plan").read_bytes())
        except (OSError, ValueError):
            shutil.rmtree(work, ignore_errors=True)
            continue
        _carry_out(folder, work, plan)


def _entries(path: Path) -> list[os.DirEntry[str]]:
    try:
        return list(os.scandir(path))
    except OSError:
        return []


def utc_stamp() -> str:
    """The time in a replaced-* folder name: 20261201T183546123456Z."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
