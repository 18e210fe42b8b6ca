"""The chain diagram: root at the top, each CA "signs" the certificate below it, the leaf
at the bottom; a failed verification marks the certificate (and link) at fault and
says why next to it.

Drawn from a :class:`pkilab.chain.ChainReport`, so the picture is exactly what the
verifier checked::

    report = verify_chain(cs.server.certificate, cs.root.certificate,
                          cs.server.chain, host="localhost")
    draw_chain(report)                      # a matplotlib Figure
    chain_layout(report).of_kind("broken")  # the same picture as data
"""

from __future__ import annotations

import os

from . import _style as st
from ._scene import Arrow, Box, Scene, Text, render

WIDTH = 9.5
BOX_X, BOX_W = 0.25, 5.75
NOTE_X = BOX_X + BOX_W + 0.4
NOTE_W = WIDTH - NOTE_X - 0.2
GAP = 0.55          # vertical room for a "signs" arrow
PAD = 0.12
LABEL_W = 0.62      # width of the "subject" / "issuer" label column
KEY_X = 3.3         # where "key" starts on the validity line

#: Problem codes that are about the link below a certificate (it may not sign what it
#: signed) rather than about the certificate itself. The chain checker puts each problem
#: on the certificate at fault: a leaf that acted as a CA gets not_a_ca, and the CAs
#: above it are not blamed for a path length it made too long.
_ISSUER_AT_FAULT = {"not_a_ca": "✘ may not sign: not a CA",
                    "path_length": "✘ path length limit exceeded",
                    "key_usage": "✘ may not sign: no keyCertSign"}
_MISSING = {"missing_intermediate": "missing", "unknown_issuer": "missing",
            "untrusted_root": "not trusted", "bad_signature": "does not match",
            "anchor_not_self_signed": "root not given"}
#: Which line of a box shows the result of which check.
_LINE_OF_CHECK = {"signature": "issuer", "validity": "valid", "key": "key", "CA flag": "ca",
                  "path length": "ca", "key usage": "ca", "purpose": "ca", "name": "ca",
                  "version": "subject", "key identifier": "subject",
                  "authority key id": "issuer", "revocation": "valid"}


def _fmt(name) -> str:
    from ..names import format_subj

    return format_subj(name)


def _short(name) -> str:
    from ..names import short_name

    return short_name(name)


def _ca_text(certificate, role: str) -> tuple[str, str]:
    """(label, value) of the box's last line: CA flag and path length, or the leaf's names."""
    from cryptography import x509

    from ..facts import extension_or_none, subject_alt_names

    bc = extension_or_none(certificate, x509.BasicConstraints)  # a picture: never raises
    if bc is not None and bc.ca:
        limit = ("no path length limit" if bc.path_length is None else
                 "path length 0 (no CA may stand below it)" if bc.path_length == 0 else
                 f"path length {bc.path_length} (at most {bc.path_length} CA"
                 f"{'' if bc.path_length == 1 else 's'} below it)")
        return "CA", f"yes, {limit}"
    flag = "no basicConstraints" if bc is None else "no"
    if role != "leaf":
        return "CA", f"{flag}: may not sign certificates"
    if extension_or_none(certificate, x509.SubjectAlternativeName) is None:
        names = "(no subjectAltName)"
    else:
        names = ", ".join(str(n.value) for n in subject_alt_names(certificate)) or "(none)"
    return "names", f"{names}   ·   CA: {flag} (a leaf)"


