"""Reproduce the seed's mistakes on purpose, without openssl: version 1 certificates.

``openssl x509 -req`` without ``-extfile`` writes X.509 v1 certificates: no
extensions at all, so no CA flag, no subjectAltName, no key identifiers. cryptography
only builds v3, so this module writes the few DER bytes of a v1 certificate by hand.
Lessons use it to show what verifiers say about the seed's chain; nothing else should.
"""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from .errors import InputError
from .keys import PrivateKey, PublicKey
from .names import as_name

_ECDSA_SHA256 = bytes.fromhex("06082a8648ce3d040302")          # 1.2.840.10045.4.3.2
_RSA_SHA256 = bytes.fromhex("06092a864886f70d01010b0500")     # 1.2.840.113549.1.1.11, NULL


def _der(tag: int, body: bytes) -> bytes:
    n = len(body)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + body


def _integer(value: int) -> bytes:
    raw = value.to_bytes(value.bit_length() // 8 + 1, "big")
    return _der(0x02, raw)


def _time(when: dt.datetime) -> bytes:
    when = when.astimezone(dt.timezone.utc)
    if 1950 <= when.year < 2050:
        return _der(0x17, when.strftime("%y%m%d%H%M%SZ").encode())
    return _der(0x18, when.strftime("%Y%m%d%H%M%SZ").encode())


def make_v1_certificate(
    subject: x509.Name | str,
    public_key: PublicKey,
    issuer: x509.Name | str,
    issuer_key: PrivateKey,
    *,
    serial: int = 1,
    not_before: dt.datetime | None = None,
    days: int = 3650,
) -> x509.Certificate:
    """A version 1 certificate, like the seed's ``openssl x509 -req ... -CA`` output."""
    if isinstance(issuer_key, ec.EllipticCurvePrivateKey):
        algorithm = _der(0x30, _ECDSA_SHA256)
    elif isinstance(issuer_key, rsa.RSAPrivateKey):
        algorithm = _der(0x30, _RSA_SHA256)
    else:
        raise InputError("v1 certificates are made here with EC or RSA issuer keys only")
    start = (not_before or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0)
    tbs = _der(0x30, b"".join([
        _integer(serial),  # no [0] version field: that is what makes it v1
        algorithm,
        as_name(issuer).public_bytes(),
        _der(0x30, _time(start) + _time(start + dt.timedelta(days=days))),
        as_name(subject).public_bytes(),
        public_key.public_bytes(serialization.Encoding.DER,
                                serialization.PublicFormat.SubjectPublicKeyInfo),
    ]))
    if isinstance(issuer_key, ec.EllipticCurvePrivateKey):
        signature = issuer_key.sign(tbs, ec.ECDSA(hashes.SHA256()))
    else:
        signature = issuer_key.sign(tbs, padding.PKCS1v15(), hashes.SHA256())
    der = _der(0x30, tbs + algorithm + _der(0x03, b"\x00" + signature))
    return x509.load_der_x509_certificate(der)
