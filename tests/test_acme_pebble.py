"""A real ACME issuance: pebble on 127.0.0.1, the notebook's HTTP-01 server, certbot's
acme library; what pebble issued is then verified and served by pkilab.

Skipped where pebble is not installed (CI installs Debian's package).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import shutil
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from cryptography.hazmat.primitives import serialization

from pkilab import (
    HTTP01Server,
    HTTPSServer,
    PebbleServer,
    acme_issue,
    build_csr,
    find_pebble,
    generate_key,
    request,
    show_messages,
    verify_chain,
)
from pkilab.errors import InputError, PkilabError
from pkilab.facts import key_matches, signed_by, subject_alt_names

pytest.importorskip("acme")
needs_pebble = pytest.mark.skipif(find_pebble() is None, reason="pebble is not installed")


@pytest.fixture(scope="module")
def pebble(tmp_path_factory):
    if find_pebble() is None:
        pytest.skip("pebble is not installed")
    with PebbleServer(tmp_path_factory.mktemp("acme"), validity_days=90,
                      blocked=["bank.pkilab.test"]) as server:
        yield server


def _issued_at(certificate):
    return certificate.not_valid_before_utc + dt.timedelta(minutes=1)


@needs_pebble
def test_one_full_issuance_verifies_and_serves(pebble):
    key = generate_key()
    csr = build_csr(key, {"CN": "www.pkilab.test"}, ["www.pkilab.test"])
    issued = pebble.issue(csr, key=key)
    leaf = issued.certificate
    assert [n.value for n in subject_alt_names(leaf)] == ["www.pkilab.test"]
    assert key_matches(key, leaf)
    assert signed_by(leaf, issued.chain[0]) and signed_by(issued.chain[0], issued.root)
    assert (leaf.not_valid_after_utc - leaf.not_valid_before_utc).days in (89, 90)
    report = verify_chain(issued.fullchain, issued.root, host="www.pkilab.test",
                          at=_issued_at(leaf))
    assert report.ok, report.text()
    with HTTPSServer(issued.issued) as server:
        reply = request(server.url, ca=issued.root, host="www.pkilab.test")
    assert reply.status == 200 and reply.verified


@needs_pebble
def test_the_conversation_is_the_rfc_8555_walk(pebble):
    issued = pebble.issue(["api.pkilab.test"])
    kinds = [m.kind for m in issued.messages]
    assert kinds[:4] == ["directory", "newNonce", "newAccount", "newOrder"]
    assert kinds[-2:] == ["order", "certificate"]
    assert {"authorization", "challenge", "finalize"} <= set(kinds)
    signed = [m for m in issued.messages if m.signed]
    assert all(m.protected["alg"] == "ES256" for m in signed)
    assert all(m.protected["url"] == m.url for m in signed)  # RFC 8555 6.4
    for before, after in itertools.pairwise(issued.messages):
        if after.signed:
            assert after.nonce == before.reply_nonce
    # the CA really fetched the token, from the name's own host, and got the answer
    (token, answer), = issued.key_authorizations.items()
    asked = [r for r in issued.challenge_requests if r.path.endswith("/" + token)]
    assert asked and all(r.status == 200 and r.host.startswith("api.pkilab.test:")
                         for r in asked)
    assert answer.startswith(token + ".")
    text = show_messages(issued.messages)
    assert str(pebble.acme_port) not in text and token not in text


@needs_pebble
def test_two_names_in_one_certificate(pebble):
    issued = pebble.issue(["one.pkilab.test", "two.pkilab.test"])
    assert sorted(n.value for n in subject_alt_names(issued.certificate)) == \
        ["one.pkilab.test", "two.pkilab.test"]
    assert len(issued.key_authorizations) == 2


@needs_pebble
def test_an_unserved_token_fails_validation_with_a_code(pebble):
    # served, but not on the port pebble checks
    with HTTP01Server() as elsewhere, pytest.raises(PkilabError) as caught:
        acme_issue(pebble.directory_url, ["lost.pkilab.test"], challenge_server=elsewhere,
                   ca=pebble.listener_root_file)
    assert caught.value.code == "acme_challenge_failed"


@needs_pebble
def test_a_blocked_name_is_refused_with_the_cas_problem(pebble):
    with pytest.raises(PkilabError) as caught:
        pebble.issue(["bank.pkilab.test"])
    assert caught.value.code == "acme_problem"
    assert "rejectedIdentifier" in caught.value.message or "policy" in caught.value.message


@needs_pebble
def test_pebble_listens_on_loopback_only_and_its_root_comes_from_management(pebble):
    config = pebble.config["pebble"]
    assert config["listenAddress"].startswith("127.0.0.1:")
    assert config["managementListenAddress"].startswith("127.0.0.1:")
    assert pebble.root().subject == pebble.root().issuer        # self-signed
    assert signed_by(pebble.intermediate(), pebble.root())
    assert (pebble.workdir / "listener.key").stat().st_mode & 0o777 == 0o600
    # the listener certificate is pkilab's, trusted only through listener-root.crt
    import ssl
    context = ssl.create_default_context(cafile=str(pebble.listener_root_file))
    with urllib.request.urlopen(pebble.directory_url, context=context, timeout=10) as reply:
        assert "newOrder" in json.loads(reply.read())


@needs_pebble
def test_pebble_stops_when_the_block_ends(tmp_path):
    with PebbleServer(tmp_path) as server:
        processes = list(server._processes)
        url = server.directory_url
    assert all(p.poll() is not None for p in processes)
    with pytest.raises(OSError):
        urllib.request.urlopen(url, timeout=2)


def test_without_pebble_starting_it_is_an_error_with_a_code(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert find_pebble() is None
    with pytest.raises(PkilabError) as caught, PebbleServer():
        pass
    assert caught.value.code == "tool_missing"


def test_bad_arguments_are_errors_with_codes():
    with pytest.raises(InputError) as caught:
        PebbleServer(validity_days=0)
    assert caught.value.code == "bad_validity_days"
    with pytest.raises(InputError) as caught:
        HTTP01Server(port=70000)
    assert caught.value.code == "bad_port"
    with HTTP01Server() as tokens, pytest.raises(InputError) as caught:
        acme_issue("https://localhost:1/dir", [], challenge_server=tokens)
    assert caught.value.code == "no_names"


def test_the_http01_server_answers_only_what_was_added():
    with HTTP01Server() as tokens:
        tokens.add("abc", "abc.thumb")
        base = f"http://127.0.0.1:{tokens.port}/.well-known/acme-challenge/"
        with urllib.request.urlopen(base + "abc", timeout=5) as reply:
            assert reply.read() == b"abc.thumb"
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "other", timeout=5)
        assert missing.value.code == 404
    assert [r.status for r in tokens.requests] == [200, 404]


@needs_pebble
def test_a_replayed_request_is_refused_with_bad_nonce(pebble):
    """A recorded JWS sent again spends a nonce that is already spent."""
    import ssl

    issued = pebble.issue(["replay.pkilab.test"])
    order = next(m for m in issued.messages if m.kind == "newOrder")
    context = ssl.create_default_context(cafile=str(pebble.listener_root_file))
    again = urllib.request.Request(order.url, data=order.request_body.encode(),
                                   headers={"Content-Type": "application/jose+json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(again, context=context, timeout=10)
    assert refused.value.code == 400
    assert json.loads(refused.value.read())["type"] == "urn:ietf:params:acme:error:badNonce"


@needs_pebble
def test_pebble_fetches_the_token_more_than_once(pebble):
    issued = pebble.issue(["twice.pkilab.test"])
    (token,) = issued.key_authorizations
    assert sum(r.path.endswith("/" + token) for r in issued.challenge_requests) > 1


@needs_pebble
@pytest.mark.skipif(shutil.which("faketime") is None, reason="faketime is not installed")
def test_pebble_keeps_the_real_clock_under_faketime(tmp_path):
    """Why lesson 09 checks pebble's certificates at their issuance time: under
    ``faketime`` Python's clock moves, pebble's (Go) does not."""
    script = ("import datetime as dt\nfrom pkilab import PebbleServer\n"
              "with PebbleServer() as p:\n    leaf = p.issue(['clock.pkilab.test']).certificate\n"
              "print(dt.datetime.now().year, leaf.not_valid_before_utc.year)")
    done = subprocess.run(["faketime", "+10 years", sys.executable, "-c", script],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    python_year, pebble_year = map(int, done.stdout.split())
    assert python_year - pebble_year >= 9


def test_an_unreachable_acme_server_is_an_error_with_a_code():
    from pkilab.acme.pebble import _free_port

    with HTTP01Server() as tokens, pytest.raises(PkilabError) as caught:
        acme_issue(f"https://localhost:{_free_port()}/dir", ["a.pkilab.test"],
                   challenge_server=tokens, timeout=5)
    assert caught.value.code == "acme_unreachable"


@needs_pebble
def test_an_acme_server_not_vouched_for_by_ca_is_refused(pebble, tmp_path):
    other = tmp_path / "other-root.crt"
    other.write_bytes(pebble.intermediate().public_bytes(serialization.Encoding.PEM))
    with HTTP01Server() as tokens, pytest.raises(PkilabError) as caught:
        acme_issue(pebble.directory_url, ["a.pkilab.test"], challenge_server=tokens, ca=other)
    assert caught.value.code == "acme_unreachable"


def test_a_key_that_is_not_the_csrs_is_refused():
    csr = build_csr(generate_key(), {"CN": "a.pkilab.test"}, ["a.pkilab.test"])
    with HTTP01Server() as tokens, pytest.raises(InputError) as caught:
        acme_issue("https://localhost:1/dir", csr, key=generate_key(), challenge_server=tokens)
    assert caught.value.code == "key_mismatch"


@needs_pebble
def test_starting_a_running_pebble_again_is_refused(pebble):
    with pytest.raises(PkilabError) as caught:
        pebble.start()
    assert caught.value.code == "already_running"
