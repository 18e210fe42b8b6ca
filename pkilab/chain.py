"""Certificate chains: put them in order, verify them, and explain every failure.

:func:`verify_chain` walks the chain itself first, checking each link in plain words
(signature, validity, CA flag, path length, key usage, purpose, name), because the
library verifier's messages are too terse to learn from: a missing intermediate, no
intermediates at all and a certificate from a foreign root all read "all candidates
exhausted" there. When pkilab's own walk finds nothing wrong, the chain is verified
again by ``cryptography.x509.verification`` (the same rules as browsers), so pkilab
never says OK where that verifier would not. Ed25519 chains, which that verifier
refuses, are verified by pkilab's walk alone, and the report says so.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed448, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from .ca import signed_by
from .errors import InputError, VerificationError
from .keys import MIN_RSA_BITS, describe_key
from .names import format_subj, short_name

PURPOSES = {"server": ExtendedKeyUsageOID.SERVER_AUTH, "client": ExtendedKeyUsageOID.CLIENT_AUTH}
# Critical extensions pkilab evaluates itself (name constraints: see _library_check).
_EVALUATED_CRITICAL = (x509.BasicConstraints, x509.KeyUsage, x509.ExtendedKeyUsage,
                       x509.SubjectAlternativeName, x509.NameConstraints)
MAX_DEPTH = 8


@dataclass(frozen=True)
class Check:
    """One thing checked on one certificate, in words."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Problem:
    """Why a chain failed: a stable ``code`` for programs, and what / why / fix for people.

    ``position`` is the index in :attr:`ChainReport.chain` of the certificate at fault
    (None when the problem is about the whole chain).
    """

    code: str
    what: str
    why: str
    fix: str
    position: int | None = None

    def __str__(self) -> str:
        return f"{self.what}. {self.why}. {self.fix}."


@dataclass
class Link:
    """One certificate of the chain and what was checked on it."""

    certificate: x509.Certificate
    role: str  # "leaf", "intermediate" or "root"
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def name(self) -> str:
        return short_name(self.certificate.subject)


@dataclass
class ChainReport:
    """The outcome of :func:`verify_chain`.

    ``chain`` runs leaf -> root as far as it could be built; ``links`` say per
    certificate what was checked; ``problems`` explain each failure (empty when ok).
    """

    purpose: str
    host: str | None
    chain: list[x509.Certificate]
    links: list[Link]
    problems: list[Problem]
    verified_by: str
    at: dt.datetime

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem(self) -> Problem | None:
        return self.problems[0] if self.problems else None

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.problems]

    def raise_for_problems(self) -> ChainReport:
        """Raise :class:`VerificationError` with the first problem, or return self."""
        if self.problems:
            p = self.problems[0]
            raise VerificationError(p.what, p.why, p.fix)
        return self

    def text(self) -> str:
        lines = []
        if self.ok:
            target = f" for {self.host}" if self.host else ""
            lines.append(f"OK: a valid {self.purpose} chain{target}")
        else:
            lines.append(f"FAILED [{self.problems[0].code}]: {self.problems[0].what}")
        for index, link in enumerate(self.links):
            lines.append(f"{index}. {link.role}: {format_subj(link.certificate.subject)}")
            for check in link.checks:
                mark = "ok " if check.ok else "BAD"
                lines.append(f"   [{mark}] {check.name}: {check.detail}")
        for problem in self.problems:
            lines.append(f"why: {problem.why}.")
            lines.append(f"fix: {problem.fix}.")
        lines.append(f"(checked by {self.verified_by})")
        return "\n".join(lines)

    __str__ = text

    def _repr_html_(self) -> str:
        from .inspect import chain_report_html

        return chain_report_html(self)


# ---- helpers over certificates ------------------------------------------------------------

def _ext(certificate: x509.Certificate, kind):
    try:
        return certificate.extensions.get_extension_for_class(kind)
    except x509.ExtensionNotFound:
        return None
    except ValueError:  # a malformed extension: treat as absent; doctor reports it
        return None


def is_ca(certificate: x509.Certificate) -> bool:
    bc = _ext(certificate, x509.BasicConstraints)
    return bool(bc and bc.value.ca)


