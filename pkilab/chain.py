"""Certificate chains: put them in order, verify them, and explain every failure.

:func:`verify_chain` walks the chain itself first, checking each link in plain words
(signature, validity, CA flag, path length, key usage, purpose, name, name
constraints), because the library verifier's messages are too terse to learn from: a
missing intermediate, no intermediates at all and a certificate from a foreign root all
read "all candidates exhausted" there. When pkilab's own walk finds nothing wrong, the
chain is verified again by ``cryptography.x509.verification`` (the same rules as
browsers), so pkilab never says OK where that verifier would not. Ed25519 chains, which
that verifier refuses, are verified by pkilab's walk alone, and the report says so.

Only what the caller trusts is trusted: an anchor is a self-signed root among
``roots``, unless ``partial_chain=True`` asks (as ``openssl verify -partial_chain``
does) to accept any certificate in ``roots`` as the end of the chain; the report then
says that an intermediate was trusted as the anchor.

The per-certificate checks are a table in :mod:`pkilab.chain_checks`; path building is
in :mod:`pkilab.chain_path`; problem codes and their words in :mod:`pkilab.problems`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed448, ed25519

from . import facts
from .chain_checks import (
    PURPOSES,
    Check,
    Context,
    Link,
    check_certificate,
    constraints_evaluator,
    sans,
)
from .chain_path import MAX_DEPTH, Pool, Trust, candidate_paths, dead_end
from .errors import InputError, VerificationError
from .names import format_subj, short_name
from .ordering import arrange, misorder
from .problems import Problem, problem

__all__ = ["MAX_DEPTH", "PURPOSES", "ChainReport", "Check", "Link", "Problem",
           "check_served_order", "fingerprint", "normalize_host", "order_chain",
           "verify_chain"]

#: Kept for the callers of the old name; the one home is :mod:`pkilab.facts`.
fingerprint = facts.fingerprint


@dataclass
class ChainReport:
    """The outcome of :func:`verify_chain`.

    ``chain`` runs leaf -> root as far as it could be built; ``links`` say per
    certificate what was checked; ``problems`` explain each failure and warning, errors
    first (a warning, such as ``wrong_order``, does not make the chain fail: see ``ok``).
    ``partial_chain`` is True when the chain ends at an intermediate trusted as the
    anchor (asked for with ``partial_chain=True``).
    """

    purpose: str
    host: str | None
    chain: list[x509.Certificate]
    links: list[Link]
    problems: list[Problem]
    verified_by: str
    at: dt.datetime
    partial_chain: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]

    @property
    def ok(self) -> bool:
        """True when the chain is trusted: no problem of severity "error"."""
        return not self.errors

    @property
    def problem(self) -> Problem | None:
        """The first error (or, for a trusted chain, the first warning), or None."""
        return (self.errors or self.problems or [None])[0]

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.problems]

    def raise_for_problems(self) -> ChainReport:
        """Raise :class:`VerificationError` carrying every problem, or return self.

        Warnings alone do not raise. The error's ``code`` is the first error's code and
        its ``problems`` the full list (errors first).
        """
        if self.errors:
            raise VerificationError.from_problems(self.errors + self.warnings)
        return self

    def text(self) -> str:
        lines = []
        if self.ok:
            target = f" for {self.host}" if self.host else ""
            lines.append(f"OK: a valid {self.purpose} chain{target}")
        else:
            lines.append(f"FAILED [{self.errors[0].code}]: {self.errors[0].what}")
        for index, link in enumerate(self.links):
            lines.append(f"{index}. {link.role}: {format_subj(link.certificate.subject)}")
            for check in link.checks:
                mark = "ok " if check.ok else "BAD"
                lines.append(f"   [{mark}] {check.name}: {check.detail}")
        if self.partial_chain:
            lines.append(f"note: {anchor_note(self)}.")
        for found in self.errors + self.warnings:
            if found.severity != "error":
                lines.append(f"warning [{found.code}]: {found.what}.")
            lines.append(f"why: {found.why}.")
            lines.append(f"fix: {found.fix}.")
        lines.append(f"(checked by {self.verified_by})")
        return "\n".join(lines)

    __str__ = text

    def _repr_html_(self) -> str:
        from .inspect import chain_report_html

        return chain_report_html(self)


def anchor_note(report: ChainReport) -> str:
    """The sentence that says an intermediate was trusted as the anchor."""
    name = short_name(report.chain[-1].subject)
    return (f"{name!r} is not a root: it was trusted as the anchor because partial-chain "
            "trust was asked for, so nothing above it was checked")


# ---- ordering ----------------------------------------------------------------------------

def order_chain(certificates: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    """Put a bag of certificates in order leaf -> root by following who signed whom.

    Raises :class:`InputError` (code ``not_one_chain``) when the bag holds more than
    one chain or has a gap; :func:`pkilab.formats.bundle.order_leaf_to_root` is the
    forgiving twin that never raises.
    """
    arranged = arrange(certificates)
    if not arranged.chain:
        raise InputError("no certificates to order", "", "pass at least one certificate",
                         code="no_certificates")
    if len(arranged.leaves) != 1:
        names = ", ".join(short_name(c.subject) for c in arranged.leaves) or "none (a loop?)"
        raise InputError("these certificates do not form one chain",
                         f"certificates nobody else builds on: {names}",
                         "pass one leaf with its own intermediates (and root)",
                         code="not_one_chain")
    chain = arranged.chain
    gap = next((c for c, up in itertools.pairwise(chain) if not facts.signed_by(c, up)), None)
    if arranged.rest or gap is not None:
        current = gap if gap is not None else chain[-1]
        raise InputError("the certificates do not form one chain",
                         f"nothing here signed {short_name(current.subject)!r}, but "
                         f"{len(chain) + len(arranged.rest) - chain.index(current) - 1} "
                         "certificate(s) are left over",
                         "remove certificates that belong to another chain",
                         code="not_one_chain")
    return chain


def check_served_order(served: Sequence[x509.Certificate]) -> list[Problem]:
    """Problems with the order of a chain as a server sends it (``fullchain.crt``).

    A leaf that is not first is an error in every TLS version (code ``leaf_not_first``);
    issuers out of order after the leaf break only TLS 1.2's rule (RFC 5246), which TLS
    1.3 (RFC 8446 4.4.2) relaxed: that is a warning (``wrong_order``).
    """
    served = facts.unique(list(served))
    try:
        right = order_chain(served)
    except InputError:
        return []
    found = misorder(served)
    if found is None or len(right) != len(served):
        return []
    code = "leaf_not_first" if found[0] in ("reversed", "leaf_not_first") else "wrong_order"
    return [problem(code, 0, found=" -> ".join(short_name(c.subject) for c in served),
                    wanted=" -> ".join(short_name(c.subject) for c in right))]


# ---- the library check -----------------------------------------------------------------------

_EDWARDS = (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)


def _edwards_check(path: list[x509.Certificate]) -> tuple[str, Problem | None]:
    evaluated = constraints_evaluator() is not None
    kinds = [x509.PolicyConstraints] + ([] if evaluated else [x509.NameConstraints])
    if any(facts.extension(c, kind) is not None for c in path for kind in kinds):
        # pkilab's own walk does not evaluate these; say no rather than a false OK.
        return "pkilab's own checks", problem(
            "unsupported", None, which="policy" if evaluated else "name or policy")
    return ("pkilab's own checks (cryptography's verifier refuses Ed25519 chains; "
            "OpenSSL accepts them)", None)


def _library_check(path, anchors, intermediates, purpose, host, at
                   ) -> tuple[str, Problem | None]:
    if any(isinstance(c.public_key(), _EDWARDS) for c in path):
        return _edwards_check(path)
    from cryptography.x509 import verification as v

    # whole seconds, as pkilab's own validity check (RFC 5280 4.1.2.5)
    builder = v.PolicyBuilder().store(v.Store(list(anchors))).time(at.replace(microsecond=0))
    try:
        if purpose == "server":
            subject = _verifier_subject(v, host if host is not None else _some_name(path[0]))
            builder.build_server_verifier(subject).verify(path[0], list(intermediates))
        else:
            builder.build_client_verifier().verify(path[0], list(intermediates))
    except ValueError as exc:  # a name cryptography will not take (e.g. "a_b.example")
        return "pkilab's checks", problem("unsupported", None, "name",
                                          detail=str(exc).rstrip("."))
    except v.VerificationError as exc:
        return "cryptography.x509.verification", problem("rejected", None,
                                                         detail=str(exc).rstrip("."))
    return "pkilab's checks and cryptography.x509.verification", None


def _some_name(leaf: x509.Certificate) -> str:
    """A concrete name the leaf claims, to run the library's checks when no host is given."""
    for general_name in sans(leaf):
        if isinstance(general_name, x509.DNSName):
            return general_name.value.replace("*", "wildcard", 1)
    for general_name in sans(leaf):
        if isinstance(general_name, x509.IPAddress):
            return str(general_name.value)
    return "invalid.invalid"


