"""pkilab doctor PATH...: an RFC 5280 audit (pkilint) plus the seed's pitfalls."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..doctor import Finding

_CERT_SUFFIXES = (".crt", ".pem", ".cer", ".der", ".p7b", ".p7c")
_BAD = ("fatal", "error", "warning")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "doctor", help="audit certificates: RFC 5280 (pkilint) and the seed's pitfalls",
        description="Audit every certificate in the given files or folders (a folder from "
        "pkilab init, or the seed's openssl output). Findings a lab name like localhost "
        "must cause are shown as expected, with the reason. Exit 0 when nothing but "
        "notices and expected findings remain, 1 otherwise, 2 when a file cannot be read.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="certificate files or folders")
    parser.add_argument("--password", metavar="PW", help="password for .p12/.jks files")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object with every finding's code (same exit "
                        "codes; the format in pkilab.jsonout)")
    parser.set_defaults(run=run)


def _files(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.suffix.lower() in _CERT_SUFFIXES)
        else:
            out.append(path)
    return out


def count_findings(count: int) -> str:
    """'no findings', '1 finding', '3 findings'."""
    return "no findings" if count == 0 else f"{count} finding{'' if count == 1 else 's'}"


def run(args: argparse.Namespace) -> int:
    from ..doctor import audit_many
    from ..errors import InputError
    from ..facts import unique
    from ..files import read_input
    from ..formats import load_any
    from ..names import format_subj

    found = []
    for path in _files(args.paths):
        found += load_any(read_input(path), password=args.password, name=str(path)).certificates
    certificates = unique(found)  # fullchain.crt repeats the others
    if not certificates:
        raise InputError("no certificates found", "the paths hold no certificate files",
                         "pass .crt/.pem files or a folder made by pkilab init",
                         code="no_certificates")
    audited = audit_many(certificates)
    if args.json:
        from ..jsonout import doctor_document, emit

        return emit(doctor_document(audited, is_problem))
    problems = 0
    for certificate, findings in audited:
        print(f"{format_subj(certificate.subject)}: {count_findings(len(findings))}")
        for finding in findings:
            label = "expected" if finding.expected else finding.severity
            print(f"  [{label}] {finding.code}: {finding.message}")
            print(f"      {finding.explanation}")
            problems += is_problem(finding)
    return 1 if problems else 0


def is_problem(finding: Finding) -> bool:
    """True when ``finding`` makes the doctor exit 1: fatal, error or warning, and not
    expected in a lab."""
    return finding.severity in _BAD and not finding.expected