def is_self_signed(certificate: x509.Certificate) -> bool:
    return certificate.subject == certificate.issuer and signed_by(certificate, certificate)


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 fingerprint as colon-separated hex, like ``openssl x509 -fingerprint``."""
    return certificate.fingerprint(hashes.SHA256()).hex(":").upper()


def _same(a: x509.Certificate, b: x509.Certificate) -> bool:
    return a.fingerprint(hashes.SHA256()) == b.fingerprint(hashes.SHA256())


def _unique(certificates: Iterable[x509.Certificate]) -> list[x509.Certificate]:
    """The certificates without repeats (a bundle may list one twice), order kept."""
    out: list[x509.Certificate] = []
    for certificate in certificates:
        if not _contains(out, certificate):
            out.append(certificate)
    return out


def _contains(bag: Iterable[x509.Certificate], certificate: x509.Certificate) -> bool:
    return any(_same(certificate, c) for c in bag)


def _sans(certificate: x509.Certificate) -> list[x509.GeneralName]:
    san = _ext(certificate, x509.SubjectAlternativeName)
    return list(san.value) if san else []


def _host_matches(host: str, certificate: x509.Certificate) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    for general_name in _sans(certificate):
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
    names = [str(n.value) for n in _sans(certificate)]
    return ", ".join(names) if names else "(none)"


# ---- ordering ----------------------------------------------------------------------------

def order_chain(certificates: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    """Put a bag of certificates in order leaf -> root by following who signed whom.

    Raises :class:`InputError` when the bag holds more than one chain or has a gap.
    """
    bag = _unique(certificates)
    if not bag:
        raise InputError("no certificates to order", "", "pass at least one certificate")
    issuers_used = {i for i, c in enumerate(bag) for j, d in enumerate(bag)
                    if i != j and d.issuer == c.subject and signed_by(d, c)}
    leaves = [c for i, c in enumerate(bag) if i not in issuers_used]
    if len(leaves) != 1:
        names = ", ".join(short_name(c.subject) for c in leaves) or "none (a loop?)"
        raise InputError("these certificates do not form one chain",
                         f"certificates nobody else builds on: {names}",
                         "pass one leaf with its own intermediates (and root)")
    ordered = [leaves[0]]
    remaining = [c for c in bag if c is not leaves[0]]
    while remaining:
        current = ordered[-1]
        issuer = next((c for c in remaining if current.issuer == c.subject
                       and signed_by(current, c)), None)
        if issuer is None:
            raise InputError("the certificates do not form one chain",
                             f"nothing here signed {short_name(current.subject)!r}, but "
                             f"{len(remaining)} certificate(s) are left over",
                             "remove certificates that belong to another chain")
        ordered.append(issuer)
        remaining = [c for c in remaining if c is not issuer]
    return ordered


def check_served_order(served: Sequence[x509.Certificate]) -> list[Problem]:
    """Problems with the order of a chain as a server sends it (``fullchain.crt``).

    TLS wants the leaf first and each certificate followed by the one that signed it:
    ``cat server.crt intermediate2.crt intermediate1.crt > fullchain.crt``.
    """
    served = _unique(served)
    if len(served) < 2:
        return []
    try:
        right = order_chain(served)
    except InputError:
        return []
    if len(right) != len(served) or all(_same(a, b) for a, b in zip(served, right, strict=True)):
        return []
    wanted = " -> ".join(short_name(c.subject) for c in right)
    found = " -> ".join(short_name(c.subject) for c in served)
    return [Problem(
        "wrong_order",
        "the full chain is in the wrong order",
        f"it lists {found}. TLS 1.2 (RFC 5246) requires the leaf first and each certificate "
        "followed by its issuer; TLS 1.3 clients and most modern ones tolerate other orders "
        "after the leaf, old ones do not. With the leaf not first, nginx refuses the file "
        "('key values mismatch')",
        f"write it as {wanted} (cat server.crt intermediate2.crt intermediate1.crt > "
        "fullchain.crt)", 0)]


# ---- building the path -------------------------------------------------------------------

def _build_path(leaf, roots, pool) -> tuple[list[x509.Certificate], bool, list[Problem]]:
    """Follow issuers from the leaf; returns (path, reached a trusted root, problems).

    Every candidate issuer is tried (a cross-signed twin of an intermediate may come
    first); when none leads to a trusted root, the attempt that got furthest explains.
    """
    return _extend([leaf], roots, pool)


def _extend(path, roots, pool):
    current = path[-1]
    if len(path) > MAX_DEPTH:
        return path, False, [Problem("too_long", "the chain is too long",
                                     f"more than {MAX_DEPTH} certificates", "check for a loop")]
    if current.subject == current.issuer and signed_by(current, current):
        if _contains(roots, current):
            return path, True, []
        return path, False, [Problem(
            "untrusted_root",
            f"the chain ends at {short_name(current.subject)!r}, a root you do not trust",
            "it is self-signed but not among the trusted CA certificates, so anyone could "
            "have made it",
            "pass the right root with --ca (root.crt of the same set); never "
            "work around this with curl -k", len(path) - 1)]
    root = next((r for r in roots if current.issuer == r.subject and signed_by(current, r)),
                None)
    if root is not None:
        return [*path, root], True, []
    candidates = [c for c in pool if current.issuer == c.subject and not _contains(path, c)
                  and signed_by(current, c)]
    best = None
    for candidate in candidates:
        attempt = _extend([*path, candidate], roots, pool)
        if attempt[1]:
            return attempt
        if best is None or len(attempt[0]) > len(best[0]):
            best = attempt
    if best is not None:
        return best
    return path, False, [_missing_issuer(current, roots, pool, len(path) - 1)]


def _weak_hash(certificate: x509.Certificate) -> str | None:
    try:
        algorithm = certificate.signature_hash_algorithm
    except Exception:  # an algorithm cryptography cannot name
        return None
    return algorithm.name.upper() if isinstance(algorithm, (hashes.SHA1, hashes.MD5)) else None


def _missing_issuer(current, roots, pool, position) -> Problem:
    issuer = short_name(current.issuer)
    weak = _weak_hash(current)
    if weak and any(c.subject == current.issuer for c in [*roots, *pool]):
        return Problem(
            "weak_signature",
            f"{short_name(current.subject)!r} is signed with {weak}",
            f"{weak} signatures can be forged and are refused by today's verifiers "
            "(OpenSSL: 'CA signature digest algorithm too weak')",
            "re-issue it with SHA-256 (openssl x509 -req ... -sha256; pkilab's default)",
            position)
    same_name_roots = [r for r in roots if r.subject == current.issuer]
    same_name_pool = [c for c in pool if c.subject == current.issuer]
    if same_name_roots:
        return Problem(
            "untrusted_root",
            f"{short_name(current.subject)!r} was signed by another key than the trusted root "
            f"{issuer!r}",
            "a root of the same name exists, but its key did not make this signature: it comes "
            "from a different CA that happens to use the same name (running the seed's recipe "
            "twice makes exactly this)",
            "trust the root that really signed it, or re-issue the certificate from your root",
            position)
    if same_name_pool:
        return Problem(
            "bad_signature",
            f"the signature on {short_name(current.subject)!r} does not match {issuer!r}",
            f"a certificate named {issuer!r} was given, but its key did not sign this one "
            "(re-generated CA key, or a certificate edited after signing)",
            "use the intermediate that really issued it, or re-issue the certificate",
            position)
    # Which story fits: our own root is above the provided intermediates (a link is
    # missing), or the provided certificates lead to another root (foreign PKI)?
    for candidate in pool:
        _, trusted, _ = _build_path(candidate, roots, [c for c in pool if c is not candidate])
        if trusted:
            return Problem(
                "missing_intermediate",
                f"the intermediate {issuer!r} is missing",
                f"{short_name(current.subject)!r} was issued by {issuer!r}, which was not "
                f"provided; the intermediates that were given ({short_name(candidate.subject)!r}) "
                "do lead to your root, but nothing links them to this certificate",
                f"add the certificate of {issuer!r} (servers send fullchain.crt, which has "
                "every intermediate)", position)
    if not pool:
        return Problem(
            "unknown_issuer",
            f"the issuer {issuer!r} is neither a trusted root nor provided",
            "no intermediate certificates were given. Either an intermediate is missing (a "
            "server that sends server.crt instead of fullchain.crt does this), or the "
            "certificate comes from a CA you do not trust",
            f"if {issuer!r} is an intermediate of your CA, add it (--untrusted); if it belongs "
            "to another CA, this certificate should be refused",
            position)
    # The provided certificates climb to an issuer nobody has: a missing link of your own
    # chain and the top of a foreign one look exactly alike here, so say both.
    return Problem(
        "unknown_issuer",
        f"the issuer {issuer!r} is neither a trusted root nor provided",
        f"the chain climbs from the leaf to {short_name(current.subject)!r}, whose issuer "
        f"{issuer!r} is missing: either that intermediate was left out, or the chain "
        "belongs to a CA you do not trust",
        f"if {issuer!r} is part of your CA, add its certificate (--untrusted); if not, "
        "this certificate is rightly refused", position)


# ---- checking each link --------------------------------------------------------------------

def _check_link(index: int, path: list[x509.Certificate], trusted: bool, purpose: str,
                host: str | None, at: dt.datetime) -> tuple[Link, list[Problem]]:
    certificate = path[index]
    last = index == len(path) - 1
    role = "leaf" if index == 0 else ("root" if last and trusted else "intermediate")
    name = short_name(certificate.subject)
    link = Link(certificate, role)
    problems: list[Problem] = []

    def add(check: str, ok: bool, detail: str, problem: Problem | None = None) -> None:
        link.checks.append(Check(check, ok, detail))
        if not ok and problem is not None:
            problems.append(problem)

    # version
    v3 = certificate.version == x509.Version.v3
    add("version", v3, "X.509 v3" if v3 else "X.509 v1: cannot carry any extension",
        Problem("v1_certificate", f"{name!r} is a version 1 certificate",
                "v1 certificates have no extensions, so they cannot say they are a CA, name a "
                "host or state a purpose; openssl x509 -req without -extfile makes them",
                "re-issue it with extensions (pkilab does this by default; with openssl add "
                "-extfile and the right section)", index))

    # signature
    issuer = path[index + 1] if index + 1 < len(path) else (certificate if trusted else None)
    anchor_not_self_signed = (issuer is certificate
                              and certificate.subject != certificate.issuer)
    if anchor_not_self_signed:
        # An intermediate given as the trust anchor: trusted as it is, nothing to check
        # above it (cryptography accepts this; openssl verify needs -partial_chain).
        add("signature", True, "trusted as given (an intermediate: a partial chain)")
    elif issuer is not None:
        good = signed_by(certificate, issuer)
        by = "itself (self-signed)" if issuer is certificate else repr(short_name(issuer.subject))
        add("signature", good, f"signed by {by}" if good else f"not signed by {by}",
            Problem("bad_signature", f"the signature on {name!r} is not valid",
                    "the certificate was changed after signing, or signed by another key",
                    "re-issue it from the right CA", index))

    weak = _weak_hash(certificate)
    if weak and role != "root":
        add("signature hash", False, f"{weak} (too weak)",
            Problem("weak_signature", f"{name!r} is signed with {weak}",
                    f"{weak} signatures can be forged and are refused by today's verifiers",
                    "re-issue it with SHA-256 (pkilab's default)", index))

    # validity
    start, end = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    when = f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"
    if at < start:
        add("validity", False, f"not valid until {start:%Y-%m-%d %H:%M} UTC",
            Problem("not_yet_valid", f"{name!r} is not valid yet",
                    f"its validity starts {start:%Y-%m-%d %H:%M} UTC, after the time checked "
                    f"({at:%Y-%m-%d %H:%M} UTC)", "check the clock, or re-issue it", index))
    elif at > end:
        add("validity", False, f"expired {end:%Y-%m-%d %H:%M} UTC",
            Problem("expired", f"{name!r} has expired",
                    f"it was valid {when}; the time checked is {at:%Y-%m-%d %H:%M} UTC",
                    "renew it (same key, new dates: CertificateAuthority.renew)", index))
    else:
        add("validity", True, when)

    # key strength
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < MIN_RSA_BITS:
        add("key", False, f"{describe_key(key)} is too small",
            Problem("weak_key", f"{name!r} has a {key.key_size}-bit RSA key",
                    f"keys below {MIN_RSA_BITS} bits are refused by browsers, OpenSSL's default "
                    "security level and cryptography's verifier (the seed uses 1024)",
                    "re-issue with an EC P-256 key (pkilab's default) or RSA 2048+", index))
    else:
        add("key", True, describe_key(key))

    try:
        unknown = [getattr(e.oid, "_name", None) or e.oid.dotted_string
                   for e in certificate.extensions
                   if e.critical and not isinstance(e.value, _EVALUATED_CRITICAL)]
    except ValueError:
        unknown = ["(extensions that cannot be parsed)"]
    if unknown:
        add("critical extensions", False, "not evaluated: " + ", ".join(unknown),
            Problem("unknown_critical_extension",
                    f"{name!r} has a critical extension pkilab does not evaluate",
                    "RFC 5280: a verifier must reject a certificate with a critical extension "
                    "it does not process (" + ", ".join(unknown) + ")",
                    "re-issue it without that extension, or mark it non-critical", index))
    bc = _ext(certificate, x509.BasicConstraints)
    ski = _ext(certificate, x509.SubjectKeyIdentifier)
    aki = _ext(certificate, x509.AuthorityKeyIdentifier)
    if role != "leaf":
        ca_ok = bool(bc and bc.value.ca)
        below = ", so it may not sign certificates"
        add("CA flag", ca_ok and bc.critical,
            ("CA:TRUE (critical)" if ca_ok and bc.critical else
             "CA:TRUE but not critical" if ca_ok else
             ("CA:FALSE" + below if bc else "no basicConstraints" + below)),
            None if not v3 else Problem(
                "not_a_ca",
                f"{name!r} is not a CA but signed {short_name(path[index - 1].subject)!r}",
                "only certificates with basicConstraints CA:TRUE (critical) may sign others"
                if not (ca_ok and not bc.critical) else
                "RFC 5280 requires basicConstraints to be critical on CA certificates",
                "issue it as a CA (issue_intermediate; openssl: basicConstraints=critical,"
                "CA:TRUE in the extfile)", index))
        limit = bc.value.path_length if bc and bc.value.ca else None
        below_count = index - 1  # CAs between this one and the leaf
        if limit is None:
            add("path length", True, "no limit")
        else:
            add("path length", below_count <= limit,
                f"{below_count} CA(s) below it, limit {limit}",
                Problem("path_length",
                        f"{name!r} allows {limit} CA(s) below it, but the chain has "
                        f"{below_count}",
                        "its basicConstraints pathLenConstraint forbids this many intermediates "
                        "('path length constraint violated')",
                        f"re-issue {name!r} with path_length={below_count}, or shorten the "
                        "chain", index))
        ku = _ext(certificate, x509.KeyUsage)
        signs = ku is not None and ku.value.key_cert_sign
        add("key usage", signs, "keyCertSign" if signs else
            ("no keyUsage" if ku is None else "keyCertSign missing"),
            None if not v3 else Problem(
                "key_usage",
                f"{name!r} has no keyUsage" if ku is None else
                f"{name!r} is not allowed to sign certificates",
                "RFC 5280 requires keyUsage with keyCertSign on CA certificates; "
                "cryptography's verifier and openssl verify -x509_strict ('CA cert does not "
                "include key usage extension') refuse a CA without it. openssl req -x509 "
                "with the default config (the seed's root) leaves it out"
                if ku is None else "its keyUsage lacks keyCertSign",
                "re-issue it with keyUsage=critical,keyCertSign,cRLSign (openssl: -addext "
                "on req -x509, or in the -extfile)", index))
        add("key identifier", ski is not None,
            "subjectKeyIdentifier present" if ski else "no subjectKeyIdentifier",
            None if not v3 else Problem(
                "missing_key_identifier", f"{name!r} has no subjectKeyIdentifier",
                "RFC 5280 requires it on CA certificates, and Python 3.13's strict "
                "verification rejects CAs without it",
                "re-issue it with subjectKeyIdentifier=hash", index))
        ca_eku = _ext(certificate, x509.ExtendedKeyUsage)
        if ca_eku is not None:
            allowed = {PURPOSES[purpose], ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE}
            fits = bool(allowed & set(ca_eku.value))
            have = ", ".join(getattr(o, "_name", o.dotted_string) for o in ca_eku.value)
            add("purpose", fits, f"extendedKeyUsage {have}",
                Problem("wrong_purpose", f"the CA {name!r} is limited to {have}",
                        f"an extendedKeyUsage on a CA limits everything below it; "
                        f"{purpose}Auth is not in it",
                        f"re-issue the CA without extendedKeyUsage, or with {purpose}Auth",
                        index))
    else:
        wanted = PURPOSES[purpose]
        eku = _ext(certificate, x509.ExtendedKeyUsage)
        if bc and bc.value.ca:
            add("purpose", False, "CA:TRUE on a leaf",
                Problem("leaf_is_ca", f"{name!r} is a CA certificate used as a {purpose} "
                        "certificate", "verifiers refuse CA certificates as TLS leaves",
                        "issue a leaf (issue_server / issue_client) for the server or client",
                        index))
        elif eku is None or wanted in eku.value:
            add("purpose", True, f"{purpose}Auth" + (" (no extendedKeyUsage: any purpose)"
                                                    if eku is None else ""))
        else:
            have = ", ".join(o._name for o in eku.value)
            add("purpose", False, f"extendedKeyUsage is {have}, not {purpose}Auth",
                Problem("wrong_purpose",
                        f"{name!r} is not meant for a TLS {purpose}",
                        f"its extendedKeyUsage allows {have} but not {purpose}Auth",
                        f"use a {purpose} certificate (issue_{purpose})", index))
        leaf_ku = _ext(certificate, x509.KeyUsage)
        if leaf_ku is not None:
            value = leaf_ku.value
            is_rsa = isinstance(certificate.public_key(), rsa.RSAPublicKey)
            tls_ok = value.digital_signature or (is_rsa and value.key_encipherment)
            add("key usage", tls_ok,
                "digitalSignature" if value.digital_signature else
                ("keyEncipherment (RSA key transport only)" if tls_ok else
                 "neither digitalSignature nor keyEncipherment"),
                Problem("key_usage", f"{name!r} may not be used for a TLS handshake",
                        "its keyUsage allows neither digitalSignature (needed to sign the "
                        "handshake) nor, for RSA, keyEncipherment; OpenSSL refuses it",
                        "re-issue it with keyUsage=critical,digitalSignature", index))
    if role != "root":
        add("authority key id", aki is not None,
            "authorityKeyIdentifier present" if aki else "no authorityKeyIdentifier",
            None if not v3 else Problem(
                "missing_key_identifier", f"{name!r} has no authorityKeyIdentifier",
                "RFC 5280 requires it, and Python 3.13's strict verification rejects "
                "certificates without it", "re-issue it with authorityKeyIdentifier",
                index))

    if role == "leaf" and purpose == "server":
        sans = _sans(certificate)
        if not sans:
            add("name", False, "no subjectAltName",
                None if not v3 else Problem(
                    "missing_san", f"{name!r} has no subjectAltName",
                    "clients match the host name against the subjectAltName only; the CN has "
                    "been ignored since 2017 (Chrome 58, Python 3.7)",
                    "re-issue with names (issue_server(['host']); openssl: -addext "
                    "subjectAltName=DNS:host)", index))
        elif host is None:
            add("name", True, f"names {_names_text(certificate)} (no host given to match)")
        else:
            matched = _host_matches(host, certificate)
            add("name", matched, f"{host} {'is' if matched else 'is not'} among "
                f"{_names_text(certificate)}",
                Problem("wrong_host", f"{name!r} is not valid for {host!r}",
                        f"its subjectAltName lists {_names_text(certificate)}",
                        f"connect with a listed name, or issue a certificate that names {host}",
                        index))
    return link, problems


# ---- the library check -----------------------------------------------------------------------

def _library_check(path, roots, intermediates, purpose, host, at) -> tuple[str, Problem | None]:
    unsupported = (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)
    if any(isinstance(c.public_key(), unsupported) for c in path):
        constrained = [c for c in path if _ext(c, x509.NameConstraints) is not None
                       or _ext(c, x509.PolicyConstraints) is not None]
        if constrained:
            # pkilab's own walk does not evaluate these; say no rather than a false OK.
            return ("pkilab's own checks", Problem(
                "unsupported", "this Ed25519 chain uses name or policy constraints",
                "cryptography's verifier refuses Ed25519 chains, and pkilab's own checks do "
                "not evaluate name or policy constraints, so it cannot vouch for this chain",
                "check it with openssl verify -x509_strict, or use EC P-256 keys", None))
        return ("pkilab's own checks (cryptography's verifier refuses Ed25519 chains; "
                "OpenSSL accepts them)", None)
    from cryptography.x509 import verification as v

    builder = v.PolicyBuilder().store(v.Store(list(roots))).time(at)
    try:
        if purpose == "server":
            subject = _verifier_subject(v, host if host is not None else _some_name(path[0]))
            builder.build_server_verifier(subject).verify(path[0], list(intermediates))
        else:
            builder.build_client_verifier().verify(path[0], list(intermediates))
    except ValueError as exc:  # a name cryptography will not take (e.g. "a_b.example")
        return ("pkilab's checks", Problem(
            "unsupported", "cryptography's verifier cannot check this name",
            str(exc).rstrip("."), "use a host name made of letters, digits and hyphens",
            None))
    except v.VerificationError as exc:
        return ("cryptography.x509.verification", Problem(
            "rejected", "cryptography's verifier rejected the chain", str(exc).rstrip("."),
            "see the checks above; report this case to the pkilab developers", None))
    return "pkilab's checks and cryptography.x509.verification", None


def _some_name(leaf: x509.Certificate) -> str:
    """A concrete name the leaf claims, to run the library's checks when no host is given."""
    for general_name in _sans(leaf):
        if isinstance(general_name, x509.DNSName):
            return general_name.value.replace("*", "wildcard", 1)
    for general_name in _sans(leaf):
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


