"""The anatomy of a certificate: its parts as nested boxes, each with its bytes in hex.

A certificate is three things in a SEQUENCE: the *to-be-signed* part
(``tbsCertificate``: version, serial, signature algorithm, issuer, validity, subject,
public key, extensions), the algorithm the issuer signed with, and the signature over
exactly the bytes of the first part. :func:`certificate_parts` cuts a real
certificate's DER into those parts; :func:`draw_anatomy` draws them::

    draw_anatomy(cs.server.certificate)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .. import facts
from ..der import Element as Node
from ..der import decode_oid, read
from . import _style as st
from ._scene import Box, Scene, Text, render

WIDTH = 9.5
PAD = 0.1
INDENT = 0.22
NAME_W = 2.2
MEANING_X = 0.2 + 3 * INDENT + NAME_W  # one column for every depth
ROW_GAP = 0.06

_TBS_FIELDS = ("serialNumber", "signature", "issuer", "validity", "subject",
               "subjectPublicKeyInfo")
_OPTIONAL = {0xA1: "issuerUniqueID", 0xA2: "subjectUniqueID", 0xA3: "extensions"}


@dataclass
class Part:
    """One named part of a certificate and its DER bytes (``der``: tag, length, value).

    ``meaning`` says what it holds in words; ``children`` are the parts inside it
    (for ``Certificate``, ``tbsCertificate`` and ``extensions``).
    """

    name: str
    tag: str
    der: bytes
    header: int
    meaning: str
    children: list[Part] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.der)

    def find(self, name: str) -> Part:
        """The part called ``name`` anywhere below (or at) this one."""
        if self.name == name:
            return self
        for child in self.children:
            try:
                return child.find(name)
            except KeyError:
                pass
        raise KeyError(name)

    def walk(self, depth: int = 0):
        """(depth, part) for this part and every part below it, top to bottom."""
        yield depth, self
        for child in self.children:
            yield from child.walk(depth + 1)


def _oid_name(dotted: str) -> str:
    from cryptography import x509

    name = x509.ObjectIdentifier(dotted)._name
    return dotted if name == "Unknown OID" else name


def _algorithm(node: Node) -> str:
    children = node.children()
    if not children:
        return "?"
    dotted = decode_oid(children[0].content)
    return f"{_oid_name(dotted)} ({dotted})"


def _part(name: str, node: Node, meaning: str, children: list[Part] | None = None) -> Part:
    return Part(name, node.tag_name, node.raw, node.header, meaning, children or [])


def _extensions(node: Node, certificate) -> list[Part]:
    """One part per extension, drawn from the DER itself, so a malformed certificate
    (an extension twice, bad bytes inside one) is still drawn, with its defect named."""
    from ..inspect import describe

    info = describe(certificate)
    texts, defect = info["extensions"], info["extension_defect"]
    parts: list[Part] = []
    seen: set[str] = set()
    outer = node.children()
    for extension in (outer[0].children() if outer else []):
        fields = extension.children()
        dotted = decode_oid(fields[0].content)
        name = _oid_name(dotted)
        critical = len(fields) == 3 and fields[1].content == b"\xff"
        if dotted in seen:
            meaning = "the same extension again: RFC 5280 forbids it, verifiers refuse it"
        elif defect:
            meaning = "not readable: the certificate is malformed"
        else:
            meaning = texts.get(name, "present").replace(" (critical)", "")
        seen.add(dotted)
        parts.append(_part(name + (" (critical)" if critical else ""), extension, meaning))
    return parts


def certificate_parts(certificate) -> Part:
    """Cut a certificate into its named parts, from its own DER bytes.

    >>> parts = certificate_parts(cs.server.certificate)        # doctest: +SKIP
    >>> [p.name for p in parts.find("tbsCertificate").children]  # doctest: +SKIP
    ['version', 'serialNumber', 'signature', 'issuer', 'validity', 'subject', ...]
    """
    from cryptography.hazmat.primitives.serialization import Encoding

    from ..keys import describe_key
    from ..names import format_subj, short_name

    der = certificate.public_bytes(Encoding.DER)
    top = read(der)
    tbs_node, sig_alg, sig_value = top.children()
    fields = tbs_node.children()
    tbs: list[Part] = []
    if fields and fields[0].tag == 0xA0:
        version_node = fields.pop(0)
        number = int.from_bytes(version_node.children()[0].content, "big")
        tbs.append(_part("version", version_node, f"v{number + 1} (stored as {number})"))
    else:
        tbs.append(Part("version", "(absent)", b"", 0, "v1: the field is left out"))
    start, end = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    meanings = {
        "serialNumber": f"{certificate.serial_number:X}"[:40] + " (unique per issuer)",
        "signature": _algorithm(fields[1]) + ", the issuer's choice" if len(fields) > 1 else "",
        "issuer": format_subj(certificate.issuer),
        "validity": f"{start:%Y-%m-%d %H:%M} → {end:%Y-%m-%d %H:%M} UTC",
        "subject": format_subj(certificate.subject),
        "subjectPublicKeyInfo": f"{describe_key(certificate.public_key())} public key",
    }
    for name, node in zip(_TBS_FIELDS, fields[:6], strict=False):
        tbs.append(_part(name, node, meanings[name]))
    for node in fields[6:]:
        name = _OPTIONAL.get(node.tag, node.tag_name)
        if name == "extensions":
            children = _extensions(node, certificate)
            defect = facts.extension_defect(certificate)
            meaning = (f"MALFORMED: {defect}" if defect else
                       f"{len(children)} extensions: what the certificate may be used for")
            tbs.append(_part(name, node, meaning, children))
        else:
            tbs.append(_part(name, node, "rarely used"))
    signer = (f"its own {describe_key(certificate.public_key())} key (self-signed)"
              if certificate.issuer == certificate.subject
              else f"the key of {short_name(certificate.issuer)!r}")
    bits = sig_value.content[1:]
    return _part("Certificate", top, "the whole certificate", [
        _part("tbsCertificate", tbs_node, "the part the issuer signs", tbs),
        _part("signatureAlgorithm", sig_alg, _algorithm(sig_alg) + ", as inside"),
        Part("signatureValue", sig_value.tag_name, sig_value.raw, sig_value.header,
             f"{len(bits)}-byte signature over tbsCertificate, made with {signer}"),
    ])


# ---- layout --------------------------------------------------------------------------------

def _fill(part: Part, depth: int) -> str:
    if part.name == "tbsCertificate":
        return "#e3edf7"
    if part.name.startswith("signature") and depth == 1:
        return "#fbf0cf"
    if part.name == "extensions":
        return "#edf5e9"
    return st.PART_FILL[min(depth, len(st.PART_FILL) - 1)] if part.children else "white"


def _layout(scene: Scene, part: Part, x: float, width: float, top: float, depth: int) -> float:
    """Lay ``part`` out with its top edge at ``top``; returns its bottom edge."""
    key = f"part:{'/'.join([str(depth), part.name])}"
    key = f"{key}#{sum(1 for b in scene.boxes if b.key.startswith(key))}"
    line = st.line_height(st.BODY_PT)
    first = top - PAD - st.BODY_PT / 72
    texts: list[Text] = []
    # line 1: name (bold) and type; then what it means
    title = f"{part.name}"
    texts.append(Text(f"{key}:name", x + PAD, first, st.fit(title, NAME_W - PAD, st.BODY_PT,
                                                             bold=True),
                      st.BODY_PT, bold=True, kind="part-name", box=key))
    meaning_x = max(MEANING_X, x + NAME_W)
    meaning_w = x + width - PAD - meaning_x
    texts.append(Text(f"{key}:meaning", meaning_x, first,
                      st.fit(f"{part.meaning}", meaning_w, st.BODY_PT), st.BODY_PT,
                      kind="part-meaning", box=key))
    # line 2: the bytes
    hex_w = width - 2 * PAD - 0.15
    if part.children:
        header = part.der[:part.header]
        shown = (f"{header.hex(' ')}  ← {part.tag} header: "
                 f"{len(part.der) - part.header} bytes inside ({part.size} in all)")
        hex_text = st.fit(shown, hex_w, st.SMALL_PT, mono=True)
    elif part.der:
        hex_text = st.hex_bytes(part.der, hex_w, st.SMALL_PT)
    else:
        hex_text = "(no bytes)"
    texts.append(Text(f"{key}:hex", x + PAD + 0.15, first - line, hex_text, st.SMALL_PT,
                      st.HEX_INK, mono=True, kind="part-hex", box=key))
    y = first - line - PAD - 0.06
    for child in part.children:
        y = _layout(scene, child, x + INDENT, width - 2 * INDENT, y, depth + 1) - ROW_GAP
    bottom = y + ROW_GAP - (PAD if part.children else 0)
    bottom = min(bottom, top - 2 * line - 1.4 * PAD)
    scene.boxes.append(Box(key, x, bottom, width, top - bottom, kind="part",
                           fill=_fill(part, depth), edge=st.ROLE_EDGE if part.children
                           else "#8a8a8a", linewidth=1.2 if part.children else 0.8,
                           z=1 + depth * 0.1,
                           data={"name": part.name, "depth": depth, "size": part.size}))
    scene.texts += texts
    return bottom


def anatomy_layout(certificate, *, title: str | None = None) -> Scene:
    """The anatomy picture of ``certificate`` as data: boxes of kind ``part`` (with
    ``data["name"]`` and ``data["size"]`` in bytes), texts ``part-name``,
    ``part-meaning`` and ``part-hex``."""
    from ..names import short_name

    parts = certificate_parts(certificate)
    scene = Scene(WIDTH, 0)
    top = 0.0
    bottom = _layout(scene, parts, 0.2, WIDTH - 0.4, top, 0)
    shift = -bottom + 0.2
    for b in scene.boxes:
        b.y += shift
    for t in scene.texts:
        t.y += shift
    # draw outer boxes first so inner ones sit on top of them
    scene.boxes.sort(key=lambda b: b.data["depth"])
    heading = title or (f"Anatomy of {short_name(certificate.subject)!r}: "
                        f"{parts.size} bytes of DER")
    scene.height = top + shift + 0.55
    scene.texts.append(Text("title", 0.2, scene.height - 0.12 - st.TITLE_PT / 72,
                            st.fit(heading, WIDTH - 0.4, st.TITLE_PT, bold=True),
                            st.TITLE_PT, bold=True, kind="title"))
    return scene


def draw_anatomy(certificate, save: str | os.PathLike[str] | None = None, *,
                 title: str | None = None):
    """Draw the parts of ``certificate`` with their bytes; returns the matplotlib Figure."""
    return render(anatomy_layout(certificate, title=title), save)
