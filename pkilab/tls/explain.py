"""Why a TLS connection failed, in words: who refused whom, why, and what to do.

``ssl`` reports failures as terse OpenSSL codes (``CERTIFICATE_VERIFY_FAILED``,
``TLSV13_ALERT_CERTIFICATE_REQUIRED``) with C line numbers that change between Python
versions. :func:`explain_failure` turns them into a :class:`TLSConnectionError` with a
stable ``kind`` that code and tests can match on: a problem code from
:mod:`pkilab.problems` (``unknown_ca``, ``certificate_required``...), whose words
come from that table too. Pure functions: no sockets here.

Two sides can refuse. *Our* client refuses the server when its certificate does not
verify (``ssl.SSLCertVerificationError``: unknown CA, wrong name, expired...). The
*server* refuses us by sending an alert, which arrives as an ``SSLError`` whose reason
names the alert (``..._ALERT_UNKNOWN_CA``: it does not trust our certificate).
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Sequence

from cryptography import x509

from ..errors import TLSError
from ..names import short_name
from ..problems import words

_C_LINE = re.compile(r"\s*\(_ssl\.c:\d+\)")

class TLSConnectionError(TLSError):
    """A failed TLS connection; ``kind`` is its problem code (``"unknown_ca"``, ...),
    the same as ``code``.

    ``alert`` is the TLS alert the server sent, when there was one
    (``"certificate required"``); ``detail`` is the sanitized OpenSSL text.
    """

    def __init__(self, what: str, why: str = "", fix: str = "", *,
                 kind: str = "handshake_failure", alert: str | None = None,
                 detail: str = "") -> None:
        super().__init__(what, why, fix, code=kind)
        self.kind = kind
        self.alert = alert
        self.detail = detail


def sanitize(text: str) -> str:
    """Drop ``(_ssl.c:1006)`` and the like: the line numbers differ between Pythons."""
    return _C_LINE.sub("", text).strip()


def _make(kind: str, variant: str = "", *, alert: str | None = None, detail: str = "",
          **facts: object) -> TLSConnectionError:
    what, why, fix = words(kind, variant, detail=detail, **facts)
    return TLSConnectionError(what, why, fix, kind=kind, alert=alert, detail=detail)


# OpenSSL reason for an alert the peer sent -> the alert's name in RFC 8446 words.
ALERT_REASONS = {
    "TLSV13_ALERT_CERTIFICATE_REQUIRED": "certificate required",
    "SSLV3_ALERT_HANDSHAKE_FAILURE": "handshake failure",
    "TLSV1_ALERT_UNKNOWN_CA": "unknown CA",
    "SSLV3_ALERT_BAD_CERTIFICATE": "bad certificate",
    "SSLV3_ALERT_CERTIFICATE_EXPIRED": "certificate expired",
    "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE": "unsupported certificate",
    "SSLV3_ALERT_CERTIFICATE_UNKNOWN": "certificate unknown",
    "TLSV1_ALERT_DECRYPT_ERROR": "decrypt error",
    "TLSV1_ALERT_ACCESS_DENIED": "access denied",
    "TLSV1_ALERT_PROTOCOL_VERSION": "protocol version",
    "TLSV1_ALERT_INTERNAL_ERROR": "internal error",
    "SSLV3_ALERT_CERTIFICATE_REVOKED": "certificate revoked",
}

# The server's alert about our client certificate -> the variant of the words that fits.
_REJECTION_VARIANTS = {
    "unknown CA": "unknown_ca", "certificate expired": "expired",
    "unsupported certificate": "unsupported", "bad certificate": "",
    "certificate unknown": "", "access denied": "", "decrypt error": "",
    "certificate revoked": "revoked",
}

# X509 verify codes (OpenSSL's X509_V_ERR_*) for the server's certificate.
_VERIFY_KINDS = {
    2: "missing_intermediate",   # unable to get issuer certificate
    10: "expired",
    9: "not_yet_valid",
    18: "unknown_ca",            # self-signed certificate
    19: "unknown_ca",            # self-signed certificate in certificate chain
    20: "missing_intermediate",  # unable to get local issuer certificate (refined below)
    21: "missing_intermediate",  # unable to verify the first certificate
    62: "hostname_mismatch",
    64: "hostname_mismatch",     # IP address mismatch
}
# The wording of a verify code in the client's words (the chain checker's is the main one).
_TLS_VARIANT = {"missing_intermediate": "tls", "expired": "tls", "not_yet_valid": "tls"}


def explain_failure(exc: ssl.SSLError, *, stage: str = "handshake", host: str = "?",
                    ca_given: bool = True, cert_given: bool = False,
                    tls_version: str | None = None, negotiated: str | None = None,
                    sent_chain: Sequence[x509.Certificate] | None = None,
                    trusted: Sequence[x509.Certificate] = ()) -> TLSConnectionError:
    """Turn an ``ssl`` exception into a :class:`TLSConnectionError` with a ``kind``.

    ``stage`` is where it happened: ``"handshake"`` or ``"reply"`` (the first read, where
    TLS 1.3 servers reject client certificates). The other arguments are facts about
    the attempt that sharpen the advice; ``sent_chain`` is what the server sent and
    ``trusted`` the roots we were given, used to tell "unknown CA" from "missing
    intermediate" (OpenSSL says "unable to get local issuer certificate" for both).
    """
    detail = sanitize(getattr(exc, "verify_message", None) or getattr(exc, "reason", None)
                      or str(exc))
    facts = {"host": host}
    if isinstance(exc, ssl.SSLCertVerificationError):
        code = exc.verify_code
        kind = _VERIFY_KINDS.get(code, "bad_server_certificate")
        if code == 20 and not ca_given:
            kind = "unknown_ca"
        if kind == "missing_intermediate" and ca_given:
            kind, variant, facts = _which_link_is_missing(sent_chain, trusted, host)
            return _make(kind, variant, detail=detail, **facts)
        variant = "sent_root" if code == 19 else _TLS_VARIANT.get(kind, "")
        return _make(kind, variant, detail=detail, **facts)
    reason = getattr(exc, "reason", None) or ""
    alert = ALERT_REASONS.get(reason)
    if isinstance(exc, ssl.SSLEOFError) or reason == "UNEXPECTED_EOF_WHILE_READING":
        if stage == "reply" and not cert_given:
            return _make("closed_after_handshake", detail=detail, **facts)
        return _make("connection_reset",
                     detail="it closed the connection in the middle of the handshake", **facts)
    if alert == "certificate required":
        return _make("certificate_required", alert=alert, detail=detail, **facts)
    if alert == "handshake failure" and not cert_given:
        return _make("certificate_required", "tls12", alert=alert, detail=detail, **facts)
    if alert in _REJECTION_VARIANTS and cert_given:
        return _make("client_certificate_rejected", _REJECTION_VARIANTS[alert], alert=alert,
                     detail=detail, **facts)
    if alert == "protocol version" or reason in ("UNSUPPORTED_PROTOCOL", "NO_PROTOCOLS_AVAILABLE",
                                                 "TLSV1_ALERT_PROTOCOL_VERSION"):
        offered = f"TLS {tls_version}" if tls_version else "TLS 1.2 and 1.3"
        return _make("protocol_version", alert=alert,
                     detail=f"we offered {offered}; the server wants another", **facts)
    if reason in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG",
                  "HTTP_REQUEST", "UNKNOWN_PROTOCOL"):
        return _make("not_tls", detail=f"its first bytes are not a TLS record ({detail})",
                     **facts)
    return _make("handshake_failure", alert=alert, detail=detail, **facts)


def _which_link_is_missing(sent_chain: Sequence[x509.Certificate] | None,
                           trusted: Sequence[x509.Certificate], host: str
                           ) -> tuple[str, str, dict[str, object]]:
    """Refine "unable to get local issuer certificate" by looking at what was sent:
    (kind, variant of its words, facts for them)."""
    if not sent_chain:
        return "missing_intermediate", "tls", {
            "host": host, "also": " (or it comes from a CA you did not pass in ca=; OpenSSL "
            "says 'unable to get local issuer certificate' for both)"}
    top = sent_chain[-1]
    names = {"host": host, "issuer": short_name(top.issuer), "top": short_name(top.subject)}
    if len(sent_chain) == 1:
        return "missing_intermediate", "tls_leaf_only", names
    same_name = any(c.subject == top.issuer for c in trusted)
    return "unknown_ca", "same_name" if same_name else "foreign", names


def explain_os_error(exc: OSError, *, stage: str, address: str = "?", host: str = "?",
                     cert_given: bool = False, **_facts: object) -> TLSConnectionError:
    """Socket-level failures: nobody listening, a timeout, a reset."""
    if isinstance(exc, ConnectionRefusedError):
        return _make("connection_refused", address=address, host=host)
    if isinstance(exc, (TimeoutError, OSError)) and "timed out" in str(exc):
        return _make("timeout", detail=f"no answer during the {stage}", host=host)
    if isinstance(exc, (ConnectionResetError, BrokenPipeError)):
        if stage == "reply" and not cert_given:
            return _make("closed_after_handshake", detail=exc.strerror or "", host=host)
        return _make("connection_reset",
                     detail=f"{exc.strerror or 'reset'} during the {stage}", host=host)
    err = _make("network", address=address, detail=sanitize(exc.strerror or str(exc)))
    err.detail = sanitize(str(exc))
    return err
