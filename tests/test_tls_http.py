"""The server's HTTP: a head too large gets 431, bare-LF lines get an answer (real TLS)."""

from __future__ import annotations

import contextlib
import select
import socket
import ssl

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from tls_fixtures import lab_set

from pkilab.tls import HTTPSServer, http

HANG_GUARD = 20  # seconds: only there so a broken server fails the test instead of hanging


def _tls(server: HTTPSServer) -> ssl.SSLSocket:
    context = ssl.create_default_context(
        cadata=lab_set().root.certificate.public_bytes(Encoding.PEM).decode())
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=HANG_GUARD)
    return context.wrap_socket(sock, server_hostname="localhost")


def _read_all(tls: ssl.SSLSocket) -> bytes:
    data = b""
    while True:
        try:
            chunk = tls.recv(65536)
        except (ssl.SSLError, OSError):
            return data
        if not chunk:
            return data
        data += chunk


def _send_until_answered(tls: ssl.SSLSocket, data: bytes, piece: int = 64 * 1024) -> bytes:
    """Send ``data`` in pieces, stopping as soon as the server has answered; returns the
    start of the answer. (A readable socket alone is no answer: a TLS 1.3 server sends
    session tickets right after the handshake.)"""
    got = b""
    for start in range(0, len(data), piece):
        if select.select([tls], [], [], 0)[0]:
            tls.setblocking(False)
            try:
                got = tls.recv(65536)
            except ssl.SSLWantReadError:
                pass  # only a session ticket
            except OSError:
                return got
            finally:
                tls.settimeout(HANG_GUARD)
            if got:
                return got
        try:
            tls.sendall(data[start:start + piece])
        except OSError:
            return got
    return got


def test_a_megabyte_of_headers_gets_431():
    big = (b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * (1024 * 1024)
           + b"\r\n\r\n")
    with HTTPSServer(lab_set()) as server, _tls(server) as tls:
        answer = _send_until_answered(tls, big)
        reply = http.parse_response(answer + _read_all(tls), complete=True)
        server.wait_idle()
    assert reply is not None and reply.status == 431
    assert b"16 KiB" in reply.body
    assert [(e.kind, e.status) for e in server.events] == [("request", 431)]


def test_a_head_just_under_the_limit_is_served():
    head = b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * (http.MAX_HEAD - 100)
    with HTTPSServer(lab_set()) as server, _tls(server) as tls:
        tls.sendall(head + b"\r\n\r\n")
        reply = http.parse_response(_read_all(tls), complete=True)
    assert reply is not None and reply.status == 200


@pytest.mark.parametrize("ending", [b"\n", b"\r\n"])
def test_lf_only_and_crlf_requests_are_both_answered(ending):
    request = ending.join([b"GET / HTTP/1.1", b"Host: localhost", b"", b""])
    with HTTPSServer(lab_set(), handshake_timeout=HANG_GUARD) as server, \
            _tls(server) as tls:
        tls.sendall(request)
        reply = http.parse_response(_read_all(tls), complete=True)
    assert reply is not None and reply.status == 200
    assert b"Hello!" in reply.body
    # answered because the head was complete, not because a timeout ended the wait
    assert [e.kind for e in server.events] == ["request"]


def test_a_request_split_across_records_is_found():
    with HTTPSServer(lab_set(), handshake_timeout=HANG_GUARD) as server, \
            _tls(server) as tls:
        for part in (b"GET / HTTP/1.1\r\nHost: localhost\r", b"\n\r", b"\n"):
            tls.sendall(part)
        reply = http.parse_response(_read_all(tls), complete=True)
    assert reply is not None and reply.status == 200


@pytest.mark.parametrize(("data", "end"), [
    (b"GET / HTTP/1.1\r\nHost: a\r\n\r\nrest", 27),
    (b"GET / HTTP/1.1\nHost: a\n\nrest", 24),
    (b"GET / HTTP/1.1\r\nHost: a\n\r\n", 26),
    (b"GET / HTTP/1.1\r\nHost: a\r\n", None),
])
def test_head_end(data, end):
    assert http.head_end(data) == end


def test_head_end_finds_a_blank_line_split_between_reads():
    first = b"GET / HTTP/1.1\r\nHost: a\r\n\r"
    assert http.head_end(first) is None
    assert http.head_end(first + b"\n", start=len(first)) == len(first) + 1


@pytest.mark.parametrize("head", [b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n",
                                  b"GET /x HTTP/1.1\nHost: a\n\n"])
def test_request_line_with_either_line_end(head):
    assert http.request_line(head) == ("GET", "/x")


def test_response_carries_extra_headers():
    data = http.response(400, "no", headers={http.PROBLEM_HEADER: "leaf_is_ca"})
    reply = http.parse_response(data)
    assert reply is not None and reply.headers["x-pkilab-problem"] == "leaf_is_ca"


def test_the_server_answers_tls_garbage_after_the_handshake_with_400():
    with HTTPSServer(lab_set(), handshake_timeout=HANG_GUARD) as server, \
            _tls(server) as tls:
        tls.sendall(b"\x00\x01garbage\r\n\r\n")
        reply = http.parse_response(_read_all(tls), complete=True)
    assert reply is not None and reply.status == 400
    with contextlib.suppress(Exception):
        tls.close()
