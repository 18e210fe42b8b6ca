"""Reading and writing files without losing anything.

Private keys are written with mode 0600; an existing file is replaced only when the
caller asks, and then atomically (write to a temporary file, then rename), so a crash
never leaves half a key behind.
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

    Refuses to replace an existing file unless ``overwrite`` is True.
    """
    p = Path(path)
    if p.exists() and not overwrite:
        raise OverwriteError(f"{str(p)!r} already exists", "pkilab never replaces a file silently",
                             "choose another name, remove it, or pass --force")
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent)
    try:
        os.fchmod(fd, 0o600 if private else 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, p)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return p
