"""Why a TLS connection failed, in words: who refused whom, why, and what to do.

``ssl`` reports failures as terse OpenSSL codes (``CERTIFICATE_VERIFY_FAILED``,
``TLSV13_ALERT_CERTIFICATE_REQUIRED``) with C line numbers that change between Python
versions. :func:`explain_failure` turns them into a :class:`TLSConnectionError` with a
stable ``kind`` that code and tests can match on. Pure functions: no sockets here.

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

_C_LINE = re.compile(r"\s*\(_ssl\.c:\d+\)")

#: kind -> (what, why, fix). ``{host}`` is filled in.
_KINDS: dict[str, tuple[str, str, str]] = {
    "unknown-ca": (
        "we refused the server's certificate: it was not issued by a CA we trust",
        "the chain it sent does not lead to any root in our trust store",
        "pass the root that issued it, ca=root.crt (curl --cacert root.crt); -k would hide "
        "the problem, not solve it"),
    "missing-intermediate": (
        "we refused the server's certificate: we cannot link it to our root",
        "the server sent its certificate without the intermediates that connect it to "
        "root.crt",
        "serve fullchain.crt (server.crt + intermediates), not server.crt alone"),
    "hostname-mismatch": (
        "we refused the server's certificate: it is not for {host!r}",
        "the name we connected to is not in its subjectAltName",
        "connect with a name the certificate lists (pkilab inspect server.crt shows them), "
        "or issue a certificate that includes it"),
    "expired": (
        "we refused the server's certificate: it has expired",
        "its notAfter date is in the past",
        "renew it (the same key may be reused) and restart the server"),
    "not-yet-valid": (
        "we refused the server's certificate: it is not valid yet",
        "its notBefore date is in the future (or this computer's clock is behind)",
        "check the clock, or issue it with an earlier start date"),
    "bad-server-certificate": (
        "we refused the server's certificate",
        "{detail}",
        "inspect it: pkilab inspect server.crt; pkilab verify shows each check"),
    "certificate-required": (
        "the server refused us: it requires a client certificate and we sent none",
        "the server runs mutual TLS (nginx ssl_verify_client on)",
        "pass cert=client.crt and key=client.key (curl --cert client.crt --key client.key)"),
    "client-certificate-rejected": (
        "the server refused our client certificate",
        "{detail}",
        "use a client certificate issued by a CA the server trusts, still valid, with "
        "extendedKeyUsage clientAuth"),
    "closed-after-handshake": (
        "the server closed the connection right after the handshake",
        "with TLS 1.3 the server checks our certificate after our side of the handshake is "
        "done; its 'certificate required' alert can be lost when it closes quickly, so we "
        "only see the connection end",
        "if the server runs mutual TLS, pass cert=client.crt and key=client.key"),
    "protocol-version": (
        "no TLS version both sides accept",
        "{detail}",
        "drop the tls_version pin, or pin the version the server speaks"),
    "not-tls": (
        "the other side does not speak TLS",
        "{detail}",
        "check the port: is it an https:// server? (http:// servers answer in plain text)"),
    "handshake-failure": (
        "the handshake failed",
        "{detail}",
        "compare both sides' settings; pkilab.trace shows the messages exchanged"),
    "connection-refused": (
        "nothing is listening at {address}",
        "the connection was refused",
        "start the server first (and use the port it printed)"),
    "timeout": (
        "the server did not answer in time",
        "{detail}",
        "check that the server is running and the port is right"),
    "connection-reset": (
        "the server cut the connection",
        "{detail}",
        "the server's log or events say why (a mutual-TLS server drops clients without a "
        "valid certificate)"),
}


class TLSConnectionError(TLSError):
    """A failed TLS connection; ``kind`` is a stable label (``"unknown-ca"``, ...).

    ``alert`` is the TLS alert the server sent, when there was one
    (``"certificate required"``); ``detail`` is the sanitized OpenSSL text.
    """

    def __init__(self, what: str, why: str = "", fix: str = "", *, kind: str = "other",
                 alert: str | None = None, detail: str = "") -> None:
        super().__init__(what, why, fix)
        self.kind = kind
        self.alert = alert
        self.detail = detail


def sanitize(text: str) -> str:
    """Drop ``(_ssl.c:1006)`` and the like: the line numbers differ between Pythons."""
    return _C_LINE.sub("", text).strip()


def _make(kind: str, *, alert: str | None = None, detail: str = "", **facts: object
          ) -> TLSConnectionError:
    what, why, fix = _KINDS[kind]
    values = {"host": facts.get("host", "?"), "address": facts.get("address", "?"),
              "detail": detail}
    return TLSConnectionError(what.format(**values), why.format(**values),
                              fix.format(**values), kind=kind, alert=alert, detail=detail)


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

# X509 verify codes (OpenSSL's X509_V_ERR_*) for the server's certificate.
_VERIFY_KINDS = {
    2: "missing-intermediate",   # unable to get issuer certificate
    10: "expired",
    9: "not-yet-valid",
    18: "unknown-ca",            # self-signed certificate
    19: "unknown-ca",            # self-signed certificate in certificate chain
    20: "missing-intermediate",  # unable to get local issuer certificate (refined below)
    21: "missing-intermediate",  # unable to verify the first certificate
    62: "hostname-mismatch",
    64: "hostname-mismatch",     # IP address mismatch
}


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
        kind = _VERIFY_KINDS.get(code, "bad-server-certificate")
        if code == 20 and not ca_given:
            kind = "unknown-ca"
        err = _make(kind, detail=detail, **facts)
        if kind == "missing-intermediate" and ca_given:
            _which_link_is_missing(err, sent_chain, trusted)
        return err
    reason = getattr(exc, "reason", None) or ""
    alert = ALERT_REASONS.get(reason)
    if isinstance(exc, ssl.SSLEOFError) or reason == "UNEXPECTED_EOF_WHILE_READING":
        if stage == "reply" and not cert_given:
            return _make("closed-after-handshake", detail=detail, **facts)
        return _make("connection-reset",
                     detail="it closed the connection in the middle of the handshake", **facts)
    if alert == "certificate required":
        return _make("certificate-required", alert=alert, detail=detail, **facts)
    if alert == "handshake failure" and not cert_given:
        err = _make("certificate-required", alert=alert, detail=detail, **facts)
        err.why = ("the server runs mutual TLS; in TLS 1.2 it ends the handshake with a "
                   "'handshake failure' alert when no client certificate comes")
        return err
    if alert in ("unknown CA", "bad certificate", "certificate expired", "certificate unknown",
                 "unsupported certificate", "access denied", "decrypt error",
                 "certificate revoked") and cert_given:
        why = {
            "unknown CA": "its alert says 'unknown CA': our certificate was not issued by a "
                          "CA it trusts",
            "certificate expired": "its alert says 'certificate expired'",
            "unsupported certificate": "its alert says 'unsupported certificate' (is the "
                                       "extendedKeyUsage clientAuth?)",
        }.get(alert, f"its alert says {alert!r}")
        return TLSConnectionError(_KINDS["client-certificate-rejected"][0], why,
                                  _KINDS["client-certificate-rejected"][2],
                                  kind="client-certificate-rejected", alert=alert,
                                  detail=detail)
    if alert == "protocol version" or reason in ("UNSUPPORTED_PROTOCOL", "NO_PROTOCOLS_AVAILABLE",
                                                 "TLSV1_ALERT_PROTOCOL_VERSION"):
        offered = f"TLS {tls_version}" if tls_version else "TLS 1.2 and 1.3"
        return _make("protocol-version", alert=alert,
                     detail=f"we offered {offered}; the server wants another", **facts)
    if reason in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG",
                  "HTTP_REQUEST", "UNKNOWN_PROTOCOL"):
        return _make("not-tls", detail=f"its first bytes are not a TLS record ({detail})",
                     **facts)
    return _make("handshake-failure", alert=alert, detail=detail, **facts)


def _which_link_is_missing(err: TLSConnectionError,
                            sent_chain: Sequence[x509.Certificate] | None,
                            trusted: Sequence[x509.Certificate]) -> None:
    """Refine "unable to get local issuer certificate" by looking at what was sent."""
    if not sent_chain:
        err.why += (" (or it comes from a CA you did not pass in ca=; OpenSSL says 'unable "
                    "to get local issuer certificate' for both)")
        return
    top = sent_chain[-1]
    issuer = short_name(top.issuer)
    if len(sent_chain) == 1:
        err.why = (f"the server sent only its own certificate, issued by {issuer!r}, and we "
                   f"have no certificate for {issuer!r}: the intermediates that link it to "
                   "the root are missing (or it comes from a CA we do not trust)")
        return
    same_name = [c for c in trusted if c.subject == top.issuer]
    err.kind = "unknown-ca"
    err.what, _, err.fix = _KINDS["unknown-ca"]
    if same_name:
        err.why = (f"the chain it sent ends at {short_name(top.subject)!r}, issued by "
                   f"{issuer!r}; we trust a root with that name, but it did not make that "
                   "signature: another CA with the same name (names are labels; keys are "
                   "what count)")
    else:
        err.why = (f"the chain it sent ends at {short_name(top.subject)!r}, issued by "
                   f"{issuer!r}, a CA that is not in our trust store")


def explain_os_error(exc: OSError, *, stage: str, address: str = "?", host: str = "?",
                     cert_given: bool = False, **_facts: object) -> TLSConnectionError:
    """Socket-level failures: nobody listening, a timeout, a reset."""
    if isinstance(exc, ConnectionRefusedError):
        return _make("connection-refused", address=address, host=host)
    if isinstance(exc, (TimeoutError, OSError)) and "timed out" in str(exc):
        return _make("timeout", detail=f"no answer during the {stage}", host=host)
    if isinstance(exc, (ConnectionResetError, BrokenPipeError)):
        if stage == "reply" and not cert_given:
            return _make("closed-after-handshake", detail=exc.strerror or "", host=host)
        return _make("connection-reset",
                     detail=f"{exc.strerror or 'reset'} during the {stage}", host=host)
    return TLSConnectionError(f"the connection to {address} failed",
                              sanitize(exc.strerror or str(exc)),
                              "check the address and that the server runs", kind="network",
                              detail=sanitize(str(exc)))
