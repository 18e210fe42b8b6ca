"""Lesson 03 (the certificate chain): puzzles and checks for its exercises.

The puzzles (a jumbled chain, a chain that fails) are made here from the lesson's own
CAs, so the notebook's source does not show the answer; each ``problem_*`` function
verifies what the learner built and returns what is still wrong (None when nothing is).
Everything is checked at :data:`pkilab.lesson.CHECKED_AT`, so a check's verdict does
not change with the date it runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from cryptography import x509

from ..ca import LESSON_DAYS, LESSON_EPOCH, CertificateAuthority
from ..chain import verify_chain
from ..facts import extension, fingerprint, is_ca, signed_by, subject_alt_names
from ..i18n import ui
from ..lesson import CHECKED_AT, Verdict, feedback
from ..names import short_name

_NONE = "your answer is still None"
JUMBLED_HOST = "shop.localhost"
API_HOST = "api.localhost"
MYSTERY_HOST = "www.localhost"


def _leaf(intermediate2: CertificateAuthority, host: str) -> x509.Certificate:
    # A copy of the lesson's intermediate2 issues it, so the lesson's own CA objects
    # (and the serial numbers they hand out next) stay as they were.
    signer = CertificateAuthority.from_pair(intermediate2.certificate,
                                            intermediate2.private_key,
                                            parent=intermediate2.parent)
    return signer.issue_server([host], not_before=LESSON_EPOCH, days=LESSON_DAYS).certificate


def jumbled(intermediate1: CertificateAuthority, intermediate2: CertificateAuthority
            ) -> list[x509.Certificate]:
    """Exercise 1's puzzle: a server's chain for shop.localhost, out of order."""
    return [intermediate1.certificate, _leaf(intermediate2, JUMBLED_HOST),
            intermediate2.certificate]


def _certificates(answer: Any) -> list[x509.Certificate] | str:
    if answer is None:
        return _NONE
    if isinstance(answer, x509.Certificate) or not isinstance(answer, (list, tuple)):
        return "give a list of certificates, e.g. [jumbled[0], ...]"
    if not all(isinstance(c, x509.Certificate) for c in answer):
        return "every item of the list must be a certificate from the puzzle"
    return list(answer)


def _chain_problem(chain: Sequence[x509.Certificate], root: x509.Certificate,
                   host: str) -> str | None:
    """The first out-of-order link, or the verifier's problem, for a chain as sent."""
    if is_ca(chain[0]):
        return ui("{name!r} is a CA: the server's own certificate comes first").format(
            name=short_name(chain[0].subject))
    for child, parent in pairwise(chain):
        if not signed_by(child, parent):
            return ui("{parent!r} did not sign {child!r}: after each certificate comes the one "
                      "that signed it").format(parent=short_name(parent.subject),
                                               child=short_name(child.subject))
    report = verify_chain(list(chain), root, host=host, at=CHECKED_AT)
    if not report.ok:
        return f"[{report.problem.code}] {report.problem.what}"
    return None


def problem_order(fixed: Any, puzzle: Sequence[x509.Certificate], root: x509.Certificate
                  ) -> str | None:
    """Exercise 1: the puzzle's own certificates, each once, in the order a server sends."""
    chain = _certificates(fixed)
    if isinstance(chain, str):
        return chain
    if sorted(map(fingerprint, chain)) != sorted(map(fingerprint, puzzle)):
        return "use the certificates of jumbled, each exactly once (and no others)"
    return _chain_problem(chain, root, JUMBLED_HOST)


def check_order(fixed: Any, puzzle: Sequence[x509.Certificate], root: x509.Certificate
                ) -> Verdict:
    return feedback(lambda: problem_order(fixed, puzzle, root),
                    "leaf first, then each issuer: the order a server sends")


def problem_api(api: Any, intermediate2: CertificateAuthority, root: x509.Certificate
                ) -> str | None:
    """Exercise 2: a server certificate for api.localhost issued by intermediate2."""
    if api is None:
        return _NONE
    if isinstance(api, x509.Certificate):
        return "give the whole issued certificate (what issue_server returns): it carries its chain"
    certificate = getattr(api, "certificate", None)
    if not isinstance(certificate, x509.Certificate):
        return ui("that is a {kind}: use what issue_server returns").format(kind=type(api).__name__)
    if not signed_by(certificate, intermediate2.certificate):
        return ui("it was issued by {issuer!r}, not by intermediate2: call issue_server on "
                  "intermediate2").format(issuer=short_name(certificate.issuer))
    names = [str(n.value) for n in subject_alt_names(certificate)]
    if API_HOST not in names:
        return ui("its subjectAltName names {names}, not {host!r}").format(names=names,
                                                                         host=API_HOST)
    return _chain_problem(list(api.fullchain), root, API_HOST)


def check_api(api: Any, intermediate2: CertificateAuthority, root: x509.Certificate
              ) -> Verdict:
    return feedback(lambda: problem_api(api, intermediate2, root),
                    "issued by intermediate2, verifies for api.localhost")


def mystery(intermediate1: CertificateAuthority, intermediate2: CertificateAuthority
            ) -> list[x509.Certificate]:
    """Exercise 3's puzzle: what a badly configured server sends for www.localhost."""
    return [_leaf(intermediate2, MYSTERY_HOST), intermediate1.certificate]


