"""The checks :func:`pkilab.chain.verify_chain` runs on each certificate of a path.

One small function per check, listed in :data:`CHECKS` with the problem code it
reports and the roles it applies to; :func:`check_certificate` runs the table. A
certificate whose extensions cannot be parsed (two subjectAltNames, bad bytes in name
constraints) gets the checks that need no extension and one ``malformed_extensions``
problem: the broken certificate is reported, never a traceback.

Internal to pkilab (the public names are in :mod:`pkilab.chain`).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from . import facts
from .errors import InputError
from .keys import MIN_RSA_BITS, describe_key
from .names import short_name
from .problems import Problem, problem

PURPOSES = {"server": ExtendedKeyUsageOID.SERVER_AUTH, "client": ExtendedKeyUsageOID.CLIENT_AUTH}
# Critical extensions pkilab evaluates itself (name constraints: here when the
# constraints evaluator is installed, else by cryptography's verifier).
EVALUATED_CRITICAL = (x509.BasicConstraints, x509.KeyUsage, x509.ExtendedKeyUsage,
                      x509.SubjectAlternativeName, x509.NameConstraints)


@dataclass(frozen=True)
class Check:
    """One thing checked on one certificate, in words."""

    name: str
    ok: bool
    detail: str


@dataclass
class Link:
    """One certificate of the chain and what was checked on it.

    ``role`` is "leaf", "intermediate", "root" (a trusted self-signed root) or
    "anchor" (an intermediate trusted as the anchor: partial-chain trust).
    """

    certificate: x509.Certificate
    role: str
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def name(self) -> str:
        return short_name(self.certificate.subject)


@dataclass(frozen=True)
class Context:
    """What a check needs: the path, where in it, and what the chain is checked for."""

    index: int
    path: list[x509.Certificate]
    trusted: bool
    purpose: str
    host: str | None
    at: dt.datetime
    role: str = ""
    #: CRLs to check revocation against (empty: revocation is not checked)
    crls: tuple[x509.CertificateRevocationList, ...] = ()

    def __post_init__(self) -> None:
        if not self.role:
            object.__setattr__(self, "role", role_of(self.index, self.path, self.trusted))

    @property
    def certificate(self) -> x509.Certificate:
        return self.path[self.index]

    @property
    def name(self) -> str:
        return short_name(self.certificate.subject)

    @property
    def v3(self) -> bool:
        return self.certificate.version == x509.Version.v3

    def problem(self, code: str, variant: str = "", **facts_: object) -> Problem:
        return problem(code, self.index, variant, name=self.name, **facts_)


def role_of(index: int, path: list[x509.Certificate], trusted: bool) -> str:
    """"leaf", "intermediate", "root" or "anchor" (see :class:`Link`)."""
    if index == 0:
        return "leaf"
    if index == len(path) - 1 and trusted:
        return "root" if facts.is_self_signed(path[index]) else "anchor"
    return "intermediate"


Result = tuple[Check, Problem | None]
CheckFunction = Callable[[Context], Iterable[Result]]


def _result(name: str, ok: bool, detail: str, found: Problem | None = None) -> Result:
    return Check(name, ok, detail), (None if ok else found)


# ---- checks that need no extension ---------------------------------------------------

def _version(ctx: Context) -> Iterable[Result]:
    yield _result("version", ctx.v3, "X.509 v3" if ctx.v3 else
                  "X.509 v1: cannot carry any extension", ctx.problem("v1_certificate"))


def _signature(ctx: Context) -> Iterable[Result]:
    certificate = ctx.certificate
    if ctx.index + 1 < len(ctx.path):
        issuer = ctx.path[ctx.index + 1]
    elif ctx.trusted:
        issuer = certificate
    else:
        return
    if issuer is certificate and not facts.is_self_issued(certificate):
        # An intermediate trusted as the anchor: nothing above it to check it against.
        yield _result("signature", True, "trusted as given (an intermediate as the anchor: "
                      "partial-chain trust)")
        return
    good = facts.signed_by(certificate, issuer)
    by = "itself (self-signed)" if issuer is certificate else repr(short_name(issuer.subject))
    yield _result("signature", good, f"signed by {by}" if good else f"not signed by {by}",
                  ctx.problem("bad_signature"))


def weak_hash(certificate: x509.Certificate) -> str | None:
    """"SHA1" or "MD5" when the certificate is signed with that hash, else None."""
    try:
        algorithm = certificate.signature_hash_algorithm
    except Exception:  # an algorithm cryptography cannot name
        return None
    return algorithm.name.upper() if isinstance(algorithm, (hashes.SHA1, hashes.MD5)) else None


def _signature_hash(ctx: Context) -> Iterable[Result]:
    weak = weak_hash(ctx.certificate)
    if weak:
        yield _result("signature hash", False, f"{weak} (too weak)",
                      ctx.problem("weak_signature", hash=weak))


def _whole_seconds(moment: dt.datetime) -> dt.datetime:
    return moment.replace(microsecond=0)


def _validity(ctx: Context) -> Iterable[Result]:
    # RFC 5280 4.1.2.5: validity is in whole seconds and notAfter is inclusive, so
    # 12:00:00.5 is still within a notAfter of 12:00:00 (or of 12:00:00.9).
    start = _whole_seconds(ctx.certificate.not_valid_before_utc)
    end = _whole_seconds(ctx.certificate.not_valid_after_utc)
    at = _whole_seconds(ctx.at)
    shown = {"start": f"{start:%Y-%m-%d %H:%M}", "at": f"{at:%Y-%m-%d %H:%M}"}
    if at < start:
        yield _result("validity", False, f"not valid until {start:%Y-%m-%d %H:%M} UTC",
                      ctx.problem("not_yet_valid", **shown))
    elif at > end:
        yield _result("validity", False, f"expired {end:%Y-%m-%d %H:%M} UTC",
                      ctx.problem("expired", start=f"{start:%Y-%m-%d}", end=f"{end:%Y-%m-%d}",
                                  at=shown["at"]))
    else:
        yield _result("validity", True, f"{start:%Y-%m-%d} to {end:%Y-%m-%d}")


def _key(ctx: Context) -> Iterable[Result]:
    key = ctx.certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < MIN_RSA_BITS:
        yield _result("key", False, f"{describe_key(key)} is too small",
                      ctx.problem("weak_key", bits=key.key_size, min_bits=MIN_RSA_BITS))
    else:
        yield _result("key", True, describe_key(key))


# ---- checks that read extensions (facts.extension raises on a malformed one) ------------

def _critical(ctx: Context) -> Iterable[Result]:
    unknown = [getattr(e.oid, "_name", None) or e.oid.dotted_string
               for e in facts.extensions(ctx.certificate)
               if e.critical and not isinstance(e.value, EVALUATED_CRITICAL)]
    if unknown:
        yield _result("critical extensions", False, "not evaluated: " + ", ".join(unknown),
                      ctx.problem("unknown_critical_extension", extensions=", ".join(unknown)))


def _ca_flag(ctx: Context) -> Iterable[Result]:
    bc = facts.extension(ctx.certificate, x509.BasicConstraints)
    critical = facts.is_critical(ctx.certificate, x509.BasicConstraints)
    ca_ok = bool(bc and bc.ca)
    below = ", so it may not sign certificates"
    detail = ("CA:TRUE (critical)" if ca_ok and critical else "CA:TRUE but not critical"
              if ca_ok else ("CA:FALSE" + below if bc else "no basicConstraints" + below))
    found = ctx.problem("not_a_ca", "not_critical" if ca_ok else "",
                        below=short_name(ctx.path[ctx.index - 1].subject)) if ctx.v3 else None
    yield _result("CA flag", ca_ok and critical, detail, found)


def _counts_as_ca(certificate: x509.Certificate) -> bool:
    # RFC 5280 6.1.4 (l): self-issued CAs do not count against a path length. A
    # certificate that is no CA at all is reported as not_a_ca where it signed, and
    # does not count either: its CA above it is innocent.
    return facts.is_ca(certificate) and not facts.is_self_issued(certificate)


def _path_length(ctx: Context) -> Iterable[Result]:
    bc = facts.extension(ctx.certificate, x509.BasicConstraints)
    limit = bc.path_length if bc is not None and bc.ca else None
    if limit is None:
        yield _result("path length", True, "no limit")
        return
    count = sum(_counts_as_ca(c) for c in ctx.path[1:ctx.index])
    yield _result("path length", count <= limit, f"{count} CA(s) below it, limit {limit}",
                  ctx.problem("path_length", limit=limit, count=count))


def _ca_key_usage(ctx: Context) -> Iterable[Result]:
    ku = facts.extension(ctx.certificate, x509.KeyUsage)
    signs = ku is not None and ku.key_cert_sign
    found = ctx.problem("key_usage", "ca_missing" if ku is None else "ca_no_cert_sign") \
        if ctx.v3 else None
    yield _result("key usage", signs, "keyCertSign" if signs else
                  ("no keyUsage" if ku is None else "keyCertSign missing"), found)


def _subject_key_id(ctx: Context) -> Iterable[Result]:
    ski = facts.extension(ctx.certificate, x509.SubjectKeyIdentifier)
    yield _result("key identifier", ski is not None,
                  "subjectKeyIdentifier present" if ski else "no subjectKeyIdentifier",
                  ctx.problem("missing_key_identifier") if ctx.v3 else None)


def _eku_names(eku: x509.ExtendedKeyUsage) -> str:
    return ", ".join(getattr(o, "_name", o.dotted_string) for o in eku)


def _ca_purpose(ctx: Context) -> Iterable[Result]:
    eku = facts.extension(ctx.certificate, x509.ExtendedKeyUsage)
    if eku is None:
        return
    allowed = {PURPOSES[ctx.purpose], ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE}
    have = _eku_names(eku)
    yield _result("purpose", bool(allowed & set(eku)), f"extendedKeyUsage {have}",
                  ctx.problem("wrong_purpose", "ca", have=have, purpose=ctx.purpose))


def _leaf_purpose(ctx: Context) -> Iterable[Result]:
    purpose = ctx.purpose
    bc = facts.extension(ctx.certificate, x509.BasicConstraints)
    if bc is not None and bc.ca:
        yield _result("purpose", False, "CA:TRUE on a leaf",
                      ctx.problem("leaf_is_ca", purpose=purpose))
        return
    eku = facts.extension(ctx.certificate, x509.ExtendedKeyUsage)
    if eku is None or PURPOSES[purpose] in eku:
        yield _result("purpose", True, f"{purpose}Auth" + (
            " (no extendedKeyUsage: any purpose)" if eku is None else ""))
        return
    have = _eku_names(eku)
    yield _result("purpose", False, f"extendedKeyUsage is {have}, not {purpose}Auth",
                  ctx.problem("wrong_purpose", have=have, purpose=purpose))


def _leaf_key_usage(ctx: Context) -> Iterable[Result]:
    ku = facts.extension(ctx.certificate, x509.KeyUsage)
    if ku is None:
        return
    is_rsa = isinstance(ctx.certificate.public_key(), rsa.RSAPublicKey)
    tls_ok = ku.digital_signature or (is_rsa and ku.key_encipherment)
    yield _result("key usage", tls_ok, "digitalSignature" if ku.digital_signature else
                  ("keyEncipherment (RSA key transport only)" if tls_ok else
                   "neither digitalSignature nor keyEncipherment"), ctx.problem("key_usage"))


def _authority_key_id(ctx: Context) -> Iterable[Result]:
    aki = facts.extension(ctx.certificate, x509.AuthorityKeyIdentifier)
    yield _result("authority key id", aki is not None,
                  "authorityKeyIdentifier present" if aki else "no authorityKeyIdentifier",
                  ctx.problem("missing_key_identifier", "aki") if ctx.v3 else None)


def sans(certificate: x509.Certificate) -> list[x509.GeneralName]:
    """The subjectAltName entries (raises InputError when the extensions are malformed)."""
    san = facts.extension(certificate, x509.SubjectAlternativeName)
    return list(san) if san is not None else []


def host_matches(host: str, certificate: x509.Certificate) -> bool:
    """True when ``host`` (a DNS name or an IP address) is among the certificate's SANs."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    for general_name in sans(certificate):
        if address is not None and isinstance(general_name, x509.IPAddress):
            if general_name.value == address:
                return True
        elif address is None and isinstance(general_name, x509.DNSName):
            pattern, name = general_name.value.lower().rstrip("."), host.lower().rstrip(".")
            if pattern == name:
                return True
            # "*.example" is refused: a wildcard needs two labels after it (RFC 6125).
            if pattern.startswith("*.") and "." in pattern[2:] and "." in name and \
                    name.split(".", 1)[1] == pattern[2:] and name.split(".", 1)[0]:
                return True
    return False


