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
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

from ..errors import InputError
from ..facts import require_key_matches
from ..modes import server_mode

#: The private key objects ``cryptography`` loads (what ``load_private_key`` returns).
PRIVATE_KEY_TYPES = (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey, ed25519.Ed25519PrivateKey,
                     ed448.Ed448PrivateKey, dsa.DSAPrivateKey)

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


def certificates(source: Any, what: str = "CA certificate") -> list[x509.Certificate]:
    """Certificates given as objects, bytes or file paths, adapted by type (never guessed).

    Accepts an ``x509.Certificate``, a list or tuple of sources, PEM/DER bytes, a path,
    a :class:`~pkilab.ca.CertificateAuthority` (its own certificate), an
    :class:`~pkilab.ca.IssuedCertificate` (its full chain) or a
    :class:`~pkilab.certset.CertificateSet` (its root: what a client trusts).
    """
    from ..ca import CertificateAuthority, IssuedCertificate
    from ..certset import CertificateSet
    from ..load import load_certificates

    if isinstance(source, x509.Certificate):
        return [source]
    if isinstance(source, (bytes, str, os.PathLike)):
        return load_certificates(source if isinstance(source, bytes) else Path(source))
    if isinstance(source, CertificateSet):
        return [source.root.certificate]
    if isinstance(source, IssuedCertificate):
        return source.fullchain
    if isinstance(source, CertificateAuthority):
        return [source.certificate]
    if isinstance(source, (list, tuple)):
        return [cert for item in source for cert in certificates(item, what)]
    raise InputError(f"cannot use a {type(source).__name__} as {what}",
                     "pkilab reads certificates from objects, bytes or files",
                     "pass a path such as root.crt, an x509.Certificate, a CA, an "
                     "IssuedCertificate or a certificate set",
                     code="unsupported_certificate_source")


def certificates_pem(source: Any, what: str = "CA certificate") -> bytes:
    """PEM bytes of :func:`certificates` (same sources)."""
    return _pem(certificates(source, what))


def private_key(source: Any) -> Any:
    """A private key given as an object, bytes or a path."""
    if isinstance(source, (bytes, str, os.PathLike)):
        from ..load import load_private_key

        return load_private_key(source if isinstance(source, bytes) else Path(source))
    if isinstance(source, PRIVATE_KEY_TYPES):
        return source
    raise InputError(f"cannot use a {type(source).__name__} as a private key", "",
                     "pass a path such as client.key, or a private key object",
                     code="unsupported_key_source")


def key_pem(source: Any) -> bytes:
    """PEM bytes (PKCS#8, unencrypted) of a private key given as an object, bytes or a path."""
    return private_key(source).private_bytes(serialization.Encoding.PEM,
                                             serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption())


@dataclass(frozen=True)
class Identity:
    """A certificate chain (leaf first) and its private key, as PEM bytes."""

    chain_pem: bytes
    key_pem: bytes


def identity(cert: Any, key: Any = None) -> Identity:
    """The leaf (with any intermediates) and key a side presents during the handshake.

    ``cert`` is an :class:`~pkilab.ca.IssuedCertificate` (it carries its key) or any
    certificate source of :func:`certificates` with ``key`` beside it. A key that does
    not belong to the leaf is refused here (code ``key_mismatch``), before ``ssl`` sees it.
    """
    from ..ca import IssuedCertificate

    if key is None and isinstance(cert, IssuedCertificate):
        if cert.private_key is None:
            raise InputError("this certificate has no private key with it",
                             "it was signed from someone else's CSR",
                             "pass key= the requester's private key", code="missing_key")
        key = cert.private_key
    chain = certificates(cert, "certificate")
    if key is None:
        raise InputError("a certificate was given without its private key",
                         "the handshake proves ownership with a signature made by the key",
                         "pass key= (for example client.key)", code="missing_key")
    if not chain:
        raise InputError("no certificate was given", "", "pass a certificate such as "
                         "client.crt", code="no_certificate")
    key_object = private_key(key)
    require_key_matches(key_object, chain[0],
                        fix="pass the .key file made together with the .crt")
    return Identity(_pem(chain), key_pem(key_object))


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
    if reason in ("EE_KEY_TOO_SMALL", "CA_KEY_TOO_SMALL", "CA_MD_TOO_WEAK"):
        return InputError("OpenSSL refuses this certificate or key as too weak",
                          f"{reason} at the default security level 2 (RSA below 2048 bits, "
                          "SHA-1 signatures)", "issue it again with an EC or RSA-2048+ key",
                          code="weak_for_tls")
    return InputError("cannot use this certificate and key for TLS", reason or str(exc),
                      "check both files with: pkilab inspect FILE", code="unusable_for_tls")


