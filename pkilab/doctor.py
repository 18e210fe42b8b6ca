"""The doctor: audit a certificate against RFC 5280 and the seed's known pitfalls.

Two sources of findings, merged into one list of :class:`Finding`:

* pkilint's RFC 5280 (PKIX) certificate linter — the rules a standards-minded
  reviewer would apply. Its codes start with ``pkix.``. pkilint is imported only
  when :func:`audit` first runs, and its validator is built once per process
  (about 0.2–0.5 s), then reused (a few milliseconds a certificate).
* pkilab's own checks for the seed tutorial's mistakes, which pkilint's PKIX profile
  does not look for: RSA keys under 2048 bits, version 1 certificates, a server
  certificate without subjectAltName, a CA certificate without ``CA:TRUE``, a server
  certificate valid for longer than the CA/B Forum allows on its issue date
  (:func:`max_server_days`), and extensions that cannot be parsed. Their codes are the
  problem codes of :mod:`pkilab.problems` (``weak_key``, ``missing_san``...), the same
  words the chain checker uses.

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

from . import facts
from .errors import InputError
from .keys import MIN_RSA_BITS
from .problems import words

#: Severities from worst to mildest (pkilint's scale, in lower case).
SEVERITIES = ("fatal", "error", "warning", "notice", "info", "debug")
PROFILES = ("pkix",)
ROLES = ("ca", "server", "client")

#: CA/Browser Forum ballot SC-081: the longest a publicly trusted TLS server certificate
#: may be valid, by the date it is issued (its notBefore): (from this date, days).
SERVER_DAYS_SCHEDULE: tuple[tuple[dt.date, int], ...] = (
    (dt.date(2020, 9, 1), 398),
    (dt.date(2026, 3, 15), 200),
    (dt.date(2027, 3, 15), 100),
    (dt.date(2029, 3, 15), 47),
)


def max_server_days(issued: dt.datetime | dt.date) -> int:
    """The longest validity (days) the CA/B Forum allows a public TLS server certificate
    issued on ``issued``: 398 before 2026-03-15, then 200, 100 from 2027-03-15 and 47 from
    2029-03-15 (ballot SC-081). Before September 2020 the rule was 825 days; this
    function answers 398 for those dates too (pkilab audits certificates made today)."""
    day = issued.astimezone(dt.timezone.utc).date() if isinstance(issued, dt.datetime) \
        else issued
    limit = SERVER_DAYS_SCHEDULE[0][1]
    for start, days in SERVER_DAYS_SCHEDULE:
        if day >= start:
            limit = days
    return limit


# pkilab's own check -> the pkilint code that says the same thing (the pkilab one is
# dropped when pkilint reports its twin, so a learner reads each fact once).
_TWINS = {"v1_certificate": "pkix.certificate_version_is_not_v3"}


@dataclass(frozen=True)
class Finding:
    """One thing the doctor noticed about a certificate.

    ``severity`` is one of :data:`SEVERITIES`; ``code`` is stable (``pkix.*`` from
    pkilint; pkilab's own checks use the codes of :mod:`pkilab.problems`, such as
    ``weak_key``); ``message`` says what was found;
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
        "keyUsage, so every root made that way (the seed's among them) gets this finding"),
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
                         "install it: pip install 'pkilab[lab]' (or 'pkilab[notebook]'; "
                         "pkilint alone is enough)",
                         code="missing_dependency") from None
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
        return [_finding("fatal", "pkilint_cannot_decode",
                         detail=str(exc) or type(exc).__name__)]
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

def _finding(severity: str, code: str, variant: str = "", **values: object) -> Finding:
    """A finding worded from the one table of problem codes."""
    what, why, fix = words(code, variant, **values)
    return Finding(severity, code, what, f"{why}. {fix[:1].upper()}{fix[1:]}")


def _guess_role(certificate: x509.Certificate) -> str | None:
    # A guess for wording only: a malformed certificate is reported on its own.
    bc = facts.extension_or_none(certificate, x509.BasicConstraints)
    if bc is not None and bc.ca:
        return "ca"
    eku = facts.extension_or_none(certificate, x509.ExtendedKeyUsage)
    if eku is not None:
        if ExtendedKeyUsageOID.SERVER_AUTH in eku:
            return "server"
        if ExtendedKeyUsageOID.CLIENT_AUTH in eku:
            return "client"
    return None


def _plain_pitfalls(certificate: x509.Certificate) -> list[Finding]:
    """The checks that read no extension."""
    findings = []
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < MIN_RSA_BITS:
        findings.append(_finding("error", "weak_key", "doctor", bits=key.key_size,
                                 min_bits=MIN_RSA_BITS))
    if certificate.version == x509.Version.v1:
        findings.append(_finding("error", "v1_certificate", "doctor"))
    return findings


def _role_pitfalls(certificate: x509.Certificate, role: str | None) -> list[Finding]:
    """The checks that depend on what the certificate is for (they read extensions)."""
    findings = []
    self_signed = certificate.subject == certificate.issuer
    guessed = role or _guess_role(certificate)
    bc = facts.extension(certificate, x509.BasicConstraints)
    if (guessed == "ca" or (guessed is None and self_signed)) and not (bc and bc.ca):
        sure = role == "ca"
        findings.append(_finding("error" if sure else "warning", "not_a_ca",
                                 "doctor" if sure else "doctor_guess"))
    if not (guessed == "server" or (guessed is None and not self_signed)):
        return findings
    sure = guessed == "server"
    prefix = "" if sure else "if this is a server certificate: "
    if facts.extension(certificate, x509.SubjectAlternativeName) is None:
        findings.append(_finding("error" if sure else "warning", "missing_san", "doctor",
                                 prefix=prefix))
    lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    issued = certificate.not_valid_before_utc
    if lifetime > dt.timedelta(days=max_server_days(issued)):
        findings.append(_finding("notice", "server_validity_too_long", prefix=prefix,
                                 days=lifetime.days, limit=max_server_days(issued),
                                 issued=f"{issued:%Y-%m-%d}"))
    return findings


def pitfalls(certificate: x509.Certificate, *, role: str | None = None) -> list[Finding]:
    """pkilab's checks for the seed tutorial's mistakes (no pkilint needed).

    ``role`` ("ca", "server" or "client") says what the certificate is used as; without
    it the doctor guesses from basicConstraints and extendedKeyUsage, and words what it
    cannot know as a warning ("if this is a server certificate ..."). A certificate whose
    extensions cannot be parsed gets a ``malformed_extensions`` error instead of the
    checks that read them.
    """
    if role is not None and role not in ROLES:
        raise InputError(f"unknown role {role!r}", "the doctor knows " + ", ".join(ROLES),
                         "pass role='ca', 'server' or 'client' (or leave it out)",
                         code="unknown_role")
    findings = _plain_pitfalls(certificate)
    try:
        return findings + _role_pitfalls(certificate, role)
    except InputError as exc:
        if exc.code != "malformed_extensions":
            raise
        defect = facts.extension_defect(certificate) or "its extensions cannot be parsed"
        return [*findings, _finding("error", "malformed_extensions", "doctor", defect=defect)]


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
                         "use profile='pkix' (RFC 5280)", code="unknown_profile")
    if min_severity not in SEVERITIES:
        raise InputError(f"unknown severity {min_severity!r}",
                         "severities are " + ", ".join(SEVERITIES), "pick one of those",
                         code="unknown_severity")
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
    out: list[str | None] = []
    for candidate in certificates:
        signs_other = any(other is not candidate and other.issuer == candidate.subject
                          and facts.signed_by(other, candidate) for other in certificates)
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