def _verifier_subject(v, target: str):
    try:
        return v.IPAddress(ipaddress.ip_address(target))
    except ValueError:
        return v.DNSName(target)


def normalize_host(host: str) -> str:
    """A host name as certificates spell it: no trailing dot, IDNA (xn--) for non-ASCII."""
    from .profiles import dns_name

    text = host.strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return dns_name(text)


# ---- verification ------------------------------------------------------------------------------

def _check_path(path, trusted, purpose, host, at, crls=()
                ) -> tuple[list[Link], list[Problem]]:
    links, problems = [], []
    for index in range(len(path)):
        link, found = check_certificate(Context(index, path, trusted, purpose, host, at,
                                                crls=crls))
        links.append(link)
        problems.extend(found)
    return links, problems


def _best_path(leaf, trust: Trust, pool, purpose, host, at, crls=()):
    """(path, trusted, links, problems) of the first path that passes every check, else
    of the first that reaches an anchor, else of the one that got furthest."""
    first = furthest = None
    for path, trusted in candidate_paths(leaf, trust, pool):
        if not trusted:
            if furthest is None or len(path) > len(furthest):
                furthest = path
            continue
        links, problems = _check_path(path, True, purpose, host, at, crls)
        if not any(p.severity == "error" for p in problems):
            return path, True, links, problems
        first = first or (path, True, links, problems)
    if first is not None:
        return first
    path = furthest or [leaf]
    links, problems = _check_path(path, False, purpose, host, at, crls)
    return path, False, links, [dead_end(path, trust, pool), *problems]


