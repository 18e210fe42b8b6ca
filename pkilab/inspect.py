"""Certificates, CSRs and keys as data, as a short text, and as an HTML table.

``summary(certificate)`` is a few lines where ``openssl x509 -text -noout`` prints
sixty: subject, issuer, validity, key, the extensions that decide what a certificate
may do, and the SHA-256 fingerprint. ``show(x)`` wraps any of them so that a notebook
cell ending in ``show(x)`` renders a table.
"""

from __future__ import annotations

import html
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from . import facts
from .errors import InputError
from .keys import describe_key
from .names import format_subj

_KEY_USAGES = ("digital_signature", "content_commitment", "key_encipherment",
               "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign")
_KU_NAMES = {"digital_signature": "digitalSignature", "content_commitment": "nonRepudiation",
             "key_encipherment": "keyEncipherment", "data_encipherment": "dataEncipherment",
             "key_agreement": "keyAgreement", "key_cert_sign": "keyCertSign",
             "crl_sign": "cRLSign"}


def _extension_texts(extensions: x509.Extensions) -> dict[str, str]:
    out: dict[str, str] = {}
    for ext in extensions:
        value = ext.value
        crit = " (critical)" if ext.critical else ""
        if isinstance(value, x509.BasicConstraints):
            text = "CA:TRUE" if value.ca else "CA:FALSE"
            if value.ca and value.path_length is not None:
                text += f", pathlen:{value.path_length}"
            out["basicConstraints"] = text + crit
        elif isinstance(value, x509.KeyUsage):
            used = [_KU_NAMES[u] for u in _KEY_USAGES if getattr(value, u)]
            out["keyUsage"] = ", ".join(used) + crit
        elif isinstance(value, x509.ExtendedKeyUsage):
            out["extendedKeyUsage"] = ", ".join(o._name for o in value) + crit
        elif isinstance(value, x509.SubjectAlternativeName):
            parts = []
            for general_name in value:
                kind = {x509.DNSName: "DNS", x509.IPAddress: "IP", x509.RFC822Name: "email",
                        x509.UniformResourceIdentifier: "URI"}.get(type(general_name), "other")
                parts.append(f"{kind}:{general_name.value}")
            out["subjectAltName"] = ", ".join(parts) + crit
        elif isinstance(value, x509.SubjectKeyIdentifier):
            out["subjectKeyIdentifier"] = value.digest.hex(":").upper()
        elif isinstance(value, x509.AuthorityKeyIdentifier):
            key_id = value.key_identifier
            out["authorityKeyIdentifier"] = key_id.hex(":").upper() if key_id else "(no key id)"
        else:
            out[ext.oid._name] = "present" + crit
    return out


def describe(obj: Any) -> dict[str, Any]:
    """A certificate, CSR, private or public key as a dict of plain values."""
    if isinstance(obj, x509.Certificate):
        # a malformed certificate (two SANs, bad bytes in name constraints) is shown
        # with its defect instead of its extensions: describing must never crash
        defect = facts.extension_defect(obj)
        extensions = ({"extensions": f"UNREADABLE: {defect}"} if defect
                      else _extension_texts(facts.extensions(obj)))
        return {
            "type": "certificate",
            "version": "v3" if obj.version == x509.Version.v3 else "v1",
            "subject": format_subj(obj.subject),
            "issuer": format_subj(obj.issuer),
            "self_signed": obj.subject == obj.issuer,
            "serial": f"{obj.serial_number:X}",
            "not_before": obj.not_valid_before_utc.strftime("%Y-%m-%d %H:%M:%S UTC"),
            "not_after": obj.not_valid_after_utc.strftime("%Y-%m-%d %H:%M:%S UTC"),
            "public_key": describe_key(obj.public_key()),
            "signature": _signature_name(obj),
            "extensions": extensions,
            "extension_defect": defect,
            "sha256": facts.fingerprint(obj),
        }
    if isinstance(obj, x509.CertificateSigningRequest):
        from .csr import describe_csr

        return {"type": "certificate signing request", **describe_csr(obj)}
    if isinstance(obj, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey,
                        ed25519.Ed25519PrivateKey)):
        return {"type": "private key", "key": describe_key(obj),
                "public_key_sha256": _public_key_id(obj.public_key())}
    if isinstance(obj, (rsa.RSAPublicKey, ec.EllipticCurvePublicKey, ed25519.Ed25519PublicKey)):
        return {"type": "public key", "key": describe_key(obj),
                "public_key_sha256": _public_key_id(obj)}
    if hasattr(obj, "certificate") and isinstance(obj.certificate, x509.Certificate):
        return describe(obj.certificate)
    raise InputError(f"cannot describe a {type(obj).__name__}",
                     "pkilab describes certificates, CSRs and keys", code="cannot_describe")


