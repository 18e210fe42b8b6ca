"""A certificate set's lifecycle in one picture: what an operator looks at.

One line per certificate, its validity as a bar (coloured by role: root,
intermediate, leaf); a dashed line at the time checked ("today"); a certificate that
was renewed or replaced has its successor on the line right below, marked "renewed";
a revoked one is hatched from its revocation date on and labelled with date and
reason; one that has expired by the time checked is greyed.

:func:`timeline_layout` returns the picture as data (:class:`~pkilab.viz.Scene`);
:func:`draw_timeline` renders it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography import x509

from . import _style as st
from ._scene import Arrow, Box, Scene, Text

WIDTH = 9.5
LABEL_W = 1.75
BAR_X = LABEL_W + 0.15
BAR_W = WIDTH - BAR_X - 0.3
ROW_H = 0.58
BAR_H = 0.22
TOP = 0.55       # room for the title
BOTTOM = 0.55    # room for the axis
EXPIRED_FILL = "#e4e4e4"

Entry = tuple[str, x509.Certificate]


def _role(certificate: x509.Certificate) -> str:
    from .. import facts

    if facts.is_self_signed(certificate):
        return "root"
    return "intermediate" if facts.is_ca(certificate) else "leaf"


def timeline_entries(source: Any) -> list[Entry]:
    """(name, certificate) pairs: from a ``pkilab init`` folder (the CAs, the server,
    each client), a :class:`~pkilab.certset.CertificateSet`, or such pairs as given."""
    from ..certset import CertificateSet

    if isinstance(source, (str, os.PathLike)):
        from ..certset import load_certificate_set
        from ..load import load_certificate

        loaded = load_certificate_set(source)
        names = ["root", "intermediate1", "intermediate2", "server", *loaded.clients]
        return [(n, load_certificate(Path(source) / f"{n}.crt")) for n in names]
    if isinstance(source, CertificateSet):
        return [("root", source.root.certificate),
                ("intermediate1", source.intermediate1.certificate),
                ("intermediate2", source.intermediate2.certificate),
                ("server", source.server.certificate),
                *((name, c.certificate) for name, c in source.clients.items())]
    return [(str(name), cert) for name, cert in source]


def _revocations(entries: Sequence[Entry], crls) -> dict[str, Any]:
    """certificate fingerprint -> its Revocation, from the CRL of whoever signed it."""
    from ..crl import revocation_of
    from ..facts import fingerprint

    found = {}
    for _name, cert in entries:
        for crl in crls:
            entry = revocation_of(crl, cert) if crl.issuer == cert.issuer else None
            if entry is not None:
                found[fingerprint(cert)] = entry
    return found


def _x(moment: dt.datetime, start: dt.datetime, end: dt.datetime) -> float:
    span = (end - start).total_seconds() or 1.0
    return BAR_X + BAR_W * (moment - start).total_seconds() / span


def _ticks(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    years = (end - start).days / 365.25
    step = 1 if years <= 8 else (2 if years <= 16 else 5)
    if years < 1.5:  # months
        ticks, month = [], dt.datetime(start.year, start.month, 1, tzinfo=dt.timezone.utc)
        while month <= end:
            if month >= start:
                ticks.append(month)
            month = month.replace(year=month.year + month.month // 12,
                                  month=month.month % 12 + 1)
        return ticks[::max(1, len(ticks) // 8)]
    return [dt.datetime(y, 1, 1, tzinfo=dt.timezone.utc)
            for y in range(start.year + 1, end.year + 1) if (y - start.year) % step == 0]


def timeline_layout(source: Any, *, crls: Sequence[x509.CertificateRevocationList] | None = None,
                    at: dt.datetime | None = None, until: dt.datetime | None = None,
                    title: str = "Certificate lifecycle") -> Scene:
    """The timeline of ``source`` (see :func:`timeline_entries`) at time ``at`` (default
    now). ``crls`` mark revocations; for a folder they default to its ``crl*.pem``.
    ``until`` ends the time axis early (a 20-year root would squeeze 90-day leaves to
    slivers): bars that go on are cut there and say until when."""
    entries = timeline_entries(source)
    if crls is None and isinstance(source, (str, os.PathLike)):
        from ..revoke import load_crls

        crls = load_crls(source)
    at = at or dt.datetime.now(dt.timezone.utc)
    revoked = _revocations(entries, crls or ())
    names = list(dict.fromkeys(name for name, _ in entries))
    # one lane per certificate: a renewal gets its own line under the certificate it
    # replaces (they overlap in time, as a replacement does)
    ordered = sorted(entries, key=lambda e: (names.index(e[0]), e[1].not_valid_before_utc))
    start = min([c.not_valid_before_utc for _, c in entries] + [at])
    end = max([c.not_valid_after_utc for _, c in entries] + [at])
    if until is not None:
        end = max(min(end, until), at)
    pad = (end - start) * 0.02
    start, end = start - pad, end + pad
    height = TOP + BOTTOM + ROW_H * len(ordered)
    scene = Scene(WIDTH, height)
    scene.texts.append(Text("title", 0.2, height - 0.35, title, st.TITLE_PT, bold=True,
                            kind="title"))
    seen: dict[str, int] = {}
    for lane, (name, cert) in enumerate(ordered):
        y = height - TOP - ROW_H * (lane + 1)
        number = seen[name] = seen.get(name, -1) + 1
        notes = _bar(scene, name, number, cert, y, (start, end), at, revoked)
        _notes(scene, f"{name}#{number}", notes, y, BAR_X)
    _axis(scene, start, end, at)
    return scene


def _bar(scene: Scene, name: str, number: int, cert: x509.Certificate, y: float,
         window: tuple[dt.datetime, dt.datetime], at: dt.datetime, revoked: dict) -> list:
    from ..facts import fingerprint

    start, end = window
    key = f"{name}#{number}"
    cut = cert.not_valid_after_utc > end
    x0 = _x(cert.not_valid_before_utc, start, end)
    x1 = _x(min(cert.not_valid_after_utc, end), start, end)
    expired = cert.not_valid_after_utc < at
    role = _role(cert)
    if number == 0:
        scene.texts.append(Text(f"label:{name}", 0.2, y + 0.12, name, st.BODY_PT, bold=True,
                                kind="label"))
    scene.boxes.append(Box(key, x0, y + 0.06, max(x1 - x0, 0.02), BAR_H, kind="validity",
                           fill=EXPIRED_FILL if expired else st.ROLE_FILL[role],
                           edge=st.MUTED if expired else st.ROLE_EDGE, rounded=False,
                           data={"name": name, "role": role, "expired": expired,
                                 "start": cert.not_valid_before_utc,
                                 "end": cert.not_valid_after_utc}))
    notes = []
    if number > 0:
        notes.append(("renewal", x0, "↻ renewed", st.INK))
    if expired:
        notes.append(("expiry", x1, f"expired {cert.not_valid_after_utc:%Y-%m-%d}", st.MUTED))
    if cut:  # inside the bar's right end: the notes above keep their room
        scene.texts.append(Text(f"{key}:until", x1 - 0.06, y + 0.06 + 0.065,
                                f"until {cert.not_valid_after_utc:%Y-%m-%d} →", st.SMALL_PT,
                                colour=st.INK, ha="right", kind="until", z=6,
                                background="white"))
    entry = revoked.get(fingerprint(cert))
    if entry is not None:
        rx = _x(entry.date, start, end)
        scene.boxes.append(Box(f"{key}:revoked", rx, y + 0.06, max(x1 - rx, 0.02), BAR_H,
                               kind="revoked", fill=st.BAD_FILL, edge=st.BAD, hatch="///",
                               hatch_colour=st.BAD, rounded=False, z=1.5,
                               data={"name": name, "date": entry.date,
                                     "reason": entry.reason}))
        scene.arrows.append(Arrow(f"{key}:revoked-mark", rx, y + 0.02, rx, y + 0.06 + BAR_H
                                  + 0.04, kind="revocation-mark", colour=st.BAD,
                                  linewidth=2.2, head=False))
        notes.append(("revocation", rx, f"✘ revoked {entry.date:%Y-%m-%d} ({entry.reason})",
                      st.BAD))
    return notes


def _notes(scene: Scene, key: str, notes: list, y: float, cursor: float) -> float:
    """Place a bar's notes above it, left to right, never on top of each other."""
    for kind, x, text, colour in sorted(notes, key=lambda n: n[1]):
        width = st.text_width(text, st.SMALL_PT, bold=kind == "revocation")
        left = min(max(x, cursor), WIDTH - 0.1 - width)  # side by side, never on top
        cursor = left + width + 0.15
        scene.texts.append(Text(f"{key}:{kind}", left, y + 0.06 + BAR_H + 0.07, text,
                                st.SMALL_PT, colour=colour, kind=kind,
                                bold=kind == "revocation"))
    return cursor


