"""The pictures: chain diagram, handshake sequence diagram, certificate anatomy.

Each picture is checked as data (its layout) and as drawn (text extents from the Agg
renderer: nothing overlaps, every label stays inside its box). Handshakes are real,
recorded on 127.0.0.1. Set PKILAB_PNG_DIR to keep the PNGs for a look.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg
from tls_fixtures import client, lab_set, root

from pkilab.ca import CertificateAuthority
from pkilab.der import decode_oid, read, read_all
from pkilab.errors import InputError
from pkilab.explore import break_chain
from pkilab.viz import _style as st
from pkilab.viz._scene import render, save_png
from pkilab.viz.anatomy import anatomy_layout, certificate_parts
from pkilab.viz.chain import chain_layout
from pkilab.viz.handshake import handshake_layout, handshakes_layout

PNG_DIR = os.environ.get("PKILAB_PNG_DIR")


def keep(fig, name: str) -> None:
    if PNG_DIR:
        save_png(fig, Path(PNG_DIR) / f"{name}.png")


def drawn(scene, name: str):
    """Render ``scene``; return {gid: pixel bbox} of every text, and the figure."""
    fig = render(scene)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    extents = {t.get_gid(): t.get_window_extent(renderer) for t in fig.axes[0].texts}
    keep(fig, name)
    return extents, fig


def assert_readable(scene, name: str) -> None:
    """No two texts overlap, each text stays inside its box and inside the picture,
    and nothing is smaller than 9 pt."""
    extents, fig = drawn(scene, name)
    width, height = fig.get_size_inches() * 100
    texts = {t.key: t for t in scene.texts}
    assert set(extents) == set(texts)
    boxes = {b.key: b for b in scene.boxes}
    items = sorted(extents.items())
    for key, bb in items:
        assert texts[key].size >= 9, key
        assert bb.x0 >= -0.5 and bb.y0 >= -0.5 and bb.x1 <= width + 0.5 and \
            bb.y1 <= height + 0.5, f"{key} leaves the picture"
        owner = texts[key].box
        if owner:
            b = boxes[owner]
            assert b.x * 100 - 0.5 <= bb.x0 and bb.x1 <= (b.x + b.w) * 100 + 0.5 and \
                b.y * 100 - 0.5 <= bb.y0 and bb.y1 <= (b.y + b.h) * 100 + 0.5, \
                f"{key} ({texts[key].text!r}) sticks out of {owner}"
    for i, (key_a, a) in enumerate(items):
        for key_b, b in items[i + 1:]:
            overlap_x = min(a.x1, b.x1) - max(a.x0, b.x0)
            overlap_y = min(a.y1, b.y1) - max(a.y0, b.y0)
            assert overlap_x <= 1 or overlap_y <= 1, \
                f"{texts[key_a].text!r} overlaps {texts[key_b].text!r}"


# ---- chain ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cs():
    return lab_set()


def test_chain_ok_has_one_signs_arrow_per_link_and_no_mark(cs):
    scene = chain_layout(break_chain(cs))
    certificates = scene.of_kind("certificate")
    assert [b.data["role"] for b in certificates] == ["leaf", "intermediate", "intermediate",
                                                     "root"]
    assert len(scene.of_kind("signs")) == 3 and not scene.of_kind("broken-link")
    assert not any(b.data["broken"] for b in certificates)
    assert not scene.of_kind("reason") and not scene.of_kind("missing")
    assert scene.box("verdict").data["ok"]
    # the root is drawn above the leaf, and each arrow runs from issuer down to subject
    assert scene.box("cert3").y > scene.box("cert0").y
    assert all(a.y0 > a.y1 for a in scene.of_kind("signs"))
    values = " ".join(t.text for t in scene.texts)
    assert "EC P-256" in values and "path length 0" in values and "localhost" in values
    assert_readable(scene, "chain_ok")


def test_chain_missing_intermediate_draws_dashed_missing_box(cs):
    report = break_chain(cs, remove_intermediate=True)
    scene = chain_layout(report)
    [missing] = scene.of_kind("missing")
    assert missing.linestyle == "--"
    assert missing.data["issuer"] == "pkilab Intermediate CA 2"
    assert missing.y > scene.box("cert0").y  # above the last certificate
    [link] = scene.of_kind("broken-link")
    assert link.data == {"from": "missing", "to": "cert0"} and link.colour == st.BAD
    assert len(scene.of_kind("certificate")) == len(report.chain) == 1
    reason_text = " ".join(" ".join(t.text for t in scene.of_kind("reason-text")).split())
    assert "Intermediate CA 2" in reason_text and "is missing" in reason_text
    assert_readable(scene, "chain_missing_intermediate")


def test_chain_expired_marks_the_certificate_with_the_reason(cs):
    report = break_chain(cs, expire="intermediate1")
    scene = chain_layout(report)
    position = report.problems[0].position
    broken = [b for b in scene.of_kind("certificate") if b.data["broken"]]
    assert [b.data["position"] for b in broken] == [position] == [2]
    assert broken[0].edge == st.BAD and broken[0].linestyle == "--"
    [reason] = scene.of_kind("reason")
    assert reason.data["codes"] == ["expired"]
    words = " ".join(t.text for t in scene.of_kind("reason-text")).split()
    assert "'pkilab Intermediate CA 1' has expired" in " ".join(words)
    pointer = next(a for a in scene.of_kind("pointer"))
    assert broken[0].y <= pointer.y1 <= broken[0].y + broken[0].h
    validity = next(t for t in scene.texts if t.key == "cert2:valid")
    assert validity.colour == st.BAD and validity.bold
    assert_readable(scene, "chain_expired")


def test_chain_not_a_ca_breaks_the_signs_arrow(cs):
    scene = chain_layout(break_chain(cs, drop_ca_flag=True))
    [link] = scene.of_kind("broken-link")
    assert link.data == {"from": "cert1", "to": "cert0"} and link.linestyle == "--"
    label = next(t for t in scene.texts if t.key.startswith("signs1-0:label"))
    assert "not a CA" in label.text
    assert scene.box("cert1").data["broken"]
    assert_readable(scene, "chain_not_a_ca")


def test_chain_signed_by_a_leaf_blames_only_the_leaf_that_acted_as_a_ca(cs):
    from pkilab.ca import CertificateAuthority
    from pkilab.chain import verify_chain

    fake_ca = CertificateAuthority.from_pair(cs.server.certificate, cs.server.private_key,
                                             parent=cs.intermediate2, allow_invalid=True)
    report = verify_chain(fake_ca.issue_server(["evil.localhost"]).fullchain,
                          cs.root.certificate)
    # the intermediates above did nothing wrong: no path length error is pinned on them
    assert "path_length" not in report.codes
    assert {p.position for p in report.problems} == {1}
    scene = chain_layout(report)
    broken = [b.data["position"] for b in scene.of_kind("certificate") if b.data["broken"]]
    assert broken == [1]
    [link] = scene.of_kind("broken-link")
    assert link.data == {"from": "cert1", "to": "cert0"}


def test_chain_partial_chain_draws_no_missing_box(cs):
    from pkilab.chain import verify_chain

    report = verify_chain(cs.server.certificate, cs.intermediate2.certificate,
                          partial_chain=True)
    scene = chain_layout(report)
    assert report.ok and not scene.of_kind("missing")
    assert any("anchor" in t.text for t in scene.texts if t.kind == "verdict")
    refused = chain_layout(verify_chain(cs.server.certificate, cs.intermediate2.certificate))
    [missing] = refused.of_kind("missing")
    assert missing.data["word"] == "root not given"


def test_chain_several_problems_stack_reasons_without_overlap(cs):
    report = break_chain(cs, expire="server", host="example.com", drop_ca_flag="intermediate1")
    scene = chain_layout(report)
    reasons = scene.of_kind("reason")
    assert sorted(c for r in reasons for c in r.data["codes"]) == sorted(report.codes)
    for a in reasons:
        for b in reasons:
            assert a is b or a.y + a.h <= b.y or b.y + b.h <= a.y
    assert_readable(scene, "chain_many_problems")


# ---- handshake -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def traces():
    from pkilab.tls import HTTPSServer
    from pkilab.trace import record

    out = {}
    with HTTPSServer(lab_set()) as one_way, HTTPSServer(lab_set(), mtls="required") as mutual:
        for version in ("1.2", "1.3"):
            out[f"one-way {version}"] = record(one_way.url, ca=root(), tls_version=version)
            out[f"mutual {version}"] = record(mutual.url, ca=root(), cert=client(),
                                              tls_version=version)
            out[f"refused {version}"] = record(mutual.url, ca=root(), tls_version=version)
    return out


def check_arrows(scene, trace, prefix: str = "") -> None:
    arrows = [a for a in scene.of_kind("message") if a.key.startswith(prefix)]
    assert len(arrows) == len(trace.messages)
    for arrow, message in zip(arrows, trace.messages, strict=True):
        assert arrow.data["name"] == message.name and arrow.data["sender"] == message.sender
        assert (arrow.x1 > arrow.x0) == (message.sender == "client")
        assert arrow.data["alert"] == message.is_alert
        if message.is_alert:
            assert arrow.colour == st.BAD and arrow.linestyle == "--"
    # in order, top to bottom
    assert all(a.y0 > b.y0 for a, b in itertools.pairwise(arrows))
    bands = [b for b in scene.of_kind("encrypted") if b.key.startswith(prefix)]
    assert [b.data["index"] for b in bands] == \
        [i for i, m in enumerate(trace.messages) if m.encrypted]
    assert all(b.hatch for b in bands)


@pytest.mark.parametrize("name", ["one-way 1.2", "one-way 1.3", "mutual 1.2", "mutual 1.3",
                                  "refused 1.2", "refused 1.3"])
def test_handshake_one_arrow_per_recorded_message(traces, name):
    trace = traces[name]
    scene = handshake_layout(trace)
    check_arrows(scene, trace)
    mutual = [a.data["name"] for a in scene.of_kind("message") if a.data["mutual"]]
    if name.startswith("one-way"):
        assert mutual == []
    elif name.startswith("mutual"):
        assert sorted(mutual) == ["Certificate", "CertificateRequest", "CertificateVerify"]
        assert all(a.linewidth > 2 and a.colour == st.MUTUAL
                   for a in scene.of_kind("message") if a.data["mutual"])
    else:
        assert trace.outcome == "refused"
        assert "CertificateRequest" in mutual
        # TLS 1.3 may end with the alert or a bare EOF (FINDINGS): red arrows == alerts
        alerts = [a for a in scene.of_kind("message") if a.data["alert"]]
        assert len(alerts) == sum(m.is_alert for m in trace.messages)
        outcome = next(t for t in scene.texts if t.kind == "outcome")
        assert outcome.colour == st.BAD and outcome.text.startswith("✘")
    if name.endswith("1.3"):  # the server's certificate travels encrypted in TLS 1.3
        assert any(b.data["index"] == next(i for i, m in enumerate(trace.messages)
                                           if m.name == "Certificate")
                   for b in scene.of_kind("encrypted"))
    assert_readable(scene, "handshake_" + name.replace(" ", "_").replace(".", ""))


def legend_keys(scene):
    return sorted(item.key.split(":")[-1] for item in scene.of_kind("legend")
                  if not item.key.endswith(":text"))


@pytest.mark.parametrize("name, keys", [
    ("one-way 1.2", ["encrypted"]), ("one-way 1.3", ["encrypted"]),
    ("mutual 1.2", ["encrypted", "mutual"]), ("mutual 1.3", ["encrypted", "mutual"])])
def test_legend_lists_only_what_is_drawn(traces, name, keys):
    assert legend_keys(handshake_layout(traces[name])) == keys


def test_empty_client_certificate_is_not_drawn_as_proof(traces):
    scene = handshake_layout(traces["refused 1.2"])
    empty = [a for a in scene.of_kind("message")
             if a.data["sender"] == "client" and a.data["name"] == "Certificate"]
    assert len(empty) == 1 and empty[0].data["empty"] and not empty[0].data["mutual"]
    assert empty[0].colour != st.MUTUAL and empty[0].linewidth < 2
    assert [t.text for t in scene.of_kind("message-label") if "empty" in t.text] == \
        ["Certificate (empty)"]
    # the server still asked (CertificateRequest is mutual) and refused with an alert
    assert legend_keys(scene) == ["alert", "encrypted", "mutual"]
    # ... but no client proved anything: the legend does not say so
    mutual_text = next(t.text for t in scene.of_kind("legend") if t.key == "legend:mutual:text")
    assert "proves" not in mutual_text and "asks" in mutual_text
    full = next(t.text for t in handshake_layout(traces["mutual 1.2"]).of_kind("legend")
                if t.key == "legend:mutual:text")
    assert "proves" in full


def test_tls12_client_hello_note_claims_no_key_share(traces):
    notes = {t.key: t.text for t in handshake_layout(traces["one-way 1.2"]).of_kind("note")}
    assert "key share" not in notes["msg0:note"]
    notes13 = {t.key: t.text for t in handshake_layout(traces["one-way 1.3"]).of_kind("note")}
    assert "key share" in notes13["msg0:note"]


def test_handshakes_side_by_side(traces):
    for left, right in (("one-way 1.3", "mutual 1.3"), ("mutual 1.2", "mutual 1.3"),
                        ("refused 1.2", "refused 1.3")):
        scene = handshakes_layout(traces[left], traces[right])
        check_arrows(scene, traces[left], "left:")
        check_arrows(scene, traces[right], "right:")
        assert scene.width <= 10
        assert_readable(scene, f"handshakes_{left}_vs_{right}".replace(" ", "_"))


@dataclass
class Msg:
    sender: str
    name: str
    version: str = "TLS 1.3"
    size: int = 100
    encrypted: bool = False
    is_alert: bool = False
    alert_description: str | None = None


@dataclass
class FakeTrace:
    messages: list = field(default_factory=list)
    version: str | None = "TLS 1.3"
    outcome: str = "refused"
    alert: str | None = "unknown CA"


def test_handshake_accepts_any_trace_like_object_and_sizes():
    trace = FakeTrace([Msg("client", "ClientHello"), Msg("server", "ServerHello"),
                       Msg("server", "Certificate", size=1443, encrypted=True),
                       Msg("client", "Alert", size=2, encrypted=True, is_alert=True,
                           alert_description="unknown CA")])
    scene = handshake_layout(trace, sizes=True)
    check_arrows(scene, trace)
    labels = [t.text for t in scene.of_kind("message-label")]
    assert labels[2] == "Certificate · 1,443 B"
    assert labels[3].startswith("✘ Alert (unknown CA)")
    assert_readable(scene, "handshake_fake")


# ---- anatomy and DER --------------------------------------------------------------------------

def test_certificate_parts_cover_every_byte(cs):
    from cryptography.hazmat.primitives.serialization import Encoding

    certificate = cs.server.certificate
    der = certificate.public_bytes(Encoding.DER)
    parts = certificate_parts(certificate)
    assert parts.der == der
    tbs, algorithm, signature = parts.children
    assert [p.name for p in tbs.children] == [
        "version", "serialNumber", "signature", "issuer", "validity", "subject",
        "subjectPublicKeyInfo", "extensions"]
    assert b"".join(p.der for p in tbs.children) == tbs.der[tbs.header:]
    assert tbs.der + algorithm.der + signature.der == der[parts.header:]
    extensions = tbs.find("extensions").children
    assert len(extensions) == len(certificate.extensions)
    assert extensions[0].name == "basicConstraints (critical)"
    assert tbs.find("subjectAltName").meaning == "DNS:localhost, IP:127.0.0.1"
    assert tbs.find("version").meaning.startswith("v3")
    assert algorithm.der == tbs.find("signature").der


def test_anatomy_shows_bytes_as_hex(cs):
    scene = anatomy_layout(cs.root.certificate)
    names = [b.data["name"] for b in scene.of_kind("part")]
    assert {"Certificate", "tbsCertificate", "extensions", "signatureValue"} <= set(names)
    hex_lines = {t.key: t.text for t in scene.of_kind("part-hex")}
    version = next(v for k, v in hex_lines.items() if "/version" in k)
    assert version == "a0 03 02 01 02  (5 bytes)"
    signature = next(v for k, v in hex_lines.items() if "/signatureValue" in k)
    assert signature.startswith("03 ") and "…" in signature and "bytes)" in signature
    assert_readable(scene, "anatomy_root")


def test_anatomy_of_an_rsa_leaf_fits():
    ca = CertificateAuthority.create_root("/CN=Anatomy CA", seed="tests-viz")
    leaf = ca.issue_server(["a-rather-long-host-name.example.com", "127.0.0.1"],
                           key_kind="rsa2048")
    assert_readable(anatomy_layout(leaf.certificate), "anatomy_rsa_leaf")


def test_der_reader_refuses_broken_data():
    node = read(bytes.fromhex("3003020105"))
    assert node.tag_name == "SEQUENCE" and node.children()[0].content == b"\x05"
    assert [n.tag_name for n in read_all(bytes.fromhex("0500a000"))] == ["NULL", "[0]"]
    assert decode_oid(bytes.fromhex("551d13")) == "2.5.29.19"
    assert decode_oid(bytes.fromhex("2a8648ce3d040302")) == "1.2.840.10045.4.3.2"
    for bad in ("3005020105", "3080", "30", "1f0100", "3085ffffffffff"):
        with pytest.raises(InputError):
            read_all(bytes.fromhex(bad))


# ---- determinism and import hygiene -----------------------------------------------------------

def test_png_is_byte_identical_across_renders(cs, tmp_path):
    report = break_chain(cs, expire="root")
    render(chain_layout(report), tmp_path / "a.png")
    render(chain_layout(report), tmp_path / "b.png")
    data = (tmp_path / "a.png").read_bytes()
    assert data == (tmp_path / "b.png").read_bytes() and data[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"Software" not in data and b"matplotlib" not in data.lower()


def test_importing_pkilab_and_the_layouts_pulls_no_matplotlib_or_ipywidgets():
    code = (
        "import sys, pkilab, pkilab.viz, pkilab.explore, pkilab.widgets\n"
        "import pkilab.viz.chain, pkilab.viz.handshake, pkilab.viz.anatomy\n"
        "from pkilab.certset import build_certificate_set\n"
        "from pkilab.explore import break_chain\n"
        "cs = build_certificate_set(seed='hygiene')\n"
        "pkilab.viz.chain_layout(break_chain(cs, expire='server'))\n"
        "pkilab.viz.anatomy_layout(cs.server.certificate)\n"
        "bad = [m for m in ('matplotlib', 'ipywidgets') if m in sys.modules]\n"
        "assert not bad, bad\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
