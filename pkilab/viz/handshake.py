"""The handshake as a sequence diagram, drawn from a recorded trace.

Client and server lifelines, one arrow per recorded message in the order it was sent;
messages that travelled encrypted sit on a hatched band; the messages that make TLS
*mutual* (the server's CertificateRequest, the client's Certificate and
CertificateVerify) are drawn thick and bold in orange — except an *empty* client
Certificate, which proves nothing and is drawn thin and grey; an alert is red and
dashed. The legend lists only the keys the figure uses::

    trace = record(server.url, ca=root, cert=client, tls_version="1.3")
    draw_handshake(trace)                       # one handshake, with a note per message
    draw_handshakes(one_way, mutual)            # two side by side
    handshake_layout(trace).of_kind("message")  # the arrows as data

Any object with ``.messages`` (each with ``sender``, ``name``, ``size``, ``encrypted``,
``is_alert``, ``alert_description``), ``.version`` and ``.outcome`` can be drawn
(:class:`pkilab.trace.Trace` is one).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from . import _style as st
from ._scene import Arrow, Box, Scene, Text, render

WIDTH = 9.5
ROW = 0.36          # vertical room per message
TOP = 0.95          # title and the two actor boxes
ACTOR_W, ACTOR_H = 1.05, 0.34
LEGEND_H = 0.5
OUTCOME_H = 0.42

#: What each message does, in a few words (the note column of a single diagram).
_NOTES = {
    # A TLS 1.2-only ClientHello has no key_share extension (measured: 0,11,10,35,22,23,13);
    # a client that also offers 1.3 sends one even when 1.2 is chosen, so say no more.
    "ClientHello": "versions and cipher suites it offers",
    "ServerHello": "the version and cipher suite chosen",
    "EncryptedExtensions": "the rest of the server's settings",
    "CertificateRequest": "asks the client for a certificate (mutual TLS)",
    "ServerKeyExchange": "the server's ECDHE share, signed with its key",
    "ServerHelloDone": "the server's turn is over",
    "ClientKeyExchange": "the client's ECDHE share",
    "Finished": "proves both sides saw the same handshake",
    "NewSessionTicket": "a ticket to resume later without a full handshake",
    "EncryptedRecord": "encrypted: an eavesdropper sees only its size",
    "ApplicationData": "the HTTP request or reply, encrypted",
}


def is_mutual_message(message) -> bool:
    """True for the messages by which mutual TLS asks for and gets the client's proof:
    CertificateRequest, the client's Certificate (unless empty) and CertificateVerify."""
    if _empty_certificate(message):
        return False
    return message.name == "CertificateRequest" or (
        message.sender == "client" and message.name in ("Certificate", "CertificateVerify"))


def _empty_certificate(message) -> bool:
    # An empty certificate list is 7 bytes in TLS 1.2, 8 in TLS 1.3 (with its context).
    return message.name == "Certificate" and message.sender == "client" and 0 < message.size <= 8


def _label(message, sizes: bool) -> str:
    if message.is_alert:
        text = f"✘ Alert ({message.alert_description})" if message.alert_description \
            else "✘ Alert (encrypted)"
    elif _empty_certificate(message):
        text = "Certificate (empty)"
    else:
        text = message.name
    if sizes and message.size:
        text += f" · {message.size:,} B"
    return text


def _note(message, version: str | None) -> str:
    name, sender = message.name, message.sender
    if message.is_alert:
        return f"{sender} gives up: {message.alert_description or 'an encrypted alert'}"
    if name == "ClientHello" and version == "TLS 1.3":
        return "versions, cipher suites and its key share"
    if name == "Certificate":
        if _empty_certificate(message):
            return "empty: the client has no certificate to send"
        return "the server's chain: leaf + intermediates" if sender == "server" \
            else "the client's certificate chain (mutual TLS)"
    if name == "CertificateVerify":
        return f"signature: the {sender} holds the certificate's key"
    if name == "ChangeCipherSpec":
        return ("no meaning in TLS 1.3 (compatibility)" if version == "TLS 1.3"
                else f"from here on the {sender} encrypts")
    return _NOTES.get(name, "")


def _title(trace) -> str:
    version = trace.version or "no version agreed"
    mutual = any(m.name == "CertificateRequest" for m in trace.messages)
    outcome = str(getattr(trace, "outcome", "") or "")
    mode = "mutual TLS" if mutual else "one-way TLS"
    return f"{version}, {mode}" + ("" if outcome == "ok" else f", {outcome or 'failed'}")


def _ending(trace) -> tuple[str, bool]:
    ok = getattr(trace, "outcome", None) == "ok"
    ending = getattr(trace, "ending", None)
    text = ending() if callable(ending) else f"outcome: {getattr(trace, 'outcome', '?')}"
    return ("✔ " if ok else "✘ ") + text, ok


