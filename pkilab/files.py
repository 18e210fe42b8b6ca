"""Reading and writing files without losing anything.

Private keys are written with mode 0600; an existing file is replaced only when the
caller asks, and then atomically (write to a temporary file, then rename), so a crash
never leaves half a key behind. Without that request a new file is published with a
hard link, which fails if the name was taken in the meantime.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import InputError, OverwriteError


def read_input(path: str | os.PathLike[str], *, what: str = "file") -> bytes:
    """The bytes of ``path``, or an :class:`InputError` that says why they cannot be read."""
    p = Path(path)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{what} {str(p)!r} does not exist", "",
                         "check the path (pkilab init DIR writes the seed's file names)") from None
    except IsADirectoryError:
        raise InputError(f"{str(p)!r} is a folder, not a {what}", "",
                         "name a file inside it") from None
    except PermissionError:
        raise InputError(f"cannot read {str(p)!r}", "permission denied",
                         "check the file's owner and mode") from None
    except OSError as exc:
        raise InputError(f"cannot read {str(p)!r}", exc.strerror or str(exc)) from None


def write_output(path: str | os.PathLike[str], data: bytes, *, private: bool = False,
                 overwrite: bool = False) -> Path:
    """Write ``data`` to ``path``; ``private`` files (keys, PKCS#12) get mode 0600.

    Refuses to replace an existing file unless ``overwrite`` is True -- even one that
    appears while pkilab is writing: the finished temporary file is published with a
    hard link, which the kernel refuses when the name is taken, so the check and the
    publishing are one step. With ``overwrite`` the file is replaced atomically.
    """
    p = Path(path)
    if p.exists() and not overwrite:  # fail early, before any work; _publish re-checks
        raise _exists(p)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent)
    except OSError as exc:
        raise _cannot_write(p, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600 if private else 0o644)
            handle.write(data)
        _publish(tmp, p, overwrite)
    except OSError as exc:
        raise _cannot_write(p, exc) from None
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)
    return p


def _publish(tmp: str, target: Path, overwrite: bool) -> None:
    if overwrite:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)  # atomic "create if absent": never replaces
    except FileExistsError:
        raise _exists(target) from None
    except OSError:
        # A file system without hard links (some network or FAT mounts): create the
        # name exclusively, then fill it. Not atomic for readers, but never overwrites.
        _copy_exclusive(tmp, target)


def _copy_exclusive(tmp: str, target: Path) -> None:
    mode = os.stat(tmp).st_mode & 0o777
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise _exists(target) from None
    os.fchmod(fd, mode)  # exactly 0600/0644, whatever the umask
    with os.fdopen(fd, "wb") as out, open(tmp, "rb") as src:
        out.write(src.read())


def _exists(p: Path) -> OverwriteError:
    return OverwriteError(f"{str(p)!r} already exists", "pkilab never replaces a file silently",
                          "choose another name, remove it, or pass --force")


def _cannot_write(p: Path, exc: OSError) -> InputError:
    return InputError(f"cannot write {str(p)!r}", exc.strerror or str(exc),
                      "check that the folder exists and is writable, and that the name is "
                      "not a folder")
