"""Lesson 06 (mutual TLS): the checks make real handshakes with what the learner made.

Exercise 1 takes the learner's new client certificate, connects with it to the lesson's
server itself, and finds the learner's own request in the server's event log. Exercise 2
starts servers with the learner's allow list and connects as both lesson clients.
Exercise 3 recomputes the difference from the lesson's own two traces.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import PkilabError
from ..facts import key_matches, signed_by
from ..i18n import ui
from ..lesson import Verdict, check
from ..names import common_name
from ..trace import Trace
from . import not_yet as _not_yet

# requests the check itself made as a client, per server: they must not count as the
# learner's own
_CHECK_REQUESTS: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()


def _issued_for(client: Any, name: str, certificate_set: Any) -> None:
    certificate = getattr(client, "certificate", None)
    key = getattr(client, "private_key", None)
    if certificate is None or key is None:
        raise _not_yet(ui("{name} should be what issue_client({name!r}) returned (a "
                          "certificate with its key)").format(name=name))
    if common_name(certificate.subject) != name:
        raise _not_yet(ui("the certificate is for {found!r}, not {name!r}").format(
            found=common_name(certificate.subject), name=name))
    if not signed_by(certificate, certificate_set.intermediate2.certificate):
        raise _not_yet("the certificate was not issued by this lesson's intermediate2")
    if not key_matches(key, certificate):
        raise _not_yet("the key does not belong to the certificate")


def _new_client(server: Any, client: Any, reply: Any, certificate_set: Any,
                name: str) -> bool:
    from ..tls import HTTPSServer, RequestResult, request

    _issued_for(client, name, certificate_set)
    if not isinstance(reply, RequestResult):
        raise _not_yet(ui("{name}_reply should be what request(...) returned").format(
            name=name))
    if not isinstance(server, HTTPSServer) or server.mtls != "required":
        raise _not_yet("use the lesson's mutual-TLS server, server")
    seen = sum(e.kind == "request" and e.client == name and e.status == 200
               for e in server.events)
    if seen <= _CHECK_REQUESTS.get(server, 0):
        raise _not_yet(ui("the server has no record of a request from {name!r} yet").format(
            name=name))
    if not (reply.status == 200 and reply.sent_certificate and f"Hello, {name}!" in reply.body):
        raise _not_yet(ui("{name}_reply is HTTP {status}, without {name}'s greeting").format(
            name=name, status=reply.status))
    try:
        _CHECK_REQUESTS[server] = _CHECK_REQUESTS.get(server, 0) + 1
        mine = request(server.url, ca=certificate_set.root.certificate, cert=client,
                       timeout=10)
    except PkilabError as error:
        raise _not_yet(ui("the server refused {name}'s certificate: {what}").format(
            name=name, what=error.what)) from None
    if f"Hello, {name}!" not in mine.body:
        raise _not_yet(ui("the server did not greet {name}").format(name=name))
    return True


def new_client_check(server: Any, client: Any, reply: Any, certificate_set: Any,
                     name: str = "alice") -> Verdict:
    """Exercise 1: a client certificate for ``name`` from intermediate2 that ``server``
    accepted, and the learner's own reply."""
    return check(lambda: _new_client(server, client, reply, certificate_set, name),
                 ui("cs.intermediate2.issue_client({name!r}), then request(server.url, "
                    "ca=..., cert=it)").format(name=name),
                 ui("the server verified {name}'s chain and greeted {name}.").format(name=name))


def _statuses(folder: Path, allow: Sequence[str]) -> list[int]:
    from ..tls import HTTPSServer, request

    with HTTPSServer(folder, mtls="required", allow=allow) as guarded:
        return [request(guarded.url, ca=folder / "root.crt", cert=folder / f"{n}.crt",
                        key=folder / f"{n}.key", timeout=10).status
                for n in ("client", "client2")]


def _allow_list(allowed: Any, folder: Path) -> bool:
    if isinstance(allowed, str) or not isinstance(allowed, (list, tuple, set)):
        raise _not_yet("allowed should be a list of names, like ['someone']")
    got = dict(zip(("client", "client2"), _statuses(folder, list(allowed)), strict=True))
    if got != {"client": 403, "client2": 200}:
        raise _not_yet(ui("with that list client gets {client} and client2 gets "
                          "{client2}").format(client=got["client"], client2=got["client2"]))
    return True


def allow_list_check(allowed: Any, folder: str | os.PathLike[str]) -> Verdict:
    """Exercise 2: with ``allow=allowed``, client2 gets 200 and client gets 403."""
    return check(lambda: _allow_list(allowed, Path(folder)),
                 "the names are the certificates' CNs",
                 "client2 is let in; client proves who it is and is still refused.")


def _mutual_messages(extra: Any, one_way: Trace, mutual: Trace) -> bool:
    if not isinstance(extra, (set, frozenset)):
        raise _not_yet('extra should be a set of "sender: message" strings')
    truth = set(mutual.names) - set(one_way.names)
    missing, surplus = len(truth - extra), sorted(extra - truth)
    if surplus:
        raise _not_yet(ui("these are in both traces or in neither: {names}").format(
            names=", ".join(surplus)))
    if missing:
        raise _not_yet(ui("{count} more message(s) to find").format(count=missing))
    return True


def mutual_messages_check(extra: Any, one_way: Trace, mutual: Trace) -> Verdict:
    """Exercise 3: the messages in the mutual trace that the one-way trace lacks."""
    return check(lambda: _mutual_messages(extra, one_way, mutual),
                 "compare mutual.names with one_way.names",
                 "those messages are what makes it mutual.")
