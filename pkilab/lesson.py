"""Small helpers the notebooks share: a folder per lesson, instant exercise checks, and
running the equivalent openssl / curl / keytool command where the tool exists.

Everything here prints stable text, because lessons are stored with their outputs and
CI compares them on every run.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .ca import LESSON_DAYS, LESSON_EPOCH  # noqa: F401  (lessons date their own certificates)
from .errors import PkilabError
from .i18n import language, ui

TOOLS = ("openssl", "curl", "keytool", "nginx")

#: The "checked at" time of every lesson: a lesson that prints something depending on
#: "now" (days left, expired or not) checks at this fixed moment, so its stored output
#: stays true when it is re-run years later. Lesson certificates carry fixed dates too.
CHECKED_AT = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)


def _rich_display() -> None:
    # Lessons import this module first; from then on a cell ending in a certificate
    # shows pkilab's table instead of "<Certificate(subject=...)>".
    from .inspect import register_notebook_display

    register_notebook_display()


_rich_display()


def lab_dir(lesson: str, *, fresh: bool = True) -> Path:
    """``_lab/<lesson>/`` next to the notebooks, emptied first so a lesson re-runs cleanly.

    The folder shows up in JupyterLab's file browser; it is git-ignored.
    """
    folder = Path("_lab") / lesson
    if fresh and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def have(tool: str) -> bool:
    """True when ``tool`` (openssl, curl, keytool, nginx) is on the PATH."""
    return shutil.which(tool) is not None


class Verdict:
    """The result of :func:`check`: true or false, and silent as a cell's last value."""

    def __init__(self, ok: bool) -> None:
        self.ok = ok

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"Verdict({self.ok})"

    def _ipython_display_(self) -> None:  # the printed line is the feedback
        pass


@dataclass
class ToolRun:
    """What a command printed and returned; silent as a cell's last value."""

    returncode: int
    stdout: str
    stderr: str

    def _ipython_display_(self) -> None:  # run_tool already printed it
        pass


def _verdict(ok: bool, success: str, problem: str) -> Verdict:
    # Both texts in the reader's language (pkilab.set_language): a text the catalogue
    # knows is translated, any other (already translated, or built at run time) stays.
    print("✅ " + ui(success) if ok
          else "❌ " + ui("Not yet: {problem}").format(problem=ui(problem)))
    return Verdict(ok)


def _error_words(exc: PkilabError) -> str:
    """The error's message in the reader's language (a check's "not yet" reason)."""
    if language() == "en":
        return exc.message
    return "。".join(ui(part.rstrip(".")) for part in (exc.what, exc.why, exc.fix)
                    if part) + "。"


def check(condition: bool | Callable[[], object], hint: str,
          success: str = "Correct!") -> Verdict:
    """Instant feedback for an exercise: prints ✅ with ``success`` or ❌ with ``hint``.

    ``condition`` may be a function; a pkilab error it raises counts as "not yet" and
    its message is shown, so a half-done answer never ends in a traceback.
    """
    try:
        ok = bool(condition() if callable(condition) else condition)
        reason = ui(hint)
    except PkilabError as exc:
        ok, reason = False, f"{ui(hint)} ({_error_words(exc)})"
    except Exception as exc:  # a learner's answer may be anything; say what went wrong
        ok = False
        reason = (f"{ui(hint)} ({ui('your answer is still None')})" if "NoneType" in str(exc)
                  else f"{ui(hint)} ({type(exc).__name__}: {exc})")
    return _verdict(ok, success, reason)


def answer_digest(answer: object) -> str:
    """A short SHA-256 of an answer (trimmed, lower case): lessons compare this, so the
    expected answer is not printed in the notebook's own source."""
    import hashlib

    text = str(answer).strip().lower()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def check_answer(answer: object, digest: str, hint: str, success: str = "Correct!") -> Verdict:
    """Feedback for a quiz answer (a word or a file name) compared by its digest."""
    return feedback(lambda: None if answer is not None and answer_digest(answer) == digest
                    else (ui("your answer is still None") if answer is None else hint), success)


