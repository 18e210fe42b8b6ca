"""Certificate facts: the one home of the small questions every module asks.

"Does it have this extension?", "is it a CA?", "which key ids?", "did this issuer sign
it?", "is this the key of that certificate?", "its fingerprint" — each is answered here
once, with one way of handling broken certificates, and everything else calls it.

This module sits at the bottom of pkilab: it imports nothing above ``cryptography``
except :mod:`pkilab.errors`.

``cryptography`` parses extensions lazily, so a certificate with two subjectAltName
extensions, or with bytes that are not an IP address inside name constraints, loads
fine and fails only when its extensions are read (``DuplicateExtension``, ``ValueError``,
``TypeError``). :func:`extension_defect` says what is wrong in words; :func:`extension`
raises it as a :class:`~pkilab.errors.InputError` with code ``malformed_extensions``,
and the ``*_or_none`` helpers treat a broken certificate as having no such extension
(for drawing and guessing, never for deciding trust).
"""

from __future__ import annotations

from typing import Any, TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes

from .errors import InputError

E = TypeVar("E", bound=x509.ExtensionType)

# the private key kinds a certificate's key pair can have (X25519/X448 cannot sign)
_PRIVATE_KEYS = (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey,
                 ed448.Ed448PrivateKey, dsa.DSAPrivateKey)

# What cryptography raises when it parses a certificate's extensions.
_EXTENSION_ERRORS = (x509.DuplicateExtension, x509.UnsupportedGeneralNameType, ValueError,
                     TypeError)


# ---- extensions ------------------------------------------------------------------------

def extension_defect(certificate: x509.Certificate) -> str | None:
    """Why ``certificate``'s extensions cannot be read, or None when they can."""
    try:
        for ext in certificate.extensions:
            _ = ext.value
    except x509.DuplicateExtension as exc:
        return f"it carries the extension {exc.oid.dotted_string} twice (RFC 5280 forbids it)"
    except _EXTENSION_ERRORS as exc:
        return f"one of its extensions is malformed ({exc})"
    return None


def extensions(certificate: x509.Certificate) -> x509.Extensions:
    """All extensions, or an :class:`InputError` (``malformed_extensions``) saying why not."""
    try:
        return certificate.extensions
    except _EXTENSION_ERRORS:
        raise _defect_error(certificate) from None


def _find(certificate: x509.Certificate, kind: type[E]) -> x509.Extension[E] | None:
    try:
        return certificate.extensions.get_extension_for_class(kind)
    except x509.ExtensionNotFound:
        return None
    except _EXTENSION_ERRORS:
        raise _defect_error(certificate) from None


def extension(certificate: x509.Certificate, kind: type[E]) -> E | None:
    """The value of ``certificate``'s extension of class ``kind``, or None when absent.

    Raises :class:`InputError` (code ``malformed_extensions``) when the extensions cannot
    be parsed: a verifier must not mistake a broken extension for a missing one.
    """
    found = _find(certificate, kind)
    return found.value if found is not None else None


def extension_or_none(certificate: x509.Certificate, kind: type[E]) -> E | None:
    """Like :func:`extension`, but a malformed certificate counts as "absent".

    For pictures, guesses and summaries only; checks use :func:`extension`.
    """
    try:
        return extension(certificate, kind)
    except InputError:
        return None


def is_critical(certificate: x509.Certificate, kind: type[x509.ExtensionType]) -> bool:
    """True when ``certificate`` has an extension of class ``kind`` marked critical."""
    found = _find(certificate, kind)
    return found is not None and found.critical


def _subject(certificate: x509.Certificate) -> str:
    # RFC 4514 text from cryptography itself: facts sits below pkilab.names.
    try:
        return repr(certificate.subject.rfc4514_string())
    except ValueError:
        return "(a certificate whose subject does not decode)"


def _defect_error(certificate: x509.Certificate) -> InputError:
    return InputError(f"the certificate {_subject(certificate)} is malformed",
                      extension_defect(certificate) or "its extensions cannot be parsed",
                      "re-issue it: no verifier accepts a certificate like this",
                      code="malformed_extensions")


# ---- fields parsed on first use ------------------------------------------------------

def field_defect(certificate: x509.Certificate) -> str | None:
    """Why ``certificate``'s names or public key cannot be read, or None when they can.

    Like extensions, cryptography decodes the subject, the issuer and the public key
    only when they are first used, so a damaged field would surface long after loading.
    Loaders call this once, so every later use can rely on those fields.
    """
    for field, read in (("subject", lambda: certificate.subject),
                        ("issuer", lambda: certificate.issuer),
                        ("public key", certificate.public_key)):
        try:
            read()
        except ValueError as exc:
            return f"its {field} does not decode ({str(exc)[:80]})"
        except Exception as exc:  # UnsupportedAlgorithm: a key type cryptography lacks
            if field == "public key" and type(exc).__name__ == "UnsupportedAlgorithm":
                continue  # readable, only not usable: inspect can still describe it
            return f"its {field} does not decode ({type(exc).__name__})"
    return None


