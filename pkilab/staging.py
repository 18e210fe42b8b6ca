"""A folder of files published at once: staged next to it, then renamed into place.

``pkilab init DIR`` writes a dozen files that only make sense together (a ``root.crt``
without its clients is a set that ``verify`` and ``serve`` would accept). So the files
are written into a staging folder next to DIR and the folder is renamed into place;
killed at any moment, DIR holds either the old content or the whole new set.

The staging folder ``.<DIR>.pkilab-init-XXXXXXXX`` holds ``target`` (DIR's name),
``new/`` (the folder being built) and, once the old DIR has been moved aside,
``old/``. The steps are:

1. build ``new/``: the new files, plus hard links to every regular file of the old
   DIR (a replaced set's files under ``replaced-<time>/``, the rest where they were);
2. rename DIR to ``old/`` (skipped when DIR does not exist);
3. rename ``new/`` to DIR -- the moment the new set appears;
4. move what only ``old/`` holds (sub-folders, files made meanwhile) into DIR, and
   remove the staging folder.

:func:`recover` finishes or undoes what a killed run left: before step 2 the staging
folder is only deleted; after it, steps 3 and 4 are done. Between steps 2 and 3 DIR
does not exist for a moment (a rename cannot swap two folders portably).

Every step runs under :func:`locked`: an ``flock`` on DIR's parent folder itself, so
two ``init`` runs never interleave and no lock file is left behind. Where ``fcntl``
does not exist (Windows) there is no lock. Not covered: power loss (nothing is
fsync'ed), and a DIR that is a mount point (it cannot be renamed; the error says so).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import filecmp
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from .errors import InputError
from .files import name_too_long, write_output

_MARK = ".pkilab-init-"
FOLDER_MODE = 0o700


def staging_prefix(folder: Path) -> str:
    """The start of the staging folders' names for ``folder`` (kept short: the whole
    name must fit in 255 bytes even when DIR's own name nearly does)."""
    return "." + folder.name[:40] + _MARK


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder``'s parent for the duration (blocks until free)."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; init is then not safe against a second init
        yield
        return
    try:
        fd = os.open(folder.parent, os.O_RDONLY)
    except OSError as exc:
        raise _folder_error(folder.parent, exc) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def make_folders(folder: Path) -> None:
    """Create the missing parents of ``folder`` (mode 0700), or explain why not."""
    missing = []
    parent = folder.parent
    while not parent.is_dir():
        missing.append(parent)
        if parent.parent == parent:
            break
        parent = parent.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, FOLDER_MODE)
        except FileExistsError:
            continue
        except OSError as exc:
            raise _folder_error(path, exc) from None


def _folder_error(path: Path, exc: OSError) -> InputError:
    if exc.errno == errno.ENAMETOOLONG:
        return name_too_long(path)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return InputError(f"cannot create a folder in {str(path.parent)!r}",
                          exc.strerror or "permission denied",
                          "choose a folder you can write to", code="not_writable")
    if exc.errno == errno.ENOTDIR:
        return InputError(f"{str(path)!r} is inside a file, not a folder", "",
                          "choose a path whose parents are folders", code="not_a_folder")
    return InputError(f"cannot create the folder {str(path)!r}", exc.strerror or str(exc),
                      "choose a folder on a normal, writable file system",
                      code="cannot_create_folder")