def _names_text(certificate: x509.Certificate) -> str:
    names = [str(n.value) for n in sans(certificate)]
    return ", ".join(names) if names else "(none)"


def _name(ctx: Context) -> Iterable[Result]:
    if ctx.purpose != "server":
        return
    certificate, host = ctx.certificate, ctx.host
    names = _names_text(certificate)
    if not sans(certificate):
        yield _result("name", False, "no subjectAltName",
                      ctx.problem("missing_san") if ctx.v3 else None)
    elif host is None:
        yield _result("name", True, f"names {names} (no host given to match)")
    else:
        matched = host_matches(host, certificate)
        yield _result("name", matched, f"{host} {'is' if matched else 'is not'} among {names}",
                      ctx.problem("wrong_host", host=host, names=names))


def constraints_evaluator() -> Callable[..., list] | None:
    """The name-constraints evaluator (``pkilab.constraints.violations``), or None when
    this pkilab has none; cryptography's verifier then judges name constraints alone."""
    try:
        from .constraints import violations
    except ImportError:
        return None
    return violations


def _name_constraints(ctx: Context) -> Iterable[Result]:
    violations = constraints_evaluator()
    certificate = ctx.certificate
    # RFC 5280 6.1.3 (b): a self-issued intermediate is not held to the constraints.
    if violations is None or (ctx.index > 0 and facts.is_self_issued(certificate)):
        return
    # A CA above whose extensions are unreadable is reported at its own position.
    above = [(c, facts.extension_or_none(c, x509.NameConstraints))
             for c in ctx.path[ctx.index + 1:]]
    found = [(ca, v) for ca, nc in above if nc is not None for v in violations(nc, certificate)]
    if not any(nc is not None for _, nc in above):
        return
    if not found:
        yield _result("name constraints", True, "its names are within its CAs' constraints")
        return
    ca, first = found[0]
    detail = "; ".join(v.text.rstrip(".") for _, v in found[:3])
    yield _result("name constraints", False, f"{first.name} {first.reason.replace('_', ' ')}",
                  ctx.problem("name_constraints", offending=first.name,
                              ca=short_name(ca.subject), detail=detail))


