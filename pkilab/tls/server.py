"""An HTTPS server a notebook starts and stops: one-way TLS, or mutual TLS like nginx.

>>> with HTTPSServer(cs, mtls="required") as server:
...     request(server.url, ca=cs.root.certificate, cert=cs.clients["client"]).status
200

It binds 127.0.0.1 on a free port, serves each connection in its own short-lived
thread, never prints (what happens is recorded in :attr:`HTTPSServer.events`), and
stops within a second when the ``with`` block ends, errors included.

The three ``mtls`` modes (the vocabulary of :mod:`pkilab.modes`):

``"off"``       one-way TLS: the server does not ask for a client certificate.
``"required"``  the handshake fails without a client certificate the server trusts.
``"on"``        nginx's ``ssl_verify_client on``: the handshake succeeds without one, and
                the server answers
                ``400 No required SSL certificate was sent``. A certificate that *is*
                sent is still verified: one from an unknown CA fails the handshake
                (nginx's ``optional_no_ca`` would let it through; ``ssl`` has no such mode).

``allow`` lists client names (certificate CNs) that may see the page; any other
client with a valid certificate gets 403. That is authorization on top of
authentication.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import ssl
import threading
import time
import weakref
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509

from ..errors import InputError
from ..modes import server_mode
from ..names import format_subj, short_name
from . import http
from .contexts import Identity, certificates_pem, identity, server_context, version_name
from .explain import ALERT_REASONS, sanitize

#: TLS records start with one of these bytes (handshake 22, alert 21, ...).
_TLS_RECORD_TYPES = frozenset({20, 21, 22, 23})


@dataclass(frozen=True)
class ServerEvent:
    """One thing that happened on the server, for a later cell to show.

    ``kind``: ``"request"`` (a reply was sent; see ``status``), ``"handshake-failed"``,
    ``"not-tls"`` (plain HTTP or garbage on the TLS port), ``"timeout"`` (a client
    stalled), ``"closed"`` (the client left without a request), ``"busy"`` (too many
    connections), ``"error"``. ``client`` is the client certificate's CN, if any.
    """

    kind: str
    status: int | None = None
    client: str | None = None
    tls_version: str | None = None
    detail: str = ""

    def __str__(self) -> str:
        parts = [self.kind]
        if self.status is not None:
            parts.append(str(self.status))
        if self.tls_version:
            parts.append(self.tls_version)
        if self.kind == "request":
            parts.append(f"client={self.client}" if self.client else "no client certificate")
        if self.detail:
            parts.append(self.detail)
        return "  ".join(parts)


class EventLog(list):
    """A list of :class:`ServerEvent` that prints as a table."""

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self) or "(no events)"

    def _repr_html_(self) -> str:
        from html import escape

        rows = "".join(
            f"<tr><td>{escape(e.kind)}</td><td>{e.status or ''}</td>"
            f"<td>{escape(e.tls_version or '')}</td><td>{escape(e.client or '')}</td>"
            f"<td>{escape(e.detail)}</td></tr>" for e in self)
        return ("<table><tr><th>event</th><th>status</th><th>TLS</th><th>client</th>"
                f"<th>detail</th></tr>{rows}</table>")


def _source_material(source: Any, chain: str) -> tuple[Identity, bytes]:
    """(server identity, client CA bundle) from a set, an issued certificate or a folder."""
    if chain not in ("full", "leaf"):
        raise InputError(f"unknown chain choice {chain!r}", "",
                         'pass chain="full" (fullchain.crt) or "leaf" (server.crt alone)')
    if isinstance(source, (str, os.PathLike)):
        from ..certset import load_certificate_set

        loaded = load_certificate_set(source)
        cert_file = loaded.path("fullchain.crt" if chain == "full" else "server.crt")
        ident = identity(cert_file, loaded.path("server.key"))
        cas = [loaded.path("root.crt")] + [p for p in sorted(Path(source).glob(
            "intermediate*.crt"))]
        return ident, b"".join(certificates_pem(p) for p in cas)
    if hasattr(source, "server") and hasattr(source, "intermediate2"):  # CertificateSet
        issued = source.server
        client_cas = [source.root.certificate, source.intermediate1.certificate,
                      source.intermediate2.certificate]
    elif hasattr(source, "fullchain") and hasattr(source, "private_key"):  # IssuedCertificate
        issued = source
        client_cas = [source.root, *source.chain]
    else:
        raise InputError(f"cannot serve a {type(source).__name__}", "",
                         "pass a certificate set, an IssuedCertificate or a folder made by "
                         "pkilab init")
    leaf = issued.fullchain if chain == "full" else [issued.certificate]
    return identity(leaf, issued.private_key), certificates_pem(client_cas)


class HTTPSServer:
    """A small HTTPS server on 127.0.0.1; use it as a context manager.

    ``source``: a :class:`~pkilab.certset.CertificateSet`, a server
    :class:`~pkilab.ca.IssuedCertificate`, or a folder written by ``pkilab init``.
    ``chain="leaf"`` serves the server certificate without its intermediates (the
    classic "works in my browser, fails in curl" mistake). ``client_ca`` overrides the
    CAs whose client certificates are accepted (default: the set's root and
    intermediates). ``tls_version`` pins "1.2" or "1.3". ``handshake_timeout`` (seconds)
    bounds how long a silent client may hold a connection: each wait of the handshake,
    and the whole request head after it (a client dripping bytes is cut off).
    """

    def __init__(self, source: Any, *, mtls: str = "off", allow: Sequence[str] | None = None,
                 host: str = "127.0.0.1", port: int = 0, url_host: str = "localhost",
                 chain: str = "full", client_ca: Any = None, tls_version: str | None = None,
                 handshake_timeout: float = 3.0, max_connections: int = 256,
                 max_events: int = 2000, name: str | None = None) -> None:
        _check_numbers(port, handshake_timeout, max_connections, max_events)
        ident, client_cas = _source_material(source, chain)
        if client_ca is not None:
            client_cas = certificates_pem(client_ca)
        if isinstance(allow, str):
            allow = [allow]
        if allow is not None and not all(isinstance(name, str) for name in allow):
            raise InputError("the allow list must hold client names (text)",
                             f"it holds {sorted({type(n).__name__ for n in allow})}",
                             'pass allow=["client"]: the CNs of the clients to let in')
        if allow is not None and mtls == "off":
            raise InputError("an allow list needs mutual TLS",
                             "without client certificates the server does not know who is "
                             "asking", 'pass mtls="required" (pkilab serve --mtls required)')
        mtls = server_mode(mtls)
        self.mtls = mtls
        self.allow = None if allow is None else frozenset(allow)
        self.context = server_context(ident, mtls=mtls, client_ca_pem=client_cas,
                                      tls_version=tls_version)
        self.host, self._port, self.url_host = host, port, url_host
        self.handshake_timeout = handshake_timeout
        self.max_connections = max_connections
        self._events: deque[ServerEvent] = deque(maxlen=max_events)
        self._lock = threading.Lock()
        self._connections: dict[_Connection, threading.Thread] = {}
        self._listener: socket.socket | None = None
        self._waker: tuple[socket.socket, socket.socket] | None = None
        self._acceptor: threading.Thread | None = None
        self._stopping = threading.Event()
        #: with a name, starting this server first stops a running one of the same name
        self.name = name

    # ---- public -----------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._listener is None:
            raise InputError("the server is not running", "", "use it in a with block")
        return self._listener.getsockname()[1]

    @property
    def url(self) -> str:
        return f"https://{self.url_host}:{self.port}/"

    @property
    def events(self) -> EventLog:
        """What happened so far, oldest first (a copy: safe to keep)."""
        with self._lock:
            return EventLog(self._events)

    def clear_events(self) -> None:
        with self._lock:
            self._events.clear()

    def wait_idle(self, timeout: float = 2.0) -> bool:
        """Wait until no connection is being served; True if that happened in time.

        A client may hear the answer a moment before the server thread has written its
        event down: call this before reading :attr:`events` for a stable log.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._connections:
                    return True
            time.sleep(0.005)
        return False

    def take_events(self) -> EventLog:
        """The events so far, removing them: for a log that prints each one once."""
        with self._lock:
            taken = EventLog(self._events)
            self._events.clear()
        return taken

    def start(self) -> HTTPSServer:
        """Listen and serve in the background; a running server of the same ``name`` (one
        a notebook cell started before it was re-run) is stopped first."""
        if self._listener is not None:
            return self
        if self.name is not None:
            previous = _RUNNING.get(self.name)
            if previous is not None and previous is not self:
                previous.stop()
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.host, self._port))
            listener.listen(256)
        except OSError as exc:
            listener.close()
            raise InputError(f"cannot listen on {self.host}:{self._port}",
                             exc.strerror or str(exc),
                             "pick another port, or port 0 for any free one") from None
        self._listener = listener
        self._waker = socket.socketpair()
        self._stopping.clear()
        self._acceptor = threading.Thread(target=self._accept_loop, name="pkilab-https-accept",
                                          daemon=True)
        self._acceptor.start()
        if self.name is not None:
            _RUNNING[self.name] = self
        return self

    def stop(self, timeout: float = 1.0) -> None:
        """Stop accepting, cut open connections, and wait (at most ``timeout``) for threads."""
        if self._listener is None:
            return
        self._stopping.set()
        assert self._waker is not None
        with contextlib.suppress(OSError):
            self._waker[1].send(b"x")
        deadline = time.monotonic() + timeout
        if self._acceptor is not None:
            self._acceptor.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            connections = list(self._connections.items())
        for conn, _thread in connections:
            conn.cut()  # wakes a thread blocked in recv
        for _conn, thread in connections:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._listener.close()
        for end in self._waker:
            end.close()
        self._listener = self._waker = self._acceptor = None
        if self.name is not None and _RUNNING.get(self.name) is self:
            del _RUNNING[self.name]

    def __enter__(self) -> HTTPSServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self._listener is not None else "stopped"
        return f"<HTTPSServer mtls={self.mtls!r} {state}>"

    # ---- threads --------------------------------------------------------------------

    def _record(self, event: ServerEvent) -> None:
        with self._lock:
            self._events.append(event)

    def _accept_loop(self) -> None:
        assert self._listener is not None and self._waker is not None
        listener, waker = self._listener, self._waker[0]
        while not self._stopping.is_set():
            try:
                ready, _, _ = select.select([listener, waker], [], [])
                if waker in ready or self._stopping.is_set():
                    return
                conn, _addr = listener.accept()
            except OSError:
                if self._stopping.is_set():
                    return
                continue
            with self._lock:
                busy = len(self._connections) >= self.max_connections
            if busy:
                conn.close()
                self._record(ServerEvent("busy", detail="too many connections"))
                continue
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            holder = _Connection(conn)
            thread = threading.Thread(target=self._serve_one, args=(holder,),
                                      name="pkilab-https-conn", daemon=True)
            with self._lock:
                self._connections[holder] = thread
            thread.start()

    def _serve_one(self, holder: _Connection) -> None:
        try:
            self._handle(holder)
        except Exception as exc:  # a thread must never die noisily
            self._record(ServerEvent("error", detail=sanitize(f"{type(exc).__name__}: {exc}")))
        finally:
            with self._lock:
                self._connections.pop(holder, None)
            holder.sock.close()

    def _handle(self, holder: _Connection) -> None:
        conn = holder.sock
        conn.settimeout(self.handshake_timeout)
        if not self._looks_like_tls(conn):
            return
        # wrap_socket takes over the file descriptor: from here on ``tls`` is the socket
        tls = self.context.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
        holder.sock = tls
        if self._stopping.is_set():
            return
        try:
            tls.do_handshake()
        except TimeoutError:
            self._record(ServerEvent("timeout", detail="client stalled in the handshake"))
            return
        except ssl.SSLError as exc:
            self._record(ServerEvent("handshake-failed", detail=_ssl_reason(exc)))
            _linger(tls)
            return
        except OSError as exc:
            self._record(ServerEvent("closed", detail=_os_reason(exc)))
            return
        self._exchange(tls)

    def _looks_like_tls(self, conn: socket.socket) -> bool:
        """Peek at the first byte: plain HTTP gets nginx's 400 in plain text, like nginx."""
        try:
            first = conn.recv(1, socket.MSG_PEEK)
        except TimeoutError:
            self._record(ServerEvent("timeout", detail="client sent nothing"))
            return False
        except OSError as exc:
            self._record(ServerEvent("closed", detail=_os_reason(exc)))
            return False
        if not first:
            self._record(ServerEvent("closed", detail="client connected and left"))
            return False
        if first[0] in _TLS_RECORD_TYPES:
            return True
        if first.isalpha():  # "GET ...": someone typed http:// for an https:// port
            with contextlib.suppress(OSError):
                conn.sendall(http.response(
                    400, "400 The plain HTTP request was sent to HTTPS port\r\n"))
            self._record(ServerEvent("not-tls", status=400, detail="plain HTTP on the TLS port"))
        else:
            self._record(ServerEvent("not-tls", detail="bytes that are not TLS"))
        _linger(conn)
        return False

    def _exchange(self, tls: ssl.SSLSocket) -> None:
        version = version_name(tls.version())
        der = tls.getpeercert(binary_form=True)
        peer = x509.load_der_x509_certificate(der) if der else None
        client = short_name(peer.subject) if peer is not None else None
        try:
            head = _read_head(tls, self.handshake_timeout)
        except TimeoutError:
            self._record(ServerEvent("timeout", client=client, tls_version=version,
                                     detail="client too slow to send its request"))
            return
        tls.settimeout(self.handshake_timeout)  # _read_head left the head's remainder
        if head is None:
            self._record(ServerEvent("closed", client=client, tls_version=version,
                                     detail="the client left after the handshake, "
                                     "without a request"))
            return
        status, body = self._page(head, peer, version)
        line = http.request_line(head)
        # recorded before the reply goes out, so a client that has its answer finds it logged
        self._record(ServerEvent("request", status=status, client=client, tls_version=version))
        tls.sendall(http.response(status, body, head_only=line is not None and line[0] == "HEAD",
                                  content_type="text/html" if status == 400 and peer is None
                                  and self.mtls == "on" else
                                  "text/plain; charset=utf-8"))
        try:
            tls.settimeout(0.5)
            tls.unwrap()  # send close_notify; the client's goodbye ends it quickly
        except (OSError, ValueError):
            pass

    def _page(self, head: bytes, peer: x509.Certificate | None, version: str) -> tuple[int, str]:
        line = http.request_line(head)
        if line is None:
            return 400, "400 Bad Request: that was not an HTTP request\n"
        if line[0] not in ("GET", "HEAD"):
            return 405, f"405 {line[0]} is not served here: this lab server only answers GET\n"
        if peer is None and self.mtls == "on":
            return 400, http.no_certificate_page()
        if peer is not None and self.allow is not None and short_name(peer.subject) \
                not in self.allow:
            return 403, (f"403 Forbidden: {short_name(peer.subject)!r} proved who it is "
                         "(authentication) but is not on this server's allow list "
                         f"(authorization): {', '.join(sorted(self.allow))}\n")
        return 200, client_page(peer, version, self.mtls)


