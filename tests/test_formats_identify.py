"""identify() and load_any(): every format named in the seed, unknown data, damaged data."""

from __future__ import annotations

import base64
import contextlib
import os
import zipfile
from io import BytesIO

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pkilab.certset import build_certificate_set
from pkilab.errors import InputError, PkilabError
from pkilab.formats import identify, load_any, pkcs7, pkcs12
from pkilab.formats import jks as fjks
from pkilab.formats.keys import key_bytes

PW = "123456"


@pytest.fixture(scope="module")
def cs():
    return build_certificate_set(seed="test-formats")


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _der(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


# --- PEM ------------------------------------------------------------------------------

def test_pem_certificate(cs):
    found = identify(_pem(cs.server.certificate))
    assert found.kind == "pem-certificate"
    assert found.labels == ["CERTIFICATE"]
    assert found.blocks[0].der == _der(cs.server.certificate)
    assert found.needs_password is False and found.loadable


def test_pem_bundle_lists_every_block_and_label(cs):
    key = cs.server.private_key
    data = b"".join(_pem(c) for c in cs.server.fullchain) + key_bytes(key, "pkcs8")
    found = identify(data)
    assert found.kind == "pem-bundle"
    assert found.labels == ["CERTIFICATE"] * 3 + ["PRIVATE KEY"]
    assert "4 blocks" in found.description
    contents = load_any(data)
    assert contents.certificates == cs.server.fullchain
    assert len(contents.private_keys) == 1
    assert contents.warnings == []


@pytest.mark.parametrize("fmt,kind,label", [
    ("pkcs8", "pem-pkcs8-key", "PRIVATE KEY"),
    ("pkcs8-encrypted", "pem-encrypted-pkcs8-key", "ENCRYPTED PRIVATE KEY"),
    ("sec1", "pem-sec1-key", "EC PRIVATE KEY"),
])
def test_pem_ec_key_labels(cs, fmt, kind, label):
    data = key_bytes(cs.server.private_key, fmt, password=PW if "encrypted" in fmt else None)
    found = identify(data)
    assert (found.kind, found.labels) == (kind, [label])
    assert found.needs_password is ("encrypted" in fmt)


def test_pem_rsa_pkcs1_key_and_public_key(rsa_key):
    found = identify(key_bytes(rsa_key, "pkcs1"))
    assert (found.kind, found.labels) == ("pem-pkcs1-key", ["RSA PRIVATE KEY"])
    public = rsa_key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    assert identify(public).kind == "pem-public-key"
    assert len(load_any(public).public_keys) == 1


def test_pem_csr_crl_pkcs7(cs):
    from pkilab.csr import build_csr

    csr = build_csr(cs.server.private_key, "/CN=example.test")
    assert identify(csr.public_bytes(serialization.Encoding.PEM)).kind == "pem-csr"
    p7 = pkcs7.export(cs.server.fullchain, pem=True)
    found = identify(p7)
    assert (found.kind, found.labels) == ("pem-pkcs7", ["PKCS7"])
    assert load_any(p7).certificates == cs.server.fullchain


def test_pem_crl(cs):
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    when = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    crl = (x509.CertificateRevocationListBuilder().issuer_name(cs.root.certificate.subject)
           .last_update(when).next_update(when + dt.timedelta(days=7))
           .sign(cs.root.private_key, hashes.SHA256()))
    assert identify(crl.public_bytes(serialization.Encoding.PEM)).kind == "pem-crl"
    der_found = identify(crl.public_bytes(serialization.Encoding.DER))
    assert der_found.kind == "der-crl"
    assert len(load_any(crl.public_bytes(serialization.Encoding.DER)).crls) == 1


def test_text_before_pem_is_noted(cs):
    data = b"Certificate:\n    Data: ...\n" + _pem(cs.root.certificate)
    found = identify(data)
    assert found.kind == "pem-certificate"
    assert any("before the first block" in d for d in found.details)


# --- DER ------------------------------------------------------------------------------

def test_der_certificate_and_keys(cs, rsa_key):
    assert identify(_der(cs.server.certificate)).kind == "der-certificate"
    ec_key = cs.server.private_key
    assert identify(key_bytes(ec_key, "pkcs8", der=True)).kind == "der-pkcs8-key"
    assert identify(key_bytes(ec_key, "sec1", der=True)).kind == "der-sec1-key"
    assert identify(key_bytes(rsa_key, "pkcs1", der=True)).kind == "der-pkcs1-key"
    enc = identify(key_bytes(ec_key, "pkcs8-encrypted", der=True, password=PW))
    assert enc.kind == "der-encrypted-pkcs8-key" and enc.needs_password
    assert "AES-256-CBC" in enc.description


def test_der_with_a_trailing_newline_is_named_and_refused(cs):
    # one rule with verify and cryptography (see test_trailing_bytes.py): refused
    data = _der(cs.server.certificate) + b"\n"
    found = identify(data)
    assert found.kind == "der-certificate" and "extra byte" in found.warnings[0]
    with pytest.raises(InputError) as info:
        load_any(data)
    assert info.value.code == "trailing_bytes"


def test_der_csr(cs):
    from pkilab.csr import build_csr

    csr = build_csr(cs.server.private_key, "/CN=example.test")
    assert identify(csr.public_bytes(serialization.Encoding.DER)).kind == "der-csr"


def test_pkcs12_structure_without_password(cs):
    client = cs.clients["client"]
    modern = pkcs12.export(client.private_key, client.certificate, client.chain, PW,
                           friendly_name="client")
    legacy = pkcs12.export(client.private_key, client.certificate, client.chain, PW,
                           friendly_name="client", legacy=True)
    m, leg = identify(modern), identify(legacy)
    assert m.kind == leg.kind == "pkcs12"
    assert m.needs_password and leg.needs_password
    assert "SHA-256" in m.description and "AES-256-CBC" in m.description
    assert "SHA-1" in leg.description and "3DES" in leg.description
    assert not m.warnings and not leg.warnings  # 3DES is not RC2: OpenSSL 3 reads it


def test_pkcs7_der_and_jks(cs):
    assert identify(pkcs7.export(cs.server.fullchain)).kind == "pkcs7-der"
    store = fjks.export_keystore(cs.server.private_key, cs.server.certificate,
                                 cs.server.chain, PW, alias="server")
    found = identify(store)
    assert found.kind == "jks" and found.needs_password
    assert "server (private key + 3 certificate(s))" in found.details[0]


# --- what it is not -------------------------------------------------------------------

def _zip() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
    return buffer.getvalue()


@pytest.mark.parametrize("data,kind,words", [
    (b"", "empty", "empty"),
    (b"\n\n", "empty", "whitespace"),
    (b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl me@x\n",
     "ssh-public-key", "SSH public key"),
    (b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
     b"-----END OPENSSH PRIVATE KEY-----\n", "openssh-private-key", "SSH key"),
    (b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBF\n-----END PGP PUBLIC KEY BLOCK-----\n",
     "pgp", "not X.509"),
    (b"<!DOCTYPE html><html><body>404 Not Found</body></html>", "html", "error"),
    (b"PuTTY-User-Key-File-3: ssh-ed25519\n", "putty-key", "PuTTY"),
    (b"\x1f\x8b\x08\x00rest", "gzip", "decompress"),
    ("-----BEGIN CERTIFICATE-----\n".encode("utf-16"), "utf16-text", "UTF-8"),
    (b"hello, this is a note\n", "text", "BEGIN"),
])
def test_unknown_data_says_what_it_might_be(data, kind, words):
    found = identify(data, "mystery.crt")
    assert found.kind == kind
    assert words.lower() in (found.description + " " + found.hint).lower()
    assert not found.loadable
    with pytest.raises(InputError) as err:
        load_any(data, name="mystery.crt")
    assert "mystery.crt" in err.value.message


def test_zip_is_named():
    found = identify(_zip())
    assert found.kind == "zip" and "unzip" in found.hint


def test_base64_without_pem_lines(cs):
    body = base64.encodebytes(_der(cs.root.certificate))
    found = identify(body)
    assert found.kind == "base64-der" and "BEGIN" in found.hint
    assert load_any(body).certificates == [cs.root.certificate]


# --- damaged data: clear errors naming the file ---------------------------------------

def test_truncated_pem_names_the_file_and_cause(cs):
    data = _pem(cs.server.certificate)[:-40]
    found = identify(data)
    assert found.kind == "damaged-pem"
    with pytest.raises(InputError) as err:
        load_any(data, name="server.crt")
    assert "'server.crt'" in err.value.message and "END line is missing" in err.value.message


def test_broken_pem_body(cs):
    text = _pem(cs.server.certificate).decode()
    lines = text.splitlines()
    lines[3] = lines[3][:10] + "!!" + lines[3][12:]
    with pytest.raises(InputError) as err:
        load_any("\n".join(lines).encode(), name="server.crt")
    assert "not base64" in err.value.message and "server.crt" in err.value.message
    # valid base64 but a line missing: the DER inside no longer parses
    del lines[5]
    with pytest.raises(InputError) as err:
        load_any("\n".join(lines).encode(), name="server.crt")
    assert "server.crt" in err.value.message


def test_truncated_der_and_p12(cs):
    der = _der(cs.server.certificate)
    found = identify(der[:-30])
    assert found.kind == "damaged-der" and "cut short" in found.hint
    with pytest.raises(InputError) as info:
        client = cs.clients["client"]
        p12 = pkcs12.export(client.private_key, client.certificate, [], PW)
        load_any(p12[: len(p12) // 2], PW, name="client.p12")
    assert info.value.code == "damaged_file"


def test_wrong_and_missing_passwords(cs):
    client = cs.clients["client"]
    p12 = pkcs12.export(client.private_key, client.certificate, client.chain, PW)
    with pytest.raises(InputError) as info:
        load_any(p12, "654321", name="client.p12")
    assert info.value.code == "wrong_password"
    with pytest.raises(InputError) as info:
        load_any(p12, None, name="client.p12")
    assert info.value.code == "password_required"
    enc = key_bytes(client.private_key, "pkcs8-encrypted", password=PW)
    with pytest.raises(InputError) as info:
        load_any(enc, "nope", name="client.key")
    assert info.value.code == "wrong_password"
    with pytest.raises(InputError) as info:
        load_any(enc, name="client.key")
    assert info.value.code == "password_required"
    store = fjks.export_keystore(client.private_key, client.certificate, client.chain, PW)
    with pytest.raises(InputError) as info:
        load_any(store, "wrong!", name="client.jks")
    assert info.value.code == "wrong_password"
    # without a password a JKS still lists its certificates, but keeps the key locked;
    # that is not a problem of the store: a note, not a warning
    locked = load_any(store, None, name="client.jks")
    assert locked.certificates[0] == client.certificate and not locked.private_keys
    assert any("--password" in n for n in locked.notes)
    assert locked.warnings == []


def test_missing_password_is_a_note_when_locked_files_are_ok(cs):
    """What ``pkilab inspect`` asks for: show what can be shown, say what needs a password."""
    client = cs.clients["client"]
    p12 = pkcs12.export(client.private_key, client.certificate, client.chain, PW)
    enc = key_bytes(client.private_key, "pkcs8-encrypted", password=PW)
    enc_der = key_bytes(client.private_key, "pkcs8-encrypted", der=True, password=PW)
    bundle = _pem(client.certificate) + enc
    for data in (p12, enc, enc_der, bundle):
        contents = load_any(data, None, name="x", locked_ok=True)
        assert contents.warnings == [] and not contents.private_keys
        assert any("--password" in note for note in contents.notes)
    assert load_any(bundle, None, locked_ok=True).certificates == [client.certificate]
    # a password that is given must still be right
    with pytest.raises(InputError) as info:
        load_any(p12, "654321", locked_ok=True)
    assert info.value.code == "wrong_password"
    # and the real traps stay warnings
    unprotected = load_any(_pem(cs.server.certificate) + key_bytes(client.private_key,
                                                                   "pkcs8"), locked_ok=True)
    assert any("does not match" in w for w in unprotected.warnings)


def _negative_serial(cert) -> bytes:
    """``cert``'s DER with its serial number made negative (same length; the signature
    no longer matches, which loading does not check). Builders refuse to make one."""
    data = _der(cert)
    serial = cert.serial_number
    content = serial.to_bytes((serial.bit_length() + 8) // 8, "big")
    field = bytes([0x02, len(content)]) + content
    assert data.count(field) == 1
    return data.replace(field, bytes([0x02, len(content), 0xFB]) + content[1:])


def test_negative_serial_is_a_note_without_library_warnings(cs):
    import warnings

    data = _negative_serial(cs.server.certificate)
    pem_data = b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(data) + \
        b"-----END CERTIFICATE-----\n"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for blob in (data, pem_data):
            assert identify(blob).kind in ("der-certificate", "pem-certificate")
            contents = load_any(blob)
            assert contents.certificates[0].subject == cs.server.certificate.subject
            assert contents.warnings == []
            assert any("serial number is negative" in n and "RFC 5280" in n
                       for n in contents.notes)
    assert [str(w.message) for w in caught] == []
    assert not any("serial" in n for n in load_any(_der(cs.server.certificate)).notes)


def test_random_bytes_give_a_pkilab_error():
    data = os.urandom(512)
    assert identify(data).kind in ("unknown", "damaged-der")
    with pytest.raises(InputError) as info:
        load_any(data, name="random.bin")
    assert info.value.code == "unknown_format"


# --- traps ----------------------------------------------------------------------------

def test_key_not_matching_certificate_is_warned(cs):
    data = _pem(cs.server.certificate) + key_bytes(cs.clients["client"].private_key, "pkcs8")
    contents = load_any(data)
    assert any("does not match" in w for w in contents.warnings)


def test_chain_upside_down_is_warned(cs):
    data = b"".join(_pem(c) for c in reversed(cs.server.fullchain))
    assert any("upside down" in w for w in load_any(data).warnings)
    mixed = [cs.server.fullchain[0], cs.server.fullchain[2], cs.server.fullchain[1]]
    assert any("order" in w for w in load_any(b"".join(_pem(c) for c in mixed)).warnings)


def test_passwordless_p12_with_key_is_warned(cs):
    from cryptography.hazmat.primitives.serialization import pkcs12 as lib

    client = cs.clients["client"]
    data = lib.serialize_key_and_certificates(b"client", client.private_key,
                                              client.certificate, None,
                                              serialization.NoEncryption())
    found = identify(data)
    assert found.needs_password is False
    contents = load_any(data)
    assert any("keytool lists 0 entries" in w for w in contents.warnings)


# --- property: any bytes give an answer or a pkilab error -----------------------------

_SEEDS = [b"", b"-----BEGIN CERTIFICATE-----\n", b"\x30\x82", b"\xfe\xed\xfe\xed",
          b"\xce\xce\xce\xce\x00\x00\x00\x02", b"\x30\x80", b"0\x03\x02\x01\x03"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(_SEEDS), body=st.binary(max_size=300),
       password=st.sampled_from([None, "123456", ""]))
def test_arbitrary_bytes_only_raise_pkilab_errors(prefix, body, password):
    data = prefix + body
    found = identify(data, "fuzz.bin")
    assert isinstance(found.kind, str) and found.description
    assert "could not classify" not in found.description  # identify's own safety net
    try:
        load_any(data, password, "fuzz.bin")
    except PkilabError as exc:
        assert "fuzz.bin" in exc.message or "the data" not in exc.message


@settings(max_examples=150, deadline=None)
@given(cut=st.integers(min_value=1, max_value=2000), flip=st.integers(min_value=0,
                                                                          max_value=2000))
def test_damaged_real_files_only_raise_pkilab_errors(cs, cut, flip):
    client = cs.clients["client"]
    for data in (pkcs7.export(cs.server.fullchain),
                 fjks.export_keystore(client.private_key, client.certificate, [], PW),
                 _der(cs.server.certificate)):
        damaged = bytearray(data[: max(1, len(data) - cut % len(data))])
        damaged[flip % len(damaged)] ^= 0x41
        identify(bytes(damaged))
        with contextlib.suppress(PkilabError):  # an error is fine, if it is pkilab's
            load_any(bytes(damaged), PW, "damaged.bin")