def _newest(found: list[x509.CertificateRevocationList]) -> x509.CertificateRevocationList:
    from .crl import crl_number

    return max(found, key=lambda c: (crl_number(c) or 0, c.last_update_utc))


def _revocation(ctx: Context) -> Iterable[Result]:
    """Is the certificate on its issuer's CRL? (only with CRLs; like openssl -crl_check,
    the leaf must have one, while a CA without a list is noted, not refused)."""
    from .crl import crl_number, revocation_of, signed_by

    if not ctx.crls or ctx.index + 1 >= len(ctx.path):
        return
    issuer = ctx.path[ctx.index + 1]
    theirs = short_name(issuer.subject)
    mine = [c for c in ctx.crls if c.issuer == ctx.certificate.issuer]
    if not mine:
        others = ", ".join(sorted({repr(short_name(c.issuer)) for c in ctx.crls}))
        yield _result("revocation", ctx.index > 0, f"not checked: no CRL from {theirs!r}",
                      ctx.problem("crl_wrong_issuer", issuer=theirs, crl_issuers=others))
        return
    crl = _newest(mine)
    shown = {"issuer": theirs, "at": f"{ctx.at:%Y-%m-%d %H:%M} UTC"}
    if not signed_by(crl, issuer):
        yield _result("revocation", False, f"the CRL naming {theirs!r} has a bad signature",
                      ctx.problem("crl_bad_signature", **shown))
        return
    start, end = crl.last_update_utc, crl.next_update_utc
    if end is not None and _whole_seconds(ctx.at) > end:
        yield _result("revocation", False, f"the CRL of {theirs!r} expired {end:%Y-%m-%d %H:%M}",
                      ctx.problem("crl_expired", next_update=f"{end:%Y-%m-%d %H:%M} UTC",
                                  **shown))
        return
    if _whole_seconds(ctx.at) < start:
        yield _result("revocation", False, f"the CRL of {theirs!r} starts {start:%Y-%m-%d %H:%M}",
                      ctx.problem("crl_not_yet_valid", last_update=f"{start:%Y-%m-%d %H:%M} "
                                  "UTC", **shown))
        return
    entry, number = revocation_of(crl, ctx.certificate), crl_number(crl)
    if entry is not None and entry.date <= ctx.at:
        yield _result("revocation", False, f"revoked on {entry.date:%Y-%m-%d} ({entry.reason})",
                      ctx.problem("revoked", date=f"{entry.date:%Y-%m-%d %H:%M} UTC",
                                  reason=entry.reason, serial=f"{entry.serial:x}",
                                  number=number, issuer=theirs))
        return
    yield _result("revocation", True, f"not on the CRL of {theirs!r} (number {number}, "
                  f"next update {end:%Y-%m-%d})" if end else f"not on the CRL of {theirs!r}")


