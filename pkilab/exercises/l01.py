"""Lesson 01 (keys and certificates): checks for its exercises.

Each ``problem_*`` function looks at what the learner made and returns what is still
wrong (None when nothing is); each ``check_*`` prints that as lesson feedback.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from ..ca import CertificateAuthority
from ..facts import same_public_key, signed_by
from ..i18n import ui
from ..keys import derive_key
from ..lesson import Verdict, feedback

_NONE = "your answer is still None"


def problem_key384(key: Any) -> str | None:
    """Exercise 1: ``key`` must be an EC private key on the P-384 curve."""
    if key is None:
        return _NONE
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "that is a public key: keep the private key (generate_key returns it)"
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        return ui("that is a {kind}, not an EC private key").format(kind=type(key).__name__)
    if key.curve.name != "secp384r1":
        return ui("that EC key is on {curve}, not P-384 (secp384r1)").format(curve=key.curve.name)
    return None


def check_key384(key: Any) -> Verdict:
    return feedback(lambda: problem_key384(key), "an EC P-384 private key")


def mystery() -> tuple[x509.Certificate, list[Any]]:
    """Exercise 2's puzzle: a certificate and two candidate keys, one of which made it.

    Which one is decided here, not in the notebook, so the answer is not in its source.
    """
    candidates = [derive_key("ec", "lesson-01 exercise candidate 1"),
                  derive_key("ec", "lesson-01 exercise candidate 2")]
    made_it = candidates[1]
    ca = CertificateAuthority.create_root("/O=lesson 01/CN=mystery", key=made_it,
                                          seed="lesson-01 mystery")
    return ca.certificate, candidates


def problem_owner(owner: Any, certificate: x509.Certificate,
                  candidates: list[Any]) -> str | None:
    """Exercise 2: ``owner`` must be the candidate whose public half is in the certificate."""
    if owner is None:
        return _NONE
    if not any(owner is candidate for candidate in candidates):
        return "pick one of the two candidates themselves (candidates[0] or candidates[1])"
    if not same_public_key(owner, certificate.public_key()):
        return "that candidate's public key is not the one inside the certificate"
    return None


def check_owner(owner: Any, certificate: x509.Certificate, candidates: list[Any]) -> Verdict:
    return feedback(lambda: problem_owner(owner, certificate, candidates),
                    "that key's public half is the one in the certificate")


def problem_self_signed(certificate: Any, key: Any) -> str | None:
    """Exercise 3: a self-signed CA certificate for ``key`` with the Common Name "me"."""
    if certificate is None:
        return _NONE
    if not isinstance(certificate, x509.Certificate):
        return ui("that is a {kind}: give the certificate itself (the .certificate of what "
                  "create_root returns)").format(kind=type(certificate).__name__)
    if problem_key384(key) is not None:
        return "finish exercise 1 first: key384 is not an EC P-384 private key yet"
    if not same_public_key(certificate.public_key(), key):
        return "the certificate holds another public key: pass key=key384"
    names = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    if [n.value for n in names] != ["me"]:
        return "its subject's Common Name should be exactly 'me' (subject '/CN=me')"
    if certificate.issuer != certificate.subject or not signed_by(certificate, certificate):
        return "it is not self-signed: make it with CertificateAuthority.create_root"
    return None


def check_self_signed(certificate: Any, key: Any) -> Verdict:
    return feedback(lambda: problem_self_signed(certificate, key),
                    "a self-signed certificate for your own P-384 key")
