"""Building candidate paths from a leaf to a trust anchor, and explaining a dead end.

:func:`candidate_paths` yields every path it can build (depth first, a bounded number):
a cross-signed twin of an intermediate, or a second certificate with the same subject
and key, gives several, and :func:`pkilab.chain.verify_chain` takes the first one that
passes every per-link check. When no path reaches an anchor, :func:`dead_end` says why
in the words a learner needs: a missing intermediate, an unknown issuer, a root that is
not trusted, an intermediate given as if it were a root.

Anchors are the self-signed roots the caller trusts; with ``partial=True`` (openssl's
``-partial_chain``) any trusted certificate is an anchor. Internal to pkilab.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from cryptography import x509

from . import facts
from .chain_checks import weak_hash
from .names import short_name
from .problems import Problem, problem

MAX_DEPTH = 8
MAX_PATHS = 32  # a bag built to explode (many twins) is cut off, not walked forever


@dataclass(frozen=True)
class Trust:
    """What the caller trusts: ``anchors`` (the certificates a path may end at) and
    ``given`` (every certificate passed as trusted, roots or not)."""

    anchors: list[x509.Certificate]
    given: list[x509.Certificate]
    partial: bool

    @classmethod
    def of(cls, roots: Sequence[x509.Certificate], partial: bool) -> Trust:
        given = facts.unique(list(roots))
        anchors = given if partial else [r for r in given if facts.is_self_signed(r)]
        return cls(anchors, given, partial)

    def trusts(self, certificate: x509.Certificate) -> bool:
        return _contains(self.anchors, certificate)


def _contains(bag: Sequence[x509.Certificate], certificate: x509.Certificate) -> bool:
    return any(facts.same_certificate(certificate, c) for c in bag)


class Pool:
    """Certificates looked up by subject, so that a bag of thousands is walked in
    linear time (each step looks only at certificates with the right name)."""

    def __init__(self, certificates: Sequence[x509.Certificate]) -> None:
        self.certificates = list(certificates)
        self._by_subject: dict[x509.Name, list[x509.Certificate]] = {}
        for certificate in self.certificates:
            self._by_subject.setdefault(certificate.subject, []).append(certificate)

    def named(self, name: x509.Name) -> list[x509.Certificate]:
        return self._by_subject.get(name, [])


def _issuers(current: x509.Certificate, pool: Pool,
             path: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    return [c for c in pool.named(current.issuer) if not _contains(path, c)
            and facts.signed_by(current, c)]


def candidate_paths(leaf: x509.Certificate, trust: Trust,
                    pool: Pool) -> Iterator[tuple[list, bool]]:
    """Every (path, reaches an anchor) from ``leaf``, depth first, at most MAX_PATHS."""
    yield from itertools.islice(_walk([leaf], trust, pool), MAX_PATHS)


def _walk(path: list[x509.Certificate], trust: Trust,
          pool: Pool) -> Iterator[tuple[list, bool]]:
    current = path[-1]
    if len(path) > MAX_DEPTH:
        yield path, False
        return
    if facts.is_self_signed(current) or (trust.partial and trust.trusts(current)):
        yield path, trust.trusts(current)
        return
    anchors = _issuers(current, Pool(trust.anchors), path)
    for anchor in anchors:
        yield [*path, anchor], True
    candidates = _issuers(current, pool, path)
    for candidate in candidates:
        yield from _walk([*path, candidate], trust, pool)
    if not anchors and not candidates:
        yield path, False


def reaches_anchor(leaf: x509.Certificate, trust: Trust,
                   pool: Pool) -> bool:
    return any(trusted for _, trusted in candidate_paths(leaf, trust, pool))


def dead_end(path: list[x509.Certificate], trust: Trust,
             pool: Pool) -> Problem:
    """Why ``path`` (which reaches no anchor) stops where it does."""
    top = len(path) - 1
    current = path[top]
    if len(path) > MAX_DEPTH:
        return problem("too_long", None, max_depth=MAX_DEPTH)
    given_here = [i for i, c in enumerate(path) if _contains(trust.given, c)
                  and not facts.is_self_signed(c)]
    if given_here and not trust.partial:
        return problem("anchor_not_self_signed", given_here[-1],
                       name=short_name(path[given_here[-1]].subject))
    if facts.is_self_signed(current):
        return problem("untrusted_root", top, "self_signed_leaf" if top == 0 else "",
                       name=short_name(current.subject))
    return _missing_issuer(current, trust, pool, top)


def _missing_issuer(current: x509.Certificate, trust: Trust,
                    pool: Pool, position: int) -> Problem:
    issuer, name = short_name(current.issuer), short_name(current.subject)
    words = {"name": name, "issuer": issuer}
    weak = weak_hash(current)
    if weak and (pool.named(current.issuer) or
                 any(c.subject == current.issuer for c in trust.given)):
        return problem("weak_signature", position, name=name, hash=weak)
    if any(r.subject == current.issuer for r in trust.anchors):
        return problem("untrusted_root", position, "same_name", **words)
    if pool.named(current.issuer):
        return problem("bad_signature", position, "other_key", **words)
    # Which story fits: our own root is above the provided intermediates (a link is
    # missing), or the provided certificates lead to another root (foreign PKI)?
    for candidate in pool.certificates:
        if reaches_anchor(candidate, trust, pool):  # a path never holds a certificate twice
            return problem("missing_intermediate", position,
                           given=short_name(candidate.subject), **words)
    # The provided certificates climb to an issuer nobody has: a missing link of your
    # own chain and the top of a foreign one look exactly alike here, so say both.
    return problem("unknown_issuer", position, "" if pool.certificates else "nothing_given",
                   **words)
