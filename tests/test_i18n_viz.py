"""The pictures in Chinese: drawn with a CJK font (no "Glyph ... missing from font"),
labels translated and still inside their boxes; without a CJK font, English labels and
a note, never boxes."""

from __future__ import annotations

import datetime as dt
import os
import warnings

import matplotlib
import pytest

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg
from test_viz import FakeTrace, Msg, assert_readable
from tls_fixtures import lab_set

from pkilab import i18n
from pkilab.chain import verify_chain
from pkilab.lesson import CHECKED_AT
from pkilab.viz import _style as st
from pkilab.viz._scene import render
from pkilab.viz.anatomy import anatomy_layout
from pkilab.viz.chain import chain_layout
from pkilab.viz.handshake import handshake_layout


@pytest.fixture(autouse=True)
def chinese():
    i18n.set_language("zh")
    yield
    i18n.set_language("en")


@pytest.fixture(scope="module")
def cs():
    return lab_set()


def _scenes(cs):
    root = cs.root.certificate
    later = dt.datetime(2050, 1, 1, tzinfo=dt.timezone.utc)
    return {
        "chain ok": chain_layout(verify_chain(cs.server.fullchain, root, host="localhost",
                                              at=CHECKED_AT)),
        "chain missing intermediate": chain_layout(verify_chain(cs.server.certificate, root,
                                                                at=CHECKED_AT)),
        "chain wrong host": chain_layout(verify_chain(cs.server.fullchain, root,
                                                      host="example.com", at=CHECKED_AT)),
        "chain expired": chain_layout(verify_chain(cs.server.fullchain, root, at=later)),
        "anatomy": anatomy_layout(cs.server.certificate),
        "handshake": handshake_layout(FakeTrace([
            Msg("client", "ClientHello"), Msg("server", "ServerHello"),
            Msg("server", "Certificate", size=1443, encrypted=True),
            Msg("client", "Alert", size=2, encrypted=True, is_alert=True,
                alert_description="unknown CA")])),
    }


def _glyph_warnings(scene) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        FigureCanvasAgg(render(scene)).draw()  # glyphs are looked up when drawn
    return [str(w.message) for w in caught if "missing from" in str(w.message)]


def _need_cjk_font() -> None:
    if st.cjk_font() is None:
        if os.environ.get("CI"):
            pytest.fail("CI installs fonts-noto-cjk, but matplotlib finds no CJK font")
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")


def test_chinese_pictures_have_every_glyph(cs):
    _need_cjk_font()
    for name, scene in _scenes(cs).items():
        assert not _glyph_warnings(scene), name


def test_chinese_pictures_stay_readable(cs):
    _need_cjk_font()
    for name, scene in _scenes(cs).items():
        assert_readable(scene, f"zh {name}")


def test_broken_chain_picture_speaks_chinese(cs):
    _need_cjk_font()
    scene = chain_layout(verify_chain(cs.server.certificate, cs.root.certificate,
                                      at=CHECKED_AT))
    shown = [st.chart_text(t.text) for t in scene.texts]
    assert any(text.startswith("✘ 失败：签发者") for text in shown)
    assert "签发者" in shown and "主体" in shown and "✘ 缺少一环" in shown
    assert any(text.startswith("叶子证书 · ") for text in shown)


def test_without_a_cjk_font_labels_stay_english_and_never_boxes(cs, monkeypatch, capsys):
    monkeypatch.setattr(st, "cjk_font", lambda: None)
    scene = chain_layout(verify_chain(cs.server.certificate, cs.root.certificate,
                                      at=CHECKED_AT))
    assert any(st.has_cjk(t.text) for t in scene.texts)  # the problem words are Chinese
    assert not _glyph_warnings(scene)
    shown = [st.chart_text(t.text) for t in scene.texts]
    assert "issuer" in shown and not any(st.has_cjk(text) for text in shown)
    assert st.NO_CJK_NOTE in shown
    assert "fonts-noto-cjk" in capsys.readouterr().out  # the note under the cell


def test_english_pictures_are_unchanged(cs):
    i18n.set_language("en")
    scene = chain_layout(verify_chain(cs.server.certificate, cs.root.certificate,
                                      at=CHECKED_AT))
    assert all(st.chart_text(t.text) == t.text for t in scene.texts)
    assert st.sans_families() == [st.FONT_SANS]
