"""The ACME conversation as data (pure: no server): JWS taken apart, URLs learned from
replies, and a text that stays the same when only random values change."""

from __future__ import annotations

import itertools
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from pkilab import decode_jws, key_authorization, show_messages
from pkilab.acme.flow import jwk_thumbprint
from pkilab.acme.messages import Exchange, collapse_polls, label_exchanges
from pkilab.errors import InputError

josepy = pytest.importorskip("josepy")
jws = pytest.importorskip("acme.jws")
challenges = pytest.importorskip("acme.challenges")

DIR = "https://localhost:14000/dir"


def _signed(payload: bytes, nonce: str, url: str, key, kid: str | None = None) -> str:
    """A JWS made by the acme library itself, as its client sends it."""
    extra = {"kid": kid} if kid else {}
    return jws.JWS.sign(payload, key=josepy.JWKEC(key=key), alg=josepy.ES256,
                        nonce=josepy.b64.b64decode(nonce), url=url, **extra).json_dumps()


def _conversation(key, nonces: list[str], ids: list[str]) -> list[Exchange]:
    base = "https://localhost:14000"
    order, authz, chall = (f"{base}/my-order/{ids[0]}", f"{base}/authZ/{ids[1]}",
                           f"{base}/chalZ/{ids[2]}")
    kid = f"{base}/my-account/{ids[3]}"
    directory = {"newNonce": f"{base}/nonce-plz", "newAccount": f"{base}/sign-me-up",
                 "newOrder": f"{base}/order-plz"}
    return [
        Exchange("GET", DIR, None, 200, {}, json.dumps(directory)),
        Exchange("HEAD", directory["newNonce"], None, 200, {"Replay-Nonce": nonces[0]}, ""),
        Exchange("POST", directory["newAccount"],
                 _signed(b'{"termsOfServiceAgreed": true}', nonces[0],
                         directory["newAccount"], key), 201,
                 {"Replay-Nonce": nonces[1], "Location": kid}, '{"status": "valid"}'),
        Exchange("POST", directory["newOrder"],
                 _signed(b'{"identifiers": [{"type": "dns", "value": "a.test"}]}',
                         nonces[1], directory["newOrder"], key, kid), 201,
                 {"Replay-Nonce": nonces[2], "Location": order},
                 json.dumps({"status": "pending", "authorizations": [authz],
                             "finalize": f"{base}/finalize-order/{ids[0]}"})),
        Exchange("POST", authz, _signed(b"", nonces[2], authz, key, kid), 200,
                 {"Replay-Nonce": nonces[3]},
                 json.dumps({"status": "pending", "identifier": {"value": "a.test"},
                             "challenges": [{"type": "http-01", "url": chall}]})),
        Exchange("POST", chall, _signed(b"{}", nonces[3], chall, key, kid), 200,
                 {"Replay-Nonce": nonces[4]}, json.dumps({"type": "http-01"})),
        Exchange("POST", authz, _signed(b"", nonces[4], authz, key, kid), 200,
                 {"Replay-Nonce": nonces[5]}, json.dumps({"status": "pending"})),
        Exchange("POST", authz, _signed(b"", nonces[5], authz, key, kid), 200,
                 {"Replay-Nonce": nonces[6]}, json.dumps({"status": "valid"})),
    ]


NONCES_A = [josepy.b64.b64encode(bytes([i]) * 16).decode() for i in range(7)]
NONCES_B = [josepy.b64.b64encode(bytes([100 + i]) * 16).decode() for i in range(7)]


def test_each_step_is_named_from_the_replies_before_it():
    key = ec.generate_private_key(ec.SECP256R1())
    kinds = [m.kind for m in label_exchanges(_conversation(key, NONCES_A, list("abcd")), DIR)]
    assert kinds == ["directory", "newNonce", "newAccount", "newOrder", "authorization",
                     "challenge", "authorization", "authorization"]


def test_the_jws_is_taken_apart_and_the_nonce_chain_is_visible():
    key = ec.generate_private_key(ec.SECP256R1())
    messages = label_exchanges(_conversation(key, NONCES_A, list("abcd")), DIR)
    account = messages[2]
    assert account.protected["alg"] == "ES256" and "jwk" in account.protected
    assert "kid" not in account.protected            # newAccount: the key itself, no kid
    assert "kid" in messages[3].protected and "jwk" not in messages[3].protected
    assert account.payload == {"termsOfServiceAgreed": True}
    assert messages[4].payload == ""                 # POST-as-GET
    assert len(account.signature) == 64              # ES256: r and s, 32 bytes each
    for before, after in itertools.pairwise(messages[1:]):
        assert after.nonce == before.reply_nonce      # each reply hands out the next nonce


def test_the_text_is_the_same_when_only_random_values_change():
    key_a, key_b = (ec.generate_private_key(ec.SECP256R1()) for _ in range(2))
    first = show_messages(label_exchanges(_conversation(key_a, NONCES_A, list("abcd")), DIR))
    second = show_messages(label_exchanges(
        _conversation(key_b, NONCES_B, ["X1", "Y2", "Z3", "W4"]), DIR))
    assert first == second
    assert "<nonce 1>" in first and "14000" not in first and "PORT" in first
    assert NONCES_A[0] not in first


def test_polls_of_one_url_become_one_step_with_an_unbroken_nonce_chain():
    key = ec.generate_private_key(ec.SECP256R1())
    messages = label_exchanges(_conversation(key, NONCES_A, list("abcd")), DIR)
    shown = collapse_polls(messages)
    assert len(shown) == len(messages) - 1
    last = shown[-1]
    assert last.reply == {"status": "valid"}
    assert last.nonce == messages[-2].nonce           # the first poll's request ...
    assert last.reply_nonce == NONCES_A[6]            # ... with the last poll's reply


def test_a_body_that_is_no_jws_is_an_error_with_a_code():
    for bad in ("{}", "not json", json.dumps({"protected": "!!", "payload": "",
                                              "signature": ""}), "[]"):
        with pytest.raises(InputError) as caught:
            decode_jws(bad)
        assert caught.value.code == "malformed_jws"


def test_key_authorization_is_the_librarys():
    key = ec.generate_private_key(ec.SECP256R1())
    token = b"evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"
    chall = challenges.HTTP01(token=token)
    assert key_authorization(josepy.b64.b64encode(token).decode(), key) == \
        chall.key_authorization(josepy.JWKEC(key=key))
    assert jwk_thumbprint(key.public_key()) == josepy.b64.b64encode(
        josepy.JWKEC(key=key.public_key()).thumbprint()).decode()


def test_key_authorization_wants_a_p256_key():
    with pytest.raises(InputError) as caught:
        key_authorization("t", ec.generate_private_key(ec.SECP384R1()))
    assert caught.value.code == "bad_account_key"
