"""``ssl`` contexts for the lab's server and client, built from certificate objects or files.

Two facts shape this module:

* ``SSLContext.load_cert_chain`` only reads files, so a chain and key held in memory
  are written to a private temporary folder (mode 0600), loaded, and deleted at once.
* The client always verifies with ``VERIFY_X509_STRICT`` (Python 3.13's default), so a
  certificate that only passes lax checks fails here as it would in new clients.
"""

from __future__ import annotations

import os
import ssl
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ..errors import InputError
from ..modes import server_mode

#: The TLS versions a learner can pin: "1.2" or "1.3" (None lets the two sides agree).
TLS_VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}
#: How the server treats client certificates: the three nginx ``ssl_verify_client`` modes.
MTLS_MODES = {"off": ssl.CERT_NONE, "required": ssl.CERT_REQUIRED, "on": ssl.CERT_OPTIONAL}


def version_name(version: str | None) -> str:
    """``"TLSv1.3"`` (what ``ssl`` says) -> ``"TLS 1.3"`` (what the lessons print)."""
    if not version:
        return "?"
    return version.replace("TLSv", "TLS ")


def _pem(certificates: Iterable[x509.Certificate]) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def certificates_pem(source: Any, what: str = "CA certificate") -> bytes:
    """PEM bytes for one or more certificates given as objects, bytes or file paths.

    Accepts an ``x509.Certificate``, a list of them, PEM/DER bytes, a path, a
    :class:`~pkilab.ca.CertificateAuthority` (its own certificate), an
    :class:`~pkilab.ca.IssuedCertificate` (its full chain) or a certificate set (its root).
    """
    from ..load import load_certificates

    if isinstance(source, x509.Certificate):
        return _pem([source])
    if isinstance(source, (bytes, str, os.PathLike)):
        return _pem(load_certificates(source if isinstance(source, bytes) else Path(source)))
    if hasattr(source, "fullchain") and hasattr(source, "root") and \
            hasattr(source, "intermediate1"):  # a CertificateSet: trust its root
        return _pem([source.root.certificate])
    if hasattr(source, "fullchain"):  # IssuedCertificate
        return _pem(source.fullchain)
    if hasattr(source, "certificate") and hasattr(source, "private_key"):  # a CA
        return _pem([source.certificate])
    if isinstance(source, (list, tuple)):
        return b"".join(certificates_pem(item, what) for item in source)
    raise InputError(f"cannot use a {type(source).__name__} as {what}", "",
                     "pass a path such as root.crt, or an x509.Certificate")


def key_pem(source: Any) -> bytes:
    """PEM bytes of a private key given as an object, bytes or a path."""
    if isinstance(source, (bytes, str, os.PathLike)):
        from ..load import load_private_key

        source = load_private_key(source if isinstance(source, bytes) else Path(source))
    if hasattr(source, "private_bytes"):
        return source.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    raise InputError(f"cannot use a {type(source).__name__} as a private key", "",
                     "pass a path such as client.key, or a private key object")


@dataclass(frozen=True)
class Identity:
    """A certificate chain (leaf first) and its private key, as PEM bytes."""

    chain_pem: bytes
    key_pem: bytes


def identity(cert: Any, key: Any = None) -> Identity:
    """The leaf (with any intermediates) and key a side presents during the handshake."""
    if key is None and hasattr(cert, "private_key") and hasattr(cert, "fullchain"):
        if cert.private_key is None:
            raise InputError("this certificate has no private key with it",
                             "it was signed from someone else's CSR",
                             "pass key= the requester's private key")
        key = cert.private_key
    if key is None:
        raise InputError("a certificate was given without its private key",
                         "the handshake proves ownership with a signature made by the key",
                         "pass key= (for example client.key)")
    return Identity(certificates_pem(cert, "certificate"), key_pem(key))