def verify_chain(
    leaf: x509.Certificate | Sequence[x509.Certificate],
    roots: x509.Certificate | Sequence[x509.Certificate],
    intermediates: Sequence[x509.Certificate] = (),
    *,
    host: str | None = None,
    purpose: str = "server",
    at: dt.datetime | None = None,
) -> ChainReport:
    """Verify a chain for a TLS server (``purpose="server"``, optionally for ``host``) or a
    TLS client, against trusted ``roots``; never raises for a bad chain, returns a report.

    ``leaf`` may be a list as a server sends it (leaf first, then intermediates); its
    order is then checked too. ``at`` is the time to check (default: now).

    >>> report = verify_chain(server.certificate, root.certificate, server.chain,
    ...                       host="localhost")                        # doctest: +SKIP
    >>> report.ok, report.problem
    """
    if purpose not in PURPOSES:
        raise InputError(f"unknown purpose {purpose!r}", "", "use 'server' or 'client'")
    if host is not None and purpose != "server":
        raise InputError("a host name is checked only for servers",
                         f"a {purpose} certificate is not matched against a host",
                         "leave out --host, or verify with --purpose server")
    if host is not None:
        host = normalize_host(host)
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)  # naive times are taken as UTC
    roots = [roots] if isinstance(roots, x509.Certificate) else list(roots)
    if not roots:
        raise InputError("no trusted root given", "verification needs a CA to trust",
                         "pass the root certificate (--ca root.crt)")
    order_problems: list[Problem] = []
    if isinstance(leaf, x509.Certificate):
        served = [leaf]
    else:
        served = _unique(leaf)
        if not served:
            raise InputError("no certificate to verify", "", "pass the leaf certificate")
        order_problems = check_served_order(served)
        if order_problems:
            served = order_chain(served)
    pool = [c for c in _unique([*served[1:], *intermediates]) if not _contains(roots, c)]
    at = at or dt.datetime.now(dt.timezone.utc)
    path, trusted, problems = _build_path(served[0], roots, pool)
    links: list[Link] = []
    for index in range(len(path)):
        link, link_problems = _check_link(index, path, trusted, purpose, host, at)
        links.append(link)
        problems.extend(link_problems)
    problems = order_problems + problems
    verified_by = "pkilab's checks"
    if not problems:
        verified_by, library_problem = _library_check(path, roots, pool, purpose, host, at)
        if library_problem:
            problems.append(library_problem)
    return ChainReport(purpose, host, path, links, problems, verified_by, at)
