"""The ``pkilab`` command: one module per subcommand, each with ``register`` and ``run``.

Exit codes everywhere: 0 success, 1 a verification failed or a problem was found,
2 bad usage or unreadable input. Errors print as one or two lines, never a traceback.

Every password option of every subcommand (the destinations in
:data:`PASSWORD_OPTIONS`) is read here, once, through :func:`pkilab.passwords.read_password`:
so ``--password env:P12PASS`` works everywhere and the subcommands see plain text.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from collections.abc import Sequence

from .. import i18n
from ..errors import InputError, PkilabError

# Subcommand modules under pkilab.cli, in the order `pkilab --help` lists them.
SUBCOMMANDS = ("init", "inspect", "verify", "convert", "serve", "doctor", "revoke", "ocsp",
               "trace", "completion", "class", "zoo", "lessons")

#: argparse destinations that hold a password, in the order their ``stdin`` lines are
#: read (the input's password first, as openssl does with -passin before -passout).
PASSWORD_OPTIONS = ("in_password", "password", "p12_password")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's default exits 2 too; keep it short
        self.print_usage(sys.stderr)
        sys.stderr.write(f"pkilab: error: {message}\n")
        raise SystemExit(2)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``only``, just that subcommand is imported and registered."""
    parser = _Parser(prog="pkilab", description="Certificates, chains and mutual TLS, "
                     "hands on. See the notebooks for the lessons.")
    parser.add_argument("--version", action=_Version, nargs=0,
                        help="show pkilab's, cryptography's and OpenSSL's versions and exit")
    parser.add_argument("--lang", type=_language_choice, metavar="{en,zh}",
                        help="the language of pkilab's explanations (default: from LANG, "
                             "e.g. LANG=zh_CN.UTF-8 for Chinese)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in SUBCOMMANDS:
        if only is not None and name != only:
            continue
        try:
            module = importlib.import_module(f".{name}_cmd", __name__)
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{name}_cmd":
                continue  # not built yet
            raise
        module.register(sub)
    for choice in sub.choices.values():
        _describe_password_sources(choice)
    return parser


def _describe_password_sources(parser: argparse.ArgumentParser) -> None:
    from ..passwords import SOURCES_HELP

    for action in parser._actions:
        if action.dest in PASSWORD_OPTIONS and action.help:
            action.help = action.help.rstrip(".") + ". " + SOURCES_HELP.replace("%", "%%")


def _read_passwords(args: argparse.Namespace) -> None:
    from ..passwords import StdinLines, read_password

    stdin = StdinLines()
    for dest in PASSWORD_OPTIONS:
        value = getattr(args, dest, None)
        if isinstance(value, str):
            option = "--" + dest.replace("_", "-")
            setattr(args, dest, read_password(value, option, stdin))


def _version() -> str:
    from .. import __version__

    return __version__


def _language_choice(value: str) -> str:
    chosen = i18n.normalise(value)
    if chosen is None:
        raise argparse.ArgumentTypeError(f"unknown language {value!r} (choose en or zh)")
    return chosen


def _chosen_language(argv: Sequence[str], from_process: bool) -> str:
    """``--lang`` (before the subcommand), else the environment's language for a real
    command line, else the language already in use (a lesson's run_pkilab)."""
    for index, arg in enumerate(argv):
        if not arg.startswith("-"):
            break  # options after the subcommand belong to it
        value = (arg.split("=", 1)[1] if arg.startswith("--lang=") else
                 argv[index + 1] if arg == "--lang" and index + 1 < len(argv) else None)
        if value is not None and i18n.normalise(value):
            return i18n.normalise(value) or "en"
    return i18n.from_environment() if from_process else i18n.language()


def version_text() -> str:
    """What a bug report needs: pkilab, cryptography and both OpenSSLs in use (the one
    cryptography bundles signs and verifies; the ``ssl`` module's runs the handshakes)."""
    import platform
    import ssl

    import cryptography
    from cryptography.hazmat.backends.openssl import backend

    return (f"pkilab {_version()}\n"
            f"cryptography {cryptography.__version__} ({backend.openssl_version_text()})\n"
            f"ssl module {ssl.OPENSSL_VERSION}\n"
            f"Python {platform.python_version()} on {platform.platform(terse=True)}\n")


class _Version(argparse.Action):
    # argparse's own "version" action formats its text when the parser is built; this
    # imports ssl and cryptography only when --version is asked for
    def __call__(self, parser, namespace, values, option_string=None) -> None:
        sys.stdout.write(version_text())
        parser.exit()


def _requested(argv: Sequence[str]) -> str | None:
    """The subcommand named on the command line, if any.

    Importing every subcommand costs more than some commands themselves (convert loads
    all of pkilab.formats): `pkilab init` should not pay for it. Without a known
    subcommand (--help, --version, a typo) the full parser is built.
    """
    previous = None
    for arg in argv:
        if not arg.startswith("-") and previous != "--lang":
            return arg if arg in SUBCOMMANDS else None
        previous = arg
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command line (``sys.argv`` when ``argv`` is None); return its exit code.

    The language is ``--lang``, else (for a real command line) LANG and friends, else
    the one in use; it is restored afterwards, so a lesson's kernel keeps its own.
    """
    previous = i18n.language()
    i18n.set_language(_chosen_language(sys.argv[1:] if argv is None else argv,
                                       from_process=argv is None))
    try:
        return _main(argv)
    finally:
        i18n.set_language(previous)


def _main(argv: Sequence[str] | None) -> int:
    # cryptography warns on stderr each time it reads a negative serial number; the
    # commands report that themselves (inspect's notes, the doctor), so a line of library
    # noise would only confuse.
    warnings.filterwarnings("ignore", message=r"Parsed a serial number which wasn't positive")
    argv = list(sys.argv[1:] if argv is None else argv)
    # A file name that is not UTF-8 reaches print() as lone surrogates: show them
    # escaped instead of failing with UnicodeEncodeError half-way through the output.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser(_requested(argv))
    args = parser.parse_args(argv)
    try:
        _read_passwords(args)
        return int(args.run(args) or 0)
    except PkilabError as exc:
        return _report(exc, args)
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            return 0
        # The last net under every command: a system error a command did not explain
        # (a name too long for a folder walk, a disk full) is still one line, not a
        # traceback.
        return _report(_system_error(exc), args)
    except KeyboardInterrupt:
        sys.stderr.write("pkilab: interrupted\n")
        return 130


def _report(exc: PkilabError, args: argparse.Namespace | None = None) -> int:
    if getattr(args, "json", False):
        # --json: the error is a document on stdout too, so a script parses every outcome
        from ..jsonout import emit, error_document

        return emit(error_document(args.command, exc))
    for line in _lines(exc):
        sys.stderr.write(f"pkilab: {_printable(line)}\n")
    return exc.exit_code


def _lines(exc: PkilabError) -> list[str]:
    """The error's lines in the reader's language: the catalogue holds the literal words
    of the common input errors (context ``error:<code>``); words built at run time (a
    file name in them) and problem words (translated when made) pass through."""
    if i18n.language() == "en":
        return exc.lines()
    texts = [text.rstrip(".") for text in (exc.what, exc.why, exc.fix)]
    what, why, fix = (i18n.pgettext(f"error:{exc.code}", text) for text in texts)
    if [what, why, fix] == texts:
        return exc.lines()  # nothing known: English with English punctuation
    first = what + ("：" + why if why else "")
    return [first + "。"] + ([fix + "。"] if fix else [])


def _printable(text: str) -> str:
    """``text`` with control characters escaped: a message may quote bytes of a file
    (a PEM label), and an escape sequence there must not reach the terminal."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def _system_error(exc: OSError) -> PkilabError:
    import errno

    from ..files import name_too_long

    if exc.errno == errno.ENAMETOOLONG and exc.filename is not None:
        from pathlib import Path

        return name_too_long(Path(exc.filename))
    where = f" {exc.filename!r}" if exc.filename is not None else ""
    return InputError(f"the system refused{where[:130]}", exc.strerror or str(exc),
                      "check the path and its permissions", code="system_error")


def entry() -> None:
    sys.exit(main())
