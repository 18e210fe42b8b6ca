"""Lesson 02 (CSRs and the root CA): checks for its exercises.

Each ``problem_*`` function looks at what the learner made and returns what is still
wrong (None when nothing is); each ``check_*`` prints that as lesson feedback.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509

from ..ca import CertificateAuthority
from ..chain import verify_chain
from ..csr import requested_names
from ..facts import same_public_key, signed_by
from ..i18n import ui
from ..lesson import CHECKED_AT, Verdict, feedback
from ..names import parse_subj

_NONE = "your answer is still None"
SHOP_SUBJECT = "/O=shop/CN=shop.example"
SHOP_HOST = "shop.example"


def problem_shop_csr(csr: Any, shop_key: Any) -> str | None:
    """Exercise 1: a CSR signed by ``shop_key`` for the subject and name the lesson asks."""
    if csr is None:
        return _NONE
    if not isinstance(csr, x509.CertificateSigningRequest):
        return ui("that is a {kind}: build_csr returns the CSR itself").format(
            kind=type(csr).__name__)
    if not same_public_key(csr.public_key(), shop_key):
        return "the CSR holds another public key: build it with shop_key"
    if not csr.is_signature_valid:
        return "the CSR's signature does not verify (was it edited after signing?)"
    if csr.subject != parse_subj(SHOP_SUBJECT):
        return ui("its subject is {subject!r}, not {wanted}").format(
            subject=csr.subject.rfc4514_string(), wanted=SHOP_SUBJECT)
    names = requested_names(csr)
    if names != [SHOP_HOST]:
        return ui("it asks for the names {names}: ask for exactly [{host!r}] (names=...)").format(
            names=names, host=SHOP_HOST)
    return None


def check_shop_csr(csr: Any, shop_key: Any) -> Verdict:
    return feedback(lambda: problem_shop_csr(csr, shop_key), "a CSR with proof of possession")


def problem_shop_cert(certificate: Any, shop_csr: Any, root: CertificateAuthority
                      ) -> str | None:
    """Exercise 2: ``root`` signed ``shop_csr`` as a server certificate for its host.

    The certificate must carry the CSR's own public key (a certificate issued some other
    way, with a key the CA made, is not the shop's) and verify for the host.
    """
    if certificate is None:
        return _NONE
    if hasattr(certificate, "certificate") and not isinstance(certificate, x509.Certificate):
        return "that is what sign_csr returns: take its .certificate"
    if not isinstance(certificate, x509.Certificate):
        return ui("that is a {kind}, not a certificate").format(kind=type(certificate).__name__)
    if not isinstance(shop_csr, x509.CertificateSigningRequest):
        return "finish exercise 1 first: shop_csr is not a CSR yet"
    if not same_public_key(certificate.public_key(), shop_csr.public_key()):
        return ("its public key is not the one in shop_csr: sign the shop's CSR, so the "
                "key stays with the shop (root.sign_csr)")
    if not signed_by(certificate, root.certificate):
        return "root did not sign it: use root.sign_csr"
    report = verify_chain(certificate, root.certificate, host=SHOP_HOST, at=CHECKED_AT)
    if not report.ok:
        return ui("it does not verify for {host}: [{code}] {what}").format(
            host=SHOP_HOST, code=report.problem.code, what=report.problem.what)
    return None


def check_shop_cert(certificate: Any, shop_csr: Any, root: CertificateAuthority) -> Verdict:
    return feedback(lambda: problem_shop_cert(certificate, shop_csr, root),
                    "the shop's own key, certified by the root for shop.example")
