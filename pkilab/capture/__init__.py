"""Capture: the raw records and key log of one connection, every byte annotated, the
TLS 1.3 key schedule recomputed, and a pcapng file for Wireshark.

>>> cap = capture(server.url, ca=cs.root.certificate, cert=cs.clients["client"])
>>> conn = annotate(cap)
>>> [c.line() for c in all_checks(conn)]
["server's first encrypted record: matches the wire", ...]

Why pkilab parses TLS framing itself: the candidates on PyPI are ``scapy`` (a TLS layer
with TLS 1.3 decryption, but a whole packet-manipulation framework and its own crypto
session state), ``dpkt`` (TLS 1.2-era record and handshake classes that do not know
TLS 1.3's extensions or encrypted handshake) and ``tlslite-ng`` (a complete TLS
implementation, whose parser is tied to its own state machine). None hands out the
offset and bytes of every field, which is what the byte maps and annotations are made
of; the framing is a few length-prefixed vectors, so :mod:`.fields` reads them with a
cursor that records where each field lies. Every cryptographic step
(HKDF, HMAC, AEAD, signatures, certificates) is ``cryptography``'s.

Limits: TLS 1.3's three RFC 8446 cipher suites are decrypted; TLS 1.2 is annotated up to
each ChangeCipherSpec (its Finished stays sealed) and its ServerKeyExchange signature is
checked. The ECDHE shared secret cannot be recomputed (see :mod:`.keyschedule`).
"""

from __future__ import annotations

from .annotate import Connection, Message, annotate
from .checks import Check, all_checks, require_all
from .connection import Capture, capture
from .fields import Field, leaves

__all__ = ["Capture", "Check", "Connection", "Field", "Message", "all_checks", "annotate",
           "capture", "leaves", "require_all"]
