"""The ipywidgets explorers: built without a kernel, driven by setting control values,
read back from their Output area."""

from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets")
import matplotlib

matplotlib.use("Agg")

from pkilab.certset import build_certificate_set, write_certificate_set
from pkilab.widgets import certificate_builder, chain_breaker, format_explorer


def texts(widget) -> str:
    return "".join(o.get("text", "") for o in widget.output.outputs)


def kinds(widget) -> list[str]:
    return [o["output_type"] for o in widget.output.outputs]


def test_certificate_builder_updates_its_output():
    widget = certificate_builder()
    assert "✔ verifies" in texts(widget) and "Certificate (v3)" in texts(widget)
    widget.controls["days"].value = 10
    assert "has expired" in texts(widget)
    widget.controls["days"].value = 397
    widget.controls["is_ca"].value = True
    widget.controls["path_length"].value = 0
    widget.controls["cas_below"].value = 1
    assert "path length constraint violated" in texts(widget)


def test_certificate_builder_explains_bad_input_in_its_output(capsys):
    widget = certificate_builder()
    widget.controls["names"].value = ""
    assert texts(widget).startswith("✘ no names given")
    assert capsys.readouterr().out == ""  # nothing printed outside the Output


@pytest.fixture(scope="module")
def cs():
    return build_certificate_set(seed="tests-widgets")


def test_chain_breaker_shows_verdict_and_picture(cs, capsys):
    widget = chain_breaker(cs)
    assert kinds(widget) == ["stream", "display_data"]
    assert texts(widget).startswith("OK")
    widget.controls["remove_intermediate"].value = "intermediate2"
    assert "is missing" in texts(widget)
    picture = widget.output.outputs[1]["data"]["image/png"]
    widget.controls["remove_intermediate"].value = "none"
    widget.controls["host"].value = "example.com"
    assert "not valid for 'example.com'" in texts(widget)
    assert widget.output.outputs[1]["data"]["image/png"] != picture
    assert capsys.readouterr().out == ""


def test_format_explorer_walks_a_folder(cs, tmp_path):
    write_certificate_set(cs, tmp_path)
    widget = format_explorer(tmp_path)
    assert "client.p12" in widget.controls["file"].options
    widget.controls["file"].value = "client.p12"
    widget.controls["view"].value = "objects"
    assert "password" in texts(widget)
    widget.controls["password"].value = "123456"
    assert "private key: EC P-256" in texts(widget)
    widget.controls["file"].value = "server.crt"
    widget.controls["view"].value = "openssl"
    assert texts(widget).strip() == "$ openssl x509 -in server.crt -noout -text"


def test_path_length_no_limit_is_a_visible_choice():
    """ipywidgets 8 shows a blank box for the value None; "no limit" must be selected."""
    widget = certificate_builder()
    dropdown = widget.controls["path_length"]
    assert dropdown.label == "no limit" and dropdown.index == 0
    widget.controls["is_ca"].value = True
    widget.controls["cas_below"].value = 2
    assert "✔ verifies" in texts(widget)  # no limit: two CAs below are fine
    dropdown.value = 0
    assert "path length constraint violated" in texts(widget)


def test_format_explorer_opens_on_a_certificate(cs, tmp_path):
    write_certificate_set(cs, tmp_path)
    (tmp_path / "anatomy.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    widget = format_explorer(tmp_path)
    assert widget.controls["file"].value == "server.crt"
    assert "✘" not in texts(widget)
