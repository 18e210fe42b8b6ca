"""The TLS 1.3 key schedule recomputed: every equality on a fresh connection each run."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from tls_fixtures import lab_set

from pkilab import HTTPSServer, build_certificate_set
from pkilab.capture import all_checks, annotate, capture
from pkilab.capture.checks import (
    certificate_verify_check,
    finished_check,
    first_record_check,
    server_key_exchange_check,
)
from pkilab.capture.keylog import parse_keylog, secrets_for
from pkilab.capture.keyschedule import (
    certificate_verify_input,
    derive_secret,
    early_secret,
    hkdf_expand_label,
    open_record,
    suite,
    traffic_keys,
)
from pkilab.errors import PkilabError


def _connect(mtls: str, tls_version: str | None = None):
    cs = lab_set()
    cert = cs.clients["client"] if mtls != "off" else None
    with HTTPSServer(cs, mtls=mtls, tls_version=tls_version) as server:
        return annotate(capture(server.url, ca=cs.root.certificate, cert=cert,
                                tls_version=tls_version), cs)


@pytest.mark.parametrize("mtls", ["off", "required"])
def test_tls13_equalities_hold_on_a_fresh_connection(mtls):
    conn = _connect(mtls)
    assert conn.version == "TLS 1.3"
    checks = {c.name: c for c in all_checks(conn)}
    expected = {"server's first encrypted record", "server CertificateVerify",
                "server Finished", "client Finished"}
    if mtls == "required":
        expected.add("client CertificateVerify")
    assert set(checks) == expected
    for check in checks.values():
        assert check.ok, check.name
        assert check.verdict == "matches the wire"
    fin = finished_check(conn, "client")
    assert fin.computed == conn.message("client", "Finished").data[4:]


def test_a_changed_byte_breaks_the_checks():
    conn = _connect("required")
    server_fin = conn.message("server", "Finished")
    server_fin.data = server_fin.data[:-1] + bytes([server_fin.data[-1] ^ 1])
    assert not finished_check(conn, "server").ok
    cv = conn.message("client", "CertificateVerify")
    cv.data = cv.data[:-1] + bytes([cv.data[-1] ^ 1])
    assert not certificate_verify_check(conn, "client").ok


def test_first_record_decrypts_by_hand_with_iv_xor_zero():
    conn = _connect("off")
    check = first_record_check(conn)
    assert check.ok
    record = conn.records["server"][check_index(conn)]
    keys = traffic_keys(conn.suite, conn.secrets["SERVER_HANDSHAKE_TRAFFIC_SECRET"])
    assert keys.nonce(0) == keys.iv
    assert keys.nonce(1) == keys.iv[:-1] + bytes([keys.iv[-1] ^ 1])
    with pytest.raises(PkilabError) as wrong:
        open_record(conn.suite, keys, 1, record.header, record.payload)  # wrong sequence
    assert wrong.value.code == "record_does_not_decrypt"


def check_index(conn):
    return next(o.record for o in conn.openings if o.sender == "server")


def test_early_secret_is_the_rfc8448_constant():
    # RFC 8448 section 3: with no PSK the early secret and the first "derived" secret
    # are the same for every SHA-256 connection.
    sha = hashes.SHA256()
    early = early_secret(sha)
    assert early.hex() == "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a"
    assert derive_secret(sha, early, "derived", []).hex() == (
        "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba")


def test_expand_label_length_and_context_matter():
    sha = hashes.SHA256()
    a = hkdf_expand_label(sha, b"\1" * 32, "key", b"", 16)
    assert len(a) == 16 and a != hkdf_expand_label(sha, b"\1" * 32, "iv", b"", 16)


def test_certificate_verify_input_layout():
    data = certificate_verify_input("client", b"\xaa" * 48)
    assert data[:64] == b" " * 64
    assert data[64:-49] == b"TLS 1.3, client CertificateVerify"
    assert data[-49] == 0


def test_keylog_parsing_errors_have_codes():
    with pytest.raises(PkilabError) as bad:
        parse_keylog("CLIENT_RANDOM nothex")
    assert bad.value.code == "bad_keylog_line"
    with pytest.raises(PkilabError) as missing:
        secrets_for("# only a comment\n", b"\0" * 32)
    assert missing.value.code == "keylog_mismatch"
    with pytest.raises(PkilabError) as unknown:
        suite(0xC02F)
    assert unknown.value.code == "unknown_tls13_suite"


def test_tls12_ecdhe_server_key_exchange_is_signed_by_the_server_key():
    conn = _connect("required", "1.2")
    assert conn.version == "TLS 1.2"
    assert conn.capture.cipher.startswith("ECDHE-")
    ske = conn.message("server", "ServerKeyExchange")
    names = [f.name for f in ske.fields]
    assert names[2:] == ["curve type", "named curve", "public key length", "public key",
                         "signature scheme", "signature length", "signature"]
    check = server_key_exchange_check(conn)
    assert check.ok
    ske.data = ske.data[:12] + bytes([ske.data[12] ^ 1]) + ske.data[13:]  # the public key
    assert not server_key_exchange_check(conn).ok


def test_hybrid_x25519mlkem768_share_sizes():
    """Lesson 06b's numbers: 1216-byte client share, 1120-byte server share."""
    mlkem = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.mlkem")
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    try:
        kem = mlkem.MLKEM768PrivateKey.generate()
    except UnsupportedAlgorithm:
        pytest.skip("this OpenSSL has no ML-KEM")
    x = X25519PrivateKey.generate().public_key().public_bytes_raw()
    secret, ciphertext = kem.public_key().encapsulate()
    assert len(kem.public_key().public_bytes_raw() + x) == 1216
    assert len(ciphertext + x) == 1120
    assert kem.decapsulate(ciphertext) == secret and len(secret) == 32


def test_rsa_key_exchange_is_opened_with_server_key_alone():
    """Lesson 06b: no forward secrecy: server.key + the recording give the master secret."""
    from pkilab.capture.tls12 import master_secret, premaster_secret

    cs = build_certificate_set(seed="tests-rsa-kx", key_kind="rsa2048")
    with HTTPSServer(cs, mtls="off", tls_version="1.2") as server:
        server.context.set_ciphers("AES256-GCM-SHA384")
        cap = capture(server.url, ca=cs.root.certificate, tls_version="1.2",
                      ciphers="AES256-GCM-SHA384")
    conn = annotate(cap, cs)
    assert cap.cipher == "AES256-GCM-SHA384"
    assert not conn.has("server", "ServerKeyExchange")
    premaster = premaster_secret(conn, cs.server.private_key)
    assert len(premaster) == 48 and premaster[:2] == b"\x03\x03"
    assert master_secret(conn, premaster) == conn.secrets["CLIENT_RANDOM"]
    assert master_secret(conn, bytes(48)) != conn.secrets["CLIENT_RANDOM"]
    ecdhe = _connect("off", "1.2")
    with pytest.raises(PkilabError) as forward_secret:
        premaster_secret(ecdhe, cs.server.private_key)
    assert forward_secret.value.code == "not_rsa_key_exchange"


def test_python_leaves_rsa_key_exchange_out_by_default():
    """Lesson 06b: the RSA-key-exchange suite must be switched on by hand."""
    import ssl

    names = {c["name"] for c in ssl.create_default_context().get_ciphers()}
    assert "AES256-GCM-SHA384" not in names
    assert "ECDHE-ECDSA-AES256-GCM-SHA384" in names
