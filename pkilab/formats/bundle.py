"""Certificate bundles: order a bag of certificates leaf -> root, check it, split, join.

A server sends its certificate first, then each issuer in turn (``fullchain.crt``);
a ``.p7b`` keeps no order at all, and hand-made bundles are often upside down. The
order is found from the certificates themselves: each one's issuer is the next one's
subject (and, when present, the authority key id matches the subject key id).
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ..ordering import arrange, misorder


def order_leaf_to_root(certificates: list[x509.Certificate]) -> list[x509.Certificate]:
    """The same certificates, leaf first and each followed by its issuer. Never raises.

    The leaf is the certificate that issued none of the others. Certificates that do
    not belong to the chain (a second leaf, an unrelated root) go at the end, in
    their original order. Duplicates are kept once. (:func:`pkilab.chain.order_chain`
    is the strict twin: it refuses a bag that is not exactly one chain.)
    """
    arranged = arrange(certificates)
    return arranged.chain + arranged.rest


_ORDER_WORDS = {
    "reversed": "the chain is upside down (root first): servers must send the leaf first",
    "leaf_not_first": "the certificates are not in leaf -> issuer order, and the leaf is not "
                      "first: servers must send their own certificate first",
    "duplicates": "the bundle holds the same certificate twice",
    "shuffled": "the certificates are not in leaf -> issuer order (TLS 1.2's rule; TLS 1.3 "
                "clients accept any order after the leaf)",
}


def order_problem(certificates: list[x509.Certificate]) -> str | None:
    """Why a bundle's order is wrong, or None when each certificate is followed by its
    issuer (what nginx, curl and Java expect in a full-chain file)."""
    found = misorder(certificates)
    return _ORDER_WORDS[found[0]] if found else None


def join_pem(certificates: list[x509.Certificate]) -> bytes:
    """One PEM text with every certificate, in the order given (``cat a.crt b.crt``)."""
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def split_pem(certificates: list[x509.Certificate]) -> list[bytes]:
    """One PEM text per certificate (what ``awk`` one-liners do to a full-chain file)."""
    return [c.public_bytes(serialization.Encoding.PEM) for c in certificates]