def _certificate_box(scene: Scene, index: int, link, y: float, broken: bool) -> Box:
    certificate = link.certificate
    role = link.role
    failing = [c for c in link.checks if not c.ok]
    bad_lines = {_LINE_OF_CHECK.get(c.name, "subject") for c in failing}
    height = 2 * PAD + st.line_height(10.5) + 4 * st.line_height(st.BODY_PT)
    box = Box(f"cert{index}", BOX_X, y, BOX_W, height, kind="certificate",
              fill=st.BAD_FILL if broken else st.ROLE_FILL.get(role, "white"),
              edge=st.BAD if broken else st.ROLE_EDGE,
              linestyle="--" if broken else "-", linewidth=2.4 if broken else 1.2,
              data={"position": index, "role": role, "broken": broken,
                    "name": _short(certificate.subject)})
    scene.boxes.append(box)
    top = y + height - PAD
    # header: role and name on the left, the verdict of its checks on the right
    status = ("✘ " + ", ".join(dict.fromkeys(c.name for c in failing))) if failing \
        else "✔ checks pass"
    status = st.fit(status, BOX_W * 0.42, st.BODY_PT, bold=True)
    status_w = st.text_width(status, st.BODY_PT, bold=True)
    baseline = top - 10.5 / 72
    scene.texts.append(Text(f"cert{index}:status", BOX_X + BOX_W - PAD, baseline, status,
                            st.BODY_PT, st.BAD if failing else st.GOOD, ha="right", bold=True,
                            kind="status", box=box.key))
    head = st.fit(f"{role.upper()} · {_short(certificate.subject)}",
                  BOX_W - 3 * PAD - status_w, 10.5, bold=True)
    scene.texts.append(Text(f"cert{index}:title", BOX_X + PAD, baseline, head, 10.5,
                            bold=True, kind="title", box=box.key))
    from ..keys import describe_key

    issuer = _fmt(certificate.issuer)
    if certificate.issuer == certificate.subject:
        issuer += "  (itself: self-signed)"
    start = certificate.not_valid_before_utc
    end = certificate.not_valid_after_utc
    ca_label, ca_value = _ca_text(certificate, role)
    rows = [("subject", "subject", _fmt(certificate.subject), None),
            ("issuer", "issuer", issuer, None),
            ("valid", "valid", f"{start:%Y-%m-%d} → {end:%Y-%m-%d}",
             ("key", "key", describe_key(certificate.public_key()))),
            ("ca", ca_label, ca_value, None)]
    value_w = BOX_W - 2 * PAD - LABEL_W
    y_line = baseline - st.line_height(10.5)
    for line_key, label, value, second in rows:
        width = KEY_X - LABEL_W - 0.15 if second else value_w
        _row(scene, box, f"cert{index}:{line_key}", BOX_X + PAD, y_line, label, value, width,
             line_key in bad_lines)
        if second:
            key2, label2, value2 = second
            _row(scene, box, f"cert{index}:{key2}", BOX_X + PAD + KEY_X, y_line, label2, value2,
                 value_w - KEY_X, key2 in bad_lines, label_w=0.4)
        y_line -= st.line_height(st.BODY_PT)
    return box


def _row(scene: Scene, box: Box, key: str, x: float, y: float, label: str, value: str,
         width: float, bad: bool, label_w: float = LABEL_W) -> None:
    scene.texts.append(Text(f"{key}:label", x, y, label, st.BODY_PT, st.MUTED, kind="label",
                            box=box.key))
    scene.texts.append(Text(key, x + label_w, y, st.fit(value, width, st.BODY_PT, bold=bad),
                            st.BODY_PT, st.BAD if bad else st.INK, bold=bad, kind="value",
                            box=box.key))


def _signs_arrow(scene: Scene, key: str, upper: Box, lower: Box, label: str | None) -> None:
    x = BOX_X + 0.7
    broken = label is not None
    scene.arrows.append(Arrow(key, x, upper.y, x, lower.y + lower.h,
                              kind="broken-link" if broken else "signs",
                              colour=st.BAD if broken else st.INK,
                              linestyle="--" if broken else "-",
                              linewidth=2.2 if broken else 1.3,
                              data={"from": upper.key, "to": lower.key}))
    mid = (upper.y + lower.y + lower.h) / 2
    text = label or "signs"
    scene.texts.append(Text(f"{key}:label", x + 0.15, mid, text, st.BODY_PT,
                            st.BAD if broken else st.MUTED, va="center", bold=broken,
                            kind="broken-label" if broken else "signs-label"))


def _callout(scene: Scene, key: str, problems) -> Box:
    lines: list[tuple[str, bool, str]] = []
    inner = NOTE_W - 2 * PAD
    for problem in problems[:3]:
        for i, line in enumerate(st.wrap("✘ " + problem.what, inner, st.BODY_PT, bold=True,
                                         max_lines=3)):
            lines.append(((" " * 3 if i else "") + line, True, st.BAD))
        for line in st.wrap(problem.why, inner, st.SMALL_PT, max_lines=5 if
                            len(problems) == 1 else 2):
            lines.append((line, False, st.INK))
    height = 2 * PAD + len(lines) * st.line_height(st.BODY_PT)
    box = Box(key, NOTE_X, 0, NOTE_W, height, kind="reason", fill="white", edge=st.BAD,
              linewidth=1.6, data={"codes": [p.code for p in problems], "lines": lines})
    scene.boxes.append(box)
    return box


