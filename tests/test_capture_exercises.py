"""Lesson 06b's exercise checks: right work passes, a copy of the wire or a wrong
context string does not."""

from __future__ import annotations

import pytest
from tls_fixtures import lab_set

from pkilab import HTTPSServer
from pkilab.capture import annotate, capture
from pkilab.capture.keyschedule import finished_verify_data, transcript_hash
from pkilab.exercises import l06b


@pytest.fixture(scope="module")
def running():
    cs = lab_set()
    with HTTPSServer(cs, mtls="required") as server:
        conn = annotate(capture(server.url, ca=cs.root.certificate,
                                cert=cs.clients["client"]), cs)
        yield server, cs, conn


def _right(conn):
    return finished_verify_data(conn.suite, conn.secrets["CLIENT_HANDSHAKE_TRAFFIC_SECRET"],
                                conn.transcript(("client", "Finished"), include=False))


def test_client_finished_check(running, capsys):
    server, cs, conn = running
    assert l06b.client_finished_check(_right, server, cs)
    assert not l06b.client_finished_check(None, server, cs)
    copied = conn.message("client", "Finished").data[4:]
    assert not l06b.client_finished_check(lambda c: copied, server, cs)  # another connection
    assert not l06b.client_finished_check(
        lambda c: c.message("client", "Finished").data[4:], server, cs)  # the blanked wire
    out = capsys.readouterr().out
    assert out.count("✅") == 1 and out.count("❌") == 3


def test_signed_content_check(running, capsys):
    _, _, conn = running
    digest = transcript_hash(conn.suite.hash, conn.transcript(("client", "Certificate")))
    right = b" " * 64 + b"TLS 1.3, client CertificateVerify\0" + digest
    assert l06b.signed_content_check(right, conn)
    wrong_side = b" " * 64 + b"TLS 1.3, server CertificateVerify\0" + digest
    assert not l06b.signed_content_check(wrong_side, conn)
    assert not l06b.signed_content_check(digest, conn)
    assert not l06b.signed_content_check(None, conn)
