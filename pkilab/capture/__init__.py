"""Capture: the raw records and key log of one connection, every byte annotated, the
TLS 1.3 key schedule recomputed, and a pcapng file for Wireshark.

>>> cap = capture(server.url, ca=cs.root.certificate, cert=cs.clients["client"])
>>> conn = annotate(cap)
>>> [c.line() for c in all_checks(conn)]
["server's first encrypted record: matches the wire", ...]

Why pkilab parses TLS framing itself: the candidates on PyPI are ``scapy`` (a TLS layer
with TLS 1.3 decryption, but a whole packet-manipulation framework and its own crypto
session state), ``dpkt`` (``dpkt.ssl``: TLS 1.2-era record and handshake classes, e.g.
``tls_multi_factory``, with no view of TLS 1.3's encrypted handshake) and
``tlslite-ng`` (a complete TLS implementation, whose parser is tied to its own state
machine). None hands out the
offset and bytes of every field, which is what the byte maps and annotations are made
of; the framing is a few length-prefixed vectors, so :mod:`.fields` reads them with a
cursor that records where each field lies. Every cryptographic step
(HKDF, HMAC, AEAD, signatures, certificates) is ``cryptography``'s.

Limits: TLS 1.3's three RFC 8446 cipher suites are decrypted; TLS 1.2 is annotated up to
each ChangeCipherSpec (its Finished stays sealed), its ServerKeyExchange signature is
checked, and with RSA key exchange the master secret is recovered from server.key
(:mod:`.tls12`). The ECDHE shared secret cannot be recomputed (see :mod:`.keyschedule`).
"""

from __future__ import annotations

from .annotate import Connection, Message, annotate, as_trace
from .checks import Check, all_checks, require_all, verify_signature
from .connection import Capture, capture
from .export import capture_set, write_files
from .fields import Field, leaves
from .keyschedule import (
    certificate_verify_input,
    early_secret,
    finished_verify_data,
    hkdf_expand_label,
    traffic_keys,
    transcript_hash,
)
from .report import explain, message_table
from .sni import serve_names
from .tls12 import master_secret, premaster_secret

# The names pkilab exports (``pkilab.capture`` is this package, so the function that
# captures is ``pkilab.capture_connection``).
capture_connection = capture
annotate_capture = annotate
handshake_checks = all_checks
capture_table = message_table
capture_trace = as_trace
explain_message = explain
write_capture_files = write_files
capture_certificate_set = capture_set
rsa_premaster_secret = premaster_secret
tls12_master_secret = master_secret

__all__ = [
    "Capture",
    "Check",
    "Connection",
    "Field",
    "Message",
    "all_checks",
    "annotate",
    "annotate_capture",
    "as_trace",
    "capture",
    "capture_certificate_set",
    "capture_connection",
    "capture_set",
    "capture_table",
    "capture_trace",
    "certificate_verify_input",
    "early_secret",
    "explain",
    "explain_message",
    "finished_verify_data",
    "handshake_checks",
    "hkdf_expand_label",
    "leaves",
    "master_secret",
    "message_table",
    "premaster_secret",
    "require_all",
    "rsa_premaster_secret",
    "serve_names",
    "tls12_master_secret",
    "traffic_keys",
    "transcript_hash",
    "verify_signature",
    "write_capture_files",
    "write_files",
]
