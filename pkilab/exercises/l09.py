"""Lesson 09 (ACME): the checks read what pebble really issued to the learner.

Exercise 1 takes the learner's issuance for two names: the certificate must name both,
its chain must verify to the root pebble reported, the key must be the learner's, and
pebble's own HTTP-01 requests must show it came to check each name. Exercise 2 compares
the learner's hand-made key authorization with the one the notebook's HTTP-01 server
served and pebble accepted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ..i18n import ui
from ..lesson import Verdict, feedback


def _pebble_missing() -> str:
    return ui("this exercise needs a real issuance, and pebble is not installed here")


def _dns_names(certificate: Any) -> set[str]:
    from cryptography import x509

    from ..facts import subject_alt_names

    return {n.value for n in subject_alt_names(certificate) if isinstance(n, x509.DNSName)}


def _two_names_problem(issue: Any, names: Sequence[str]) -> str | None:
    from ..acme import AcmeIssue, find_pebble
    from ..chain import verify_chain
    from ..facts import key_matches

    if issue is None and find_pebble() is None:
        return _pebble_missing()
    if not isinstance(issue, AcmeIssue):
        return "two_names should be what pebble.issue(...) returned"
    missing = [n for n in names if n not in _dns_names(issue.certificate)]
    if missing:
        return ui("the certificate does not name {names}").format(names=", ".join(missing))
    if issue.private_key is None or not key_matches(issue.private_key, issue.certificate):
        return "pass your own key: pebble.issue(csr, key=your_key)"
    if issue.root is None:
        return "issue through PebbleServer.issue, which asks pebble for its root"
    at = issue.certificate.not_valid_before_utc + dt.timedelta(minutes=1)
    for name in names:
        report = verify_chain(issue.fullchain, issue.root, host=name, at=at)
        if not report.ok:
            return ui("the chain does not verify for {name}: {problem}").format(
                name=name, problem=report.problem)
    checked = {r.host.rsplit(":", 1)[0] for r in issue.challenge_requests if r.status == 200}
    unproven = [n for n in names if n not in checked]
    if unproven:
        return ui("pebble never fetched a token for {names}").format(
            names=", ".join(unproven))
    return None


def two_names_check(issue: Any, names: Sequence[str] = ("www.pkilab.test",
                                                        "api.pkilab.test")) -> Verdict:
    """Exercise 1: one certificate from pebble for both ``names``, with the learner's key."""
    return feedback(lambda: _two_names_problem(issue, names),
                    "one order, two authorizations, two tokens: one certificate for both.")


def _key_authorization_problem(answer: Any, issue: Any) -> str | None:
    from ..acme import AcmeIssue, find_pebble

    if not isinstance(issue, AcmeIssue):
        return _pebble_missing() if find_pebble() is None else \
            ui("pass the lesson's issuance (issued)")
    if answer is None:
        return "my_key_authorization is still None"
    token = next(iter(issue.key_authorizations))
    served = issue.key_authorizations[token]
    if not isinstance(answer, str) or "." not in answer:
        return "a key authorization is text: TOKEN.THUMBPRINT"
    if answer.split(".", 1)[0] != token:
        return "the part before the dot is the challenge's token"
    if answer != served:
        return ("the thumbprint is base64url (no '=') of the SHA-256 of the account key's "
                'JWK with only crv, kty, x, y, sorted, no spaces: {"crv":"P-256",...}')
    if not any(r.path.endswith("/" + token) and r.status == 200
               for r in issue.challenge_requests):
        return "pebble never fetched this token"
    return None


def key_authorization_check(answer: Any, issue: Any) -> Verdict:
    """Exercise 2: the learner's key authorization is exactly what pebble fetched."""
    return feedback(lambda: _key_authorization_problem(answer, issue),
                    "that is what the notebook served and pebble accepted.")