def feedback(problem: Callable[[], str | None], success: str = "Correct!") -> Verdict:
    """Instant feedback from an exercise check: ``problem()`` says what is still wrong
    (None or "" when nothing is). Prints ✅ ``success`` or ❌ and the problem.

    The checks in :mod:`pkilab.exercises` are built on it: each looks at what the
    learner made and names the first thing still missing. An error raised while
    looking (a half-done answer) is shown as the problem, never as a traceback.
    """
    try:
        found = problem()
    except PkilabError as exc:
        found = exc.message
    except Exception as exc:  # a learner's answer may be anything; say what went wrong
        found = f"{type(exc).__name__}: {exc}"
    return _verdict(not found, success, found or "")


def run_tool(command: str | Sequence[str], *, cwd: str | os.PathLike[str] | None = None,
             show_output: bool = True, timeout: float = 20,
             input_text: str | None = None, keep: Sequence[str] = ()) -> ToolRun | None:
    """Run an equivalent command-line step and print it like a terminal would.

    ``keep`` prints only the output lines that contain one of its strings (dates and
    random serial numbers would change the stored output on every run).
    Returns None (and says so) when the tool is not installed, so lessons still run on
    machines without openssl or keytool (most Windows laptops).
    """
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    print("$ " + " ".join(shlex.quote(a) for a in argv))
    if not have(argv[0]):
        print(ui("({tool} is not installed on this machine: this cross-check is "
                 "skipped)").format(tool=argv[0]))
        return None
    env = dict(os.environ, LC_ALL="C")
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          input=input_text, env=env)
    if show_output:
        text = (done.stdout + done.stderr).rstrip()
        if keep:
            text = "\n".join(line for line in text.splitlines()
                             if any(k in line for k in keep))
        if text:
            print(text)
        if done.returncode:
            print(f"(exit status {done.returncode})")
    return ToolRun(done.returncode, done.stdout, done.stderr)


def run_pkilab(command: str, *, cwd: str | os.PathLike[str] | None = None) -> int:
    """Run a ``pkilab ...`` command line in ``cwd`` as a terminal would; return its exit code.

    The command runs in this kernel (no subprocess), so its output is the CLI's own.
    """
    from .cli import main  # the CLI is only needed by the lessons that show it

    print("$ pkilab " + command)
    here = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        code = main(shlex.split(command))
    finally:
        os.chdir(here)
    if code:
        print(f"(exit status {code})")
    return code


def tool_table() -> str:
    """Which optional tools this machine has (lesson 00)."""
    rows = []
    for tool in TOOLS:
        rows.append(f"  {tool:<8} "
                    + (ui("yes") if have(tool) else ui("no  (the lessons skip its steps)")))
    return ui("Optional tools on this machine:") + "\n" + "\n".join(rows)


# OpenSSL's version and error numbers in curl's messages differ between machines.
_CURL_NOISE = re.compile(r"OpenSSL/[\d.]+: error:[0-9A-F]+:SSL routines::|"
                         r"error:[0-9A-F]+:SSL routines::|, errno \d+")


def curl(url: str, *args: str, cwd: str | os.PathLike[str] | None = None,
         html_title: bool = False, timeout: float = 10) -> ToolRun | None:
    """Run ``curl -sS ARGS URL`` like a terminal, printing what a learner should read.

    The port in the URL is printed as ``PORT`` (it changes on every run), curl's error
    is reduced to its first line without version numbers, and with ``html_title`` an
    HTML error page is shown by its title ("400 No required SSL certificate was sent").
    """
    port = urlsplit(url).port
    argv = ["curl", "-sS", "--max-time", str(int(timeout / 2) or 1), *args, url]
    shown = " ".join(shlex.quote(a) for a in argv)
    print("$ " + (shown.replace(f":{port}", ":PORT") if port else shown))
    if not have("curl"):
        print(ui("({tool} is not installed on this machine: this cross-check is "
                 "skipped)").format(tool="curl"))
        return None
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    title = re.search(r"<title>(.*?)</title>", done.stdout) if html_title else None
    body = f"HTML page: {title.group(1)}" if title else done.stdout.rstrip()
    error = [_CURL_NOISE.sub("", line) for line in done.stderr.strip().splitlines()[:1]]
    text = "\n".join([body, *error]).strip()
    if text:
        print(text)
    if done.returncode:
        print(f"(exit status {done.returncode})")
    return ToolRun(done.returncode, done.stdout, done.stderr)
