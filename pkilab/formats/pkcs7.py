"""PKCS#7 certificate bundles (.p7b, .p7c): certificates only, no keys, no guaranteed order.

Windows and some CAs hand out chains as PKCS#7 "degenerate signed data": a SET OF
certificates with no signature. A SET OF has no order of its own, and writers differ:
``openssl crl2pkcs7`` keeps the order it was given (usually leaf -> root), while
strict-DER writers -- cryptography, and so pkilab's :func:`export` -- sort the
certificates by their encoding. cryptography reads OpenSSL's unsorted files too, after
a warning (``InvalidSetOrdering``) that pkilab silences and explains instead
(:func:`order_note`). Either way the order says nothing: :func:`load` puts the
certificates back leaf -> root.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7 as _pkcs7

from ..errors import InputError
from ._quiet import quiet_set_ordering
from .bundle import order_leaf_to_root


def export(certificates: list[x509.Certificate], *, pem: bool = False) -> bytes:
    """A .p7b with ``certificates`` (DER by default, ``-----BEGIN PKCS7-----`` if ``pem``).

    Holds the same certificates as ``openssl crl2pkcs7 -nocrl -certfile fullchain.crt
    -outform DER -out x.p7b``, but sorted by encoding (strict DER), not in the order given.
    """
    if not certificates:
        raise InputError("no certificates to put in a PKCS#7 bundle", "",
                         "pass a certificate or a full-chain file", code="no_certificate")
    encoding = serialization.Encoding.PEM if pem else serialization.Encoding.DER
    return _pkcs7.serialize_certificates(certificates, encoding)


def read(data: bytes, origin: str = "the data") -> list[x509.Certificate]:
    """The certificates of a PKCS#7 bundle (PEM or DER) in the order the file stores them."""
    loader = (_pkcs7.load_pem_pkcs7_certificates if b"-----BEGIN" in data
              else _pkcs7.load_der_pkcs7_certificates)
    try:
        with quiet_set_ordering():
            return loader(data)
    except Exception as exc:  # ValueError, or UnsupportedAlgorithm for signed data
        raise InputError(f"{origin} is not a readable PKCS#7 certificate bundle",
                         str(exc).split("\n")[0][:160] or "it does not parse",
                         "run 'pkilab inspect' on it to see what it is",
                         code="damaged_file") from None


def load(data: bytes, origin: str = "the data") -> list[x509.Certificate]:
    """The certificates of a PKCS#7 bundle (PEM or DER), ordered leaf -> root."""
    return order_leaf_to_root(read(data, origin))


def order_note(stored: list[x509.Certificate]) -> str:
    """What the order inside a .p7b (``stored``, as :func:`read` returns it) means."""
    head = "PKCS#7 stores the certificates as a SET OF, which has no order of its own: "
    tail = "; shown leaf -> root"
    if len(stored) < 2:
        return head + "nothing to order here"
    encodings = [c.public_bytes(serialization.Encoding.DER) for c in stored]
    if order_leaf_to_root(stored) == stored:
        return (head + "this file lists them leaf -> root, as 'openssl crl2pkcs7' does when "
                "given a full chain (it keeps the order it was given); strict-DER writers "
                "such as cryptography sort them by encoding instead" + tail)
    if encodings == sorted(encodings):
        return (head + "this file has them sorted by encoding, as strict-DER writers "
                "(cryptography, pkilab) write them; 'openssl crl2pkcs7' would have kept "
                "the order it was given" + tail)
    return (head + "this file keeps some other order ('openssl crl2pkcs7' keeps the order "
            "it was given, whatever that was)" + tail)
