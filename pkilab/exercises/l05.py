"""Lesson 05 (one-way TLS): the checks look at real traces, servers and handshakes.

Exercise 1 compares a hash of the answer (the message name stays out of every source a
learner reads) and that the message is in the learner's own TLS 1.2 trace. Exercise 2
asks of the learner's *running* server: the check connects to it itself, expecting a
certificate for api.localhost only, signed by the lesson's intermediate2, and finds the
learner's own request in the server's event log. Exercise 3 recomputes the answer from
the learner's wire-view trace.
"""

from __future__ import annotations

import hashlib
import weakref
from typing import Any

from ..errors import PkilabError
from ..facts import fingerprint, signed_by, subject_alt_names
from ..i18n import ui
from ..lesson import Verdict, check
from ..trace import Trace
from . import not_yet as _not_yet

# sha256 of the message's name: the answer is not written in any source a learner reads
_KEY_SHARE_MESSAGE = "cc4f6fd056b042b6a2924488a099b950fe4af5df2c1394ef6c7b893f0502142b"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _key_share(answer: Any, tls12: Trace) -> bool:
    if not isinstance(answer, str) or not answer:
        raise _not_yet("answer is not a message name yet")
    if answer not in tls12.sent_by("server"):
        raise _not_yet(ui("the server sent no {answer!r} in the TLS 1.2 trace: choose one of "
                          "{names}").format(answer=answer, names=", ".join(
                              dict.fromkeys(tls12.sent_by("server")))))
    if _digest(answer) != _KEY_SHARE_MESSAGE:
        raise _not_yet(ui("{answer} is sent by the server, but does not carry its key "
                          "share").format(answer=answer))
    return True


def key_share_check(answer: Any, tls12: Trace) -> Verdict:
    """Exercise 1: the server's TLS 1.2 message that carries its signed ECDHE share."""
    return check(lambda: _key_share(answer, tls12),
                 "look at the server's messages between Certificate and ServerHelloDone",
                 ui("{answer} carries the server's ephemeral key, signed with "
                    "server.key.").format(answer=answer))


# requests the check itself made, per server: they must not count as the learner's
_CHECK_REQUESTS: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()


def _second_site(api_server: Any, api_result: Any, certificate_set: Any) -> bool:
    from ..tls import HTTPSServer, RequestResult, request

    if not isinstance(api_server, HTTPSServer):
        raise _not_yet("api_server should be the HTTPSServer you started")
    if not isinstance(api_result, RequestResult):
        raise _not_yet("api_result should be what request(...) returned")
    answered = sum(e.kind == "request" and e.status == 200 for e in api_server.events)
    if answered <= _CHECK_REQUESTS.get(api_server, 0):
        raise _not_yet("your server has not answered a request of yours yet")
    try:
        _CHECK_REQUESTS[api_server] = _CHECK_REQUESTS.get(api_server, 0) + 1
        mine = request(api_server.url, ca=certificate_set.root.certificate,
                       host="api.localhost", timeout=10)
    except PkilabError as error:
        # a running server that fails the check has the wrong certificate, not a stop
        where = "" if api_server.running else ui(" (it is stopped: start it again)")
        raise _not_yet(ui("the check could not reach api.localhost on your server{where}: "
                          "{what}").format(where=where, what=error.what)) from None
    leaf = mine.server_chain[0]
    names = [str(n.value) for n in subject_alt_names(leaf)]
    if names != ["api.localhost"]:
        raise _not_yet(ui("the certificate names {names}: issue it for api.localhost "
                          "only").format(names=names))
    if not signed_by(leaf, certificate_set.intermediate2.certificate):
        raise _not_yet("the certificate was not issued by this lesson's intermediate2")
    if not api_result.verified or api_result.chain_source != "verified":
        raise _not_yet("your request did not verify the server (insecure=True?)")
    if fingerprint(api_result.server_chain[0]) != fingerprint(leaf):
        raise _not_yet("api_result came from another server than api_server")
    return True


def second_site_check(api_server: Any, api_result: Any, certificate_set: Any) -> Verdict:
    """Exercise 2: a running server for api.localhost, and the learner's verified request."""
    return check(lambda: _second_site(api_server, api_result, certificate_set),
                 "issue_server(['api.localhost']), HTTPSServer(it, name='05 api').start(), "
                 "then request(..., host='api.localhost')",
                 "a second site, verified by name and chain up to our root.")


def _eavesdropper(visible: Any, wire12: Any) -> bool:
    if not isinstance(wire12, Trace):
        raise _not_yet("wire12 should be the trace record(...) returned")
    if wire12.source != "records":
        raise _not_yet("record it with source='records' (the wire's view)")
    if wire12.version != "TLS 1.2":
        raise _not_yet("record it with tls_version='1.2'")
    if not isinstance(visible, bool):
        raise _not_yet("visible should be True or False, computed from wire12.messages")
    truth = any(m.name == "Certificate" and m.sender == "server" and not m.encrypted
                for m in wire12.messages)
    if visible is not truth:
        raise _not_yet("look again at the server's Certificate row: is it encrypted?")
    return True


def eavesdropper_check(visible: Any, wire12: Any) -> Verdict:
    """Exercise 3: is the server's certificate readable on the wire in TLS 1.2?"""
    return check(lambda: _eavesdropper(visible, wire12),
                 "wire12 = record(server.url, ca=..., tls_version='1.2', source='records')",
                 "in TLS 1.2 anyone on the network can read the server's certificate.")
