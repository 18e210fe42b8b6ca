"""One word, one meaning: pkilab's server modes and nginx's ssl_verify_client words."""

from __future__ import annotations

import pytest

from pkilab.deploy import nginx_server_block
from pkilab.errors import InputError
from pkilab.modes import nginx_mode, server_mode


def test_new_words_pass_through():
    assert [server_mode(m) for m in ("off", "required", "on")] == ["off", "required", "on"]
    assert [nginx_mode(m) for m in ("off", "on", "optional", "optional_no_ca")] == \
        ["off", "on", "optional", "optional_no_ca"]


def test_old_server_optional_is_on_with_a_deprecation():
    with pytest.warns(DeprecationWarning, match='now called mtls="on"'):
        assert server_mode("optional") == "on"


def test_old_nginx_required_is_on_with_a_deprecation():
    with pytest.warns(DeprecationWarning, match='now called mtls="on"'):
        assert nginx_mode("required") == "on"


@pytest.mark.parametrize("word", ["optional_no_ca", "yes", ""])
def test_server_refuses_words_it_cannot_honour(word):
    with pytest.raises(InputError) as info:
        server_mode(word)
    assert info.value.code == "unknown_mode"


def test_nginx_block_writes_the_word_it_was_given(tmp_path):
    assert "ssl_verify_client optional_no_ca;" in nginx_server_block(
        tmp_path, mtls="optional_no_ca")
    assert "ssl_verify_client" not in nginx_server_block(tmp_path, mtls="off")
