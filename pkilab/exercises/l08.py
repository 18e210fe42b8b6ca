"""Lesson 08 (revocation): the checks read the learner's CRL file and make real handshakes.

Exercise 1 reads the set's ``crl.pem`` from disk, checks its signature against
``intermediate2.crt``, finds ``client``'s serial on it, and verifies ``client`` against
it. Exercise 2 connects to the learner's server as the revoked ``client2`` (which must
be refused in the handshake) and as ``client2-new`` (which must get the page).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import PkilabError
from ..i18n import ui
from ..lesson import Verdict, feedback


def _revoked_client(result: Any, folder: Path) -> str | None:
    from ..chain import verify_chain
    from ..crl import crl_number, revocation_of, signed_by
    from ..load import load_certificate
    from ..revoke import RevokeResult, load_crls

    if not isinstance(result, RevokeResult):
        return "my_revocation should be what revoke_certificate(...) returned"
    if result.name != "client":
        return ui("that revoked {name!r}; the exercise is about 'client'").format(
            name=result.name)
    if not (folder / "crl.pem").is_file():
        return "there is no crl.pem in the set"
    [crl] = load_crls(folder / "crl.pem")
    issuer = load_certificate(folder / "intermediate2.crt")
    if not signed_by(crl, issuer):
        return "crl.pem is not signed by intermediate2's key"
    client = load_certificate(folder / "client.crt")
    entry = revocation_of(crl, client)
    if entry is None:
        return ui("crl.pem (CRL number {number}) does not list client's serial").format(
            number=crl_number(crl))
    if entry.reason == "unspecified":
        return "give a reason (superseded: the user got a new certificate)"
    if revocation_of(crl, load_certificate(folder / "client2.crt")) is None:
        return "client2 is no longer on the list: revoking must keep the older entries"
    report = verify_chain(client, load_certificate(folder / "root.crt"),
                          [issuer, load_certificate(folder / "intermediate1.crt")],
                          purpose="client", crls=[crl])
    if "revoked" not in report.codes:
        return ui("verify_chain does not call client revoked (it says {codes})").format(
            codes=report.codes)
    return None


def revoked_client_check(result: Any, folder: str | os.PathLike[str]) -> Verdict:
    """Exercise 1: ``client`` is on the set's crl.pem, with a reason, next to client2."""
    return feedback(lambda: _revoked_client(result, Path(folder)),
                    "client is on intermediate2's CRL, signed, with its reason; client2 is "
                    "still on it.")


def _refusing_server(server: Any, folder: Path) -> str | None:
    from ..tls import HTTPSServer, request

    if not isinstance(server, HTTPSServer):
        return "my_server should be an HTTPSServer"
    if not server.running:
        return "start it (my_server.start()) before checking"
    if server.mtls == "off":
        return "a server that asks for no client certificate cannot refuse one: mtls=..."

    def status(name: str) -> int | str:
        try:
            return request(server.url, ca=folder / "root.crt", cert=folder / f"{name}.crt",
                           key=folder / f"{name}.key", timeout=10).status
        except PkilabError as exc:
            return exc.code

    old, new = status("client2"), status("client2-new")
    if old == 200:
        return ("client2 (revoked) still gets the page: did the server start after the "
                "revocation, with the set's crl.pem?")
    if new != 200:
        return ui("client2-new should get the page, but got {got}").format(got=new)
    return None


def refusing_server_check(server: Any, folder: str | os.PathLike[str]) -> Verdict:
    """Exercise 2: the learner's server refuses the revoked client2, serves client2-new."""
    return feedback(lambda: _refusing_server(server, Path(folder)),
                    "the lost laptop is locked out, the new one gets in.")