def problem_diagnosis(diagnosis: Any, puzzle: Sequence[x509.Certificate],
                      root: x509.Certificate) -> str | None:
    """Exercise 3: the problem code pkilab reports for the puzzle (found by verifying it)."""
    if diagnosis is None:
        return _NONE
    if not isinstance(diagnosis, str):
        return "a problem code is a word in quotes, such as 'expired'"
    found = verify_chain(list(puzzle), root, host=MYSTERY_HOST, at=CHECKED_AT)
    if found.ok:
        return "the puzzle verifies: was mystery changed?"
    if diagnosis.strip() != found.problem.code:
        return ui("that is not the code pkilab reports: verify mystery against "
                  "root.certificate for {host!r} and read the first problem").format(
                      host=MYSTERY_HOST)
    return None


def check_diagnosis(diagnosis: Any, puzzle: Sequence[x509.Certificate],
                    root: x509.Certificate) -> Verdict:
    return feedback(lambda: problem_diagnosis(diagnosis, puzzle, root),
                    "that is what the verifier reports")


def problem_repair(repaired: Any, puzzle: Sequence[x509.Certificate],
                   root: x509.Certificate) -> str | None:
    """Exercise 4: the chain the server should send: the puzzle's leaf, then its issuers."""
    chain = _certificates(repaired)
    if isinstance(chain, str):
        return chain
    if not chain or fingerprint(chain[0]) != fingerprint(puzzle[0]):
        return "start with the server's own certificate, mystery[0]"
    if any(fingerprint(c) == fingerprint(root) for c in chain):
        return "leave the root out: the client has it already"
    return _chain_problem(chain, root, MYSTERY_HOST)


def check_repair(repaired: Any, puzzle: Sequence[x509.Certificate],
                 root: x509.Certificate) -> Verdict:
    return feedback(lambda: problem_repair(repaired, puzzle, root),
                    "that chain verifies for www.localhost")


# ---- section 5: a CA that may only sign what it should -----------------------------------------

SHOP_DOMAIN = "shop.example"
BANK_HOST = "bank.example"


def _probe_leaf(intermediate2: CertificateAuthority, host: str, not_before
                ) -> list[x509.Certificate]:
    """A leaf for ``host`` from a copy of the learner's intermediate2, outside its
    constraints or not, and its chain: what a thief with that CA's key could make."""
    signer = CertificateAuthority.from_pair(intermediate2.certificate,
                                            intermediate2.private_key,
                                            parent=intermediate2.parent)
    leaf = signer.issue_server([host], not_before=not_before, days=1,
                               allow_outside_constraints=True)
    return leaf.fullchain


def problem_shop_ca(shop_set: Any) -> str | None:
    """Section 5's exercise: a set whose intermediate1 may vouch for shop.example only.

    The check issues two leaves from the learner's own intermediate2 -- one for
    shop.example, one for bank.example -- and verifies both against the learner's root,
    at the time the learner's server certificate became valid (a set made without a
    seed is dated today, not at the lesson's fixed date).
    """
    if shop_set is None:
        return _NONE
    if isinstance(shop_set, CertificateAuthority) or not all(
            isinstance(getattr(shop_set, part, None), CertificateAuthority)
            for part in ("root", "intermediate1", "intermediate2")):
        return "give the whole set (what build_certificate_set returns)"
    root, intermediate1 = shop_set.root.certificate, shop_set.intermediate1.certificate
    if extension(intermediate1, x509.NameConstraints) is None:
        return ("its intermediate1 carries no name constraints: pass permitted_dns=[...] to "
                "build_certificate_set")
    start = shop_set.server.certificate.not_valid_before_utc
    at = start + dt.timedelta(minutes=1)
    shop = verify_chain(_probe_leaf(shop_set.intermediate2, SHOP_DOMAIN, start), root,
                        host=SHOP_DOMAIN, at=at)
    if not shop.ok:
        return ui("a leaf for {shop} from your intermediate2 is refused ([{code}] {what}): "
                  "permit {shop} itself (a leading dot, .{shop}, permits only the names "
                  "below it)").format(shop=SHOP_DOMAIN, code=shop.problem.code,
                                      what=shop.problem.what)
    bank = verify_chain(_probe_leaf(shop_set.intermediate2, BANK_HOST, start), root,
                        host=BANK_HOST, at=at)
    if bank.ok:
        return ui("a leaf for {bank} from your intermediate2 still verifies: your "
                  "constraints permit more than {shop}").format(bank=BANK_HOST,
                                                                shop=SHOP_DOMAIN)
    if bank.problem.code != "name_constraints":
        return ui("a leaf for {bank} is refused, but for another reason ([{code}]): it "
                  "should be the name constraints that refuse it").format(
                      bank=BANK_HOST, code=bank.problem.code)
    return None


def check_shop_ca(shop_set: Any) -> Verdict:
    return feedback(lambda: problem_shop_ca(shop_set),
                    ui("your intermediate may vouch for {shop}, and not for {bank}").format(
                        shop=SHOP_DOMAIN, bank=BANK_HOST))
