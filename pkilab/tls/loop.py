"""The lab server's engine: one thread, one selector, every connection a small state machine.

Why not a thread per connection (pkilab 0.1): a connection that has not finished its
handshake costs a whole thread, so the server had to cap them (256) and 257 idle TCP
connections locked every client out. Here a waiting connection costs one file
descriptor and a small object; the one thread only works when a socket is ready.

A connection goes through these states. ``peek`` and ``handshake`` share one deadline,
``handshake_timeout`` seconds after the connection was accepted; the request head gets
``handshake_timeout`` seconds of its own (a client dripping bytes is cut off at it):

``peek``       first byte: a TLS record, plain HTTP (answered 400 in plain text, like
               nginx) or garbage.
``handshake``  non-blocking ``do_handshake``: a silent or dripping client never holds
               more than its deadline, and never holds the thread at all.
``head``       the request head, up to its empty line (LF or CRLF) or ``MAX_HEAD`` bytes.
``send``       the reply (the page is decided by the server's ``answer`` callback).
``unwrap``     our close_notify, and the client's, so neither side sees a rude end.
``drain``      half-closed, reading what is left for a moment: closing a socket with
               unread bytes sends a reset that can overtake our alert or reply.

When the server is full (``max_connections``, or the process is out of file
descriptors), the newcomer is not refused: the connection that has waited longest
without finishing its handshake (failing that, without sending its request) is closed to
make room (event ``busy``). Idle or dripping connections therefore cannot lock out a
client that completes its handshake promptly; they only push each other out.

Limits: one thread does all the TLS work, so handshakes are served one after another
(an EC P-256 handshake costs about a millisecond; the lab serves a classroom, not the
internet). Deadlines are checked every :data:`TICK` seconds.
"""

from __future__ import annotations

import contextlib
import errno
import selectors
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography import x509

from . import http
from .contexts import peer_chain, version_name
from .events import ServerEvent
from .explain import ALERT_REASONS, sanitize

#: TLS records start with one of these bytes (handshake 22, alert 21, ...).
TLS_RECORD_TYPES = frozenset({20, 21, 22, 23})
#: How often deadlines are checked (seconds).
TICK = 0.05
#: How long a finished connection may take to say goodbye (close_notify, drain).
LINGER = 0.5
#: Connections accepted per wake-up, so a flood of connects cannot starve the others.
ACCEPT_BATCH = 64


@dataclass(frozen=True)
class Peer:
    """What the handshake established about the client: for the server's ``answer``."""

    certificate: x509.Certificate | None
    chain: list[x509.Certificate]
    version: str


@dataclass(frozen=True)
class Reply:
    """What to answer: status, body, content type, extra headers, and the event to log."""

    status: int
    body: str
    event: ServerEvent
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] | None = None


#: ``answer(head, peer)`` -> the reply; ``head`` is None when it grew past MAX_HEAD.
Answer = Callable[[bytes | None, Peer], Reply]
Record = Callable[[ServerEvent], None]


class _Connection:
    """One client: its socket (plain, then TLS), state, deadline and buffers."""

    __slots__ = ("data", "deadline", "fd", "interest", "out", "peer", "searched", "sock",
                 "state")

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.fd = sock.fileno()
        self.sock: socket.socket = sock
        self.state = "peek"
        self.deadline = deadline
        self.data = b""
        self.searched = 0
        self.out = b""
        self.peer: Peer | None = None
        self.interest = selectors.EVENT_READ

    @property
    def waiting(self) -> bool:
        """Not yet through its handshake: the first to go when the server is full."""
        return self.state in ("peek", "handshake")


