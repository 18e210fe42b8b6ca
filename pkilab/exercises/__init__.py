"""Exercise checks for the lessons: one module per lesson (l01 ... l10).

Each check looks at what the learner made, never at a constant.
"""

from __future__ import annotations

from ..errors import PkilabError


def not_yet(what: str) -> PkilabError:
    """The "not done yet" error a check raises; :func:`pkilab.lesson.feedback` prints it."""
    return PkilabError(what, code="exercise_not_done")
