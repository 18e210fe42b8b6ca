"""Certificate signing requests: build one, check its proof of possession, read it.

A CSR carries the requester's public key and the name they ask for, signed with
their private key. The signature proves they hold that key ("proof of possession");
a CA checks it before issuing anything (:meth:`CertificateAuthority.sign_csr` does).
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from .errors import InputError, VerificationError
from .keys import PrivateKey, describe_key
from .names import as_name, format_subj
from .profiles import general_names


def build_csr(key: PrivateKey, subject: x509.Name | str | dict[str, str],
              names: Sequence[str] = ()) -> x509.CertificateSigningRequest:
    """A CSR for ``key`` asking for ``subject`` and (optionally) subjectAltName ``names``.

    Same as ``openssl req -new -key server.key -subj "/CN=..." -addext
    "subjectAltName=DNS:..."``. The seed's interactive prompts fill the same fields.
    """
    builder = x509.CertificateSigningRequestBuilder().subject_name(as_name(subject))
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(general_names(names)),
                                        critical=False)
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else (
        hashes.SHA384() if isinstance(key, ec.EllipticCurvePrivateKey)
        and key.curve.key_size >= 384 else hashes.SHA256())
    return builder.sign(key, algorithm)


def check_csr(csr: x509.CertificateSigningRequest) -> None:
    """Raise :class:`VerificationError` unless the CSR's own signature is valid.

    A bad signature means the request was edited after signing, or the requester does
    not hold the private key for the public key inside it.
    """
    try:
        valid = csr.is_signature_valid
    except Exception as exc:  # unsupported algorithms surface as library errors
        raise InputError("cannot check the CSR's signature", str(exc),
                         code="unsupported_algorithm") from None
    if not valid:
        raise VerificationError(
            f"the CSR for {format_subj(csr.subject)!r} has a bad signature",
            "it was changed after it was signed, or signed with another key "
            "(no proof that the requester holds the private key)",
            "ask for a fresh CSR made with: openssl req -new -key KEY.key",
            code="bad_csr_signature",
        )


def _extensions(csr: x509.CertificateSigningRequest) -> x509.Extensions:
    # cryptography parses a CSR's extensions lazily too (see pkilab.facts)
    try:
        return csr.extensions
    except (x509.DuplicateExtension, x509.UnsupportedGeneralNameType, ValueError,
            TypeError) as exc:
        raise InputError(f"the CSR for {format_subj(csr.subject)!r} is malformed",
                         f"its extensions cannot be read ({exc})",
                         "make a new CSR: no CA accepts this one",
                         code="malformed_extensions") from None


def requested_names(csr: x509.CertificateSigningRequest) -> list[str]:
    """The DNS names, IP addresses and emails asked for in the CSR's subjectAltName."""
    try:
        san = _extensions(csr).get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return [str(general_name.value) for general_name in san]


def describe_csr(csr: x509.CertificateSigningRequest) -> dict[str, object]:
    """What a CSR asks for, as plain data (a malformed one shows why, never raises)."""
    try:
        signature_ok = csr.is_signature_valid
    except Exception:
        signature_ok = False
    try:
        names = requested_names(csr)
        extensions = [ext.oid._name for ext in _extensions(csr)]
    except InputError as exc:
        names, extensions = [], [f"UNREADABLE: {exc.why}"]
    return {
        "subject": format_subj(csr.subject),
        "public_key": describe_key(csr.public_key()),
        "requested_names": names,
        "extensions": extensions,
        "signature_valid": signature_ok,
    }