def handshake_layout(trace, *, title: str | None = None, notes: bool = True,
                     sizes: bool = False, width: float = WIDTH, rows: int | None = None,
                     legend: bool = True) -> Scene:
    """The sequence diagram of ``trace`` as data (inches).

    Arrows of kind ``message`` (one per recorded message, in order; ``data`` holds its
    index, sender, name and the flags ``encrypted``, ``mutual``, ``alert``), boxes of
    kind ``encrypted`` (the hatched band behind each encrypted message). ``notes`` adds
    a column saying what each message does; ``sizes`` adds byte counts (they vary by a
    byte or two between runs, so they are off by default); ``rows`` reserves room for
    that many messages (to line up two diagrams).
    """
    messages = list(trace.messages)
    count = max(rows or 0, len(messages))
    note_w = 3.6 if notes else 0.0
    client_x = 0.7
    server_x = width - note_w - (0.75 if notes else 0.7)
    height = TOP + count * ROW + OUTCOME_H + (LEGEND_H if legend else 0) + 0.1
    scene = Scene(width, height)
    y_top = height - 0.12
    scene.texts.append(Text("title", 0.2, y_top - st.TITLE_PT / 72,
                            st.fit(title or _title(trace), width - 0.4, st.TITLE_PT, bold=True),
                            st.TITLE_PT, bold=True, kind="title"))
    actor_y = height - TOP + 0.12
    for who, x in (("client", client_x), ("server", server_x)):
        scene.boxes.append(Box(f"actor:{who}", x - ACTOR_W / 2, actor_y, ACTOR_W, ACTOR_H,
                               kind="actor", fill="#eeeeee", edge=st.INK, linewidth=1.2))
        scene.texts.append(Text(f"actor:{who}:label", x, actor_y + ACTOR_H / 2, who,
                                st.BODY_PT + 0.5, bold=True, ha="center", va="center_baseline",
                                kind="actor", box=f"actor:{who}"))
    bottom = height - TOP - count * ROW - 0.1
    for who, x in (("client", client_x), ("server", server_x)):
        scene.arrows.append(Arrow(f"lifeline:{who}", x, actor_y, x, bottom, kind="lifeline",
                                  colour=st.LIFELINE, linestyle=(0, (4, 3)), linewidth=1.0,
                                  head=False, z=2))
    span = server_x - client_x
    for index, message in enumerate(messages):
        y = height - TOP - (index + 0.62) * ROW
        mutual, alert = is_mutual_message(message), bool(message.is_alert)
        empty = _empty_certificate(message)
        if message.encrypted:
            scene.boxes.append(Box(f"band{index}", client_x, y - 0.1, span, ROW - 0.04,
                                   kind="encrypted", fill=st.ENCRYPTED_FILL, edge="none",
                                   hatch="////", hatch_colour=st.ENCRYPTED_HATCH,
                                   linewidth=0, rounded=False, z=1.5,
                                   data={"index": index}))
        start, end = (client_x, server_x) if message.sender == "client" else (server_x, client_x)
        colour = st.BAD if alert else st.MUTUAL if mutual else st.MUTED if empty else st.INK
        scene.arrows.append(Arrow(
            f"msg{index}", start, y, end, y, kind="message", colour=colour,
            linestyle="--" if alert else "-",
            linewidth=2.6 if mutual else 2.0 if alert else 1.0 if empty else 1.3,
            data={"index": index, "sender": message.sender, "name": message.name,
                  "encrypted": bool(message.encrypted), "mutual": mutual, "alert": alert,
                  "empty": empty}))
        label = st.fit(_label(message, sizes), span - 0.3, st.BODY_PT, bold=mutual or alert)
        scene.texts.append(Text(f"msg{index}:label", client_x + span / 2, y + 0.08, label,
                                st.BODY_PT, colour, ha="center", bold=mutual or alert,
                                kind="message-label",
                                background=st.ENCRYPTED_FILL if message.encrypted else None))
        if notes:
            note = _note(message, trace.version)
            if note:
                scene.texts.append(Text(
                    f"msg{index}:note", server_x + 0.35, y - 0.045,
                    st.fit(note, note_w - 0.25, st.SMALL_PT), st.SMALL_PT,
                    st.BAD if alert else st.MUTED, kind="note"))
    ending, ok = _ending(trace)
    y_end = bottom - 0.27
    scene.texts.append(Text("outcome", 0.2, y_end, st.fit(ending, width - 0.4, st.BODY_PT,
                                                           bold=True),
                            st.BODY_PT, st.GOOD if ok else st.BAD, bold=True, kind="outcome"))
    if legend:
        _legend(scene, 0.2, 0.17, width - 0.4)
    return scene


