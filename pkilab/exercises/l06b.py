"""Lesson 06b (the illustrated connection): the checks recompute with the learner's code.

Exercise 1 takes the learner's *function* that computes the client's Finished
``verify_data``, makes a fresh connection itself, hands the function that connection
with the client Finished on the wire blanked out (so copying the wire cannot pass), and
compares the result with the real bytes. Exercise 2 takes the bytes the learner says the
client signed in its CertificateVerify and verifies the client's real signature over
them with the public key of client.crt: only the right 64 spaces + context + hash pass.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from ..i18n import ui
from ..lesson import Verdict, check
from . import not_yet as _not_yet


def _fresh(server: Any, certificate_set: Any) -> Any:
    from ..capture import annotate, capture

    cap = capture(server.url, ca=certificate_set.root.certificate,
                  cert=certificate_set.clients["client"], timeout=10)
    return annotate(cap, certificate_set)


def _client_finished(function: Any, server: Any, certificate_set: Any) -> bool:
    if not callable(function):
        raise _not_yet("client_finished should be a function (def client_finished(conn))")
    conn = _fresh(server, certificate_set)
    wire = conn.message("client", "Finished").data
    blanked = copy.copy(conn)
    blanked.messages = [copy.copy(m) for m in conn.messages]
    for m in blanked.messages:
        if m.sender == "client" and m.name == "Finished":
            m.data = wire[:4] + bytes(len(wire) - 4)
    got = function(blanked)
    if not isinstance(got, (bytes, bytearray)):
        raise _not_yet(ui("client_finished returned a {kind}, not bytes").format(
            kind=type(got).__name__))
    if bytes(got) == bytes(len(wire) - 4):
        raise _not_yet("that is the blanked wire value: compute it from the secret and "
                       "the transcript")
    if bytes(got) != wire[4:]:
        raise _not_yet(ui("on a fresh connection your {got} bytes differ from the {wire} "
                          "on the wire").format(got=len(got), wire=len(wire) - 4))
    return True


def client_finished_check(function: Callable[[Any], bytes] | None, server: Any,
                          certificate_set: Any) -> Verdict:
    """Exercise 1: ``function(conn)`` recomputes the client Finished of any connection."""
    return check(lambda: _client_finished(function, server, certificate_set),
                 "finished_verify_data(conn.suite, the client's handshake traffic secret, "
                 "the transcript before the client's Finished)",
                 "your function recomputed a fresh connection's client Finished: it "
                 "matches the wire.")


def _signed_content(content: Any, conn: Any) -> bool:
    from ..capture.checks import _leaf, verify_signature

    if not isinstance(content, (bytes, bytearray)):
        raise _not_yet("signed_content should be bytes")
    message = conn.message("client", "CertificateVerify").data
    scheme, signature = int.from_bytes(message[4:6], "big"), message[8:]
    if not bytes(content).startswith(b" " * 64):
        raise _not_yet("what is signed starts with 64 spaces (0x20)")
    if not verify_signature(_leaf(conn, "client").public_key(), scheme, signature,
                            bytes(content)):
        raise _not_yet("the client's signature does not verify over these bytes: check "
                       "the context string and which messages the hash covers")
    return True


def signed_content_check(content: bytes | None, conn: Any) -> Verdict:
    """Exercise 2: the bytes the client's CertificateVerify signature covers."""
    return check(lambda: _signed_content(content, conn),
                 "64 spaces + b'TLS 1.3, client CertificateVerify' + b'\\x00' + the "
                 "transcript hash up to the client's Certificate",
                 "the client's signature verifies over your bytes with client.crt's key.")