LEAF, CAS, NOT_ROOT = ("leaf",), ("intermediate", "root", "anchor"), ("leaf", "intermediate",
                                                                       "anchor")
ALL = ("leaf", "intermediate", "root", "anchor")

#: (problem code, roles it applies to, check), in the order a report lists them. The
#: first group needs no extension; the rest read extensions.
PLAIN_CHECKS: tuple[tuple[str, tuple[str, ...], CheckFunction], ...] = (
    ("v1_certificate", ALL, _version),
    ("bad_signature", ALL, _signature),
    ("weak_signature", NOT_ROOT, _signature_hash),
    ("expired", ALL, _validity),
    ("weak_key", ALL, _key),
)
EXTENSION_CHECKS: tuple[tuple[str, tuple[str, ...], CheckFunction], ...] = (
    ("unknown_critical_extension", ALL, _critical),
    ("not_a_ca", CAS, _ca_flag),
    ("path_length", CAS, _path_length),
    ("key_usage", CAS, _ca_key_usage),
    ("missing_key_identifier", CAS, _subject_key_id),
    ("wrong_purpose", CAS, _ca_purpose),
    ("wrong_purpose", LEAF, _leaf_purpose),
    ("key_usage", LEAF, _leaf_key_usage),
    ("missing_key_identifier", NOT_ROOT, _authority_key_id),
    ("wrong_host", LEAF, _name),
    ("name_constraints", ALL, _name_constraints),
    ("revoked", NOT_ROOT, _revocation),
)
CHECKS = PLAIN_CHECKS + EXTENSION_CHECKS


def _run(ctx: Context, table, link: Link, problems: list[Problem]) -> None:
    for _code, roles, check in table:
        if ctx.role in roles:
            for found_check, found_problem in check(ctx):
                link.checks.append(found_check)
                if found_problem is not None:
                    problems.append(found_problem)


def check_certificate(ctx: Context) -> tuple[Link, list[Problem]]:
    """Run :data:`CHECKS` on ``ctx.certificate``: what was checked, and what failed."""
    link = Link(ctx.certificate, ctx.role)
    problems: list[Problem] = []
    _run(ctx, PLAIN_CHECKS, link, problems)
    checked = len(link.checks), len(problems)
    try:
        _run(ctx, EXTENSION_CHECKS, link, problems)
    except InputError as exc:
        if exc.code != "malformed_extensions":
            raise
        del link.checks[checked[0]:], problems[checked[1]:]
        defect = facts.extension_defect(ctx.certificate) or "its extensions cannot be parsed"
        link.checks.append(Check("extensions", False, defect))
        problems.append(ctx.problem("malformed_extensions", defect=defect))
    return link, problems
