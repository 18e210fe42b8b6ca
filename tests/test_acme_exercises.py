"""Lesson 09's exercise checks look at a real issuance: they pass for the right work and
name what is missing otherwise."""

from __future__ import annotations

import dataclasses

import pytest

from pkilab import PebbleServer, build_csr, find_pebble, generate_key, key_authorization
from pkilab.exercises import l09

pytest.importorskip("acme")
pytestmark = pytest.mark.skipif(find_pebble() is None, reason="pebble is not installed")
NAMES = ["www.pkilab.test", "api.pkilab.test"]


@pytest.fixture(scope="module")
def issues():
    with PebbleServer(validity_days=90) as pebble:
        key = generate_key()
        both = pebble.issue(build_csr(key, {"CN": NAMES[0]}, NAMES), key=key)
        one = pebble.issue([NAMES[0]])
    return both, one


def test_two_names_passes_for_one_certificate_with_both(issues, capsys):
    both, _ = issues
    assert l09.two_names_check(both)
    assert "✅" in capsys.readouterr().out


def test_two_names_names_what_is_missing(issues, capsys):
    both, one = issues
    assert not l09.two_names_check(one)
    assert "api.pkilab.test" in capsys.readouterr().out
    assert not l09.two_names_check(dataclasses.replace(both, private_key=generate_key()))
    assert "your own key" in capsys.readouterr().out
    assert not l09.two_names_check(dataclasses.replace(both, root=one.chain[0]))
    assert "does not verify" in capsys.readouterr().out
    assert not l09.two_names_check(dataclasses.replace(both, challenge_requests=[]))
    assert "never fetched" in capsys.readouterr().out
    assert not l09.two_names_check("a string")


def test_key_authorization_compares_with_what_pebble_fetched(issues, capsys):
    _, one = issues
    (token,) = one.key_authorizations
    assert l09.key_authorization_check(key_authorization(token, one.account_key), one)
    assert "✅" in capsys.readouterr().out
    other_account = generate_key()
    assert not l09.key_authorization_check(key_authorization(token, other_account), one)
    assert "thumbprint" in capsys.readouterr().out
    assert not l09.key_authorization_check(None, one)
    assert not l09.key_authorization_check("wrong.token", one)
    assert "token" in capsys.readouterr().out