def _signature_name(certificate: x509.Certificate) -> str:
    oid_name = certificate.signature_algorithm_oid._name
    return {"ecdsa-with-SHA256": "ECDSA with SHA-256", "ecdsa-with-SHA384": "ECDSA with SHA-384",
            "sha256WithRSAEncryption": "RSA with SHA-256", "ed25519": "Ed25519"}.get(
                oid_name, oid_name)


def _public_key_id(key) -> str:
    der = key.public_bytes(serialization.Encoding.DER,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashes.Hash(hashes.SHA256())
    digest.update(der)
    return digest.finalize().hex(":").upper()[:47]


def summary(obj: Any) -> str:
    """A few lines a person reads: see :func:`describe` for the fields."""
    info = describe(obj)
    kind = info.pop("type")
    if kind == "certificate":
        lines = [
            f"Certificate ({info['version']}){'  self-signed' if info['self_signed'] else ''}",
            f"  subject:   {info['subject']}",
            f"  issuer:    {info['issuer']}",
            f"  validity:  {info['not_before']} -> {info['not_after']}",
            f"  key:       {info['public_key']}   signature: {info['signature']}",
            f"  serial:    {info['serial']}",
        ]
        for name, value in info["extensions"].items():
            lines.append(f"  {name}: {value}")
        lines.append(f"  SHA-256:   {info['sha256']}")
        return "\n".join(lines)
    if kind == "certificate signing request":
        names = ", ".join(info["requested_names"]) or "(none)"
        return "\n".join([
            "Certificate signing request",
            f"  subject:   {info['subject']}",
            f"  key:       {info['public_key']}",
            f"  asks for subjectAltName: {names}",
            "  signature: " + ("valid (proof of possession)" if info["signature_valid"]
                               else "INVALID"),
        ])
    return "\n".join([kind.capitalize(), f"  key: {info['key']}",
                      f"  public key SHA-256 (first 16 bytes): {info['public_key_sha256']}"])


_STYLE = ("border-collapse:collapse;font-family:monospace;font-size:12px;"
          "text-align:left")


def _table(title: str, rows: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<tr><th style='padding:2px 8px;text-align:left;vertical-align:top'>"
        f"{html.escape(k)}</th><td style='padding:2px 8px;text-align:left'>"
        f"{html.escape(v)}</td></tr>" for k, v in rows)
    return (f"<table style='{_STYLE}'><caption style='text-align:left;font-weight:bold'>"
            f"{html.escape(title)}</caption>{body}</table>")


def summary_html(obj: Any) -> str:
    """:func:`summary` as an HTML table (what notebooks render)."""
    lines = summary(obj).splitlines()
    rows = []
    for line in lines[1:]:
        key, _, value = line.strip().partition(":")
        rows.append((key.strip(), value.strip()))
    return _table(lines[0], rows)


def chain_report_html(report) -> str:
    rows = [(f"{i}. {link.role}", f"{format_subj(link.certificate.subject)}")
            for i, link in enumerate(report.links)]
    head = "OK" if report.ok else f"FAILED: {report.problems[0].what}"
    table = _table(head, rows)
    checks = "".join(
        f"<li>{html.escape(link.name)}: " + ", ".join(
            f"{'✔' if c.ok else '✘'} {html.escape(c.name)}" for c in link.checks) + "</li>"
        for link in report.links)
    why = "".join(f"<p><b>why:</b> {html.escape(p.why)}.<br><b>fix:</b> {html.escape(p.fix)}."
                  f"</p>" for p in report.problems)
    return f"{table}<ul style='font-size:12px'>{checks}</ul>{why}"


class Shown:
    """Wraps anything :func:`summary` understands; renders as text or HTML."""

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def __repr__(self) -> str:
        return summary(self.obj)

    def _repr_html_(self) -> str:
        return summary_html(self.obj)


def show(obj: Any) -> Shown:
    """End a notebook cell with ``show(cert)`` to see it as a table."""
    return Shown(obj)


def register_notebook_display() -> bool:
    """Make certificates, CSRs and keys render as tables when a cell ends with one.

    cryptography's objects cannot carry ``_repr_html_`` themselves, so this registers
    pkilab's table with IPython's HTML formatter. Returns False outside IPython.
    """
    import sys

    ipython = sys.modules.get("IPython")  # never import IPython just to find it absent
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    html_formatter = shell.display_formatter.formatters["text/html"]
    text_formatter = shell.display_formatter.formatters["text/plain"]
    kinds = (x509.Certificate, x509.CertificateSigningRequest, rsa.RSAPrivateKey,
             ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey)
    for kind in kinds:
        html_formatter.for_type(kind, summary_html)
        text_formatter.for_type(kind, lambda obj, printer, cycle: printer.text(summary(obj)))
    return True
