"""Load whatever a file holds -- certificates, keys, CSRs, CRLs -- from any format.

:func:`load_any` is what ``pkilab inspect`` and ``pkilab convert`` read with: it asks
:func:`~pkilab.formats.identify.identify` what the bytes are, opens them with the
right loader (and the password, if one is needed), and checks the traps on the way:
a key that does not match its certificate, a chain in the wrong order, a PKCS#12
without a password, a legacy RC2 file.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .. import der, facts, pem
from ..errors import InputError, PkilabError
from ..keys import PrivateKey, PublicKey
from ..pem import PemBlock
from . import bundle, pkcs7
from . import jks as _jks
from . import pkcs12 as _pkcs12
from ._quiet import quiet_serials, serial_problem
from .identify import Identified, identify


@dataclass
class Contents:
    """Everything read from one file.

    ``identified``: what the file is (:class:`Identified`: kind, description, blocks).
    ``certificates``: in file order; a PKCS#7 bundle is re-ordered leaf -> root, a
    PKCS#12 or JKS key entry gives the key's certificate first, then its chain.
    ``friendly_names``: one per certificate: the PKCS#12 friendly name or JKS alias,
    else None. ``private_keys`` with ``key_names`` (the same, one per key).
    ``csrs``, ``crls``, ``public_keys``: other objects found.
    ``notes``: facts worth showing (what the order inside a PKCS#7 means, "pass
    --password to read the key", "serial number is negative").
    ``warnings``: problems of the file itself, the traps a user must fix: a key that
    does not match, a chain upside down, a PKCS#12 holding a key without a password,
    RC2 encryption, a JKS key with its own password, a damaged or mislabelled block,
    bytes after the DER. (``pkilab inspect`` exits 1 when there is any.)
    """

    identified: Identified
    certificates: list[x509.Certificate] = field(default_factory=list)
    friendly_names: list[str | None] = field(default_factory=list)
    private_keys: list[PrivateKey] = field(default_factory=list)
    key_names: list[str | None] = field(default_factory=list)
    csrs: list[x509.CertificateSigningRequest] = field(default_factory=list)
    crls: list[x509.CertificateRevocationList] = field(default_factory=list)
    public_keys: list[PublicKey] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.identified.kind

    def add_certificate(self, certificate: x509.Certificate, name: str | None = None) -> None:
        facts.require_readable(certificate)
        self.certificates.append(certificate)
        self.friendly_names.append(name)

    def add_key(self, key: PrivateKey, name: str | None = None) -> None:
        self.private_keys.append(key)
        self.key_names.append(name)

    def is_empty(self) -> bool:
        return not (self.certificates or self.private_keys or self.csrs or self.crls or
                    self.public_keys)


def load_any(data: bytes, password: str | bytes | None = None,
             name: str | None = None, *, locked_ok: bool = False) -> Contents:
    """Read every object from ``data``, whatever its format; raise :class:`InputError`
    (naming ``name``, e.g. the file path) when it cannot, saying why and what to do.

    ``password`` opens PKCS#12 files, JKS stores and encrypted keys; it is ignored
    (with a note) when nothing needs it. Without it, what it protects cannot be read:
    an :class:`InputError` -- or, with ``locked_ok=True`` (what ``pkilab inspect``
    uses), a note saying to pass the password, and the rest of the file is read. A
    missing password is not a problem *of the file*, so it never becomes a warning.
    Only pkilab errors leave this function.
    """
    origin = repr(str(name)) if name else "the data"
    try:
        with quiet_serials():
            return _load(bytes(data), password, name, origin, locked_ok)
    except PkilabError:
        raise
    except Exception as exc:  # last line of defence: a library error becomes a pkilab one
        raise InputError(f"pkilab could not read {origin}",
                         f"{type(exc).__name__}: {str(exc)[:120]}".rstrip(": "),
                         "run 'pkilab inspect' on it; if it should work, report it",
                         code="unreadable") from None


def _load(data: bytes, password: str | bytes | None, name: str | None,
          origin: str, locked_ok: bool = False) -> Contents:
    found = identify(data, name)
    if not found.loadable:
        _refuse(found, origin)
    contents = Contents(found)
    contents.warnings += found.warnings
    kind = found.kind
    if kind.startswith(("der-", "pkcs")):
        der.read_whole(data, origin)  # the one rule: no bytes after a DER structure
    if password is None and locked_ok and found.needs_password and \
            kind in _LOCKED_WITHOUT_PASSWORD:
        contents.notes.append(_LOCKED_WITHOUT_PASSWORD[kind])
        return contents
    if kind.startswith("pem-"):
        _load_pem(contents, password, origin, locked_ok)
    elif kind == "base64-der":
        decoded = base64.b64decode(b"".join(data.split()))
        inner = _load(decoded, password, name, origin, locked_ok)
        inner.identified = found
        inner.notes.insert(0, "base64 without BEGIN/END lines: decoded it as DER")
        return inner
    elif kind == "pkcs12":
        _load_pkcs12(contents, data, password, origin)
    elif kind == "pkcs7-der":
        _load_pkcs7(contents, data, origin)
    elif kind in ("jks", "jceks"):
        _load_jks(contents, data, password, origin)
    else:
        _load_der_object(contents, kind, data, password, origin)
    if password is not None and not found.needs_password and found.needs_password is not None:
        contents.notes.append("a password was given but nothing in the file needs one")
    _check_traps(contents)
    return contents


#: What a file shows without its password, for kinds that show nothing at all.
_LOCKED_WITHOUT_PASSWORD = {
    "pkcs12": "password-protected: its certificates and key are encrypted; pass "
              "--password PW to list them",
    "der-encrypted-pkcs8-key": "an encrypted private key: pass --password PW to read it",
}


def _refuse(found: Identified, origin: str) -> None:
    if found.kind in ("damaged-pem", "damaged-der"):
        problems = "; ".join(found.warnings) or found.hint
        raise InputError(f"{origin} is damaged: {found.description}", problems,
                         "copy or download the file again, whole", code="damaged_file")
    if found.kind == "too-many-blocks":
        raise pem.too_many_blocks(pem.MAX_BLOCKS + 1, pem.MAX_BLOCKS, origin)
    raise InputError(f"{origin} is not a certificate, key or keystore pkilab can read",
                     f"it is {found.description}", found.hint or "check you picked the "
                     "right file", code="unknown_format")


# --- PEM ------------------------------------------------------------------------------

def _load_pem(contents: Contents, password: str | bytes | None, origin: str,
              locked_ok: bool = False) -> None:
    for block in contents.identified.blocks:
        where = f"{origin} (line {block.line}, {block.label})"
        if block.problem:
            raise InputError(f"{origin} has a damaged PEM block at line {block.line}",
                             block.problem, "copy the file again, whole, including the "
                             "BEGIN and END lines", code="damaged_pem")
        label = block.label
        try:
            if label == "TRUSTED CERTIFICATE":
                # OpenSSL's TRUSTED CERTIFICATE appends trust settings after the DER: by
                # design, so these are not "trailing bytes"
                first = block.der[:der.read(block.der).end]
                contents.add_certificate(x509.load_der_x509_certificate(first))
            elif label in ("CERTIFICATE", "X509 CERTIFICATE"):
                der.read_whole(block.der, where)
                contents.add_certificate(x509.load_der_x509_certificate(block.der))
            elif label in ("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"):
                der.read_whole(block.der, where)
                contents.csrs.append(x509.load_der_x509_csr(block.der))
            elif label == "X509 CRL":
                der.read_whole(block.der, where)
                contents.crls.append(x509.load_der_x509_crl(block.der))
            elif label in ("PUBLIC KEY", "RSA PUBLIC KEY"):
                contents.public_keys.append(
                    serialization.load_pem_public_key(block.text))  # type: ignore[arg-type]
            elif label in ("PKCS7", "CMS"):
                _load_pkcs7(contents, block.text, where)
            elif label.endswith("PRIVATE KEY"):
                if block.encrypted and password is None and locked_ok:
                    contents.notes.append(f"line {block.line}: an encrypted private key: "
                                          "pass --password PW to read it")
                    continue
                contents.add_key(_private_key(block, password, where))
            else:
                contents.notes.append(f"line {block.line}: skipped a {label} block")
        except PkilabError:
            raise
        except (ValueError, der.DERError) as exc:
            raise InputError(f"{where} does not decode",
                             f"the base64 is fine but the content is not a valid {label} "
                             f"({str(exc).splitlines()[0][:100]})",
                             "copy the file again; if it was edited by hand, restore it",
                             code="damaged_file") from None


def _private_key(block: PemBlock, password: str | bytes | None, where: str) -> PrivateKey:
    pw = password.encode() if isinstance(password, str) else password
    if block.encrypted and not pw:
        raise InputError(f"{where} is an encrypted private key", "no password was given",
                         "pass --password (or --in-password for convert)",
                         code="password_required")
    try:
        return serialization.load_pem_private_key(  # type: ignore[return-value]
            block.text, password=pw if block.encrypted else None)
    except ValueError as exc:
        if block.encrypted:
            raise InputError(f"cannot decrypt {where}", "the password is wrong",
                             "check the password", code="wrong_password") from None
        raise InputError(f"{where} is not a valid private key",
                         str(exc).splitlines()[0][:120], code="not_a_key") from None
    except Exception as exc:
        raise InputError(f"{where} holds a key pkilab cannot use",
                         str(exc).splitlines()[0][:120] if str(exc) else "",
                         code="unsupported_key") from None


# --- DER, PKCS#7, PKCS#12, JKS --------------------------------------------------------

def _load_pkcs7(contents: Contents, data: bytes, origin: str) -> None:
    stored = pkcs7.read(data, origin)
    for cert in bundle.order_leaf_to_root(stored):
        contents.add_certificate(cert)
    contents.notes.append(pkcs7.order_note(stored))


def _load_der_object(contents: Contents, kind: str, data: bytes,
                     password: str | bytes | None, origin: str) -> None:
    loaders: dict[str, Any] = {
        "der-certificate": lambda: contents.add_certificate(
            x509.load_der_x509_certificate(data)),
        "der-csr": lambda: contents.csrs.append(x509.load_der_x509_csr(data)),
        "der-crl": lambda: contents.crls.append(x509.load_der_x509_crl(data)),
        "der-public-key": lambda: contents.public_keys.append(
            serialization.load_der_public_key(data)),
        "der-pkcs1-public-key": lambda: contents.public_keys.append(
            serialization.load_pem_public_key(
                b"-----BEGIN RSA PUBLIC KEY-----\n" + base64.encodebytes(data) +
                b"-----END RSA PUBLIC KEY-----\n")),
    }
    if kind in loaders:
        try:
            loaders[kind]()
        except ValueError as exc:
            raise InputError(f"{origin} does not decode", str(exc).splitlines()[0][:120],
                             "copy the file again, whole", code="damaged_file") from None
        return
    # a DER private key, maybe encrypted
    encrypted = kind == "der-encrypted-pkcs8-key"
    pw = password.encode() if isinstance(password, str) else password
    if encrypted and not pw:
        raise InputError(f"{origin} is an encrypted private key", "no password was given",
                         "pass --password (or --in-password for convert)",
                         code="password_required")
    try:
        contents.add_key(serialization.load_der_private_key(  # type: ignore[arg-type]
            data, password=pw if encrypted else None))
    except ValueError as exc:
        if encrypted:
            raise InputError(f"cannot decrypt {origin}", "the password is wrong",
                             "check the password", code="wrong_password") from None
        raise InputError(f"{origin} is not a valid private key",
                         str(exc).splitlines()[0][:120], code="not_a_key") from None


def _load_pkcs12(contents: Contents, data: bytes, password: str | bytes | None,
                 origin: str) -> None:
    loaded = _pkcs12.load(data, password, origin)
    if loaded.certificate is not None:
        contents.add_certificate(loaded.certificate, loaded.key_name)
    for cert in loaded.additional:
        der_bytes = cert.public_bytes(serialization.Encoding.DER)
        contents.add_certificate(cert, loaded.names.get(der_bytes))
    if loaded.key is not None:
        contents.add_key(loaded.key, loaded.key_name)
    if loaded.structure.java_trusted:
        contents.notes.append("Java trusted-certificate entries: this PKCS#12 is a truststore")
    elif loaded.key is None:
        contents.notes.append("no private key: keytool lists these certificates only if they "
                              "carry Java's trusted-certificate mark (keytool -importcert adds "
                              "it, openssl does not); for Java, prefer a JKS truststore")


def _load_jks(contents: Contents, data: bytes, password: str | bytes | None,
              origin: str) -> None:
    loaded = _jks.load(data, password, origin)
    for entry in loaded.entries:
        for i, cert in enumerate(entry.certificates):
            contents.add_certificate(cert, entry.alias if i == 0 else None)
        if entry.key is not None:
            contents.add_key(entry.key, entry.alias)
        contents.notes.append(f"entry {entry.alias!r}: {entry.kind}" + (
            f" with a chain of {len(entry.certificates)}" if entry.kind == "private key"
            else ""))
    if not loaded.verified:
        contents.notes.append("no store password given: integrity not checked")
    contents.notes += loaded.notes
    contents.warnings += loaded.warnings


# --- traps ----------------------------------------------------------------------------

def _check_traps(contents: Contents) -> None:
    certs, keys = contents.certificates, contents.private_keys
    kind = contents.kind
    for index, certificate in enumerate(certs, 1):
        problem = serial_problem(certificate)
        if problem:
            which = f"certificate {index}" if len(certs) > 1 else "the certificate"
            contents.notes.append(f"{which}: {problem}")
    if kind.startswith("pem") and len(certs) > 1:
        problem = bundle.order_problem(certs)
        if problem:
            contents.warnings.append(problem)
    if keys and certs and kind in ("pem-bundle", "pkcs12"):
        for key in keys:
            owner = next((c for c in certs if facts.key_matches(key, c)), None)
            if owner is None:
                contents.warnings.append("the private key does not match any certificate in "
                                         "the file: a server using this pair fails with "
                                         "'key values mismatch'")
            elif owner is not certs[0]:
                contents.warnings.append("the private key belongs to a certificate that is not "
                                         "first in the file; put the key's certificate first")
    if kind == "pkcs12" and contents.identified.needs_password is False:
        # identify() could only say "if it holds a key"; now we know.
        contents.warnings = [w for w in contents.warnings if "opens without a password" not in w]
        if keys:
            contents.warnings.append("this PKCS#12 holds a private key but has no password: "
                                     "keytool lists 0 entries and browsers refuse it; "
                                     "re-export it with --password")
