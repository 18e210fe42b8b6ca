"""Certificate bundles: order a bag of certificates leaf -> root, check it, split, join.

A server sends its certificate first, then each issuer in turn (``fullchain.crt``);
a ``.p7b`` keeps no order at all, and hand-made bundles are often upside down. The
order is found from the certificates themselves: each one's issuer is the next one's
subject (and, when present, the authority key id matches the subject key id).
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ..keys import PrivateKey, same_public_key


def _ski(certificate: x509.Certificate) -> bytes | None:
    try:
        return certificate.extensions.get_extension_for_class(
            x509.SubjectKeyIdentifier).value.digest
    except (x509.ExtensionNotFound, ValueError):
        return None


def _aki(certificate: x509.Certificate) -> bytes | None:
    try:
        return certificate.extensions.get_extension_for_class(
            x509.AuthorityKeyIdentifier).value.key_identifier
    except (x509.ExtensionNotFound, ValueError):
        return None


def issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    """True when ``parent``'s name (and key id, when both carry one) matches ``child``'s
    issuer. A name check, not a signature check: verification is pkilab.chain's job."""
    if child.issuer != parent.subject:
        return False
    aki, ski = _aki(child), _ski(parent)
    return aki is None or ski is None or aki == ski


def is_self_issued(certificate: x509.Certificate) -> bool:
    return issued_by(certificate, certificate)


def order_leaf_to_root(certificates: list[x509.Certificate]) -> list[x509.Certificate]:
    """The same certificates, leaf first and each followed by its issuer.

    The leaf is the certificate that issued none of the others. Certificates that do
    not belong to the chain (a second leaf, an unrelated root) go at the end, in
    their original order. Duplicates are kept once.
    """
    unique: list[x509.Certificate] = []
    for cert in certificates:
        if cert not in unique:
            unique.append(cert)
    if len(unique) < 2:
        return unique
    issuers = {id(c) for c in unique for p in unique
               if p is not c and issued_by(p, c)}
    leaves = [c for c in unique if id(c) not in issuers and not is_self_issued(c)] or \
        [c for c in unique if id(c) not in issuers] or unique[:1]
    chain = [leaves[0]]
    while True:
        current = chain[-1]
        if is_self_issued(current):
            break
        parent = next((c for c in unique if c not in chain and issued_by(current, c)), None)
        if parent is None:
            break
        chain.append(parent)
    return chain + [c for c in unique if c not in chain]


def order_problem(certificates: list[x509.Certificate]) -> str | None:
    """Why a bundle's order is wrong, or None when each certificate is followed by its
    issuer (what nginx, curl and Java expect in a full-chain file)."""
    if len(certificates) < 2:
        return None
    ordered = order_leaf_to_root(certificates)
    if ordered == certificates:
        return None
    if ordered == list(reversed(certificates)):
        return "the chain is upside down (root first): servers must send the leaf first"
    if len(ordered) != len(certificates):
        return "the bundle holds the same certificate twice"
    return ("the certificates are not in leaf -> issuer order; some clients then fail "
            "with 'unable to get local issuer certificate'")


def key_matches(key: PrivateKey, certificate: x509.Certificate) -> bool:
    """True when ``key`` is the private half of ``certificate``'s public key."""
    return same_public_key(key, certificate.public_key())  # type: ignore[arg-type]


def join_pem(certificates: list[x509.Certificate]) -> bytes:
    """One PEM text with every certificate, in the order given (``cat a.crt b.crt``)."""
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def split_pem(certificates: list[x509.Certificate]) -> list[bytes]:
    """One PEM text per certificate (what ``awk`` one-liners do to a full-chain file)."""
    return [c.public_bytes(serialization.Encoding.PEM) for c in certificates]
