"""The doctor: audit a certificate against RFC 5280 and the seed's known pitfalls.

Two sources of findings, merged into one list of :class:`Finding`:

* pkilint's RFC 5280 (PKIX) certificate linter — the rules a standards-minded
  reviewer would apply. Its codes start with ``pkix.``. pkilint is imported only
  when :func:`audit` first runs, and its validator is built once per process
  (about 0.2–0.5 s), then reused (a few milliseconds a certificate).
* pkilab's own checks for the seed tutorial's mistakes, which pkilint's PKIX profile
  does not look for: RSA keys under 2048 bits, version 1 certificates, a server
  certificate without subjectAltName, a CA certificate without ``CA:TRUE``, and a
  server certificate valid for more than 398 days. Their codes start with ``pkilab.``.

Some findings are *expected* in a lab and say so (``Finding.expected``): pkilint's
PKIX profile calls ``localhost`` an invalid domain name, because it checks the
syntax of public DNS names; a certificate for a lab server on 127.0.0.1 should name
``localhost`` all the same. Expected findings are shown and explained, never hidden.

>>> from pkilab.doctor import audit                                   # doctest: +SKIP
>>> for finding in audit(server_certificate):
...     print(finding)
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from .errors import InputError
from .keys import MIN_RSA_BITS

#: Severities from worst to mildest (pkilint's scale, in lower case).
SEVERITIES = ("fatal", "error", "warning", "notice", "info", "debug")
PROFILES = ("pkix",)
ROLES = ("ca", "server", "client")

#: CA/Browser Forum Baseline Requirements: the longest a publicly trusted TLS server
#: certificate may be valid (since September 2020; shorter limits follow from 2026).
MAX_SERVER_DAYS = 398

# pkilab's own check -> the pkilint code that says the same thing (the pkilab one is
# dropped when pkilint reports its twin, so a learner reads each fact once).
_TWINS = {"pkilab.v1_certificate": "pkix.certificate_version_is_not_v3"}


@dataclass(frozen=True)
class Finding:
    """One thing the doctor noticed about a certificate.

    ``severity`` is one of :data:`SEVERITIES`; ``code`` is stable (``pkix.*`` from
    pkilint, ``pkilab.*`` from pkilab's own checks); ``message`` says what was found;
    ``explanation`` says why it matters in practice (or, when ``expected`` is true,
    why a lab certificate has it on purpose).
    """

    severity: str
    code: str
    message: str
    explanation: str
    expected: bool = False

    def __str__(self) -> str:
        mark = " (expected in a lab)" if self.expected else ""
        return f"{self.severity.upper()} {self.code}{mark}: {self.message}\n  {self.explanation}"


# ---- explanations of pkilint codes a learner meets in this course ------------------------

_EXPLANATIONS = {
    "pkix.certificate_version_is_not_v3": (
        "RFC 5280 wants version 3 as soon as a certificate has extensions, and every TLS "
        "certificate needs some (basicConstraints, subjectAltName, keyUsage). "
        "`openssl x509 -req` without -extfile writes version 1: the seed's chain recipe"),
    "pkix.authority_key_identifier_extension_absent": (
        "authorityKeyIdentifier says which CA key signed the certificate, so a verifier "
        "can find the issuer even when two CAs share a name. RFC 5280 requires it on "
        "everything a CA issues; Python 3.13's strict verification refuses certificates "
        "without it"),
    "pkix.ca_certificate_no_ku_extension": (
        "a CA certificate must carry keyUsage with keyCertSign (RFC 5280 4.2.1.3); "
        "`openssl req -x509` with OpenSSL's default config adds basicConstraints but no "
        "keyUsage, which is why the seed's root gets this finding"),
    "pkix.certificate_skid_end_entity_missing": (
        "subjectKeyIdentifier names the certificate's own key; RFC 5280 recommends it on "
        "every certificate and requires it on CAs (Python 3.13 strict mode checks it)"),
    "pkix.invalid_email_address_syntax": (
        "an e-mail address needs an @; the seed's example `a.alibaba.com` is not one, "
        "so the emailAddress attribute is malformed"),
    "pkix.subject_email_address_not_in_san": (
        "RFC 5280 puts e-mail addresses in subjectAltName (rfc822Name), not in the "
        "subject's emailAddress attribute"),
}

_LAB_NAME_EXPLANATION = (
    "pkilint checks DNS names against the syntax of public names, which have at least "
    "two labels (example.com). {name!r} is a single-label name: `localhost` is reserved "
    "for the machine itself (RFC 6761) and resolves everywhere without DNS, which is "
    "exactly what a lab server on 127.0.0.1 needs. A public CA would refuse it (the CA/B "
    "Forum has banned internal names since 2015), but this is your own lab CA")


def explain(code: str) -> str:
    """What a finding code means in practice ('' when pkilab has no words for it)."""
    if code in _EXPLANATIONS:
        return _EXPLANATIONS[code]
    if code == "pkix.invalid_domain_name_syntax":
        return _LAB_NAME_EXPLANATION.format(name="localhost")
    return ""


# ---- pkilint, built once -----------------------------------------------------------------

@functools.cache
def _validator(profile: str) -> tuple[Any, Any]:
    """(document loader, validator) for ``profile``; built once, it costs ~0.5 s."""
    try:
        from pkilint import loader
        from pkilint.pkix import certificate, extension, name
    except ImportError:
        raise InputError("pkilint is not installed",
                         "the doctor's RFC 5280 checks come from pkilint",
                         "install it: pip install pkilint (or pkilab[test])") from None
    validator = certificate.create_pkix_certificate_validator_container(
        certificate.create_decoding_validators(name.ATTRIBUTE_TYPE_MAPPINGS,
                                               extension.EXTENSION_MAPPINGS),
        [
            certificate.create_issuer_validator_container([]),
            certificate.create_validity_validator_container(),
            certificate.create_subject_validator_container([]),
            certificate.create_extensions_validator_container([]),
            certificate.create_spki_validator_container([]),
        ],
    )
    return loader.RFC5280CertificateDocumentLoader(), validator


def _single_label_name(message: str) -> str | None:
    """The name in pkilint's 'Invalid domain name syntax: "x"' when it has no dot."""
    _, _, quoted = message.partition('"')
    name = quoted.rstrip('"')
    return name if name and "." not in name else None


def _pkilint_findings(certificate: x509.Certificate, profile: str,
                      worst_allowed: int) -> list[Finding]:
    doc_loader, validator = _validator(profile)
    der = certificate.public_bytes(serialization.Encoding.DER)
    try:
        document = doc_loader.load_der_document(der, "certificate")
    except ValueError as exc:  # pkilint's SubstrateDecodingFailedError is a ValueError
        return [Finding("fatal", "pkilab.pkilint_cannot_decode", str(exc) or type(exc).__name__,
                        "pkilint's ASN.1 decoder refused the certificate's bytes, so none of "
                        "its RFC 5280 checks ran; the structure itself is malformed")]
    findings = []
    for result in validator.validate(document.root):
        for described in result.finding_descriptions:
            level = int(described.finding.severity)  # 0 fatal ... 5 debug
            if level > worst_allowed:
                continue
            code = described.finding.code
            # pkilint words some findings only by their code: make that a sentence.
            message = described.message or code.split(".", 1)[-1].replace("_", " ")
            explanation = explain(code)
            expected = False
            if code == "pkix.invalid_domain_name_syntax":
                lab_name = _single_label_name(message)
                if lab_name is not None:
                    expected = True
                    explanation = _LAB_NAME_EXPLANATION.format(name=lab_name)
                else:
                    explanation = "a subjectAltName DNS entry that is not a valid host name"
            findings.append(Finding(SEVERITIES[level], code, message,
                                    explanation or f"pkilint RFC 5280 check at "
                                    f"{result.node.path}", expected))
    return findings


# ---- pkilab's own checks (pure) ----------------------------------------------------------

def _ext(certificate: x509.Certificate, kind: type) -> Any:
    try:
        return certificate.extensions.get_extension_for_class(kind).value
    except (x509.ExtensionNotFound, ValueError):
        return None


def _guess_role(certificate: x509.Certificate) -> str | None:
    bc = _ext(certificate, x509.BasicConstraints)
    if bc is not None and bc.ca:
        return "ca"
    eku = _ext(certificate, x509.ExtendedKeyUsage)
    if eku is not None:
        if ExtendedKeyUsageOID.SERVER_AUTH in eku:
            return "server"
        if ExtendedKeyUsageOID.CLIENT_AUTH in eku:
            return "client"
    return None


def pitfalls(certificate: x509.Certificate, *, role: str | None = None) -> list[Finding]:
    """pkilab's checks for the seed tutorial's mistakes (no pkilint needed).

    ``role`` ("ca", "server" or "client") says what the certificate is used as; without
    it the doctor guesses from basicConstraints and extendedKeyUsage, and words what it
    cannot know as a warning ("if this is a server certificate ...").
    """
    if role is not None and role not in ROLES:
        raise InputError(f"unknown role {role!r}", "the doctor knows " + ", ".join(ROLES),
                         "pass role='ca', 'server' or 'client' (or leave it out)")
    findings: list[Finding] = []
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < MIN_RSA_BITS:
        findings.append(Finding(
            "error", "pkilab.weak_key", f"{key.key_size}-bit RSA key",
            f"RSA keys under {MIN_RSA_BITS} bits can be factored with public computing "
            "power; browsers, OpenSSL's default security level 2 (EE_KEY_TOO_SMALL, "
            "CA_MD_TOO_WEAK) and cryptography's verifier refuse them. The seed uses 1024; "
            "use EC P-256 (pkilab's default) or RSA 2048+"))
    if certificate.version == x509.Version.v1:
        findings.append(Finding(
            "error", "pkilab.v1_certificate", "X.509 version 1 certificate",
            "version 1 certificates cannot carry extensions, so they cannot say they are a "
            "CA, name a host or state a purpose; `openssl x509 -req` without -extfile makes "
            "them (the seed's recipes)"))
    self_signed = certificate.subject == certificate.issuer
    guessed = role or _guess_role(certificate)
    bc = _ext(certificate, x509.BasicConstraints)
    if (guessed == "ca" or (guessed is None and self_signed)) and not (bc and bc.ca):
        sure = role == "ca"
        findings.append(Finding(
            "error" if sure else "warning", "pkilab.ca_without_ca_flag",
            ("a CA certificate without basicConstraints CA:TRUE" if sure else
             "self-signed, but no basicConstraints CA:TRUE (if this is meant as a root CA)"),
            "verifiers only accept an issuer whose certificate says CA:TRUE (critical); "
            "OpenSSL reports 'invalid CA certificate'. Add basicConstraints=critical,CA:TRUE "
            "(the seed's intermediates lack it)"))
    may_serve = guessed == "server" or (guessed is None and not self_signed)
    if may_serve:
        sure = guessed == "server"
        prefix = "" if sure else "if this is a server certificate: "
        if _ext(certificate, x509.SubjectAlternativeName) is None:
            findings.append(Finding(
                "error" if sure else "warning", "pkilab.missing_san",
                prefix + "no subjectAltName",
                "TLS clients match the host name against subjectAltName only; the CN has "
                "been ignored since 2017 (Chrome 58, Python 3.7). Add "
                "subjectAltName=DNS:name (pkilab: issue_server(['name']))"))
        lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
        if lifetime > dt.timedelta(days=MAX_SERVER_DAYS):
            findings.append(Finding(
                "notice", "pkilab.server_validity_too_long",
                f"{prefix}valid for {lifetime.days} days",
                f"publicly trusted TLS server certificates may last at most {MAX_SERVER_DAYS} "
                "days (CA/B Forum Baseline Requirements; the limit shrinks further from "
                "2026). Apple platforms (iOS 13, macOS 10.15 and later) refuse any TLS server "
                "certificate valid for more than 825 days, even from a private root you "
                "trust. A lab CA may choose otherwise, but short lives train the renewal "
                "habit"))
    return findings


# ---- the public entry points ---------------------------------------------------------------

def audit(certificate: x509.Certificate, *, profile: str = "pkix", role: str | None = None,
          min_severity: str = "notice") -> list[Finding]:
    """Every finding about one certificate, worst first.

    ``profile`` picks pkilint's rule set (``"pkix"``: RFC 5280, the right one for a lab
    PKI). ``min_severity`` drops milder findings (pkilint also reports "info" facts
    such as how a key identifier was computed). ``role`` is passed to :func:`pitfalls`.
    Raises :class:`~pkilab.errors.InputError` when pkilint is not installed.
    """
    if profile not in PROFILES:
        raise InputError(f"unknown audit profile {profile!r}",
                         "the doctor knows " + ", ".join(PROFILES),
                         "use profile='pkix' (RFC 5280)")
    if min_severity not in SEVERITIES:
        raise InputError(f"unknown severity {min_severity!r}",
                         "severities are " + ", ".join(SEVERITIES), "pick one of those")
    worst_allowed = SEVERITIES.index(min_severity)
    linted = _pkilint_findings(certificate, profile, worst_allowed)
    linted_codes = {f.code for f in linted}
    own = [f for f in pitfalls(certificate, role=role)
           if SEVERITIES.index(f.severity) <= worst_allowed
           and _TWINS.get(f.code) not in linted_codes]
    findings = own + linted
    return sorted(findings, key=lambda f: (SEVERITIES.index(f.severity), f.code))


def roles_in(certificates: Sequence[x509.Certificate]) -> list[str | None]:
    """The role each certificate plays in a bag: "ca" when it signed another one here
    (or says CA:TRUE), else what its extensions say (or None)."""
    from .ca import signed_by

    out: list[str | None] = []
    for candidate in certificates:
        signs_other = any(other is not candidate and other.issuer == candidate.subject
                          and signed_by(other, candidate) for other in certificates)
        out.append("ca" if signs_other else _guess_role(candidate))
    return out


def audit_many(certificates: Sequence[x509.Certificate], *, profile: str = "pkix",
               min_severity: str = "notice") -> list[tuple[x509.Certificate, list[Finding]]]:
    """Audit a set of certificates (a chain, a folder), knowing who signed whom.

    A certificate that signed another one in the set is audited as a CA, so the seed's
    v1 intermediates get "a CA certificate without basicConstraints CA:TRUE".
    """
    certificates = list(certificates)
    return [(c, audit(c, profile=profile, role=role, min_severity=min_severity))
            for c, role in zip(certificates, roles_in(certificates), strict=True)]


def format_findings(findings: Sequence[Finding]) -> str:
    """Findings as text, one block each; 'no findings' when the list is empty."""
    return "\n".join(str(f) for f in findings) if findings else "no findings"
