"""Colours, fonts and text measuring shared by every picture.

Every colour pair that carries meaning differs in lightness too, and each meaning has
a second cue (hatch, line style, line width or a ✔/✘ mark), so the pictures still
read when printed in greyscale or seen with a colour-vision deficiency.

Text widths are measured from DejaVu Sans advance widths (matplotlib's default font),
so layouts are computed without importing matplotlib and still fit when drawn.

Chinese (``pkilab.set_language("zh")``): the labels listed in :data:`CHART_WORDS` are
drawn in Chinese, and Chinese text (problem words) is drawn with a CJK font that
matplotlib falls back to per glyph after DejaVu Sans (Noto Sans CJK, Source Han Sans,
WenQuanYi...; :func:`cjk_font`). Without one, labels stay English and Chinese text is
replaced by a note: a picture never shows boxes for missing glyphs. A CJK glyph is
measured as one em, which it is in those fonts.
"""

from __future__ import annotations

import functools
import re
import textwrap

from .. import i18n

FONT_SANS = "DejaVu Sans"
FONT_MONO = "DejaVu Sans Mono"
BODY_PT = 9.5       # every text is at least 9 pt: readable at notebook width
SMALL_PT = 9.0
TITLE_PT = 11.5
LINE_GAP = 1.28     # line height as a multiple of the font size

INK = "#222222"
MUTED = "#555555"
GOOD = "#1e6b34"        # dark green (text on light backgrounds)
GOOD_FILL = "#dff0e2"
BAD = "#b0281a"         # dark red, about 40 % lightness
BAD_FILL = "#f9dcd8"
ROLE_FILL = {"root": "#d9ecda", "intermediate": "#dae6f4", "leaf": "#fbf0cf"}
ROLE_EDGE = "#34495e"
MISSING_EDGE = "#777777"
ENCRYPTED_FILL = "#e6e6f2"
ENCRYPTED_HATCH = "#8f8fb0"
MUTUAL = "#c25400"      # orange, about 50 % lightness; drawn thick and labelled in bold
LIFELINE = "#666666"
HEX_INK = "#3a3a3a"
PART_FILL = ("#f2f2f2", "#ffffff", "#e8eef6", "#f7f3e6")  # by nesting depth

# Advance widths of ASCII 32..126 in 1/1000 em, read from DejaVu Sans (regular, bold).
_SANS = [318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337,
         636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531,
         1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787,
         603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500,
         500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612,
         635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838]
_BOLD = [348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365,
         696, 696, 696, 696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580,
         1000, 774, 762, 734, 830, 683, 683, 821, 837, 372, 372, 775, 637, 995, 837, 850,
         733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457, 365, 457, 838, 500,
         500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687,
         716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838]
# DejaVu Sans Mono advances are 0.602 em, but Agg rounds each glyph's advance to whole
# pixels (9 pt at 100 dpi: 7.5 -> 8 px), so measure mono text at 0.64 em.
_MONO = 640
NBSP = "\u00a0"  # a space that wrap() never breaks at
_OTHER = 1000  # anything outside ASCII (→ ✔ ✘ …): at most one em in DejaVu Sans


def text_width(text: str, size: float = BODY_PT, *, bold: bool = False,
               mono: bool = False) -> float:
    """Width of one line of ``text`` in inches when drawn at ``size`` points."""
    if mono:
        units = _MONO * len(text)
    else:
        table = _BOLD if bold else _SANS
        units = sum(table[ord(c) - 32] if 32 <= ord(c) < 127 else
                    table[0] if c == NBSP else _OTHER for c in text)
    return units / 1000 * size / 72


def line_height(size: float = BODY_PT) -> float:
    """Distance between two baselines, in inches."""
    return size * LINE_GAP / 72


