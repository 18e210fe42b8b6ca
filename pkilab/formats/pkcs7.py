"""PKCS#7 certificate bundles (.p7b, .p7c): certificates only, no keys, no order.

Windows and some CAs hand out chains as PKCS#7 "degenerate signed data": a SET OF
certificates with no signature. DER's SET OF is sorted by encoding, so the order a
bundle was written in is lost (FINDINGS); :func:`load` puts it back leaf -> root.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7 as _pkcs7

from ..errors import InputError
from .bundle import order_leaf_to_root


def export(certificates: list[x509.Certificate], *, pem: bool = False) -> bytes:
    """A .p7b with ``certificates`` (DER by default, ``-----BEGIN PKCS7-----`` if ``pem``).

    Same as ``openssl crl2pkcs7 -nocrl -certfile fullchain.crt -outform DER -out x.p7b``.
    """
    if not certificates:
        raise InputError("no certificates to put in a PKCS#7 bundle", "",
                         "pass a certificate or a full-chain file")
    encoding = serialization.Encoding.PEM if pem else serialization.Encoding.DER
    return _pkcs7.serialize_certificates(certificates, encoding)


def load(data: bytes, origin: str = "the data") -> list[x509.Certificate]:
    """The certificates of a PKCS#7 bundle (PEM or DER), ordered leaf -> root."""
    loader = (_pkcs7.load_pem_pkcs7_certificates if b"-----BEGIN" in data
              else _pkcs7.load_der_pkcs7_certificates)
    try:
        certificates = loader(data)
    except Exception as exc:  # ValueError, or UnsupportedAlgorithm for signed data
        raise InputError(f"{origin} is not a readable PKCS#7 certificate bundle",
                         str(exc).split("\n")[0][:160] or "it does not parse",
                         "run 'pkilab inspect' on it to see what it is") from None
    return order_leaf_to_root(certificates)
