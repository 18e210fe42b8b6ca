"""Loading certificates, CSRs and private keys from PEM or DER bytes, with clear errors.

``pkilab.formats`` recognises every format the seed names; this module is the small
core that verification and the certificate set need: certificates (one, or a PEM
bundle), CSRs and private keys, each turned into a :class:`~pkilab.errors.InputError`
that names the file when the bytes are not what was expected.
"""

from __future__ import annotations

import os

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from . import der, facts, pem
from .errors import InputError
from .files import read_input
from .keys import PrivateKey

_CERTIFICATE_LABELS = ("CERTIFICATE", "X509 CERTIFICATE")
_CSR_LABELS = ("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST")


def pem_labels(data: bytes) -> list[str]:
    """The labels of the PEM blocks in ``data`` ("CERTIFICATE", "PRIVATE KEY", ...)."""
    return pem.labels(data)


def refuse_trailing_bytes(data: bytes, origin: str = "the data") -> None:
    """Raise the one ``trailing_bytes`` error when bytes follow a DER structure.

    Data that is not DER at all passes: the library loader then says what it is not.
    """
    try:
        der.read_whole(data, origin)
    except der.DERError as exc:
        if exc.code == "trailing_bytes":
            raise


def _source(source: str | os.PathLike[str] | bytes, what: str) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, "the data"
    return read_input(source, what=what), repr(str(source))


def _first_block(data: bytes, origin: str, wanted: tuple[str, ...] | None
                 ) -> pem.PemBlock | None:
    """The first complete block whose label is in ``wanted`` (None: ends in PRIVATE KEY)."""
    for block in pem.find_blocks(data, origin=origin):
        fits = block.label in wanted if wanted else block.label.endswith("PRIVATE KEY")
        if fits and not block.problem:
            return block
    return None


def _der_certificate(data: bytes, origin: str, in_pem: bool) -> x509.Certificate:
    refuse_trailing_bytes(data, origin)
    try:
        certificate = x509.load_der_x509_certificate(data)
    except ValueError:
        if in_pem:
            raise InputError(f"{origin} has a damaged certificate",
                             "a BEGIN CERTIFICATE block does not decode (cut or edited "
                             "base64?)", "copy the file again, whole",
                             code="damaged_certificate") from None
        raise InputError(f"{origin} is not a certificate",
                         "it is neither PEM text nor a DER certificate",
                         "run 'pkilab inspect' on it to see what it is",
                         code="not_a_certificate") from None
    return facts.require_readable(certificate, origin)


def _pem_certificates(data: bytes, origin: str) -> list[x509.Certificate]:
    blocks = pem.find_blocks(data, origin=origin)
    wanted = [block for block in blocks if block.label in _CERTIFICATE_LABELS]
    if not wanted:
        found = ", ".join(sorted({b.label for b in blocks if b.closed})) or \
            "no complete PEM block"
        raise InputError(f"{origin} holds no certificate", f"it contains {found}",
                         "pass a .crt/.pem file with BEGIN CERTIFICATE blocks",
                         code="no_certificate")
    certificates = []
    for block in wanted:
        where = f"{origin} (line {block.line})"
        if block.problem:
            raise InputError(f"{where} has a damaged certificate", block.problem,
                             "copy the file again, whole", code="damaged_certificate")
        certificates.append(_der_certificate(block.der, where, in_pem=True))
    return certificates


def certificates_from_bytes(data: bytes, origin: str = "the data") -> list[x509.Certificate]:
    """Every certificate in PEM text (a bundle keeps its order) or one DER certificate.

    Refuses bytes after a DER certificate (code ``trailing_bytes``) and PEM text with
    more than :data:`pkilab.pem.MAX_BLOCKS` blocks (code ``too_many_blocks``).
    """
    if b"-----BEGIN" in data:
        return _pem_certificates(data, origin)
    return [_der_certificate(data, origin, in_pem=False)]


def load_certificates(source: str | os.PathLike[str] | bytes) -> list[x509.Certificate]:
    """Certificates from a file path or bytes, PEM (one or many) or DER."""
    data, origin = _source(source, "certificate file")
    return certificates_from_bytes(data, origin)


def load_certificate(source: str | os.PathLike[str] | bytes) -> x509.Certificate:
    """The first certificate in a file or bytes."""
    return load_certificates(source)[0]


def load_csr(source: str | os.PathLike[str] | bytes) -> x509.CertificateSigningRequest:
    """A certificate signing request from PEM (the first one) or DER."""
    data, origin = _source(source, "CSR file")
    if b"-----BEGIN" in data:
        block = _first_block(data, origin, _CSR_LABELS)
        body = block.der if block is not None else b""
    else:
        body = data
    refuse_trailing_bytes(body, origin)
    try:
        return x509.load_der_x509_csr(body)
    except ValueError:
        raise InputError(f"{origin} is not a certificate signing request",
                         "expected BEGIN CERTIFICATE REQUEST text or DER bytes",
                         "run 'pkilab inspect' on it to see what it is",
                         code="not_a_csr") from None


def load_private_key(source: str | os.PathLike[str] | bytes,
                     password: str | bytes | None = None) -> PrivateKey:
    """A private key from PEM (PKCS#8, PKCS#1, SEC1, encrypted; the first key block) or DER."""
    data, origin = _source(source, "key file")
    pw = password.encode() if isinstance(password, str) else password
    if b"-----BEGIN" in data:
        block = _first_block(data, origin, None)
        if block is None:
            raise InputError(f"{origin} is not a private key", "it has no complete BEGIN ... "
                             "PRIVATE KEY block", "run 'pkilab inspect' on it to see what it is",
                             code="not_a_key")
        data, loader = block.text, serialization.load_pem_private_key
    else:
        refuse_trailing_bytes(data, origin)
        loader = serialization.load_der_private_key
    try:
        return loader(data, password=pw)  # type: ignore[return-value]
    except TypeError as exc:
        if "encrypted" in str(exc) or "Password was not given" in str(exc):
            raise InputError(f"{origin} is an encrypted private key", "no password was given",
                             "pass --password", code="password_required") from None
        raise InputError(f"{origin} is not encrypted", "a password was given for a plain key",
                         "leave the password out", code="password_not_needed") from None
    except ValueError as exc:
        if pw is not None and b"ENCRYPTED" in data:
            raise InputError(f"cannot decrypt {origin}", "the password is wrong",
                             "check the password", code="wrong_password") from None
        raise InputError(f"{origin} is not a private key", str(exc).split("\n")[0],
                         "run 'pkilab inspect' on it to see what it is",
                         code="not_a_key") from None
    except Exception as exc:  # unsupported algorithms raise library-specific errors
        raise InputError(f"{origin} holds a key pkilab cannot use", str(exc),
                         code="unsupported_key") from None
