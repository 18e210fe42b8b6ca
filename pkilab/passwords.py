"""Passwords: the one rule for a new password, and where a password may come from.

The rule (:func:`check_new_password`) is what every tool that opens the result needs:

* a keystore (PKCS#12, JKS) password has at least 6 characters -- keytool refuses
  shorter ones, so Java could not open the file;
* an encrypted key's password has at least 4 characters -- what openssl asks for
  when it prompts for a new PEM pass phrase;
* at most 1023 bytes in UTF-8 -- OpenSSL's limit for a key pass phrase (cryptography
  refuses longer ones with a bare ValueError);
* valid text (UTF-8) without control characters, so it can be typed and printed.

A password given on the command line is visible to every user of the machine (``ps``),
so each password option also accepts openssl's ``-passin`` forms
(:func:`read_password`): ``pass:TEXT``, ``env:VAR``, ``file:PATH`` (its first line),
``stdin`` (a line of standard input; on a terminal it is asked for without echo) and
``-`` (the same as ``stdin``). Anything else is the password itself, as before; write
``pass:env:x`` for a password that really starts with ``env:``.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable
from typing import Literal

from .errors import InputError

#: keytool's minimum for a keystore (PKCS#12, JKS) password, in characters.
KEYSTORE_MIN = 6
#: openssl's minimum when it asks for a new PEM pass phrase, in characters.
KEY_MIN = 4
#: OpenSSL's longest key pass phrase, in bytes (UTF-8).
MAX_BYTES = 1023

PasswordKind = Literal["keystore", "key"]

#: The words of the command-line forms, for --help.
SOURCES_HELP = ("PW may be the password itself, pass:TEXT, env:VAR (an environment "
                "variable), file:PATH (the file's first line), or stdin / - (a line of "
                "standard input; asked for on a terminal): the last three keep it out of "
                "'ps'")


def check_new_password(password: str | bytes | None, kind: PasswordKind = "keystore", *,
                       option: str = "--password") -> bytes:
    """``password`` as bytes when it is fit for a new ``kind`` ("keystore" or "key").

    Codes: ``password_missing``, ``password_too_short``, ``password_too_long``,
    ``not_utf8``, ``control_character``. ``option`` names the flag in the fix.
    """
    minimum = KEYSTORE_MIN if kind == "keystore" else KEY_MIN
    needs = (f"at least {minimum} characters (keytool's minimum)" if kind == "keystore"
             else f"at least {minimum} characters (what openssl asks for)")
    if password is None or password in ("", b""):
        raise InputError(f"the new {_label(kind)} has no password",
                         "keytool and Java list 0 entries in an unencrypted .p12 with a key"
                         if kind == "keystore" else "an encrypted key needs one",
                         f"pass {option} with {needs}", code="password_missing")
    text = _text(password, option)
    if len(text) < minimum:
        raise InputError(f"the {_label(kind)} password is {len(text)} character(s) long",
                         "keytool refuses store passwords shorter than 6 characters, so "
                         "Java could not open the file" if kind == "keystore" else
                         "openssl wants at least 4 for a new pass phrase (a shorter one is "
                         "guessed at once)",
                         f"choose a password of {needs}", code="password_too_short")
    encoded = text.encode("utf-8")
    if len(encoded) > MAX_BYTES:
        raise InputError(f"the password is {len(encoded)} bytes long",
                         f"OpenSSL reads key pass phrases of at most {MAX_BYTES} bytes",
                         "choose a shorter password", code="password_too_long")
    from .names import is_control_character  # names brings cryptography: only when checking

    bad = next((c for c in text if is_control_character(c)), None)
    if bad is not None:
        raise InputError(f"the password contains the control character U+{ord(bad):04X}",
                         "it cannot be typed at keytool's or openssl's prompt",
                         "use printable characters only", code="control_character")
    return encoded


def _label(kind: PasswordKind) -> str:
    return "keystore (PKCS#12/JKS)" if kind == "keystore" else "encrypted key"


def _text(password: str | bytes, option: str) -> str:
    if isinstance(password, bytes):
        try:
            return password.decode("utf-8")
        except UnicodeDecodeError:
            raise _not_utf8(option) from None
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:  # argv bytes that are not UTF-8 arrive as lone surrogates
        raise _not_utf8(option) from None
    return password


def _not_utf8(option: str) -> InputError:
    return InputError(f"the {option} value is not valid UTF-8 text",
                      "pkilab stores passwords as UTF-8, as keytool and openssl read them",
                      "check the terminal's encoding, or use file:PATH with a UTF-8 file",
                      code="not_utf8")


class StdinLines:
    """Lines of standard input handed out in order, for several ``stdin`` passwords
    in one command (openssl does the same: the first line for the first option)."""

    def __init__(self, stream: object | None = None,
                 ask: Callable[[str], str] = getpass.getpass) -> None:
        self._stream = stream
        self._ask = ask

    def next(self, option: str) -> str:
        stream = self._stream if self._stream is not None else sys.stdin
        if stream is None:
            raise InputError(f"{option} stdin: there is no standard input", "",
                             "use env:VAR or file:PATH", code="password_source_missing")
        if hasattr(stream, "isatty") and stream.isatty():
            return self._ask(f"{option}: ")
        raw = getattr(stream, "buffer", stream).readline(MAX_BYTES * 4 + 2)
        if not raw:
            raise InputError(f"{option} stdin: standard input ended before a password line",
                             "", "pipe the password in, one line per option",
                             code="password_source_missing")
        return _first_line(raw, option)


def _first_line(raw: bytes | str, option: str) -> str:
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _not_utf8(option) from None
    return raw.splitlines()[0] if raw.splitlines() else ""


def read_password(spec: str | None, option: str = "--password",
                  stdin: StdinLines | None = None) -> str | None:
    """The password a command-line value means (see the module docstring); None stays None.

    Codes: ``password_source_missing`` (an unset variable, an empty stdin), the
    :func:`~pkilab.files.read_input` codes for ``file:PATH``, ``not_utf8``.
    """
    if spec is None:
        return None
    _text(spec, option)
    if spec.startswith("pass:"):
        return spec[5:]
    if spec.startswith("env:"):
        name = spec[4:]
        value = os.environ.get(name) if name else None
        if value is None:
            raise InputError(f"{option} env:{name}: the environment variable is not set", "",
                             f"export {name or 'VAR'}=... first, or use file:PATH",
                             code="password_source_missing")
        return _text(value, option)
    if spec.startswith("file:"):
        from .files import read_input

        data = read_input(spec[5:], what="password file", limit=64 * 1024)
        return _first_line(data, option)
    if spec in ("stdin", "-"):
        return (stdin or StdinLines()).next(option)
    return spec
