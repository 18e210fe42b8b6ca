"""A picture as data (boxes, texts, arrows in inches), and the one function that draws it.

Each diagram module computes a :class:`Scene` from real objects without touching
matplotlib; :func:`render` turns any scene into a matplotlib Figure. Tests measure the
scene ("one arrow per message", "the broken link is marked") and the rendered text
extents ("no labels overlap"). Coordinates are inches from the bottom-left corner.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any

from . import _style as st


@dataclass
class Box:
    """A rectangle: a certificate, a callout, a shaded band, a part of a certificate."""

    key: str
    x: float
    y: float
    w: float
    h: float
    kind: str = ""
    fill: str = "white"
    edge: str = st.INK
    hatch: str | None = None
    hatch_colour: str | None = None
    linestyle: str = "-"
    linewidth: float = 1.0
    rounded: bool = True
    z: float = 1.0
    data: dict[str, Any] = field(default_factory=dict)

    def contains(self, x: float, y: float) -> bool:
        return self.x <= x <= self.x + self.w and self.y <= y <= self.y + self.h


@dataclass
class Text:
    """One line of text. ``box`` names the box it must stay inside ("" for none)."""

    key: str
    x: float
    y: float
    text: str
    size: float = st.BODY_PT
    colour: str = st.INK
    ha: str = "left"
    va: str = "baseline"
    bold: bool = False
    mono: bool = False
    kind: str = ""
    box: str = ""
    z: float = 5.0
    background: str | None = None  # a fill behind the text (labels on hatched bands)

    @property
    def width(self) -> float:
        return st.text_width(self.text, self.size, bold=self.bold, mono=self.mono)


@dataclass
class Arrow:
    """A line from (x0, y0) to (x1, y1), with a head at the end unless ``head`` is False."""

    key: str
    x0: float
    y0: float
    x1: float
    y1: float
    kind: str = ""
    colour: str = st.INK
    linestyle: str = "-"
    linewidth: float = 1.3
    head: bool = True
    z: float = 4.0
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Scene:
    """Everything a picture shows, in drawing order (boxes, then arrows, then texts)."""

    width: float
    height: float
    boxes: list[Box] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)

    def box(self, key: str) -> Box:
        return next(b for b in self.boxes if b.key == key)

    def of_kind(self, kind: str) -> list[Any]:
        """Every box, arrow and text whose ``kind`` is ``kind``."""
        return [item for item in (*self.boxes, *self.arrows, *self.texts) if item.kind == kind]

    def shifted(self, dx: float, prefix: str) -> Scene:
        """A copy moved right by ``dx`` inches, keys prefixed (for side-by-side pictures)."""
        def key(k: str) -> str:
            return f"{prefix}{k}" if k else k

        return Scene(
            self.width, self.height,
            [replace(b, key=key(b.key), x=b.x + dx) for b in self.boxes],
            [replace(a, key=key(a.key), x0=a.x0 + dx, x1=a.x1 + dx) for a in self.arrows],
            [replace(t, key=key(t.key), x=t.x + dx, box=key(t.box)) for t in self.texts])


def render(scene: Scene, save: str | os.PathLike[str] | None = None):
    """Draw ``scene`` as a matplotlib Figure (and write a PNG to ``save`` if given).

    The figure is closed in pyplot before it is returned, so a notebook shows it once
    (as the cell's value) and scripts do not pile up open figures.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    note = st.missing_font_note()  # Chinese edition without a CJK font: say why English
    if note:
        print(note)
    with plt.rc_context({"font.family": "sans-serif", "font.sans-serif": st.sans_families(),
                         "font.monospace": [st.FONT_MONO], "hatch.linewidth": 0.8,
                         "svg.hashsalt": "pkilab", "path.simplify": True}):
        fig = plt.figure(figsize=(scene.width, scene.height), dpi=100, facecolor="white")
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, scene.width)
        ax.set_ylim(0, scene.height)
        ax.set_axis_off()
        for b in scene.boxes:
            style = "round,pad=0,rounding_size=0.06" if b.rounded else "square,pad=0"
            patch = FancyBboxPatch((b.x, b.y), b.w, b.h, boxstyle=style, facecolor=b.fill,
                                   edgecolor=b.edge, linewidth=b.linewidth,
                                   linestyle=b.linestyle, zorder=b.z, gid=b.key)
            ax.add_patch(patch)
            if b.hatch:
                # A second, edge-less patch carries the hatch in its own colour, so the
                # box outline keeps its colour on every matplotlib version.
                ax.add_patch(FancyBboxPatch(
                    (b.x, b.y), b.w, b.h, boxstyle=style, facecolor="none",
                    edgecolor=b.hatch_colour or b.edge, linewidth=0, hatch=b.hatch,
                    zorder=b.z + 0.01, gid=f"{b.key}:hatch"))
        for a in scene.arrows:
            ax.add_patch(FancyArrowPatch(
                (a.x0, a.y0), (a.x1, a.y1), arrowstyle="-|>" if a.head else "-",
                mutation_scale=13 if a.linewidth < 2 else 16, color=a.colour,
                linewidth=a.linewidth, linestyle=a.linestyle, shrinkA=0, shrinkB=0,
                zorder=a.z, gid=a.key))
        for t in scene.texts:
            bbox = None if t.background is None else {
                "facecolor": t.background, "edgecolor": "none", "pad": 1.5}
            ax.text(t.x, t.y, st.chart_text(t.text), fontsize=t.size, color=t.colour,
                    ha=t.ha, va=t.va, fontweight="bold" if t.bold else "normal",
                    family=[st.FONT_MONO] if t.mono else st.sans_families(), zorder=t.z,
                    gid=t.key,
                    bbox=bbox)
        if save is not None:
            save_png(fig, save)
    plt.close(fig)
    return fig


def save_png(fig, path: str | os.PathLike[str]) -> None:
    """Write ``fig`` as a PNG that is byte-identical on every run (no software tag, no
    time stamp, fixed resolution)."""
    fig.savefig(os.fspath(path), dpi=100, format="png", facecolor="white",
                metadata={"Software": None})