def publish(folder: Path, files: Mapping[str, tuple[bytes, bool]], *,
            move_aside: list[str], stamp: str) -> list[Path]:
    """Replace ``folder`` by its old content plus ``files`` in one rename (see above).

    ``move_aside``: names of the old folder that go into ``replaced-<stamp>/``.
    Call under :func:`locked`, after :func:`recover`.
    """
    try:
        work = Path(tempfile.mkdtemp(prefix=staging_prefix(folder), dir=folder.parent))
    except OSError as exc:
        raise _folder_error(folder, exc) from None
    try:
        (work / "target").write_bytes(os.fsencode(folder.name))
        new = work / "new"
        os.mkdir(new, FOLDER_MODE)
        old_exists = folder.is_dir()
        os.chmod(new, stat.S_IMODE(os.stat(folder).st_mode) if old_exists else FOLDER_MODE)
        if old_exists:
            _link_old_files(folder, new, move_aside, stamp)
        for name, (data, private) in files.items():
            write_output(new / name, data, private=private)
        if old_exists:
            os.rename(folder, work / "old")
        os.rename(new, folder)
    except OSError as exc:
        if (work / "old").exists() and not os.path.lexists(folder):
            os.rename(work / "old", folder)  # step 3 failed: put the old folder back
        shutil.rmtree(work, ignore_errors=True)  # nothing published: no trace
        if exc.errno in (errno.EBUSY, errno.EXDEV):
            raise InputError(f"cannot replace the folder {str(folder)!r}",
                             "it is a mount point, which cannot be renamed",
                             "init a folder inside it instead", code="cannot_replace") from None
        raise _folder_error(folder, exc) from None
    _finish(work, folder)
    return [folder / name for name in files]


def _link_old_files(folder: Path, new: Path, move_aside: list[str], stamp: str) -> None:
    aside = set(move_aside)
    if aside:
        os.mkdir(new / f"replaced-{stamp}", FOLDER_MODE)
        os.chmod(new / f"replaced-{stamp}", FOLDER_MODE)
    for entry in os.scandir(folder):
        if not entry.is_file(follow_symlinks=False):
            continue  # folders and links move in step 4
        where = new / f"replaced-{stamp}" / entry.name if entry.name in aside \
            else new / entry.name
        try:
            os.link(entry.path, where)
        except OSError:
            shutil.copy2(entry.path, where)  # no hard links on this file system


def _finish(work: Path, folder: Path) -> None:
    old = work / "old"
    if old.is_dir() and not _merge(old, folder):
        return  # something could not be placed: the staging folder stays, named clearly
    shutil.rmtree(work, ignore_errors=True)


def _merge(old: Path, folder: Path) -> bool:
    """Move what only the old folder holds into ``folder``; True when ``old`` is empty."""
    complete = True
    for entry in os.scandir(old):
        there = folder / entry.name
        if entry.is_file(follow_symlinks=False) and _kept(Path(entry.path), folder):
            os.unlink(entry.path)
        elif not os.path.lexists(there):
            os.rename(entry.path, there)
        else:
            complete = False
    if complete:
        os.rmdir(old)
    return complete


def _kept(path: Path, folder: Path) -> bool:
    """True when ``folder`` already holds this file (as a hard link or a copy)."""
    candidates = [folder / path.name, *folder.glob(f"replaced-*/{path.name}")]
    for other in candidates:
        with contextlib.suppress(OSError):
            if os.path.samefile(path, other) or filecmp.cmp(path, other, shallow=False):
                return True
    return False


def recover(folder: Path) -> None:
    """Finish or undo what a killed run left next to ``folder`` (call under :func:`locked`).

    Holding the lock means no other run is active, so every staging folder for
    ``folder`` belongs to a run that died.
    """
    prefix = staging_prefix(folder)
    leftovers: list[os.DirEntry[str]] = []
    with contextlib.suppress(OSError):
        leftovers = [e for e in os.scandir(folder.parent)
                     if e.name.startswith(prefix) and e.is_dir(follow_symlinks=False)]
    for entry in leftovers:
        work = Path(entry.path)
        try:
            if (work / "target").read_bytes() != os.fsencode(folder.name):
                continue  # another folder's (same first 40 characters): its run handles it
        except OSError:
            pass  # died before writing target: nothing was published
        if not (work / "old").exists():
            shutil.rmtree(work, ignore_errors=True)
            continue
        if not os.path.lexists(folder) and (work / "new").is_dir():
            os.rename(work / "new", folder)  # died between steps 2 and 3
        if os.path.isdir(folder) and not (work / "new").exists():
            _finish(work, folder)


def utc_stamp() -> str:
    """The time in a replaced-* folder name: 20261201T183546123456Z."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
