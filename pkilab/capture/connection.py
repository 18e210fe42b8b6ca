"""One live connection, recorded whole: every byte each side sent, and the key log.

The lab client's TLS engine runs on memory buffers (``ssl.MemoryBIO``), so every byte
that crosses the socket passes through this module's hands; OpenSSL writes the session
secrets to ``SSLContext.keylog_filename`` (a private temporary file, read back and
deleted). The server is whatever listens at the URL (in the lessons a
:class:`pkilab.HTTPSServer`); the contexts come from :mod:`pkilab.tls.contexts`, so the
client verifies exactly as :func:`pkilab.request` does.
"""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
import tempfile
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..errors import InputError, TLSError
from ..tls import http
from ..tls.contexts import certificates_pem, client_context, identity, version_name


@dataclass
class Capture:
    """The bytes of one connection in wire order, and its key log text.

    ``chunks``: ``(sender, bytes)`` as they crossed the socket. ``keylog``: NSS key log
    lines. ``session``: the ``ssl.SSLSession`` to resume with (after a ticket came).
    ``reused``: this connection resumed an earlier session. ``reply``: the HTTP reply.
    """

    chunks: list[tuple[str, bytes]]
    keylog: str
    host: str
    port: int
    version: str
    cipher: str
    alpn: str | None
    reused: bool
    session: Any = None
    reply: bytes = b""
    request: bytes = b""
    names: dict[bytes, str] = field(default_factory=dict)
    context: ssl.SSLContext | None = field(default=None, repr=False)

    def stream(self, sender: str) -> bytes:
        """Everything ``sender`` ("client" or "server") sent, joined."""
        return b"".join(data for who, data in self.chunks if who == sender)


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme != "https" or not parts.hostname:
        raise InputError(f"{url!r} is not an https:// URL", "a capture is of one TLS "
                         "connection", "pass server.url", code="not_https_url")
    return parts.hostname, parts.port or 443


def _context(ca: Any, cert: Any, key: Any, tls_version: str | None,
             alpn: list[str] | None, keylog: str, ciphers: str | None) -> ssl.SSLContext:
    context = client_context(ca_pem=certificates_pem(ca),
                             ident=identity(cert, key) if cert is not None else None,
                             tls_version=tls_version)
    if ciphers:
        try:
            context.set_ciphers(ciphers)
        except ssl.SSLError:
            raise InputError(f"OpenSSL knows no cipher suite in {ciphers!r}", "",
                             "use OpenSSL names such as ECDHE-ECDSA-AES256-GCM-SHA384",
                             code="unknown_ciphers") from None
    if alpn:
        context.set_alpn_protocols(alpn)
    context.keylog_filename = keylog
    return context


def _pump(sock: socket.socket, obj: ssl.SSLObject, bio_in: ssl.MemoryBIO,
          bio_out: ssl.MemoryBIO, chunks: list[tuple[str, bytes]], operation: Any) -> Any:
    while True:
        try:
            result = operation()
        except ssl.SSLWantReadError:
            result = None
            want = True
        else:
            want = False
        data = bio_out.read()
        if data:
            chunks.append(("client", data))
            sock.sendall(data)
        if not want:
            return result
        got = sock.recv(65536)
        if got:
            chunks.append(("server", got))
            bio_in.write(got)
        else:
            bio_in.write_eof()


def _exchange(sock: socket.socket, obj: ssl.SSLObject, bio_in: ssl.MemoryBIO,
              bio_out: ssl.MemoryBIO, chunks: list[tuple[str, bytes]],
              request: bytes) -> bytes:
    _pump(sock, obj, bio_in, bio_out, chunks, obj.do_handshake)
    _pump(sock, obj, bio_in, bio_out, chunks, lambda: obj.write(request))
    reply = b""
    while True:
        try:
            data = _pump(sock, obj, bio_in, bio_out, chunks, lambda: obj.read(65536))
        except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
            break
        if not data:
            break
        reply += data
    with contextlib.suppress(ssl.SSLError, OSError):
        _pump(sock, obj, bio_in, bio_out, chunks, obj.unwrap)
    return reply


def capture(url: str, *, ca: Any, cert: Any = None, key: Any = None,
            tls_version: str | None = None, host: str | None = None,
            alpn: list[str] | None = None, resume: Capture | None = None, path: str = "/",
            timeout: float = 5.0, ciphers: str | None = None) -> Capture:
    """Make one HTTPS GET and keep every byte and secret of it.

    Arguments as :func:`pkilab.request` (``ca`` is required: a capture is of a verified
    connection); ``alpn`` offers protocols (``["http/1.1"]``); ``resume`` resumes an
    earlier capture's session (same client context, its ticket as the PSK);
    ``ciphers`` limits the TLS 1.2 suites (OpenSSL names, e.g. the RSA key exchange
    ``"AES256-GCM-SHA384"`` Python leaves out by default). A failed
    handshake raises
    :class:`~pkilab.errors.TLSError` with code ``capture_failed``.
    """
    address, port = _address(url)
    name = host or address
    folder = tempfile.mkdtemp(prefix="pkilab-keylog-")
    keylog = os.path.join(folder, "keys.log")
    chunks: list[tuple[str, bytes]] = []
    request = http.build_request(name, path)
    try:
        if resume is not None and resume.context is not None:
            context = resume.context  # a session belongs to the context that made it
            context.keylog_filename = keylog
        else:
            context = _context(ca, cert, key, tls_version, alpn, keylog, ciphers)
        bio_in, bio_out = ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = context.wrap_bio(bio_in, bio_out, server_hostname=name,
                               session=resume.session if resume is not None else None)
        with socket.create_connection((address, port), timeout=timeout) as sock:
            reply = _exchange(sock, obj, bio_in, bio_out, chunks, request)
        with open(keylog, encoding="ascii") as handle:
            text = handle.read()
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise TLSError(f"the connection to {url} could not be captured", str(exc)[:120],
                       "first make it work with pkilab.request(...) and the same "
                       "arguments", code="capture_failed") from None
    finally:
        with contextlib.suppress(OSError):
            os.remove(keylog)
        with contextlib.suppress(OSError):
            os.rmdir(folder)
    return Capture(chunks, text, name, port, version_name(obj.version()),
                   (obj.cipher() or ("?",))[0], obj.selected_alpn_protocol(),
                   obj.session_reused, obj.session, reply, request, context=context)
