"""The lab's HTTPS client: one request, and everything the handshake showed.

>>> result = request(server.url, ca="root.crt", cert="client.crt", key="client.key")
>>> result.status, result.tls_version
(200, 'TLS 1.3')

Failures raise :class:`~pkilab.tls.explain.TLSConnectionError` (a
:class:`~pkilab.errors.TLSError`) that says who refused whom and why.

The TLS engine runs on memory buffers (``ssl.MemoryBIO``) and this module moves the
bytes between them and the socket itself. That costs a few lines, and buys two things
the lessons need: every byte on the wire can be handed to a recorder
(:mod:`pkilab.trace` parses them when CPython's message hook is missing), and every
wait is bounded by ``timeout``.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509

from ..errors import InputError
from ..load import certificates_from_bytes
from . import http
from .contexts import certificates_pem, client_context, identity, peer_chain, version_name
from .explain import TLSConnectionError, explain_failure, explain_os_error

_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
#: Called with each context before use (the trace sets its message hook here).
ContextHook = Callable[[ssl.SSLContext], None]
#: Called with ("client" | "server", bytes) for every chunk that crosses the wire.
WireTap = Callable[[str, bytes], None]


@dataclass
class RequestResult:
    """What one HTTPS request returned, and what its handshake agreed on.

    ``server_chain`` is the server's chain as ``cryptography`` certificates, leaf first.
    ``chain_source`` says what it is: ``"verified"`` (the path the client built, root
    included), ``"as sent"`` (unverified, with ``insecure=True``) or ``"leaf only"`` (old
    Pythons without the chain API: only the server's own certificate is known).
    """

    url: str
    status: int
    reason: str
    headers: dict[str, str]
    body: str
    tls_version: str
    cipher: str
    server_chain: list[x509.Certificate] = field(repr=False)
    chain_source: str
    verified: bool
    sent_certificate: bool

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def summary(self) -> str:
        """A few stable lines for a notebook: status, TLS version, cipher, chain."""
        from ..names import short_name

        chain = " -> ".join(short_name(c.subject) for c in self.server_chain)
        lines = [f"HTTP {self.status} {self.reason}",
                 f"{self.tls_version}, cipher {self.cipher}",
                 f"server chain ({self.chain_source}): {chain}"]
        if not self.verified:
            lines.append("NOT VERIFIED (insecure=True, like curl -k): anyone could be "
                         "on the other end")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def _parse_url(url: str, host: str | None) -> tuple[str, int, str, str]:
    if not isinstance(url, str):
        raise InputError(f"the URL must be text, not a {type(url).__name__}", "",
                         "pass a string such as server.url or 'https://localhost:8443/'",
                         code="url_not_text")
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise InputError(f"{url!r} is not an https:// URL", "the lab client speaks only TLS",
                         "use https://localhost:PORT/ (server.url)", code="not_https_url")
    if not parts.hostname:
        raise InputError(f"{url!r} has no host", "", "use https://localhost:PORT/",
                         code="url_without_host")
    try:
        port = parts.port or 443
    except ValueError:
        raise InputError(f"{url!r} has a bad port", "", "use https://localhost:PORT/",
                         code="bad_port") from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.hostname, port, path, _ascii_host(host or parts.hostname)


def _ascii_host(name: str) -> str:
    """The name for SNI and the Host header: ASCII, international names as A-labels."""
    if not isinstance(name, str) or not name or any(c.isspace() or not c.isprintable()
                                                    for c in name):
        raise InputError(f"{name!r} is not a host name", "a host name has no spaces or "
                         "control characters", "pass a name such as localhost or "
                         "server.example", code="bad_host_name")
    if name.isascii():
        return name
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        raise InputError(f"{name!r} is not a valid international host name", "it cannot be "
                         "written as an IDNA A-label (xn--...)",
                         "check the name; certificates list such names as xn--... "
                         "(pkilab inspect shows them)", code="bad_host_name") from None


def _check_request_args(path: str, timeout: float) -> None:
    if not isinstance(path, str) or not path.isascii() or any(
            c.isspace() or not c.isprintable() for c in path):
        raise InputError(f"{path!r} is not a usable URL path", "a path is ASCII without "
                         "spaces or line breaks (they would break the HTTP request)",
                         "percent-encode it, e.g. /a%20b", code="bad_url_path")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise InputError(f"timeout={timeout!r} is not a number of seconds above 0", "",
                         "pass for example timeout=5", code="bad_timeout")


class _Pump:
    """Moves bytes between an ``SSLObject``'s memory buffers and a socket."""

    def __init__(self, sock: socket.socket, obj: ssl.SSLObject, incoming: ssl.MemoryBIO,
                 outgoing: ssl.MemoryBIO, tap: WireTap | None) -> None:
        self.sock, self.obj, self.incoming, self.outgoing, self.tap = (
            sock, obj, incoming, outgoing, tap)

    def flush(self) -> None:
        data = self.outgoing.read()
        if data:
            if self.tap:
                self.tap("client", data)
            self.sock.sendall(data)

    def fill(self) -> None:
        data = self.sock.recv(65536)
        if data:
            if self.tap:
                self.tap("server", data)
            self.incoming.write(data)
        else:
            self.incoming.write_eof()

    def run(self, operation: Callable[[], Any]) -> Any:
        while True:
            try:
                result = operation()
            except ssl.SSLWantReadError:
                self.flush()
                self.fill()
                continue
            except ssl.SSLError:
                self._flush_quietly()  # our alert, so the server learns why we left
                raise
            self.flush()
            return result

    def _flush_quietly(self) -> None:
        with contextlib.suppress(OSError):
            self.flush()


def server_chain(obj: ssl.SSLObject, verified: bool) -> tuple[list[x509.Certificate], str]:
    """The server's chain from a finished handshake, and which kind it is (see above)."""
    return peer_chain(obj, verified)


def request(url: str, *, ca: Any = None, cert: Any = None, key: Any = None,
            tls_version: str | None = None, host: str | None = None, timeout: float = 5.0,
            insecure: bool = False, path: str | None = None,
            on_context: ContextHook | None = None, on_bytes: WireTap | None = None
            ) -> RequestResult:
    """GET ``url`` over TLS and return status, body, TLS version, cipher and server chain.

    ``ca``: whom to trust (root.crt, a certificate, a set); None means the system store.
    ``cert``/``key``: the client certificate for mutual TLS (paths or objects; an
    IssuedCertificate carries its own key and intermediates).
    ``tls_version``: pin "1.2" or "1.3". ``host``: the name to check in the server's
    certificate (and send as SNI and Host) instead of the URL's host — the lab's
    ``curl --resolve``. ``insecure``: do not verify, like ``curl -k``.
    """
    address, port, url_path, name = _parse_url(url, host)
    _check_request_args(path or url_path, timeout)
    ca_pem = None if ca is None else certificates_pem(ca)
    ident = identity(cert, key) if cert is not None else None
    context = client_context(ca_pem=ca_pem, ident=ident, tls_version=tls_version,
                             insecure=insecure)
    if on_context:
        on_context(context)
    facts = {"host": name, "ca_given": ca is not None, "cert_given": cert is not None,
             "tls_version": tls_version}
    try:
        sock = socket.create_connection((address, port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError as exc:
        raise _connect_error(exc, address, port) from None
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    stage = "handshake"
    try:
        with sock:
            obj = context.wrap_bio(incoming, outgoing, server_hostname=name)
            pump = _Pump(sock, obj, incoming, outgoing, on_bytes)
            pump.run(obj.do_handshake)
            stage = "reply"
            negotiated = version_name(obj.version())
            facts["negotiated"] = negotiated
            chain, source = server_chain(obj, verified=not insecure)
            cipher = (obj.cipher() or ("?",))[0]
            pump.run(lambda: obj.write(http.build_request(name, path or url_path)))
            reply = _read_reply(pump, obj)
            with contextlib.suppress(ssl.SSLError, OSError):
                pump.run(obj.unwrap)  # close_notify: a clean goodbye
    except ssl.SSLCertVerificationError as exc:
        sent, _ = server_chain(obj, verified=False)
        trusted = certificates_from_bytes(ca_pem) if ca_pem else []
        raise explain_failure(exc, stage=stage, sent_chain=sent, trusted=trusted,
                              **facts) from None
    except ssl.SSLError as exc:
        raise explain_failure(exc, stage=stage, **facts) from None
    except OSError as exc:
        raise explain_os_error(exc, stage=stage, address=f"{address}:{port}", **facts) from None
    return RequestResult(url, reply.status, reply.reason, reply.headers,
                         reply.body.decode("utf-8", "replace"), negotiated, cipher, chain,
                         source, not insecure, cert is not None)


def _connect_error(exc: OSError, address: str, port: int) -> TLSConnectionError:
    """Why the connection failed; a lab server this process stopped says so itself."""
    from .server import not_running_fix, stopped_server_url

    stopped = stopped_server_url(port) if address in _LOOPBACK else None
    if isinstance(exc, ConnectionRefusedError) and stopped is not None:
        return TLSConnectionError(f"the server at {stopped} is not running", "it was stopped",
                                  not_running_fix(), kind="connection_refused")
    return explain_os_error(exc, stage="connect", address=f"{address}:{port}")


def _read_reply(pump: _Pump, obj: ssl.SSLObject) -> http.Response:
    data = b""
    while True:
        try:
            chunk = pump.run(lambda: obj.read(65536))
        except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
            if not data:
                raise
            chunk = b""
        if not chunk:
            try:
                reply = http.parse_response(data, complete=True)
            except ValueError as exc:
                raise TLSConnectionError(
                    "the server's reply is not usable HTTP", str(exc),
                    "check that the URL points to an HTTPS web server", kind="bad_reply"
                ) from None
            assert reply is not None
            return reply
        data += chunk
        try:
            reply = http.parse_response(data)
        except ValueError as exc:
            raise TLSConnectionError("the server's reply is not HTTP", str(exc),
                                     "check the URL", kind="bad_reply") from None
        if reply is not None:
            return reply