# Named servers that are running: a re-run notebook cell replaces its own server instead
# of leaving the old one listening. Weak values: a server nobody holds is not kept alive.
_RUNNING: weakref.WeakValueDictionary[str, HTTPSServer] = weakref.WeakValueDictionary()


def _check_numbers(port: Any, handshake_timeout: Any, max_connections: Any,
                   max_events: Any) -> None:
    """Clear errors for bad numbers, instead of a TypeError deep inside a thread."""
    def whole(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    if not whole(port) or not 0 <= port <= 65535:
        raise InputError(f"port={port!r} is not a TCP port", "ports are whole numbers "
                         "0-65535", "pass port=0 to let the system pick a free one")
    if isinstance(handshake_timeout, bool) or not isinstance(
            handshake_timeout, (int, float)) or not handshake_timeout > 0:
        raise InputError(f"handshake_timeout={handshake_timeout!r} is not a number of "
                         "seconds above 0", "", "pass for example handshake_timeout=3")
    for name, value in (("max_connections", max_connections), ("max_events", max_events)):
        if not whole(value) or value < 1:
            raise InputError(f"{name}={value!r} is not a whole number of at least 1", "",
                             f"leave {name} out to use the default")


class _Connection:
    """The socket of one connection; it changes once, when TLS wraps the plain socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def cut(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)


def client_page(peer: x509.Certificate | None, version: str, mtls: str) -> str:
    """The text the server answers with: who the client is, as the server sees it."""
    if peer is None:
        return (f"Hello! You reached the pkilab server over {version}.\n"
                "You sent no client certificate: this server does not ask for one "
                "(one-way TLS), so it does not know who you are.\n")
    return (f"Hello, {short_name(peer.subject)}! You reached the pkilab server over "
            f"{version}.\nYour certificate (verified by the server):\n"
            f"  subject: {format_subj(peer.subject)}\n"
            f"  issuer:  {format_subj(peer.issuer)}\n")


def _read_head(tls: ssl.SSLSocket, timeout: float) -> bytes | None:
    """The request head (up to the blank line), or None when the client left first.

    ``timeout`` bounds the whole head, not each ``recv``: a client dripping one byte
    at a time cannot hold a thread for longer than that. Raises :class:`TimeoutError`
    when the time is up.
    """
    deadline = time.monotonic() + timeout
    data = b""
    while b"\r\n\r\n" not in data and len(data) < http.MAX_HEAD:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request head did not arrive in time")
        try:
            tls.settimeout(left)
            chunk = tls.recv(4096)
        except TimeoutError:
            raise
        except (OSError, ssl.SSLError):
            return None
        if not chunk:
            return data or None
        data += chunk
    return data


def _linger(conn: socket.socket, seconds: float = 0.5) -> None:
    """Half-close and drain briefly, so our alert or reply is read before the socket goes.

    Closing a socket that still holds unread bytes makes the kernel send a reset, which
    can overtake the alert we just sent; nginx drains for the same reason.
    """
    try:
        conn.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            conn.settimeout(max(0.01, deadline - time.monotonic()))
            if not conn.recv(4096):
                return
    except OSError:
        return


def _ssl_reason(exc: ssl.SSLError) -> str:
    """The server's side of a failed handshake, in a few words."""
    reason = getattr(exc, "reason", None)
    verify = getattr(exc, "verify_message", None)
    if verify:
        return f"client certificate refused: {verify}"
    if reason == "PEER_DID_NOT_RETURN_A_CERTIFICATE":
        return "client sent no certificate (mTLS required)"
    alert = ALERT_REASONS.get(reason or "")
    if alert:
        return f"the client refused our certificate (alert: {alert})"
    if reason in ("NO_SHARED_CIPHER", "UNSUPPORTED_PROTOCOL", "VERSION_TOO_LOW",
                  "VERSION_TOO_HIGH", "NO_PROTOCOLS_AVAILABLE"):
        return f"no TLS version or cipher in common ({reason})"
    return sanitize(reason or str(exc))


def _os_reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__