def load_identity(context: ssl.SSLContext, ident: Identity) -> None:
    """``load_cert_chain`` from memory, through 0600 files that exist only for a moment."""
    with tempfile.TemporaryDirectory(prefix="pkilab-tls-") as folder:
        cert_file = os.path.join(folder, "chain.pem")
        key_file = os.path.join(folder, "key.pem")
        for path, data in ((cert_file, ident.chain_pem), (key_file, ident.key_pem)):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        try:
            context.load_cert_chain(cert_file, key_file)
        except ssl.SSLError as exc:
            raise _identity_error(exc) from None


def _identity_error(exc: ssl.SSLError) -> InputError:
    reason = getattr(exc, "reason", "") or ""
    if reason == "KEY_VALUES_MISMATCH":
        return InputError("the private key does not belong to the certificate",
                          "its public half differs from the key inside the certificate",
                          "pass the .key file made together with the .crt")
    if reason in ("EE_KEY_TOO_SMALL", "CA_KEY_TOO_SMALL", "CA_MD_TOO_WEAK"):
        return InputError("OpenSSL refuses this certificate or key as too weak",
                          f"{reason} at the default security level 2 (RSA below 2048 bits, "
                          "SHA-1 signatures)", "issue it again with an EC or RSA-2048+ key")
    return InputError("cannot use this certificate and key for TLS", reason or str(exc),
                      "check both files with: pkilab inspect FILE")


def _load_cas(context: ssl.SSLContext, pem: bytes, what: str) -> None:
    """Trust the certificates in ``pem``; bytes that are not PEM certificates are an
    :class:`InputError` (``ssl`` would say "no start line")."""
    try:
        context.load_verify_locations(cadata=bytes(pem).decode("ascii"))
    except (ssl.SSLError, UnicodeDecodeError, TypeError, ValueError) as exc:
        raise InputError(f"the {what} certificates cannot be loaded",
                         f"they are not PEM certificates ({str(exc)[:80]})",
                         f"pass {what}= a certificate, a list of them, or a file such as "
                         "root.crt") from None


def _pin(context: ssl.SSLContext, tls_version: str | None) -> None:
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if tls_version is None:
        return
    try:
        pinned = TLS_VERSIONS[str(tls_version)]
    except KeyError:
        raise InputError(f"unknown TLS version {tls_version!r}", "the lab speaks TLS 1.2 and 1.3",
                         'pass tls_version="1.2", "1.3" or None') from None
    context.minimum_version = context.maximum_version = pinned


def server_context(ident: Identity, *, mtls: str = "off", client_ca_pem: bytes | None = None,
                   tls_version: str | None = None) -> ssl.SSLContext:
    """A server context: our chain and key; with mTLS, the CAs whose clients we accept.

    ``client_ca_pem`` holds the root *and* the intermediates that issued client
    certificates: clients (curl ``--cert client.crt``) usually send only their leaf, so the
    server needs the intermediates to build the path. Only the self-signed root is a trust
    anchor; partial chains are not accepted.
    """
    mtls = server_mode(mtls)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    _pin(context, tls_version)
    load_identity(context, ident)
    context.verify_mode = MTLS_MODES[mtls]
    if mtls != "off":
        if not client_ca_pem:
            raise InputError("mutual TLS needs the CA that issued the client certificates",
                             "", "pass client_ca= (for example root.crt)")
        _load_cas(context, client_ca_pem, "client_ca")
    return context


def client_context(*, ca_pem: bytes | None, ident: Identity | None = None,
                   tls_version: str | None = None, insecure: bool = False) -> ssl.SSLContext:
    """A client context that verifies the server strictly (``VERIFY_X509_STRICT``).

    ``ca_pem`` None means the system's trust store (which does not know a lab root).
    ``insecure`` is ``curl -k``: encryption without knowing who is on the other end.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    _pin(context, tls_version)
    context.verify_flags |= ssl.VERIFY_X509_STRICT
    # Python (and curl) still match the CN when a certificate has no subjectAltName;
    # browsers do not, and neither does pkilab: a host name must be in the SAN.
    context.hostname_checks_common_name = False
    if ca_pem is None:
        context.load_default_certs()
    else:
        _load_cas(context, ca_pem, "ca")
    if insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if ident is not None:
        load_identity(context, ident)
    return context
