"""A tiny DER reader/writer for tests: edit a certificate's TBS and sign it again.

cryptography's builder refuses what these tests need (an extension twice, a
GeneralizedTime with a fraction of a second), so the tests build a good certificate
and change its bytes. Only what certificates use: definite lengths, one-byte tags.
"""

from __future__ import annotations

from collections.abc import Callable

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding

SAN_OID = b"\x06\x03\x55\x1d\x11"


def tlv(tag: int, content: bytes) -> bytes:
    """One DER element."""
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        body = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(body)]) + body
    return bytes([tag]) + length + content


def read(data: bytes) -> tuple[int, bytes, bytes]:
    """(tag, content, what follows) of the first element of ``data``."""
    tag, first = data[0], data[1]
    if first < 0x80:
        start, length = 2, first
    else:
        count = first & 0x7F
        start, length = 2 + count, int.from_bytes(data[2:2 + count], "big")
    return tag, data[start:start + length], data[start + length:]


def items(content: bytes) -> list[bytes]:
    """The elements inside a SEQUENCE's content, each as its full DER bytes."""
    out = []
    while content:
        _, _, rest = read(content)
        out.append(content[:len(content) - len(rest)])
        content = rest
    return out


def resign(certificate: x509.Certificate, key: ec.EllipticCurvePrivateKey,
           edit: Callable[[list[bytes]], list[bytes]]) -> x509.Certificate:
    """``certificate`` with its TBS elements changed by ``edit``, signed again by ``key``
    (an EC key; the signature algorithm stays ecdsa-with-SHA256)."""
    _, outer, _ = read(certificate.public_bytes(Encoding.DER))
    tbs_der, algorithm, _signature = items(outer)
    _, tbs_content, _ = read(tbs_der)
    tbs = tlv(0x30, b"".join(edit(items(tbs_content))))
    signature = key.sign(tbs, ec.ECDSA(hashes.SHA256()))
    return x509.load_der_x509_certificate(
        tlv(0x30, tbs + algorithm + tlv(0x03, b"\x00" + signature)))


def duplicate_san(tbs: list[bytes]) -> list[bytes]:
    """Edit: the subjectAltName extension appears twice."""
    _, wrapper, _ = read(tbs[-1])
    _, extension_list, _ = read(wrapper)
    extensions = items(extension_list)
    san = next(e for e in extensions if SAN_OID in e)
    return [*tbs[:-1], tlv(0xA3, tlv(0x30, b"".join([*extensions, san])))]


def not_after_text(text: bytes) -> Callable[[list[bytes]], list[bytes]]:
    """Edit: notAfter becomes the GeneralizedTime ``text`` (e.g. b"20270101000000.5Z")."""
    def edit(tbs: list[bytes]) -> list[bytes]:
        _, validity, _ = read(tbs[4])
        not_before, _ = items(validity)
        return [*tbs[:4], tlv(0x30, not_before + tlv(0x18, text)), *tbs[5:]]
    return edit
