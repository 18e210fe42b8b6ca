"""Reproduce the seed's mistakes on purpose, without openssl: version 1 certificates, and
a server certificate that names its host only in the Common Name.

``openssl x509 -req`` without ``-extfile`` writes X.509 v1 certificates: no
extensions at all, so no CA flag, no subjectAltName, no key identifiers. cryptography
only builds v3, so this module writes the few DER bytes of a v1 certificate by hand.
Lessons use it to show what verifiers say about the seed's chain; nothing else should.

The seed's server certificate also has no subjectAltName: its host name is only the CN.
Python's ``ssl`` and curl still fall back to the CN then; browsers and pkilab's client
do not. :func:`make_cn_only_server_certificate` makes such a certificate to show it.
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
        raise InputError("v1 certificates are made here with EC or RSA issuer keys only", "",
                         "issue from an EC or RSA CA", code="unsupported_key_kind")
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


def make_cn_only_server_certificate(
    common_name: str,
    public_key: PublicKey,
    issuer: x509.Certificate,
    issuer_key: PrivateKey,
    *,
    serial: int = 2,
    not_before: dt.datetime | None = None,
    days: int = 3650,
) -> x509.Certificate:
    """A v3 server certificate for ``common_name`` without a subjectAltName (the seed's).

    Everything else is as a server certificate should be (CA:FALSE, digitalSignature,
    serverAuth, key identifiers), so the missing SAN is the only thing a client can
    object to. The signature is deterministic for EC issuers (lesson outputs repeat).
    """
    start = (not_before or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME,
                                                           common_name)]))
               .issuer_name(issuer.subject)
               .public_key(public_key)
               .serial_number(serial)
               .not_valid_before(start)
               .not_valid_after(start + dt.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
               .add_extension(x509.KeyUsage(True, False, False, False, False, False, False,
                                            False, False), True)
               .add_extension(x509.ExtendedKeyUsage([x509.ExtendedKeyUsageOID.SERVER_AUTH]),
                              False)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   issuer.public_key()), False))  # type: ignore[arg-type]
    if isinstance(issuer_key, ec.EllipticCurvePrivateKey):
        return builder.sign(issuer_key, hashes.SHA256(), ecdsa_deterministic=True)
    if isinstance(issuer_key, rsa.RSAPrivateKey):
        return builder.sign(issuer_key, hashes.SHA256())
    raise InputError("CN-only certificates are made here with EC or RSA issuer keys only",
                     "", "issue from an EC or RSA CA", code="unsupported_key_kind")