def _place_callout_texts(scene: Scene, box: Box) -> None:
    y = box.y + box.h - PAD - st.BODY_PT / 72
    for i, (line, bold, colour) in enumerate(box.data["lines"]):
        size = st.BODY_PT if bold else st.SMALL_PT
        scene.texts.append(Text(f"{box.key}:{i}", box.x + PAD, y, line, size, colour,
                                bold=bold, kind="reason-text", box=box.key))
        y -= st.line_height(st.BODY_PT)


def _missing_box(scene: Scene, last, y: float, missing_problems) -> Box:
    """The dashed box for an issuer that was not found, above the top certificate."""
    word = _MISSING.get(missing_problems[0].code, "missing") if missing_problems \
        else "not found"
    box = Box("missing", BOX_X, y, BOX_W, 0.62, kind="missing", fill="white",
              edge=st.BAD if missing_problems else st.MISSING_EDGE, linestyle="--",
              linewidth=2.0, data={"issuer": _short(last.issuer), "word": word})
    scene.boxes.append(box)
    base = y + 0.62 - PAD - 10.5 / 72
    scene.texts.append(Text("missing:title", BOX_X + PAD, base,
                            st.fit(f"{word}: {_short(last.issuer)}", BOX_W - 2 * PAD,
                                   10.5, bold=True), 10.5, st.BAD, bold=True,
                            kind="missing-label", box="missing"))
    scene.texts.append(Text("missing:subject", BOX_X + PAD, base - st.line_height(10.5),
                            st.fit(f"the issuer of {_short(last.subject)!r}: "
                                   f"{_fmt(last.issuer)}", BOX_W - 2 * PAD, st.SMALL_PT),
                            st.SMALL_PT, st.MUTED, kind="label", box="missing"))
    return box


def _arrows(scene: Scene, boxes: list[Box], missing_box: Box | None, by_position,
            chain, missing_problems) -> None:
    """The "signs" arrows, issuer above -> subject below, broken where a link fails."""
    for index in range(len(boxes) - 1):
        label = None
        for found in by_position.get(index + 1, []):
            label = _ISSUER_AT_FAULT.get(found.code, label)
        for found in by_position.get(index, []):
            if found.code == "bad_signature" and index + 1 < len(chain):
                label = "✘ signature does not match"
        _signs_arrow(scene, f"signs{index + 1}-{index}", boxes[index + 1], boxes[index], label)
    if missing_box is not None:
        _signs_arrow(scene, f"signs-missing-{len(boxes) - 1}", missing_box, boxes[-1],
                     "✘ link missing" if missing_problems else None)


def _callouts(scene: Scene, boxes: list[Box], missing_box: Box | None, by_position,
              top_of_chain: float) -> tuple[list[Box], float]:
    """The reasons next to the box at fault (the missing box for a missing issuer),
    stacked without overlap; returns them and the (maybe lifted) top of the chain."""
    callouts: list[tuple[float, Box, Box]] = []
    for index, found in sorted(by_position.items()):
        target = boxes[index]
        if missing_box is not None and index == len(boxes) - 1 and \
                all(p.code in _MISSING for p in found):
            target = missing_box
        box = _callout(scene, f"reason{index}", found)
        callouts.append((target.y + target.h / 2, box, target))
    # Stack callouts from the top without overlap, each as close to its box as it can be.
    ceiling = top_of_chain + 0.2
    for centre, box, _ in sorted(callouts, key=lambda c: -c[0]):
        box.y = min(centre + box.h / 2, ceiling) - box.h
        ceiling = box.y - 0.15
    lowest = min([b.y for _, b, _ in callouts] + [0.35])
    if lowest < 0.35:  # callouts ran below the chain: lift every box and text
        _lift(scene, 0.35 - lowest)
        top_of_chain += 0.35 - lowest
    for _, box, target in callouts:
        _place_callout_texts(scene, box)
        y_mid = min(max(box.y + box.h / 2, target.y + 0.1), target.y + target.h - 0.1)
        scene.arrows.append(Arrow(f"{box.key}:pointer", box.x, y_mid, target.x + target.w,
                                  y_mid, kind="pointer", colour=st.BAD, linestyle=":",
                                  linewidth=1.6, head=True))
    return [b for _, b, _ in callouts], top_of_chain


