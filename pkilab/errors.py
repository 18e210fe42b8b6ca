"""The errors pkilab raises: each says what happened, why, and what to do.

Every failure a learner can cause ends up as a :class:`PkilabError`, so notebooks and
the command line can show three short sentences instead of a library traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .problems import Problem


class PkilabError(Exception):
    """Base class: ``what`` happened, ``why`` it happened, and the ``fix``.

    ``exit_code`` is what the ``pkilab`` command returns for it: 2 for bad usage or
    unreadable input, 1 for a check (verification, audit) that found a problem.
    """

    exit_code = 2
    #: the code when the raiser gives none; each subclass names its own
    default_code = "error"

    def __init__(self, what: str, why: str = "", fix: str = "", *,
                 code: str | None = None) -> None:
        self.what = what
        self.why = why
        self.fix = fix
        #: a short snake_case word saying which problem this is, for tests, JSON output
        #: and translations (the message wording may change; the code does not)
        self.code = code or self.default_code
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """What, why and fix as sentences: 'what. Why. Fix.'"""
        parts = [self.what.rstrip(".") + "."]
        for later in (self.why, self.fix):
            if later:
                parts.append(_sentence(later.rstrip(".") + "."))
        return " ".join(parts)

    def lines(self) -> list[str]:
        """The message as at most two lines: what (and why), then what to do."""
        first = self.what.rstrip(".") + (": " + self.why.rstrip(".") if self.why else "")
        return [first + "."] + ([self.fix.rstrip(".") + "."] if self.fix else [])


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


class InputError(PkilabError):
    """A file or value that pkilab cannot use: missing, malformed, wrong password."""

    default_code = "bad_input"


class PolicyError(PkilabError):
    """A request pkilab refuses because it is insecure, unless asked on purpose."""

    default_code = "insecure_request"


class OverwriteError(InputError):
    """Writing would replace a file (a CA key, a conversion's output) that exists."""

    default_code = "would_overwrite"


class VerificationError(PkilabError):
    """A certificate chain or a key pair did not pass a check.

    ``problems`` lists every problem found (each with ``code``, ``position``, ``what``,
    ``why``, ``fix``: :class:`pkilab.problems.Problem`), so code can read all of them,
    not only the first one the message shows; ``code`` is the first problem's code.
    """

    default_code = "verification_failed"

    exit_code = 1

    def __init__(self, what: str, why: str = "", fix: str = "", *,
                 code: str | None = None, problems: Sequence[Problem] = ()) -> None:
        self.problems: list[Problem] = list(problems)
        if code is None and self.problems:
            code = self.problems[0].code
        super().__init__(what, why, fix, code=code)

    @classmethod
    def from_problems(cls, problems: Sequence[Problem]) -> VerificationError:
        """The error for a list of problems: the first one's words, all of them as data."""
        first = problems[0]
        return cls(first.what, first.why, first.fix, problems=problems)


class TLSError(PkilabError):
    """A TLS connection failed; the message says which side refused and why."""

    default_code = "tls_failed"

    exit_code = 1
