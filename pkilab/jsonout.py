"""The ``--json`` shapes of ``pkilab inspect``, ``verify`` and ``doctor``: plain data.

Every document is one JSON object on stdout with these keys first, whatever the command:

``format``
    1. Raised only when a key is removed or changes meaning; new keys may appear.
``command``
    ``"inspect"``, ``"verify"`` or ``"doctor"``.
``ok``
    True when the command found nothing to fix (exit code 0).
``exit_code``
    What the command exits with: 0, 1 (a check failed) or 2 (bad input).
``error``
    None, or the error that stopped the command: ``{"code", "what", "why", "fix"}``
    (the code is :attr:`pkilab.errors.PkilabError.code`; only the words may change).

Then the command's own keys (see :func:`inspect_document`, :func:`verify_document`,
:func:`doctor_document`); they are absent when ``error`` is set. Programs key on the
codes (``problems[].code``, ``findings[].code``, ``error.code``): the what/why/fix
words are for people and may be reworded or translated.

The builders here are pure: they take pkilab's objects and return dicts; printing is
:func:`emit`'s job.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cryptography import x509

    from .chain import ChainReport
    from .doctor import Finding
    from .errors import PkilabError
    from .formats.contents import Contents

#: The version of the shapes below.
FORMAT = 1


def _head(command: str, exit_code: int, error: dict[str, str] | None = None
          ) -> dict[str, Any]:
    return {"format": FORMAT, "command": command, "ok": exit_code == 0,
            "exit_code": exit_code, "error": error}


def error_document(command: str, exc: PkilabError) -> dict[str, Any]:
    """The document for a command stopped by ``exc`` (bad input: exit 2, usually)."""
    error = {"code": exc.code, "what": exc.what, "why": exc.why, "fix": exc.fix}
    document = _head(command, exc.exit_code, error)
    problems = getattr(exc, "problems", None)
    if problems:
        document["problems"] = [p.as_dict() for p in problems]
    return document


def inspect_document(name: str, contents: Contents) -> dict[str, Any]:
    """``pkilab inspect --json``: what the file is and everything in it.

    ``kind`` is :attr:`pkilab.formats.Identified.kind` (``"pem-bundle"``, ``"pkcs12"``...);
    ``certificates`` are :func:`pkilab.inspect.describe` dicts plus ``friendly_name``;
    ``notes`` are facts and ``warnings`` problems to fix, both as sentences (the
    format readers do not code them yet): any warning makes ``ok`` false, exit 1.
    """
    from .inspect import describe

    certificates = []
    for index, certificate in enumerate(contents.certificates):
        names = contents.friendly_names
        certificates.append({**describe(certificate),
                             "friendly_name": names[index] if index < len(names) else None})
    document = _head("inspect", 1 if contents.warnings else 0)
    document.update({
        "file": name,
        "kind": contents.identified.kind,
        "description": contents.identified.description,
        "certificates": certificates,
        "csrs": [describe(csr) for csr in contents.csrs],
        "private_keys": [describe(key) for key in contents.private_keys],
        "public_keys": [describe(key) for key in contents.public_keys],
        "crls": [{"issuer": crl.issuer.rfc4514_string(), "revoked": len(list(crl))}
                 for crl in contents.crls],
        "notes": list(contents.notes),
        "warnings": list(contents.warnings),
    })
    return document


def verify_document(report: ChainReport) -> dict[str, Any]:
    """``pkilab verify --json``: the chain as built, each check, and every problem.

    ``chain`` runs leaf first: ``{"position", "role", "subject", "issuer", "sha256",
    "checks": [{"name", "ok", "detail"}]}``. ``problems`` are
    :meth:`pkilab.problems.Problem.as_dict` (``code``, ``position``, ``severity``,
    ``what``, ``why``, ``fix``), errors first; warnings alone keep ``ok`` true.
    """
    from . import facts
    from .names import format_subj

    chain = [{"position": index, "role": link.role,
              "subject": format_subj(link.certificate.subject),
              "issuer": format_subj(link.certificate.issuer),
              "sha256": facts.fingerprint(link.certificate),
              "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail}
                         for c in link.checks]}
             for index, link in enumerate(report.links)]
    document = _head("verify", 0 if report.ok else 1)
    document.update({
        "purpose": report.purpose,
        "host": report.host,
        "checked_at": report.at.isoformat(),
        "verified_by": report.verified_by,
        "partial_chain": report.partial_chain,
        "chain": chain,
        "problems": [p.as_dict() for p in report.problems],
    })
    return document


def doctor_document(audited: Sequence[tuple[x509.Certificate, Sequence[Finding]]],
                    is_problem: Callable[[Finding], bool]) -> dict[str, Any]:
    """``pkilab doctor --json``: each certificate and its findings.

    ``certificates``: ``{"subject", "sha256", "findings": [{"code", "severity",
    "expected", "message", "explanation", "problem"}]}``; ``problem`` is true for the
    findings that make the doctor exit 1 (fatal/error/warning, not expected in a lab).
    ``problems`` counts them.
    """
    from . import facts
    from .names import format_subj

    certificates = []
    count = 0
    for certificate, findings in audited:
        rows = []
        for finding in findings:
            bad = is_problem(finding)
            count += bad
            rows.append({"code": finding.code, "severity": finding.severity,
                         "expected": finding.expected, "message": finding.message,
                         "explanation": finding.explanation, "problem": bad})
        certificates.append({"subject": format_subj(certificate.subject),
                             "sha256": facts.fingerprint(certificate), "findings": rows})
    document = _head("doctor", 1 if count else 0)
    document.update({"certificates": certificates, "problems": count})
    return document


def emit(document: dict[str, Any]) -> int:
    """Print ``document`` as one JSON object; return its exit code."""
    json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return int(document["exit_code"])
