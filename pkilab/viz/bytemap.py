"""Byte maps: a handshake message drawn as a row of labelled boxes, one per field.

Boxes flow left to right and wrap like text at notebook width; a box is at least
as wide as its bytes (``_PER_BYTE`` inches per byte), so
the big fields look big; each box shows the
field's name, its first bytes in hex and its size, so a learner can find every byte of
the message on the map. Fields listed in ``expand`` (the extensions block, the
certificate list) are drawn as their parts instead. The picture is data first
(:func:`bytemap_layout`), then drawn (:func:`draw_bytemap`).
"""

from __future__ import annotations

import os
from typing import Any

from . import _style as st
from ._scene import Box, Scene, Text, render

WIDTH = 9.0
_MARGIN, _PAD, _GAP, _HEIGHT, _ROW_GAP = 0.15, 0.07, 0.05, 0.66, 0.12
#: Fill by what a field is: framing (lengths, types), random, identity, other content.
_FILLS = {"framing": "#eeeeee", "random": "#fbf0cf", "identity": "#dae6f4",
          "content": "#dff0e2"}
_RANDOM = frozenset({"client random", "server random", "session id", "public key",
                     "signature", "verify_data", "ticket", "key_share", "ticket age add",
                     "ticket nonce"})
_IDENTITY = ("certificate (DER)", "host name", "server_name", "CA name")
#: inches per byte: big fields get wide boxes, so the map shows where the bytes are
_PER_BYTE = 0.004


def _kind(name: str) -> str:
    if "length" in name or name in ("handshake type", "extension type", "legacy version"):
        return "framing"
    if name in _RANDOM:
        return "random"
    if any(i in name for i in _IDENTITY):
        return "identity"
    return "content"


def _flatten(fields: list[Any], expand: tuple[str, ...]) -> list[Any]:
    out = []
    for f in fields:
        if f.children and (f.name in expand or (f.name.startswith("certificate ")
                           and "certificate" in expand)):
            out += _flatten(f.children, expand)
        else:
            out.append(f)
    return out


def _label(f: Any) -> str:
    if f.name == "certificate (DER)" and f.origin.startswith("your "):
        return f.origin[5:]
    return f.name


def bytemap_layout(message: Any, *, expand: tuple[str, ...] = ("extensions",),
                   title: str | None = None) -> Scene:
    """The byte map of an annotated :class:`pkilab.capture.Message` as data.

    Boxes of kind ``field`` carry ``data["name"]``, ``data["offset"]``, ``data["size"]``;
    texts ``field-name``, ``field-hex`` and ``field-size`` stay inside their box.
    """
    fields = _flatten(message.fields, expand)
    scene = Scene(WIDTH, 0)
    x, row = _MARGIN, 0
    placed: list[tuple[Any, float, int, float]] = []
    for f in fields:
        label = _label(f)
        hex_text = f.data[:4].hex(" ") + (" …" if f.size > 4 else "") if f.size else "(empty)"
        size = f"{f.size} B"
        w = max(st.text_width(label, st.SMALL_PT, bold=True),
                st.text_width(hex_text, st.SMALL_PT, mono=True),
                st.text_width(size, st.SMALL_PT)) + 2 * _PAD + 0.04
        w = min(max(w, f.size * _PER_BYTE), WIDTH - 2 * _MARGIN)
        if x + w > WIDTH - _MARGIN and x > _MARGIN:
            x, row = _MARGIN, row + 1
        placed.append((f, x, row, w))
        x += w + _GAP
    rows = row + 1
    heading = title or (f"{message.sender} {message.name}: {len(message.data)} bytes, "
                        f"{len(fields)} fields")
    scene.height = 0.5 + rows * (_HEIGHT + _ROW_GAP) + 0.1
    for i, (f, bx, r, w) in enumerate(placed):
        y = scene.height - 0.5 - (r + 1) * (_HEIGHT + _ROW_GAP) + _ROW_GAP
        key = f"f{i}"
        scene.boxes.append(Box(key, bx, y, w, _HEIGHT, kind="field",
                               fill=_FILLS[_kind(f.name)], rounded=False, linewidth=0.8,
                               data={"name": f.name, "offset": f.offset, "size": f.size}))
        label = st.fit(_label(f), w - 2 * _PAD, st.SMALL_PT, bold=True)
        hex_text = f.data[:4].hex(" ") + (" …" if f.size > 4 else "") if f.size else "(empty)"
        line = st.line_height(st.SMALL_PT)
        scene.texts += [
            Text(f"{key}:name", bx + _PAD, y + _HEIGHT - 0.06 - line * 0.8, label,
                 st.SMALL_PT, bold=True, kind="field-name", box=key),
            Text(f"{key}:hex", bx + _PAD, y + _HEIGHT - 0.06 - line * 1.8,
                 st.fit(hex_text, w - 2 * _PAD, st.SMALL_PT, mono=True), st.SMALL_PT,
                 colour=st.HEX_INK, mono=True, kind="field-hex", box=key),
            Text(f"{key}:size", bx + _PAD, y + 0.07, f"{f.size} B", st.SMALL_PT,
                 colour=st.MUTED, kind="field-size", box=key)]
    scene.texts.append(Text("title", _MARGIN, scene.height - 0.12 - st.TITLE_PT / 72,
                            st.fit(heading, WIDTH - 2 * _MARGIN, st.TITLE_PT, bold=True),
                            st.TITLE_PT, bold=True, kind="title"))
    scene.texts.append(Text("legend", _MARGIN, scene.height - 0.42,
                            "grey: framing (types, lengths)   yellow: random, new each "
                            "connection   blue: names and certificates   green: choices",
                            st.SMALL_PT, colour=st.MUTED, kind="legend"))
    return scene


def draw_bytemap(message: Any, save: str | os.PathLike[str] | None = None, *,
                 expand: tuple[str, ...] = ("extensions",), title: str | None = None):
    """Draw the byte map of ``message``; returns the matplotlib Figure."""
    return render(bytemap_layout(message, expand=expand, title=title), save)
