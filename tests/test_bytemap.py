"""Byte maps of real handshake messages: every byte on the map, texts inside boxes."""

from __future__ import annotations

import pytest
from tls_fixtures import lab_set

from pkilab import HTTPSServer
from pkilab.capture import annotate, capture
from pkilab.viz import _style as st
from pkilab.viz import bytemap_layout, draw_bytemap


@pytest.fixture(scope="module")
def conn():
    cs = lab_set()
    with HTTPSServer(cs, mtls="required") as server:
        return annotate(capture(server.url, ca=cs.root.certificate,
                                cert=cs.clients["client"]), cs)


@pytest.mark.parametrize("name,expand", [
    ("ClientHello", ("extensions",)),
    ("Certificate", ("certificate list", "certificate"))])
def test_map_covers_the_message_and_texts_fit(conn, name, expand):
    message = conn.message("client", name)
    scene = bytemap_layout(message, expand=expand)
    boxes = scene.of_kind("field")
    assert sum(b.data["size"] for b in boxes) == len(message.data)
    assert [b.data["offset"] for b in boxes] == sorted(b.data["offset"] for b in boxes)
    for t in scene.texts:
        if t.box:
            box = scene.box(t.box)
            assert box.x <= t.x and t.x + t.width <= box.x + box.w + 1e-9, t.text
        assert t.size >= 9
    for a in boxes:
        assert a.x + a.w <= scene.width
        for b in boxes:
            if a is not b:
                assert (a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y
                        or b.y + b.h <= a.y)


def test_certificate_map_names_the_files(conn):
    scene = bytemap_layout(conn.message("client", "Certificate"),
                           expand=("certificate list", "certificate"))
    names = [t.text for t in scene.of_kind("field-name")]
    assert names.count("client.crt") == 1
    assert "intermediate2.crt" in names
    assert st.text_width("client.crt", st.SMALL_PT, bold=True) > 0


def test_draw_writes_a_png(conn, tmp_path):
    draw_bytemap(conn.message("client", "ClientHello"), tmp_path / "ch.png")
    assert (tmp_path / "ch.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