def _load_cas(context: ssl.SSLContext, pem: bytes, what: str) -> None:
    """Trust the certificates in ``pem``; bytes that are not PEM certificates are an
    :class:`InputError` (``ssl`` would say "no start line")."""
    try:
        context.load_verify_locations(cadata=bytes(pem).decode("ascii"))
    except (ssl.SSLError, UnicodeDecodeError, TypeError, ValueError) as exc:
        raise InputError(f"the {what} certificates cannot be loaded",
                         f"they are not PEM certificates ({str(exc)[:80]})",
                         f"pass {what}= a certificate, a list of them, or a file such as "
                         "root.crt", code="not_pem_certificates") from None


def _pin(context: ssl.SSLContext, tls_version: str | None) -> None:
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if tls_version is None:
        return
    try:
        pinned = TLS_VERSIONS[str(tls_version)]
    except KeyError:
        raise InputError(f"unknown TLS version {tls_version!r}", "the lab speaks TLS 1.2 and 1.3",
                         'pass tls_version="1.2", "1.3" or None',
                         code="unknown_tls_version") from None
    context.minimum_version = context.maximum_version = pinned


def load_crls_into(context: ssl.SSLContext, crl_pem: bytes) -> None:
    """OpenSSL's own revocation check: the CRLs join the trust store, and
    ``VERIFY_CRL_CHECK_LEAF`` makes every handshake look the client's certificate up in
    its issuer's CRL (a revoked one fails with alert ``certificate_revoked``; an issuer
    without a CRL fails too: "unable to get certificate CRL").

    ``ssl`` reads CRLs only from files (``cadata`` takes certificates alone), so the
    PEM goes through a temporary file, removed once loaded. The store keeps a copy:
    a CRL written later is seen only by a new context (as nginx needs a reload).
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="pkilab-crl-") as folder:
        path = os.path.join(folder, "crl.pem")
        with open(path, "wb") as handle:
            handle.write(crl_pem)
        context.load_verify_locations(cafile=path)
    context.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF


def server_context(ident: Identity, *, mtls: str = "off", client_ca_pem: bytes | None = None,
                   tls_version: str | None = None, crl_pem: bytes | None = None
                   ) -> ssl.SSLContext:
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
                             "", "pass client_ca= (for example root.crt)",
                             code="no_client_ca")
        _load_cas(context, client_ca_pem, "client_ca")
        if crl_pem:
            load_crls_into(context, crl_pem)
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


def _der(cert: Any) -> bytes:
    # 3.13's public API returns DER bytes; the private one before it, _ssl.Certificate
    if isinstance(cert, (bytes, bytearray)):
        return bytes(cert)
    return cert.public_bytes(ssl._ssl.ENCODING_DER)  # type: ignore[attr-defined]


def peer_chain(obj: ssl.SSLObject | ssl.SSLSocket, verified: bool
               ) -> tuple[list[x509.Certificate], str]:
    """The peer's chain after a handshake, leaf first, and which kind it is.

    ``"verified"``: the path OpenSSL built, root included; ``"as sent"``: what the peer
    sent, unverified; ``"leaf only"``: an old Python without either API (the peer's own
    certificate alone). The chain methods are public since Python 3.13 and exist,
    privately, on the underlying ``_ssl`` object from 3.10.
    """
    method = "get_verified_chain" if verified else "get_unverified_chain"
    getter = getattr(obj, method, None)
    if getter is None:
        getter = getattr(getattr(obj, "_sslobj", None), method, None)
    if getter is not None:
        chain = getter() or []
        return ([x509.load_der_x509_certificate(_der(c)) for c in chain],
                "verified" if verified else "as sent")
    der = obj.getpeercert(binary_form=True)
    return ([x509.load_der_x509_certificate(der)] if der else []), "leaf only"