def chain_layout(report) -> Scene:
    """The chain diagram of a :class:`~pkilab.chain.ChainReport` as data (inches).

    Boxes of kind ``certificate`` (``data["broken"]`` marks the one at fault),
    ``missing`` (a dashed box for an issuer that was not found), ``reason`` (the words
    next to the broken box) and ``verdict``; arrows of kind ``signs`` and
    ``broken-link``.
    """
    chain, links, problems = report.chain, report.links, report.problems
    by_position: dict[int, list] = {}
    for found in problems:
        if found.position is not None and 0 <= found.position < len(chain):
            by_position.setdefault(found.position, []).append(found)
    last = chain[-1]
    # The chain ends where it should at a root, or at an intermediate trusted as the
    # anchor (partial-chain trust); anywhere else an issuer is missing above it.
    stopped_early = links[-1].role not in ("root", "anchor") and last.issuer != last.subject
    missing_problems = [p for p in by_position.get(len(chain) - 1, [])
                        if p.code in _MISSING] if stopped_early else []

    scene = Scene(WIDTH, 0)
    # Lay out bottom-up from y=0, then lift everything under the verdict banner.
    y = 0.35
    boxes: list[Box] = []
    for index, link in enumerate(links):
        # A certificate whose only fault is that its issuer is missing is fine itself:
        # the dashed "missing" box above it is marked instead.
        broken = index in by_position and not (
            stopped_early and index == len(chain) - 1
            and all(p.code in _MISSING for p in by_position[index])
            and all(c.ok for c in link.checks))
        box = _certificate_box(scene, index, link, y, broken)
        boxes.append(box)
        y += box.h + GAP
    missing_box = None
    if stopped_early:
        missing_box = _missing_box(scene, last, y, missing_problems)
        y += 0.62 + GAP
    _revocation_marks(scene, links, boxes)
    _constraint_notes(scene, links, boxes)
    _arrows(scene, boxes, missing_box, by_position, chain, missing_problems)
    callouts, top_of_chain = _callouts(scene, boxes, missing_box, by_position, y - GAP)
    _check_notes(scene, links, boxes, callouts)
    top = max([top_of_chain] + [b.y + b.h for b in callouts]) + 0.25
    _verdict(scene, report, top)
    footer = f"checked by {report.verified_by} on {report.at:%Y-%m-%d}"  # a date: a stable picture
    scene.texts.append(Text("footer", BOX_X, 0.12, st.fit(footer, WIDTH - 0.5, st.SMALL_PT),
                            st.SMALL_PT, st.MUTED, kind="footer"))
    return scene


def _revocation_marks(scene: Scene, links, boxes: list[Box]) -> None:
    """A revoked certificate is crossed out, with the date and reason stamped on it."""
    for index, (link, box) in enumerate(zip(links, boxes, strict=True)):
        check = next((c for c in link.checks if c.name == "revocation" and not c.ok
                      and c.detail.startswith("revoked on")), None)
        if check is None:
            continue
        for corner, (y0, y1) in enumerate(((box.y, box.y + box.h), (box.y + box.h, box.y))):
            scene.arrows.append(Arrow(f"cert{index}:cross{corner}", box.x, y0, box.x + box.w,
                                      y1, kind="revoked-cross", colour=st.BAD, linewidth=2.0,
                                      head=False, z=6))
        stamp = f"✘ REVOKED: {check.detail[len('revoked on '):]}"
        scene.texts.append(Text(f"cert{index}:revoked", box.x + box.w / 2, box.y + box.h / 2,
                                st.fit(stamp, box.w - 0.4, 11, bold=True), 11, st.BAD,
                                ha="center", va="center", bold=True, kind="revoked",
                                box=box.key, z=7, background="white"))