def _axis(scene: Scene, start: dt.datetime, end: dt.datetime, at: dt.datetime) -> None:
    base = BOTTOM - 0.12
    scene.arrows.append(Arrow("axis", BAR_X, base, BAR_X + BAR_W, base, kind="axis",
                              colour=st.MUTED, linewidth=1.0, head=False))
    for tick in _ticks(start, end):
        x = _x(tick, start, end)
        label = f"{tick:%Y}" if tick.month == 1 else f"{tick:%Y-%m}"
        scene.texts.append(Text(f"tick:{label}", x, base - 0.22, label, st.SMALL_PT,
                                colour=st.MUTED, ha="center", kind="tick"))
        scene.arrows.append(Arrow(f"tickmark:{label}", x, base - 0.05, x, base, kind="tick",
                                  colour=st.MUTED, linewidth=1.0, head=False))
    x = _x(at, start, end)
    scene.arrows.append(Arrow("today", x, base, x, scene.height - TOP + 0.05, kind="today",
                              colour=st.MUTUAL,
                              linestyle="--", linewidth=1.6, head=False))
    text = f"checked at {at:%Y-%m-%d}"
    width = st.text_width(text, st.SMALL_PT, bold=True)
    left = min(max(x - width / 2, BAR_X), WIDTH - 0.1 - width)
    scene.texts.append(Text("today:label", left, scene.height - TOP + 0.1, text, st.SMALL_PT,
                            colour=st.MUTUAL, bold=True, kind="today"))


def draw_timeline(source: Any, *, crls: Sequence[x509.CertificateRevocationList] | None = None,
                  at: dt.datetime | None = None, until: dt.datetime | None = None,
                  title: str = "Certificate lifecycle",
                  save: str | os.PathLike[str] | None = None):
    """Draw :func:`timeline_layout` (a matplotlib Figure; a PNG too with ``save``)."""
    from ._scene import render

    return render(timeline_layout(source, crls=crls, at=at, until=until, title=title), save)