def _arguments(leaf, roots, purpose, host, at):
    if purpose not in PURPOSES:
        raise InputError(f"unknown purpose {purpose!r}", "", "use 'server' or 'client'",
                         code="unknown_purpose")
    if host is not None and purpose != "server":
        raise InputError("a host name is checked only for servers",
                         f"a {purpose} certificate is not matched against a host",
                         "leave out --host, or verify with --purpose server",
                         code="host_for_client")
    roots = [roots] if isinstance(roots, x509.Certificate) else list(roots)
    if not roots:
        raise InputError("no trusted root given", "verification needs a CA to trust",
                         "pass the root certificate (--ca root.crt)", code="no_trusted_root")
    served = [leaf] if isinstance(leaf, x509.Certificate) else facts.unique(list(leaf))
    if not served:
        raise InputError("no certificate to verify", "", "pass the leaf certificate",
                         code="no_certificates")
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)  # naive times are taken as UTC
    return (served, roots, normalize_host(host) if host is not None else None,
            at or dt.datetime.now(dt.timezone.utc))


def _check_crls(crls) -> tuple[x509.CertificateRevocationList, ...]:
    found = (crls,) if isinstance(crls, x509.CertificateRevocationList) else tuple(crls)
    if not all(isinstance(c, x509.CertificateRevocationList) for c in found):
        raise InputError("crls= holds something that is not a CRL",
                         "verify_chain takes CRL objects",
                         "load them with pkilab.load_crls('crl.pem')", code="not_a_crl")
    return found


def verify_chain(
    leaf: x509.Certificate | Sequence[x509.Certificate],
    roots: x509.Certificate | Sequence[x509.Certificate],
    intermediates: Sequence[x509.Certificate] = (),
    *,
    host: str | None = None,
    purpose: str = "server",
    at: dt.datetime | None = None,
    partial_chain: bool = False,
    crls: Sequence[x509.CertificateRevocationList] = (),
) -> ChainReport:
    """Verify a chain for a TLS server (``purpose="server"``, optionally for ``host``) or a
    TLS client, against trusted ``roots``; never raises for a bad chain, returns a report.

    ``leaf`` may be a list as a server sends it (leaf first, then intermediates); its
    order is then checked too. ``at`` is the time to check (default: now). Only
    self-signed certificates in ``roots`` are anchors, unless ``partial_chain=True``
    (openssl's ``-partial_chain``) lets an intermediate in ``roots`` end the chain.
    Raises :class:`InputError` only for bad arguments (unknown purpose, no root).

    ``crls`` (``pkilab.load_crls``) turns on revocation checking, like ``openssl verify
    -crl_check_all`` but kinder: the leaf must have its issuer's CRL (else
    ``crl_wrong_issuer``), a CA with no CRL among them is noted and passes. A listed
    certificate is ``revoked`` (with its date and reason); an expired list, one signed
    by another key, or one not yet valid are ``crl_expired``, ``crl_bad_signature``,
    ``crl_not_yet_valid``.

    >>> report = verify_chain(server.certificate, root.certificate, server.chain,
    ...                       host="localhost")                        # doctest: +SKIP
    >>> report.ok, report.problem
    """
    served, roots, host, at = _arguments(leaf, roots, purpose, host, at)
    order_problems = check_served_order(served) if len(served) > 1 else []
    if order_problems:
        served = order_chain(served)
    trust = Trust.of(roots, partial_chain)
    anchors = {a.fingerprint(hashes.SHA256()) for a in trust.anchors}
    pool = [c for c in facts.unique([*served[1:], *intermediates, *trust.given])
            if c.fingerprint(hashes.SHA256()) not in anchors]
    crls = _check_crls(crls)
    path, trusted, links, problems = _best_path(served[0], trust, Pool(pool), purpose, host,
                                                at, crls)
    problems = order_problems + problems
    verified_by = "pkilab's checks"
    if not any(p.severity == "error" for p in problems):
        used = [path[-1]] if trusted else trust.anchors
        verified_by, library_problem = _library_check(path, used, pool, purpose, host, at)
        if library_problem:
            problems.append(library_problem)
    partial = trusted and links[-1].role == "anchor"
    # Errors first (stable otherwise): whoever shows problems[0] shows why trust failed.
    problems.sort(key=lambda p: p.severity != "error")
    return ChainReport(purpose, host, path, links, problems, verified_by, at, partial)