def _constraint_notes(scene: Scene, links, boxes: list[Box]) -> None:
    """Name constraints are written under the CA that carries them (they bind every
    certificate below it)."""
    from cryptography import x509

    from ..facts import extension_or_none

    for index, (link, box) in enumerate(zip(links, boxes, strict=True)):
        nc = extension_or_none(link.certificate, x509.NameConstraints)
        if nc is None:
            continue
        permitted = ", ".join(str(n.value) for n in nc.permitted_subtrees or ())
        excluded = ", ".join(str(n.value) for n in nc.excluded_subtrees or ())
        text = "name constraints: " + "; ".join(
            part for part in (f"only {permitted}" if permitted else "",
                              f"never {excluded}" if excluded else "") if part)
        scene.texts.append(Text(f"cert{index}:constraints", box.x + box.w - PAD, box.y - 0.2,
                                st.fit(text, box.w * 0.62, st.SMALL_PT, bold=True),
                                st.SMALL_PT, st.ROLE_EDGE, ha="right", va="center",
                                bold=True, kind="constraints"))


def _check_notes(scene: Scene, links, boxes: list[Box], callouts: list[Box]) -> None:
    """Next to each certificate without a reason box: what was checked on it."""
    for index, (link, box) in enumerate(zip(links, boxes, strict=True)):
        if box.data["broken"] or any(c.y < box.y + box.h and box.y < c.y + c.h
                                     for c in callouts):
            continue
        def marked(mark: str, name: str) -> str:
            return f"{mark} {name}".replace(" ", st.NBSP)

        passed = "checked:  " + "  ".join(marked("✔", c.name) for c in link.checks if c.ok)
        failed = "  ".join(marked("✘", c.name) for c in link.checks if not c.ok)
        lines = [(line, st.GOOD) for line in st.wrap(passed, NOTE_W, st.SMALL_PT)]
        lines += [(line, st.BAD) for line in st.wrap(failed, NOTE_W, st.SMALL_PT)] \
            if failed else []
        y = box.y + box.h - PAD - st.SMALL_PT / 72
        for i, (line, colour) in enumerate(lines[:5]):
            scene.texts.append(Text(f"cert{index}:checks:{i}", NOTE_X, y, line, st.SMALL_PT,
                                    colour, kind="checks"))
            y -= st.line_height(st.SMALL_PT)


def _lift(scene: Scene, dy: float) -> None:
    for b in scene.boxes:
        b.y += dy
    for a in scene.arrows:
        a.y0 += dy
        a.y1 += dy
    for t in scene.texts:
        t.y += dy


def _verdict(scene: Scene, report, y: float) -> None:
    if report.ok:
        target = f" for {report.host}" if report.host else ""
        lines = [f"✔ OK: a valid {report.purpose} chain{target}"]
        if report.partial_chain:
            lines.append("  the top certificate is an intermediate, trusted as the anchor "
                         "(partial chain)")
    else:
        first = report.problem  # the first error: problems list errors first
        count = len(report.problems)
        lead = "✘ FAILED: " + first.what + (f"  (+{count - 1} more)" if count > 1 else "")
        lines = st.wrap(lead, WIDTH - 0.5 - 2 * PAD, 10.5, bold=True, max_lines=2)
        for extra in [p for p in report.problems if p.position is None and p is not first][:2]:
            lines += st.wrap("✘ " + extra.what, WIDTH - 0.5 - 2 * PAD, 10.5, bold=True,
                             max_lines=1)
    height = 2 * PAD + len(lines) * st.line_height(10.5)
    scene.boxes.append(Box("verdict", 0.25, y, WIDTH - 0.5, height, kind="verdict",
                           fill=st.GOOD_FILL if report.ok else st.BAD_FILL,
                           edge=st.GOOD if report.ok else st.BAD, linewidth=1.4,
                           data={"ok": report.ok}))
    base = y + height - PAD - 10.5 / 72
    for i, line in enumerate(lines):
        scene.texts.append(Text(f"verdict:{i}", 0.25 + PAD, base, line, 10.5,
                                st.GOOD if report.ok else st.BAD, bold=True, kind="verdict",
                                box="verdict"))
        base -= st.line_height(10.5)
    scene.height = y + height + 0.2


def draw_chain(report, save: str | os.PathLike[str] | None = None):
    """Draw the chain of ``report`` (a :class:`~pkilab.chain.ChainReport`).

    Returns the matplotlib Figure (a notebook cell ending with it shows the picture);
    ``save="chain.png"`` also writes a PNG.
    """
    return render(chain_layout(report), save)