class Front:
    """The selector loop; :meth:`run` is the server's one thread, :meth:`wake` stops it."""

    def __init__(self, listener: socket.socket, context: ssl.SSLContext, *,
                 handshake_timeout: float, max_connections: int, answer: Answer,
                 record: Record) -> None:
        self.listener = listener
        self.context = context
        self.handshake_timeout = handshake_timeout
        self.max_connections = max_connections
        self.answer, self.record = answer, record
        self.connections: dict[int, _Connection] = {}  # insertion order = age
        self._waker_r, self._waker_w = socket.socketpair()
        self._selector = selectors.DefaultSelector()
        self._paused_until = 0.0
        self._next_sweep = 0.0
        self._stopping = False

    # ---- the loop -------------------------------------------------------------------

    def run(self) -> None:
        self.listener.setblocking(False)
        self._selector.register(self.listener, selectors.EVENT_READ, "listen")
        self._selector.register(self._waker_r, selectors.EVENT_READ, "wake")
        try:
            while not self._stopping:
                try:
                    self._once()
                except Exception as exc:  # a bug here must not silently stop the server
                    self.record(ServerEvent("error", detail=sanitize(
                        f"{type(exc).__name__}: {exc}")))
                    time.sleep(TICK)
        finally:
            for conn in list(self.connections.values()):
                self._close(conn)
            self._selector.close()
            self._waker_r.close()
            self._waker_w.close()

    def wake(self) -> None:
        """Ask the loop to stop (from another thread); it closes every connection."""
        self._stopping = True
        with contextlib.suppress(OSError):
            self._waker_w.send(b"x")

    def _once(self) -> None:
        timeout = TICK if self.connections or self._paused_until else None
        for key, _mask in self._selector.select(timeout):
            if key.data == "wake":
                self._stopping = True
                return
            if key.data == "listen":
                self._accept()
            else:
                conn = self.connections.get(key.data)
                if conn is not None:
                    self._step(conn)
        now = time.monotonic()
        if self._paused_until and now >= self._paused_until:
            self._paused_until = 0.0
            self._selector.register(self.listener, selectors.EVENT_READ, "listen")
        if now >= self._next_sweep:  # once a tick, not once per event: O(n) each time
            self._next_sweep = now + TICK
            for conn in [c for c in self.connections.values() if c.deadline <= now]:
                self._expire(conn)

    # ---- accepting --------------------------------------------------------------------

    def _accept(self) -> None:
        for _ in range(ACCEPT_BATCH):
            if len(self.connections) >= self.max_connections and not self._make_room():
                self.record(ServerEvent("busy", detail="too many connections"))
                self._pause()
                return
            try:
                sock, _addr = self.listener.accept()
            except BlockingIOError:
                return
            except OSError as exc:
                if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM) \
                        and self._make_room():
                    continue  # a descriptor is free again: accept the newcomer
                if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    self.record(ServerEvent("busy", detail="out of file descriptors"))
                    self._pause()
                return
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = _Connection(sock, time.monotonic() + self.handshake_timeout)
            self.connections[conn.fd] = conn
            self._selector.register(conn.fd, selectors.EVENT_READ, conn.fd)

    def _make_room(self) -> bool:
        """Close the connection that has waited longest without finishing its handshake
        (or, when every one has, the longest still sending its request head)."""
        oldest = next((c for c in self.connections.values() if c.waiting), None)
        detail = "waited longest without finishing its handshake"
        if oldest is None:
            oldest = next((c for c in self.connections.values() if c.state == "head"), None)
            detail = "waited longest for its request"
        if oldest is None:
            return False
        self.record(ServerEvent("busy", client=_client(oldest), tls_version=_version(oldest),
                                detail=f"server full: closed the connection that {detail}"))
        self._close(oldest)
        return True

    def _pause(self) -> None:
        """Stop watching the listener for a tick, so a full server does not spin."""
        if not self._paused_until:
            self._selector.unregister(self.listener)
        self._paused_until = time.monotonic() + TICK

    # ---- one step of one connection -----------------------------------------------------

    def _step(self, conn: _Connection) -> None:
        try:
            {"peek": self._peek, "handshake": self._handshake, "head": self._read_head,
             "send": self._send, "unwrap": self._unwrap, "drain": self._drain
             }[conn.state](conn)
        except Exception as exc:  # the loop must never die, whatever one client does
            self.record(ServerEvent("error", detail=sanitize(f"{type(exc).__name__}: {exc}")))
            self._close(conn)

    def _peek(self, conn: _Connection) -> None:
        try:
            first = conn.sock.recv(1, socket.MSG_PEEK)
        except BlockingIOError:
            return
        except OSError as exc:
            self.record(ServerEvent("closed", detail=_os_reason(exc)))
            self._close(conn)
            return
        if not first:
            self.record(ServerEvent("closed", detail="client connected and left"))
            self._close(conn)
        elif first[0] in TLS_RECORD_TYPES:
            # the TLS socket takes the descriptor over (same number: still registered)
            conn.sock = self.context.wrap_socket(conn.sock, server_side=True,
                                                 do_handshake_on_connect=False)
            conn.state = "handshake"
            self._handshake(conn)
        elif first.isalpha():  # "GET ...": someone typed http:// for an https:// port
            self.record(ServerEvent("not-tls", status=400, detail="plain HTTP on the TLS port"))
            with contextlib.suppress(OSError):  # a short reply fits the empty send buffer
                conn.sock.send(http.response(
                    400, "400 The plain HTTP request was sent to HTTPS port\r\n"))
            self._start_drain(conn)
        else:
            self.record(ServerEvent("not-tls", detail="bytes that are not TLS"))
            self._start_drain(conn)

    def _handshake(self, conn: _Connection) -> None:
        tls = conn.sock
        assert isinstance(tls, ssl.SSLSocket)
        try:
            if not self._attempt(conn, tls.do_handshake)[0]:
                return
        except ssl.SSLError as exc:
            self.record(ServerEvent("handshake-failed", detail=ssl_reason(exc)))
            self._start_drain(conn)  # OpenSSL has written its alert already
            return
        except OSError as exc:
            self.record(ServerEvent("closed", detail=_os_reason(exc)))
            self._close(conn)
            return
        der = tls.getpeercert(binary_form=True)
        chain, _kind = peer_chain(tls, verified=True) if der else ([], "")
        conn.peer = Peer(x509.load_der_x509_certificate(der) if der else None, chain,
                         version_name(tls.version()))
        conn.state = "head"
        conn.deadline = time.monotonic() + self.handshake_timeout  # the head's own budget
        self._read_head(conn)

    def _read_head(self, conn: _Connection) -> None:
        tls = conn.sock
        while True:
            try:
                # until OpenSSL needs more: nothing may stay unread in its buffer
                done, chunk = self._attempt(conn, lambda: tls.recv(4096))
                if not done:
                    return
            except (OSError, ssl.SSLError):
                chunk = b""
            if not chunk:
                if conn.data:
                    self._reply(conn, conn.data)  # what came before the client left
                else:
                    self.record(ServerEvent(
                        "closed", client=_client(conn), tls_version=_version(conn),
                        detail="the client left after the handshake, without a request"))
                    self._close(conn)
                return
            conn.data += chunk
            end = http.head_end(conn.data, conn.searched)
            conn.searched = len(conn.data)
            if end is not None:
                self._reply(conn, conn.data[:end])
                return
            if len(conn.data) > http.MAX_HEAD:
                self._reply(conn, None)
                return

    def _reply(self, conn: _Connection, head: bytes | None) -> None:
        assert conn.peer is not None
        reply = self.answer(head, conn.peer)
        line = http.request_line(head) if head is not None else None
        # recorded before the reply goes out, so a client that has its answer finds it logged
        self.record(reply.event)
        conn.out = http.response(reply.status, reply.body, content_type=reply.content_type,
                                 headers=reply.headers,
                                 head_only=line is not None and line[0] == "HEAD")
        conn.state = "send"
        conn.deadline = time.monotonic() + self.handshake_timeout
        self._send(conn)

    def _send(self, conn: _Connection) -> None:
        while conn.out:
            try:
                done, sent = self._attempt(conn, lambda: conn.sock.send(conn.out))
                if not done:
                    return
            except OSError:
                self._close(conn)
                return
            conn.out = conn.out[sent:]
        conn.state = "unwrap"
        conn.deadline = time.monotonic() + LINGER
        self._unwrap(conn)

    def _unwrap(self, conn: _Connection) -> None:
        """Send close_notify and wait (briefly) for the client's: a clean goodbye."""
        tls = conn.sock
        assert isinstance(tls, ssl.SSLSocket)
        try:
            if not self._attempt(conn, tls.unwrap)[0]:
                return
        except (OSError, ssl.SSLError, ValueError):
            # e.g. the client is still sending a request head we stopped reading (431)
            self._start_drain(conn)
            return
        self._close(conn)

    def _start_drain(self, conn: _Connection) -> None:
        with contextlib.suppress(OSError):
            socket.socket.shutdown(conn.sock, socket.SHUT_WR)
        conn.state = "drain"
        conn.deadline = time.monotonic() + LINGER
        self._want(conn, selectors.EVENT_READ)
        self._drain(conn)

    def _drain(self, conn: _Connection) -> None:
        while True:
            try:
                # the raw socket's recv: after a failed handshake there is no TLS to speak
                if not socket.socket.recv(conn.sock, 65536):
                    self._close(conn)
                    return
            except BlockingIOError:
                return
            except OSError:
                self._close(conn)
                return

    # ---- bookkeeping ----------------------------------------------------------------

    def _attempt(self, conn: _Connection, operation: Callable[[], Any]) -> tuple[bool, Any]:
        """One non-blocking TLS operation: (True, its result), or (False, None) when it has
        to wait for the socket (the selector is told which way). Other errors propagate."""
        try:
            return True, operation()
        except ssl.SSLWantReadError:
            self._want(conn, selectors.EVENT_READ)
        except ssl.SSLWantWriteError:
            self._want(conn, selectors.EVENT_WRITE)
        return False, None

    def _want(self, conn: _Connection, events: int) -> None:
        if conn.interest != events:
            conn.interest = events
            self._selector.modify(conn.fd, events, conn.fd)

    def _expire(self, conn: _Connection) -> None:
        detail = {"peek": "client sent nothing", "handshake": "client stalled in the handshake",
                  "head": "client too slow to send its request"}.get(conn.state)
        if detail is not None:
            self.record(ServerEvent("timeout", client=_client(conn), tls_version=_version(conn),
                                    detail=detail))
        self._close(conn)

    def _close(self, conn: _Connection) -> None:
        if self.connections.pop(conn.fd, None) is None:
            return
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.unregister(conn.fd)
        with contextlib.suppress(OSError):
            conn.sock.close()


def _client(conn: _Connection) -> str | None:
    from ..names import short_name

    if conn.peer is None or conn.peer.certificate is None:
        return None
    return short_name(conn.peer.certificate.subject)


def _version(conn: _Connection) -> str | None:
    return conn.peer.version if conn.peer is not None else None


def ssl_reason(exc: ssl.SSLError) -> str:
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
