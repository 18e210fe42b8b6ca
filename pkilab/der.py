"""A small, strict DER reader: tag, length, value.

DER (the binary form inside every PEM file) is a tree of TLV elements: one tag byte
(``0x30`` SEQUENCE, ``0x02`` INTEGER, ``0xa0`` the context tag ``[0]`` ...), a length
(one byte below 128; else ``0x81``/``0x82`` and the length bytes), then the value,
which for constructed types is more elements. Two users: :mod:`pkilab.formats` peeks
at the first elements to tell binary formats apart without a password, and
:mod:`pkilab.viz.anatomy` shows which bytes make which part of a certificate. Nothing
here raises anything but :class:`DERError` (an :class:`~pkilab.errors.InputError`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InputError

SEQUENCE, SET, INTEGER, OCTET_STRING = 0x30, 0x31, 0x02, 0x04
OID, NULL, BIT_STRING = 0x06, 0x05, 0x03


UNIVERSAL = {1: "BOOLEAN", 2: "INTEGER", 3: "BIT STRING", 4: "OCTET STRING", 5: "NULL",
             6: "OBJECT IDENTIFIER", 12: "UTF8String", 16: "SEQUENCE", 17: "SET",
             19: "PrintableString", 20: "T61String", 22: "IA5String", 23: "UTCTime",
             24: "GeneralizedTime", 30: "BMPString"}


class DERError(InputError):
    """The bytes are not well-formed DER (or not the structure that was expected)."""

    default_code = "malformed_der"


@dataclass(frozen=True)
class Element:
    """One DER element: its ``tag``, its ``raw`` bytes (header and value), the
    ``header`` length, and ``end``, the offset just after it in the data it came from."""

    tag: int
    raw: bytes
    header: int
    end: int

    @property
    def content(self) -> bytes:
        """The value bytes, without tag and length."""
        return self.raw[self.header:]

    @property
    def constructed(self) -> bool:
        return bool(self.tag & 0x20)

    @property
    def tag_name(self) -> str:
        """``SEQUENCE``, ``INTEGER``, ``[3]`` (context-specific), ..."""
        number = self.tag & 0x1F
        if self.tag & 0xC0 == 0x80:
            return f"[{number}]"
        if self.tag & 0xC0 == 0:
            return UNIVERSAL.get(number, f"universal {number}")
        return f"tag 0x{self.tag:02x}"

    def children(self) -> list[Element]:
        """The elements inside a constructed element (SEQUENCE, SET, [n])."""
        if not self.constructed:
            raise DERError("not a constructed element")
        return read_all(self.content)

    def oid(self) -> str:
        """The dotted text of an OBJECT IDENTIFIER element."""
        if self.tag != OID or not self.content:
            raise DERError("not an object identifier")
        return decode_oid(self.content)

    def integer(self) -> int:
        if self.tag != INTEGER or not self.content:
            raise DERError("not an integer")
        return int.from_bytes(self.content, "big", signed=True)


def read(data: bytes, offset: int = 0) -> Element:
    """The DER element that starts at ``offset``."""
    if offset + 2 > len(data):
        raise DERError("data ends inside an element header")
    tag = data[offset]
    if tag & 0x1F == 0x1F:
        raise DERError("multi-byte tags are not used by these formats")
    first = data[offset + 1]
    pos = offset + 2
    if first < 0x80:
        length = first
    elif first == 0x80:
        raise DERError("indefinite length (BER, not DER)")
    else:
        count = first & 0x7F
        if count > 4 or pos + count > len(data):
            raise DERError("impossible length")
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    end = pos + length
    if end > len(data):
        raise DERError(f"element claims {length} bytes but only {len(data) - pos} follow "
                       "(the file looks cut short)")
    return Element(tag, bytes(data[offset:end]), pos - offset, end)


def read_all(data: bytes) -> list[Element]:
    """Every element in ``data``, one after the other."""
    out, pos = [], 0
    while pos < len(data):
        element = read(data, pos)
        out.append(element)
        pos = element.end
    return out


def read_whole(data: bytes, origin: str | None = None) -> Element:
    """The single element that fills ``data`` exactly.

    This is pkilab's one rule for bytes after a DER structure: they are refused
    (:class:`DERError` code ``trailing_bytes``) by every loader, as ``cryptography``
    refuses them (``openssl x509 -inform der`` ignores them). ``origin`` (a file name)
    makes the message a full what/why/fix; without it the message is a short phrase
    that callers use as a "why".
    """
    element = read(data)
    extra = len(data) - element.end
    if extra:
        if origin is None:
            raise DERError(f"{extra} extra bytes after the first element",
                           code="trailing_bytes")
        raise DERError(f"{origin} has {extra} extra byte(s) after its DER structure",
                       "DER is exactly one structure; cryptography (and so pkilab) refuses "
                       "anything after it, while OpenSSL's command line ignores it: a file "
                       "can seem fine in one tool and fail in another",
                       "cut the file to its DER structure (e.g. openssl x509 -inform der "
                       "-in FILE -outform der -out FIXED.der) or fetch it again",
                       code="trailing_bytes")
    return element


def decode_oid(content: bytes) -> str:
    values, current = [], 0
    for byte in content:
        current = (current << 7) | (byte & 0x7F)
        if not byte & 0x80:
            values.append(current)
            current = 0
    if current or not values:
        raise DERError("object identifier ends mid-value")
    first = values[0]
    head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    return ".".join(str(v) for v in head + values[1:])


#: Object identifiers pkilab names when it explains a file.
OID_NAMES = {
    "1.2.840.113549.1.7.1": "data",
    "1.2.840.113549.1.7.2": "signedData",
    "1.2.840.113549.1.7.6": "encryptedData",
    "1.2.840.113549.1.1.1": "RSA",
    "1.2.840.10045.2.1": "EC",
    "1.3.101.112": "Ed25519",
    "1.3.101.113": "Ed448",
    "1.2.840.10040.4.1": "DSA",
    "1.2.840.113549.1.12.1.1": "pbeWithSHAAnd128BitRC4",
    "1.2.840.113549.1.12.1.2": "pbeWithSHAAnd40BitRC4",
    "1.2.840.113549.1.12.1.3": "3DES (pbeWithSHAAnd3-KeyTripleDES-CBC)",
    "1.2.840.113549.1.12.1.4": "pbeWithSHAAnd2-KeyTripleDES-CBC",
    "1.2.840.113549.1.12.1.5": "RC2-128 (pbeWithSHAAnd128BitRC2-CBC)",
    "1.2.840.113549.1.12.1.6": "RC2-40 (pbeWithSHAAnd40BitRC2-CBC)",
    "1.2.840.113549.1.5.13": "PBES2",
    "1.2.840.113549.1.5.12": "PBKDF2",
    "2.16.840.1.101.3.4.1.2": "AES-128-CBC",
    "2.16.840.1.101.3.4.1.22": "AES-192-CBC",
    "2.16.840.1.101.3.4.1.42": "AES-256-CBC",
    "1.2.840.113549.3.7": "DES-EDE3-CBC",
    "1.3.14.3.2.26": "SHA-1",
    "2.16.840.1.101.3.4.2.1": "SHA-256",
    "2.16.840.1.101.3.4.2.2": "SHA-384",
    "2.16.840.1.101.3.4.2.3": "SHA-512",
    "1.2.840.113549.1.12.10.1.1": "keyBag",
    "1.2.840.113549.1.12.10.1.2": "pkcs8ShroudedKeyBag",
    "1.2.840.113549.1.12.10.1.3": "certBag",
    "1.2.840.113549.1.12.10.1.4": "crlBag",
    "1.2.840.113549.1.12.10.1.5": "secretBag",
    "1.2.840.113549.1.12.10.1.6": "safeContentsBag",
}

#: PKCS#12 encryption schemes that OpenSSL 3 only reads with ``-legacy``.
LEGACY_PBE = {"1.2.840.113549.1.12.1.1", "1.2.840.113549.1.12.1.2",
              "1.2.840.113549.1.12.1.5", "1.2.840.113549.1.12.1.6"}


def oid_name(oid: str) -> str:
    return OID_NAMES.get(oid, oid)
