"""Just enough HTTP/1.1 for the lab: one request, one response, then the connection closes.

Pure functions over bytes, so they are tested without sockets. The pages mirror
nginx's, including the 400 page the seed's third curl case shows.

Limits: a request head (request line and headers) of more than :data:`MAX_HEAD` bytes
is answered ``431 Request Header Fields Too Large``. Lines may end in CRLF or in a bare
LF (RFC 9112 2.2 lets a server accept LF alone, and nginx does). Bodies are never read:
the lab serves GET and HEAD only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The text nginx answers with when ``ssl_verify_client optional`` sees no certificate.
NO_CERT_TEXT = "No required SSL certificate was sent"
#: A request head larger than this is refused (431); the lab never needs more.
MAX_HEAD = 16 * 1024
#: The title of nginx's page for a client certificate that failed verification.
BAD_CERT_TEXT = "The SSL certificate error"
#: The response header that carries pkilab's problem code (for programs and tests).
PROBLEM_HEADER = "X-Pkilab-Problem"

# The end of a head: an empty line, each line ending in CRLF or LF.
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")

_REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 431: "Request Header Fields Too Large"}


def build_request(host: str, path: str = "/", method: str = "GET") -> bytes:
    """The request a client sends; ``Connection: close`` so the reply ends the exchange."""
    return (f"{method} {path or '/'} HTTP/1.1\r\nHost: {host}\r\n"
            "User-Agent: pkilab\r\nAccept: */*\r\nConnection: close\r\n\r\n").encode("ascii")


def head_end(data: bytes, start: int = 0) -> int | None:
    """Where the request head in ``data`` ends (just after its empty line), or None.

    ``start`` skips bytes already searched (a few are searched again, so a line end split
    between two reads is still found): the search stays linear as ``data`` grows.
    """
    found = _BLANK_LINE.search(data, max(0, start - 3))
    return None if found is None else found.end()


def request_line(head: bytes) -> tuple[str, str] | None:
    """(method, path) of a request head, or None when it is not HTTP at all."""
    first = head.split(b"\n", 1)[0].removesuffix(b"\r").decode("latin-1")
    parts = first.split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        return None
    return parts[0], parts[1]


def response(status: int, body: str, *, content_type: str = "text/plain; charset=utf-8",
             head_only: bool = False, headers: dict[str, str] | None = None) -> bytes:
    """A complete response with Content-Length, so the client knows where it ends."""
    payload = body.encode("utf-8")
    extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    head = (f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}\r\nServer: pkilab\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(payload)}\r\n"
            f"{extra}Connection: close\r\n\r\n")
    return head.encode("ascii") + (b"" if head_only else payload)


def no_certificate_page() -> str:
    """nginx's page for ``ssl_verify_client optional`` without a client certificate."""
    return (f"<html>\r\n<head><title>400 {NO_CERT_TEXT}</title></head>\r\n<body>\r\n"
            f"<center><h1>400 Bad Request</h1></center>\r\n<center>{NO_CERT_TEXT}</center>"
            "\r\n<hr><center>pkilab</center>\r\n</body>\r\n</html>\r\n")


def too_large_page() -> str:
    return (f"431 Request Header Fields Too Large: this lab server reads at most "
            f"{MAX_HEAD // 1024} KiB of request line and headers\n")


def bad_certificate_page(code: str, what: str, why: str, fix: str) -> str:
    """The 400 page for a client certificate the server's checks refused (nginx's title)."""
    return (f"400 {BAD_CERT_TEXT}\n"
            f"[{code}] {what.rstrip('.')}.\n"
            f"why: {why.rstrip('.')}.\n"
            f"fix: {fix.rstrip('.')}.\n")


@dataclass(frozen=True)
class Response:
    """A parsed response: status code, reason phrase, headers (lower-case names), body."""

    status: int
    reason: str
    headers: dict[str, str]
    body: bytes


def parse_response(data: bytes, *, complete: bool = False) -> Response | None:
    """The response in ``data``, or None while more bytes are needed.

    ``complete`` says the peer closed the connection: then whatever body arrived is all.
    """
    end = data.find(b"\r\n\r\n")
    if end < 0:
        if complete:
            raise ValueError("the server closed the connection before a complete HTTP reply")
        return None
    lines = data[:end].decode("latin-1").split("\r\n")
    status_parts = lines[0].split(" ", 2)
    if len(status_parts) < 2 or not status_parts[0].startswith("HTTP/") or \
            not status_parts[1].isdigit():
        raise ValueError(f"not an HTTP reply: {lines[0][:60]!r}")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = data[end + 4:]
    length = headers.get("content-length")
    if length is not None and length.isdigit():
        if len(body) < int(length):
            if complete:
                raise ValueError("the reply was cut short")
            return None
        body = body[:int(length)]
    elif not complete:
        return None
    return Response(int(status_parts[1]), status_parts[2] if len(status_parts) > 2 else "",
                    headers, body)