def legend_kinds(scene: Scene) -> list[str]:
    """The keys a legend needs for what ``scene`` draws: ``encrypted`` (a hatched band),
    ``mutual`` (an orange arrow), ``alert`` (a red dashed arrow), in that order."""
    arrows = scene.of_kind("message")
    used = {"encrypted": bool(scene.of_kind("encrypted")),
            "mutual": any(a.data["mutual"] for a in arrows),
            "alert": any(a.data["alert"] for a in arrows)}
    return [kind for kind, drawn in used.items() if drawn]


_LEGEND_TEXT = {"encrypted": "sent encrypted",
                "mutual": "mutual TLS: the server asks, the client proves who it is",
                "alert": "alert: the handshake failed"}
_ASK_ONLY = "mutual TLS: the server asks for a client certificate"


def _legend(scene: Scene, x: float, y: float, width: float) -> None:
    """One key per kind the figure draws: encrypted band, mutual-TLS arrow, alert arrow
    (each with a second cue besides colour: hatch, thickness, dashes)."""
    items = [(kind, _LEGEND_TEXT[kind]) for kind in legend_kinds(scene)]
    # a refused handshake draws only the server's request: do not promise a client's proof
    if not any(a.data["mutual"] and a.data["sender"] == "client"
               for a in scene.of_kind("message")):
        items = [(kind, _ASK_ONLY if kind == "mutual" else text) for kind, text in items]
    widths = [0.45 + 0.1 + st.text_width(text, st.SMALL_PT) for _, text in items]
    gap = max(0.25, (width - sum(widths)) / (len(items) - 1)) if len(items) > 1 else 0
    for (kind, text), w in zip(items, widths, strict=True):
        key = f"legend:{kind}"
        if kind == "encrypted":
            scene.boxes.append(Box(key, x, y - 0.04, 0.45, 0.2, kind="legend",
                                   fill=st.ENCRYPTED_FILL, edge="none", hatch="////",
                                   hatch_colour=st.ENCRYPTED_HATCH, linewidth=0,
                                   rounded=False))
        else:
            scene.arrows.append(Arrow(key, x, y + 0.06, x + 0.45, y + 0.06, kind="legend",
                                      colour=st.MUTUAL if kind == "mutual" else st.BAD,
                                      linestyle="-" if kind == "mutual" else "--",
                                      linewidth=2.6 if kind == "mutual" else 2.0))
        scene.texts.append(Text(f"{key}:text", x + 0.55, y, text, st.SMALL_PT, st.INK,
                                kind="legend"))
        x += w + gap


def handshakes_layout(left, right, *, titles: Sequence[str] | None = None,
                      sizes: bool = False) -> Scene:
    """Two traces side by side (one-way vs mutual, TLS 1.2 vs 1.3), rows aligned; keys
    of the right diagram start with ``right:``, of the left with ``left:``."""
    rows = max(len(left.messages), len(right.messages))
    half = WIDTH / 2
    titles = list(titles) if titles else [None, None]
    panels = [handshake_layout(trace, title=title, notes=False, sizes=sizes, width=half,
                               rows=rows, legend=False)
              for trace, title in zip((left, right), titles, strict=False)]
    scene = Scene(WIDTH, panels[0].height + LEGEND_H)
    for side, panel, dx in (("left:", panels[0], 0.0), ("right:", panels[1], half)):
        moved = panel.shifted(dx, side)
        for item in (*moved.boxes, *moved.arrows, *moved.texts):
            if isinstance(item, Arrow):
                item.y0 += LEGEND_H
                item.y1 += LEGEND_H
            else:
                item.y += LEGEND_H
        scene.boxes += moved.boxes
        scene.arrows += moved.arrows
        scene.texts += moved.texts
    scene.arrows.append(Arrow("divider", half, 0.5, half, scene.height - 0.1, kind="divider",
                              colour="#bbbbbb", linewidth=1.0, head=False))
    _legend(scene, 0.2, 0.2, WIDTH - 0.4)
    return scene


def draw_handshake(trace, save: str | os.PathLike[str] | None = None, *,
                   title: str | None = None, notes: bool = True, sizes: bool = False):
    """Draw one recorded handshake; returns the matplotlib Figure (``save`` writes a PNG)."""
    return render(handshake_layout(trace, title=title, notes=notes, sizes=sizes), save)


def draw_handshakes(left, right, save: str | os.PathLike[str] | None = None, *,
                    titles: Sequence[str] | None = None, sizes: bool = False):
    """Draw two handshakes side by side: ``draw_handshakes(one_way, mutual)`` or
    ``draw_handshakes(tls12, tls13)``. Returns the matplotlib Figure."""
    return render(handshakes_layout(left, right, titles=titles, sizes=sizes), save)
