"""Reading and writing files without losing anything, and without hanging.

:func:`read_input` is the one place pkilab reads a file a user names. It opens the
name without blocking (a FIFO with no writer would otherwise wait forever), refuses
anything that is not a regular file (FIFOs, devices such as ``/dev/zero``, folders,
sockets), and refuses files larger than :data:`MAX_INPUT_BYTES`: every certificate,
key or keystore a lesson or a server uses is far smaller, and a cap turns "read until
memory runs out" into one clear line.

Private keys are written with mode 0600; an existing file is replaced only when the
caller asks, and then atomically (write to a temporary file, then rename), so a crash
never leaves half a key behind. Without that request a new file is published with a
hard link, which fails if the name was taken in the meantime. An existing output that
is not a regular file (a FIFO, ``/dev/null``) is never replaced, even when asked.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from .errors import InputError, OverwriteError

#: The largest file :func:`read_input` accepts (16 MiB): a bundle of every public root
#: CA is about 250 KB, a PKCS#12 with a long chain a few KB.
MAX_INPUT_BYTES = 16 * 1024 * 1024

_NOT_REGULAR = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFCHR: "a character device",
                stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket",
                stat.S_IFDIR: "a folder"}


def read_input(path: str | os.PathLike[str], *, what: str = "file",
               limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of ``path``, or an :class:`InputError` that says why they cannot be read.

    Codes: ``file_not_found``, ``not_a_regular_file`` (FIFO, device, folder, socket),
    ``too_large`` (over ``limit`` bytes), ``permission_denied``, ``name_too_long``,
    ``cannot_read`` (any other system error).
    """
    p = Path(path)
    check_path(p)
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                     | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise _cannot_read(p, what, exc) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise not_regular(p, what, info.st_mode)
        if info.st_size > limit:
            raise _too_large(p, what, limit)
        chunks, size = [], 0
        while True:  # read to EOF: the size fstat gave may change while reading
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise _too_large(p, what, limit)
        return b"".join(chunks)
    except OSError as exc:
        raise _cannot_read(p, what, exc) from None
    finally:
        os.close(fd)


def check_path(p: Path) -> None:
    """Refuse a name the system cannot even look up (code ``bad_path``): a NUL, or
    text with no bytes for it in this file system's encoding (os.open would raise
    ValueError or UnicodeEncodeError)."""
    try:
        encoded = os.fsencode(p)
    except UnicodeEncodeError:
        raise InputError(f"the name {_shown(p)} cannot be written as a file name",
                         "it holds characters with no bytes in this system's encoding",
                         "check the argument", code="bad_path") from None
    if b"\0" in encoded:
        raise InputError(f"the name {_shown(p)} contains a NUL character",
                         "no file name can hold one", "check the argument",
                         code="bad_path")


def not_regular(p: Path, what: str, mode: int) -> InputError:
    """The error for a name that is a FIFO, a device, a folder or a socket."""
    kind = _NOT_REGULAR.get(stat.S_IFMT(mode), "not a regular file")
    fix = "name a file inside it" if stat.S_ISDIR(mode) else \
        f"give the path of a regular {what} (pkilab does not read pipes or devices)"
    return InputError(f"{_shown(p)} is {kind}, not a {what}", "", fix,
                      code="not_a_regular_file")


def _too_large(p: Path, what: str, limit: int) -> InputError:
    return InputError(f"{_shown(p)} is larger than {limit // (1024 * 1024)} MiB",
                      f"no {what} pkilab reads is that big (a bundle of every public root "
                      "CA is about 250 KB)", "check that this is the file you meant",
                      code="too_large")


def _cannot_read(p: Path, what: str, exc: OSError) -> InputError:
    if exc.errno == errno.ENOENT:
        return InputError(f"{what} {_shown(p)} does not exist", "",
                          "check the path (pkilab init DIR writes the seed's file names)",
                          code="file_not_found")
    if exc.errno == errno.EISDIR:
        return not_regular(p, what, stat.S_IFDIR)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return InputError(f"cannot read {_shown(p)}", "permission denied",
                          "check the file's owner and mode", code="permission_denied")
    if exc.errno == errno.ENAMETOOLONG:
        return name_too_long(p)
    return InputError(f"cannot read {_shown(p)}", exc.strerror or str(exc), code="cannot_read")


def name_too_long(p: Path) -> InputError:
    """The error for a path the system refuses as too long (ENAMETOOLONG)."""
    return InputError(f"the name {_shown(p)} is too long for this system",
                      "a file name may have at most 255 bytes (and a path 4096)",
                      "use a shorter name", code="name_too_long")


def _shown(p: Path) -> str:
    """The path as it goes into a message: quoted, cut when very long, and with
    undecodable bytes and control characters escaped (repr does both)."""
    text = str(p)
    if len(text) > 120:
        text = text[:60] + "..." + text[-40:]
    return repr(text)


def check_output(path: str | os.PathLike[str]) -> None:
    """Refuse an output name that exists and is not a regular file (FIFO, device,
    folder, socket): replacing it would delete a device node or block on a pipe.

    A symbolic link is judged by what it points to. Code ``not_a_regular_file``.
    """
    p = Path(path)
    check_path(p)
    try:
        info = os.stat(p)
    except FileNotFoundError:
        return
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise name_too_long(p) from None
        if exc.errno in (errno.ENOTDIR, errno.ELOOP, errno.ENOENT):
            return  # write_output explains these with the folder in question
        raise _cannot_write(p, exc) from None
    if not stat.S_ISREG(info.st_mode):
        kind = _NOT_REGULAR.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise InputError(f"{_shown(p)} is {kind}", "pkilab writes only regular files and "
                         "never replaces a pipe, a device or a folder, even with --force",
                         "choose another output name", code="not_a_regular_file")


def write_output(path: str | os.PathLike[str], data: bytes, *, private: bool = False,
                 overwrite: bool = False) -> Path:
    """Write ``data`` to ``path``; ``private`` files (keys, PKCS#12) get mode 0600.

    Refuses to replace an existing file unless ``overwrite`` is True -- even one that
    appears while pkilab is writing: the finished temporary file is published with a
    hard link, which the kernel refuses when the name is taken, so the check and the
    publishing are one step. With ``overwrite`` the file is replaced atomically; an
    existing name that is not a regular file is refused either way.
    """
    p = Path(path)
    check_output(p)
    if os.path.lexists(p) and not overwrite:  # fail early, before any work; _publish re-checks
        raise _exists(p)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        # a short fixed prefix: the target's own name may already use the 255 bytes
        fd, tmp = tempfile.mkstemp(prefix=".pkilab-tmp-", dir=p.parent)
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
        check_output(target)  # again, just before: it may have become a FIFO meanwhile
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)  # atomic "create if absent": never replaces
    except FileExistsError:
        raise _exists(target) from None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise
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
    return OverwriteError(f"{_shown(p)} already exists", "pkilab never replaces a file silently",
                          "choose another name, remove it, or pass --force",
                          code="output_exists")


def _cannot_write(p: Path, exc: OSError) -> InputError:
    if exc.errno == errno.ENAMETOOLONG:
        return name_too_long(p)
    code = "permission_denied" if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) \
        else "cannot_write"
    return InputError(f"cannot write {_shown(p)}", exc.strerror or str(exc),
                      "check that the folder exists and is writable, and that the name is "
                      "not a folder", code=code)
