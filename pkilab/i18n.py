"""pkilab's words in another language: gettext catalogues under ``pkilab/locale``.

English is the source language and the default. ``set_language("zh")`` (notebooks of
the Chinese edition do this once) or the CLI's ``--lang zh`` / ``LANG=zh_CN.UTF-8``
switch to Simplified Chinese. The catalogue is a standard gettext ``.po`` file,
compiled to the ``.mo`` that is read here (``make catalogues``; a test checks the
``.mo`` is up to date with the ``.po``).

Messages are looked up by their English text within a context (``msgctxt``):
``"<code>|what"``, ``"<code>|why"``, ``"<code>|fix"`` for the problem table,
``"error:<code>|..."`` for the CLI's input errors, ``"ui"`` for short lesson phrases.
When the English text changes, the old translation no longer matches and the English
is shown (never a translation of something else); the completeness test then fails.

Limits: one language at a time for the whole process (the CLI and a notebook kernel
each have one reader); facts filled into the templates (names, host names, the
purpose "server"/"client") stay as they are.

This module imports nothing from pkilab, so every other module may use it.
"""

from __future__ import annotations

import gettext as _gettext
import os
from pathlib import Path

DOMAIN = "pkilab"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: language code -> the gettext catalogue folder that holds it ("en" needs none)
LANGUAGES = {"en": None, "zh": "zh_CN"}
_ALIASES = {"zh-cn": "zh", "zh_cn": "zh", "zh-hans": "zh", "chinese": "zh", "cn": "zh",
            "english": "en", "c": "en", "posix": "en"}

_current = "en"
_catalogue: _gettext.NullTranslations = _gettext.NullTranslations()


def normalise(lang: str) -> str | None:
    """``"zh"`` or ``"en"`` for a language tag or locale name, None when unknown.

    Accepts ``zh``, ``zh-CN``, ``zh_CN.UTF-8``, ``zh_Hans``, ``en_US.UTF-8``, ``C``.
    """
    tag = lang.strip().split(".")[0].split("@")[0].lower()
    if tag in LANGUAGES:
        return tag
    if tag in _ALIASES:
        return _ALIASES[tag]
    base = tag.replace("-", "_").split("_")[0]
    return base if base in LANGUAGES else None


def set_language(lang: str) -> None:
    """Use ``lang`` ("zh" or "en"; "zh-CN", "zh_CN.UTF-8" work too) for pkilab's words
    from now on: problems, check feedback, chart labels (:func:`language` says which).
    Returns None, so a notebook cell ending in it shows nothing.

    Raises ValueError for a language pkilab has no words for.
    """
    global _current, _catalogue
    chosen = normalise(lang)
    if chosen is None:
        raise ValueError(f"pkilab has no words in {lang!r}: choose one of "
                         + ", ".join(sorted(LANGUAGES)))
    folder = LANGUAGES[chosen]
    _catalogue = (_gettext.translation(DOMAIN, LOCALE_DIR, languages=[folder])
                  if folder else _gettext.NullTranslations())
    _current = chosen


def language() -> str:
    """The language in use: "en" or "zh"."""
    return _current


def from_environment(environ: dict[str, str] | None = None) -> str:
    """The language the environment asks for, as gettext reads it: LANGUAGE (a
    colon-separated list), then LC_ALL, LC_MESSAGES, LANG; "en" when none is known."""
    env = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        for item in value.split(":"):
            if item and normalise(item):
                return normalise(item) or "en"
        if value and name != "LANGUAGE":
            return "en"  # the first set variable decides, as in gettext (C, POSIX, fr_FR)
    return "en"


def gettext(message: str) -> str:
    """``message`` in the current language (itself when no translation matches)."""
    return _catalogue.gettext(message)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, looked up within ``context``."""
    return _catalogue.pgettext(context, message)


def ui(message: str) -> str:
    """A short phrase of pkilab's lesson feedback ("Correct!", "Not yet")."""
    return _catalogue.pgettext("ui", message)