def fit(text: str, width: float, size: float = BODY_PT, *, bold: bool = False,
        mono: bool = False) -> str:
    """``text`` cut with "…" so that it fits in ``width`` inches (unchanged if it fits)."""
    if text_width(text, size, bold=bold, mono=mono) <= width:
        return text
    while text and text_width(text + "…", size, bold=bold, mono=mono) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def wrap(text: str, width: float, size: float = BODY_PT, *, bold: bool = False,
         max_lines: int | None = None) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` inches (the last one cut with
    "…" when ``max_lines`` is reached)."""
    chars = max(8, int(width / (0.62 * size / 72)))
    while True:
        lines = textwrap.wrap(text, chars, break_long_words=True, break_on_hyphens=False)
        if chars <= 8 or all(text_width(line, size, bold=bold) <= width for line in lines):
            break
        chars -= 1
    lines = lines or [""]
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = fit(lines[-1] + " …", width, size, bold=bold)
    return lines


def hex_bytes(data: bytes, width: float, size: float = SMALL_PT) -> str:
    """Bytes as spaced hex ("30 82 01 0a …") cut to ``width`` inches, ending with the
    byte count, e.g. ``30 59 30 13 06 07 … (91 bytes)``."""
    count = f"({len(data)} byte{'s' if len(data) != 1 else ''})"
    full = data.hex(" ")
    if text_width(f"{full}  {count}", size, mono=True) <= width:
        return f"{full}  {count}"
    room = int(width / (_MONO / 1000 * size / 72)) - len(count) - 4
    shown = max(1, (room + 1) // 3)
    return f"{data[:shown].hex(' ')} …  {count}"


# ---- Chinese pictures (issue 12) -------------------------------------------------------

#: CJK fonts by family name, best first (Simplified Chinese forms before the others).
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Sans SC",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC",
             "Heiti SC", "SimHei", "Noto Sans CJK JP", "Source Han Sans")
#: Where Linux packages put them (fonts-noto-cjk, fonts-wqy-*): matplotlib's font cache
#: may predate the install, so these files are added to it when no name is found.
_CJK_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
              "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
              "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
              "/usr/share/fonts/opentype/source-han-sans/SourceHanSans-Regular.ttc")
_HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
NO_CJK_NOTE = "(Chinese text not shown: no CJK font installed; see lesson 00)"

#: The fixed words of the pictures, translated when the language is Chinese. A word
#: drawn as "WORD" or "WORD: more" / "WORD · more" is looked up (context "chart").
CHART_WORDS = (
    "subject", "issuer", "key", "valid", "names", "signs", "✔ checks pass",
    "✘ link missing", "missing", "✔ OK", "✘ FAILED", "ROOT", "INTERMEDIATE", "LEAF",
    "checked", "version", "validity", "extensions", "signature", "client", "server",
    "encrypted", "not encrypted",
)


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The name of an installed CJK font matplotlib can use, or None."""
    import os

    from matplotlib import font_manager

    def find() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((name for name in CJK_FONTS if name in names), None)

    found = find()
    if found is None:
        for path in _CJK_FILES:
            if os.path.exists(path):
                font_manager.fontManager.addfont(path)
        found = find()
    return found


def sans_families() -> list[str]:
    """The sans-serif families to draw with: DejaVu Sans, then a CJK font when the
    language is Chinese and one is installed (matplotlib falls back glyph by glyph)."""
    font = cjk_font() if i18n.language() == "zh" else None
    return [FONT_SANS, font] if font else [FONT_SANS]


def has_cjk(text: str) -> bool:
    return bool(_HAN.search(text))


def chart_text(text: str) -> str:
    """``text`` as the picture shows it in the current language (see :data:`CHART_WORDS`)."""
    if i18n.language() == "en":
        return text
    if cjk_font() is None:
        return NO_CJK_NOTE if has_cjk(text) else text
    whole = i18n.pgettext("chart", text)
    if whole != text:
        return whole
    for separator, wide in ((": ", "："), (" · ", " · ")):
        head, found, rest = text.partition(separator)
        if found and i18n.pgettext("chart", head) != head:
            return i18n.pgettext("chart", head) + wide + rest
    return text


def missing_font_note() -> str | None:
    """What to tell the reader when Chinese pictures fall back to English, else None."""
    if i18n.language() == "zh" and cjk_font() is None:
        return ("(no Chinese font found, so the picture's labels are in English: install "
                "one, e.g. apt-get install fonts-noto-cjk, then restart the kernel)")
    return None
