"""Putting certificates in order, leaf -> root: the one orderer and the one order check.

A server sends its certificate first, then each issuer in turn (``fullchain.crt``); a
``.p7b`` keeps no order at all, and hand-made bundles are often upside down. The order
is found from the certificates themselves: a certificate's issuer is the next one's
subject (and, when both carry one, the authority key id matches the subject key id);
where two certificates fit (a cross-signed twin), the one whose key made the signature
comes first. Pure functions over certificates; :func:`pkilab.chain.order_chain` (strict)
and :func:`pkilab.formats.bundle.order_leaf_to_root` (never raises) wrap them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cryptography import x509

from . import facts


@dataclass(frozen=True)
class Arrangement:
    """A bag of certificates arranged: the ``chain`` leaf -> root as far as it links,
    the ``rest`` that does not belong to it (original order), and the ``leaves``: the
    certificates that issued none of the others."""

    chain: list[x509.Certificate]
    rest: list[x509.Certificate]
    leaves: list[x509.Certificate]


def _by_subject(bag: list[x509.Certificate]) -> dict[x509.Name, list[x509.Certificate]]:
    # Looking issuers up by name keeps a bag of thousands linear, not quadratic.
    index: dict[x509.Name, list[x509.Certificate]] = {}
    for certificate in bag:
        index.setdefault(certificate.subject, []).append(certificate)
    return index


def _parent(child: x509.Certificate, index: dict[x509.Name, list[x509.Certificate]],
            used: list[x509.Certificate]) -> x509.Certificate | None:
    if facts.is_self_issued(child):
        return None
    named = [c for c in index.get(child.issuer, []) if c is not child
             and not any(c is u for u in used) and facts.names_issuer(child, c)]
    return next((c for c in named if facts.signed_by(child, c)), named[0] if named else None)


def arrange(certificates: Sequence[x509.Certificate]) -> Arrangement:
    """Arrange ``certificates`` leaf -> root (duplicates kept once). Never raises.

    The leaf is the first certificate that issued none of the others (a non-root one
    when there is a choice).
    """
    bag = facts.unique(list(certificates))
    if not bag:
        return Arrangement([], [], [])
    index = _by_subject(bag)
    issuers = {id(c) for o in bag for c in index.get(o.issuer, [])
               if c is not o and facts.names_issuer(o, c)}
    leaves = [c for c in bag if id(c) not in issuers]
    start = next((c for c in leaves if not facts.is_self_issued(c)),
                 leaves[0] if leaves else bag[0])
    chain = [start]
    while (parent := _parent(chain[-1], index, chain)) is not None:
        chain.append(parent)
    in_chain = {id(c) for c in chain}
    rest = [c for c in bag if id(c) not in in_chain]
    return Arrangement(chain, rest, leaves)


Misorder = Literal["reversed", "leaf_not_first", "shuffled", "duplicates"]


def misorder(served: Sequence[x509.Certificate]) -> tuple[Misorder, list[x509.Certificate]] | None:
    """What is wrong with the order of ``served`` (a full chain as a server sends it), and
    the right order; None when each certificate is followed by its issuer.

    "reversed": root first; "leaf_not_first": the server's own certificate is not first
    (every TLS version forbids that); "shuffled": the leaf is first but the issuers after
    it are out of order (TLS 1.2's rule only); "duplicates": a certificate comes twice.
    Certificates that do not belong to the chain are not judged here.
    """
    served = list(served)
    if len(served) < 2:
        return None
    arranged = arrange(served)
    ordered = arranged.chain + arranged.rest
    if len(ordered) != len(served):
        return "duplicates", ordered
    if all(facts.same_certificate(a, b) for a, b in zip(served, ordered, strict=True)):
        return None
    if all(facts.same_certificate(a, b) for a, b in zip(reversed(served), ordered,
                                                         strict=True)):
        return "reversed", ordered
    if not facts.same_certificate(served[0], ordered[0]):
        return "leaf_not_first", ordered
    return "shuffled", ordered
