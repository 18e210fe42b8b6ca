"""Loading certificates, CSRs and private keys from PEM or DER bytes, with clear errors.

``pkilab.formats`` recognises every format the seed names; this module is the small
core that verification and the certificate set need: certificates (one, or a PEM
bundle), CSRs and private keys, each turned into a :class:`~pkilab.errors.InputError`
that names the file when the bytes are not what was expected.
"""

from __future__ import annotations

import os
import re

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .errors import InputError
from .files import read_input
from .keys import PrivateKey

_PEM_BLOCK = re.compile(
    rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", re.DOTALL)


def pem_labels(data: bytes) -> list[str]:
    """The labels of the PEM blocks in ``data`` ("CERTIFICATE", "PRIVATE KEY", ...)."""
    return [m.group(1).decode("ascii") for m in _PEM_BLOCK.finditer(data)]


def _source(source: str | os.PathLike[str] | bytes, what: str) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, "the data"
    return read_input(source, what=what), repr(str(source))


def certificates_from_bytes(data: bytes, origin: str = "the data") -> list[x509.Certificate]:
    """Every certificate in PEM text (a bundle keeps its order) or one DER certificate."""
    if b"-----BEGIN" in data:
        labels = pem_labels(data)
        if "CERTIFICATE" not in labels:
            found = ", ".join(sorted(set(labels))) or "no complete PEM block"
            raise InputError(f"{origin} holds no certificate", f"it contains {found}",
                             "pass a .crt/.pem file with BEGIN CERTIFICATE blocks")
        try:
            return x509.load_pem_x509_certificates(data)
        except ValueError:
            raise InputError(f"{origin} has a damaged certificate",
                             "a BEGIN CERTIFICATE block does not decode (cut or edited base64?)",
                             "copy the file again, whole") from None
    try:
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise InputError(f"{origin} is not a certificate",
                         "it is neither PEM text nor a DER certificate",
                         "run 'pkilab inspect' on it to see what it is") from None


def load_certificates(source: str | os.PathLike[str] | bytes) -> list[x509.Certificate]:
    """Certificates from a file path or bytes, PEM (one or many) or DER."""
    data, origin = _source(source, "certificate file")
    return certificates_from_bytes(data, origin)


def load_certificate(source: str | os.PathLike[str] | bytes) -> x509.Certificate:
    """The first certificate in a file or bytes."""
    return load_certificates(source)[0]


def load_csr(source: str | os.PathLike[str] | bytes) -> x509.CertificateSigningRequest:
    data, origin = _source(source, "CSR file")
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_csr(data)
        return x509.load_der_x509_csr(data)
    except ValueError:
        raise InputError(f"{origin} is not a certificate signing request",
                         "expected BEGIN CERTIFICATE REQUEST text or DER bytes",
                         "run 'pkilab inspect' on it to see what it is") from None


def load_private_key(source: str | os.PathLike[str] | bytes,
                     password: str | bytes | None = None) -> PrivateKey:
    """A private key from PEM (PKCS#8, PKCS#1, SEC1, encrypted) or DER."""
    data, origin = _source(source, "key file")
    pw = password.encode() if isinstance(password, str) else password
    loader = (serialization.load_pem_private_key if b"-----BEGIN" in data
              else serialization.load_der_private_key)
    try:
        return loader(data, password=pw)  # type: ignore[return-value]
    except TypeError as exc:
        if "encrypted" in str(exc) or "Password was not given" in str(exc):
            raise InputError(f"{origin} is an encrypted private key", "no password was given",
                             "pass --password") from None
        raise InputError(f"{origin} is not encrypted", "a password was given for a plain key",
                         "leave the password out") from None
    except ValueError as exc:
        if pw is not None and b"ENCRYPTED" in data:
            raise InputError(f"cannot decrypt {origin}", "the password is wrong",
                             "check the password") from None
        raise InputError(f"{origin} is not a private key", str(exc).split("\n")[0],
                         "run 'pkilab inspect' on it to see what it is") from None
    except Exception as exc:  # unsupported algorithms raise library-specific errors
        raise InputError(f"{origin} holds a key pkilab cannot use", str(exc)) from None