def require_readable(certificate: x509.Certificate, origin: str = "the data"
                     ) -> x509.Certificate:
    """``certificate`` when its names and public key decode; else an InputError
    (code ``malformed_certificate``)."""
    defect = field_defect(certificate)
    if defect is not None:
        raise InputError(f"{origin} holds a damaged certificate", defect,
                         "copy the file again, whole; pkilab inspect shows what it is",
                         code="malformed_certificate")
    return certificate


# ---- what a certificate is -------------------------------------------------------------

def is_ca(certificate: x509.Certificate) -> bool:
    """True when basicConstraints says CA:TRUE (a malformed certificate is not a CA)."""
    bc = extension_or_none(certificate, x509.BasicConstraints)
    return bool(bc and bc.ca)


def path_length(certificate: x509.Certificate) -> int | None:
    """basicConstraints' pathLenConstraint: how many CAs may follow below; None = no limit."""
    bc = extension_or_none(certificate, x509.BasicConstraints)
    return bc.path_length if bc is not None else None


def subject_key_id(certificate: x509.Certificate) -> bytes | None:
    ski = extension_or_none(certificate, x509.SubjectKeyIdentifier)
    return ski.digest if ski is not None else None


def authority_key_id(certificate: x509.Certificate) -> bytes | None:
    aki = extension_or_none(certificate, x509.AuthorityKeyIdentifier)
    return aki.key_identifier if aki is not None else None


def subject_alt_names(certificate: x509.Certificate) -> list[x509.GeneralName]:
    """The subjectAltName entries (empty when there is none or it is unreadable)."""
    san = extension_or_none(certificate, x509.SubjectAlternativeName)
    return list(san) if san is not None else []


def names_issuer(child: x509.Certificate, parent: x509.Certificate) -> bool:
    """True when ``parent``'s name (and key id, when both carry one) matches ``child``'s
    issuer: a name check, not a signature check (see :func:`signed_by`)."""
    if child.issuer != parent.subject:
        return False
    aki, ski = authority_key_id(child), subject_key_id(parent)
    return aki is None or ski is None or aki == ski


def signed_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    """True when ``issuer``'s key made ``certificate``'s signature (names must match too)."""
    try:
        certificate.verify_directly_issued_by(issuer)
        return True
    except (ValueError, TypeError, InvalidSignature, x509.UnsupportedGeneralNameType):
        return False


def is_self_issued(certificate: x509.Certificate) -> bool:
    """Subject equals issuer (and key ids agree): what a root looks like, by name."""
    return names_issuer(certificate, certificate)


def is_self_signed(certificate: x509.Certificate) -> bool:
    """Self-issued and its own key verifies its signature."""
    return certificate.subject == certificate.issuer and signed_by(certificate, certificate)


# ---- identity of certificates and keys ------------------------------------------------

def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 fingerprint as colon-separated hex, like ``openssl x509 -fingerprint``."""
    return certificate.fingerprint(hashes.SHA256()).hex(":").upper()


def same_certificate(a: x509.Certificate, b: x509.Certificate) -> bool:
    """True when two objects are the same certificate (the same DER bytes)."""
    return a.fingerprint(hashes.SHA256()) == b.fingerprint(hashes.SHA256())


def unique(certificates: list[x509.Certificate]) -> list[x509.Certificate]:
    """The certificates without repeats (a bundle may list one twice), order kept."""
    seen: set[bytes] = set()
    out: list[x509.Certificate] = []
    for certificate in certificates:
        digest = certificate.fingerprint(hashes.SHA256())
        if digest not in seen:
            seen.add(digest)
            out.append(certificate)
    return out


def public_key_of(key: PrivateKeyTypes | PublicKeyTypes) -> PublicKeyTypes:
    """The public half of a private key; a public key as it is."""
    return key.public_key() if isinstance(key, _PRIVATE_KEYS) else key  # type: ignore[return-value]


def _spki(key: Any) -> bytes:
    return public_key_of(key).public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)


def same_public_key(a: Any, b: Any) -> bool:
    """True when two keys (private or public, or a certificate's) belong to one key pair."""
    if isinstance(a, x509.Certificate):
        a = a.public_key()
    if isinstance(b, x509.Certificate):
        b = b.public_key()
    return _spki(a) == _spki(b)


def key_matches(key: Any, certificate: x509.Certificate) -> bool:
    """True when ``key`` is the private half of ``certificate``'s public key."""
    return same_public_key(key, certificate.public_key())


def require_key_matches(key: Any, certificate: x509.Certificate, *,
                        key_name: str = "the private key",
                        certificate_name: str | None = None,
                        fix: str = "use the key that was made together with this certificate"
                        ) -> None:
    """Raise the one "key does not belong" error (code ``key_mismatch``) unless it does."""
    if key_matches(key, certificate):
        return
    shown = certificate_name or _subject(certificate)
    raise InputError(f"{key_name} does not belong to {shown}",
                     "its public half differs from the certificate's public key", fix,
                     code="key_mismatch")
