"""The ``pkilab`` command: one module per subcommand, each with ``register`` and ``run``.

Exit codes everywhere: 0 success, 1 a verification failed or a problem was found,
2 bad usage or unreadable input. Errors print as one or two lines, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from collections.abc import Sequence

from ..errors import PkilabError

# Subcommand modules under pkilab.cli, in the order `pkilab --help` lists them.
SUBCOMMANDS = ("init", "inspect", "verify", "convert", "serve", "doctor")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's default exits 2 too; keep it short
        self.print_usage(sys.stderr)
        sys.stderr.write(f"pkilab: error: {message}\n")
        raise SystemExit(2)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``only``, just that subcommand is imported and registered."""
    parser = _Parser(prog="pkilab", description="Certificates, chains and mutual TLS, "
                     "hands on. See the notebooks for the lessons.")
    parser.add_argument("--version", action="version", version="%(prog)s " + _version())
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
    return parser


def _version() -> str:
    from .. import __version__

    return __version__


def _requested(argv: Sequence[str]) -> str | None:
    """The subcommand named on the command line, if any.

    Importing every subcommand costs more than some commands themselves (convert loads
    all of pkilab.formats): `pkilab init` should not pay for it. Without a known
    subcommand (--help, --version, a typo) the full parser is built.
    """
    for arg in argv:
        if not arg.startswith("-"):
            return arg if arg in SUBCOMMANDS else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    # cryptography warns on stderr each time it reads a negative serial number; the
    # commands report that themselves (inspect's notes, the doctor), so a line of library
    # noise would only confuse.
    warnings.filterwarnings("ignore", message=r"Parsed a serial number which wasn't positive")
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_requested(argv))
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except PkilabError as exc:
        for line in exc.lines():
            sys.stderr.write(f"pkilab: {line}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("pkilab: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0


def entry() -> None:
    sys.exit(main())
