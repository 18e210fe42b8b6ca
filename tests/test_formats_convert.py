"""Round trips through every conversion: the same certificate bytes and the same key."""

from __future__ import annotations

import itertools

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from pkilab.certset import build_certificate_set
from pkilab.errors import InputError
from pkilab.facts import same_public_key as same_key
from pkilab.formats import identify, load_any
from pkilab.formats.bundle import join_pem, order_leaf_to_root, order_problem, split_pem
from pkilab.formats.convert import key_and_chain, plan, target_for
from pkilab.formats.keys import key_bytes

PW = "123456"


@pytest.fixture(scope="module")
def cs():
    return build_certificate_set(seed="test-formats-convert")


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _convert(data: bytes, target: str, out: str = "out.bin", password=None, in_password=None,
             **kw) -> bytes:
    outputs = plan(load_any(data, in_password), target, out, password=password, **kw)
    assert len(outputs) == 1
    return outputs[0].data


def _der(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def test_certificate_pem_der_round_trip_is_byte_identical(cs):
    pem = cs.server.certificate.public_bytes(serialization.Encoding.PEM)
    der = _convert(pem, "der")
    assert der == _der(cs.server.certificate)
    assert _convert(der, "pem") == pem


def test_csr_pem_der_round_trip(cs):
    from pkilab.csr import build_csr

    pem = build_csr(cs.server.private_key, "/CN=a.test", ["a.test"]).public_bytes(
        serialization.Encoding.PEM)
    der = _convert(pem, "der")
    assert identify(der).kind == "der-csr"
    assert _convert(der, "pem") == pem


# every key form (PEM and DER, plain and encrypted) to every other, and back
EC_FORMS = ["pkcs8", "pkcs8-encrypted", "sec1"]
RSA_FORMS = ["pkcs8", "pkcs8-encrypted", "pkcs1"]
TARGET = {"pkcs8": "pkcs8", "pkcs8-encrypted": "pkcs8", "sec1": "sec1", "pkcs1": "pkcs1"}


def _key_file(key, form: str, der: bool) -> bytes:
    return key_bytes(key, form, der=der, password=PW if "encrypted" in form else None)


@pytest.mark.parametrize("kind", ["ec", "rsa"])
def test_private_key_every_pair_round_trips(cs, rsa_key, kind):
    key = cs.server.private_key if kind == "ec" else rsa_key
    forms = EC_FORMS if kind == "ec" else RSA_FORMS
    variants = [(f, d) for f in forms for d in (False, True)]
    pairs = list(itertools.permutations(variants, 2))
    if kind == "rsa":  # loading an RSA key validates it (~50 ms): go through PKCS#1 only
        pairs = [p for p in pairs if ("pkcs1", False) in p]
    for (src, src_der), (dst, dst_der) in pairs:
        data = _key_file(key, src, src_der)
        out = "k.der" if dst_der else "k.pem"
        converted = _convert(data, TARGET[dst], out, in_password=PW,
                             password=PW if "encrypted" in dst else None)
        expected_kind = ("der-" if dst_der else "pem-") + {
            "pkcs8": "pkcs8-key", "pkcs8-encrypted": "encrypted-pkcs8-key",
            "sec1": "sec1-key", "pkcs1": "pkcs1-key"}[dst]
        assert identify(converted).kind == expected_kind, (src, src_der, dst, dst_der)
        back = load_any(converted, PW if "encrypted" in dst else None).private_keys[0]
        assert same_key(back, key)
        again = _convert(converted, TARGET[src], "k.der" if src_der else "k.pem",
                         in_password=PW, password=PW if "encrypted" in src else None)
        if "encrypted" not in src:  # encrypted output differs by its random salt
            assert again == data


def test_pkcs1_and_sec1_refuse_the_other_key_type(cs, rsa_key):
    with pytest.raises(InputError) as info:
        _convert(key_bytes(cs.server.private_key, "pkcs8"), "pkcs1")
    assert info.value.code == "wrong_key_type"
    with pytest.raises(InputError) as info:
        _convert(key_bytes(rsa_key, "pkcs8"), "sec1")
    assert info.value.code == "wrong_key_type"
    with pytest.raises(InputError) as info:
        _convert(key_bytes(rsa_key, "pkcs8"), "pkcs1", password=PW)
    assert info.value.code == "password_not_possible"
    assert "--in-password" in info.value.fix  # maybe the password was meant for the input


@pytest.mark.parametrize("target", ["p12", "p12-legacy"])
def test_pkcs12_round_trip_keeps_key_chain_and_name(cs, target):
    client = cs.clients["client"]
    bundle = join_pem([client.certificate, *client.chain]) + key_bytes(client.private_key,
                                                                       "pkcs8")
    p12 = _convert(bundle, target, password=PW, name="alice")
    contents = load_any(p12, PW)
    assert [_der(c) for c in contents.certificates] == [_der(c) for c in
                                                          [client.certificate, *client.chain]]
    assert same_key(contents.private_keys[0], client.private_key)
    assert contents.friendly_names[0] == "alice" and contents.key_names == ["alice"]
    assert contents.warnings == []
    # and back to PEM: the same bytes we started from
    assert _convert(p12, "pem", in_password=PW) == bundle


def test_pkcs12_refuses_short_or_missing_password_and_mismatched_key(cs):
    client = cs.clients["client"]
    bundle = join_pem([client.certificate]) + key_bytes(client.private_key, "pkcs8")
    with pytest.raises(InputError) as info:
        _convert(bundle, "p12", password="1234")
    assert info.value.code == "password_too_short"
    with pytest.raises(InputError) as info:
        _convert(bundle, "p12")
    assert info.value.code == "password_missing"
    wrong = join_pem([client.certificate]) + key_bytes(cs.server.private_key, "pkcs8")
    with pytest.raises(InputError) as info:
        _convert(wrong, "p12", password=PW)
    assert info.value.code == "key_mismatch"


def test_password_minimums_keys_four_keystores_six(cs):
    """Encrypted keys need 4+ characters (what openssl asks for), keystores 6+ (keytool)."""
    key = cs.server.private_key
    for short in ("a", "abc"):
        with pytest.raises(InputError) as info:
            key_bytes(key, "pkcs8-encrypted", password=short)
        assert info.value.code == "password_too_short"
        assert f"{len(short)} character" in info.value.what
    with pytest.raises(InputError) as info:
        key_bytes(key, "pkcs8-encrypted", password="")
    assert info.value.code == "password_missing"
    for der in (False, True):
        encrypted = key_bytes(key, "pkcs8-encrypted", der=der, password="abcd")
        assert same_key(load_any(encrypted, "abcd").private_keys[0], key)
    bundle = join_pem(cs.server.fullchain) + key_bytes(key, "pkcs8")
    with pytest.raises(InputError) as info:
        _convert(bundle, "pem", password="abc")  # PEM output encrypts the key too
    assert info.value.code == "password_too_short"
    for target in ("p12", "p12-legacy", "jks"):
        with pytest.raises(InputError) as info:
            _convert(bundle, target, password="abcde")
        assert info.value.code == "password_too_short"
        assert _convert(bundle, target, password="abcdef")
    with pytest.raises(InputError) as info:
        _convert(join_pem(cs.server.fullchain[-1:]), "truststore", password="abcde")
    assert info.value.code == "password_too_short"


def test_pkcs7_round_trip_restores_leaf_to_root_order(cs):
    chain = [*cs.server.fullchain, cs.root.certificate]
    p7b = _convert(join_pem(chain), "p7b")
    from cryptography.hazmat.primitives.serialization import pkcs7

    raw = pkcs7.load_der_pkcs7_certificates(p7b)
    assert sorted(map(_der, raw)) == sorted(map(_der, chain))
    contents = load_any(p7b)
    assert contents.certificates == chain
    assert _convert(p7b, "pem") == join_pem(chain)
    p7b_pem = _convert(join_pem(chain), "p7b", "chain.pem")
    assert identify(p7b_pem).kind == "pem-pkcs7"


def test_jks_keystore_round_trip(cs):
    server = cs.server
    bundle = join_pem(server.fullchain) + key_bytes(server.private_key, "pkcs8")
    store = _convert(bundle, "jks", password=PW, name="Server")
    found = identify(store)
    assert found.kind == "jks" and "server (private key + 3" in found.details[0]
    contents = load_any(store, PW)
    assert contents.certificates == server.fullchain
    assert same_key(contents.private_keys[0], server.private_key)
    assert contents.key_names == ["server"]  # Java aliases are lower case
    assert _convert(store, "pem", in_password=PW) == bundle
    # jks -> p12 -> jks keeps everything
    p12 = _convert(store, "p12", password=PW, in_password=PW)
    again = load_any(_convert(p12, "jks", password=PW, in_password=PW), PW)
    assert again.certificates == server.fullchain
    assert same_key(again.private_keys[0], server.private_key)


def test_truststore_round_trip(cs):
    root_pem = cs.root.certificate.public_bytes(serialization.Encoding.PEM)
    store = _convert(root_pem, "truststore", password="changeit")
    contents = load_any(store, "changeit")
    assert contents.certificates == [cs.root.certificate]
    assert not contents.private_keys
    assert "trusted certificate" in " ".join(contents.notes)
    assert _convert(store, "pem", in_password="changeit") == root_pem


def test_split_and_join_full_chain(cs, tmp_path):
    full = join_pem(cs.server.fullchain)
    outputs = plan(load_any(full), "split", tmp_path / "part.crt")
    assert [o.path.name for o in outputs] == ["part-1.crt", "part-2.crt", "part-3.crt"]
    assert b"".join(o.data for o in outputs) == full
    assert split_pem(cs.server.fullchain) == [o.data for o in outputs]


def test_ordering_and_order_problems(cs):
    chain = [*cs.server.fullchain, cs.root.certificate]
    shuffled = [chain[2], chain[0], chain[3], chain[1]]
    assert order_leaf_to_root(shuffled) == chain
    assert order_problem(chain) is None
    assert "upside down" in order_problem(list(reversed(chain)))
    assert "not in leaf" in order_problem(shuffled)
    # two leaves: the first one given wins, the other goes last; nothing is dropped
    other = cs.clients["client"].certificate
    assert order_leaf_to_root([other, *chain]) == [other, *chain[1:], chain[0]]


def test_key_and_chain_picks_the_matching_certificate(cs):
    server = cs.server
    _, leaf, rest = key_and_chain([server.private_key],
                                    [server.chain[1], server.certificate, server.chain[0]])
    assert leaf == server.certificate and rest == server.chain


def test_der_refuses_several_objects(cs):
    with pytest.raises(InputError) as info:
        _convert(join_pem(cs.server.fullchain), "der")
    assert info.value.code == "cannot_convert"
    one = _convert(join_pem(cs.server.fullchain[:1]) + key_bytes(cs.server.private_key,
                                                                 "pkcs8"), "der", only="certs")
    assert one == _der(cs.server.certificate)


@pytest.mark.parametrize("name,target", [
    ("a.pem", "pem"), ("a.crt", "pem"), ("a.der", "der"), ("a.cer", "der"), ("a.p12", "p12"),
    ("a.PFX", "p12"), ("a.p7b", "p7b"), ("keystore.jks", "jks"), ("truststore.jks", "truststore"),
])
def test_target_from_extension(name, target):
    assert target_for(name) == target


def test_unknown_extension_asks_for_to():
    with pytest.raises(InputError) as info:
        target_for("out.weird")
    assert info.value.code == "unknown_format"
