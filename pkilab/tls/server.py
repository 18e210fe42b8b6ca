"""An HTTPS server a notebook starts and stops: one-way TLS, or mutual TLS like nginx.

>>> with HTTPSServer(cs, mtls="required") as server:
...     request(server.url, ca=cs.root.certificate, cert=cs.clients["client"]).status
200

It binds 127.0.0.1 on a free port, serves every connection from one background thread
(a selector loop, :mod:`pkilab.tls.loop`), never prints (what happens is recorded in
:attr:`HTTPSServer.events`), and stops within a second when the ``with`` block ends,
errors included.

The three ``mtls`` modes (the vocabulary of :mod:`pkilab.modes`):

``"off"``       one-way TLS: the server does not ask for a client certificate.
``"required"``  the handshake fails without a client certificate the server trusts.
``"on"``        nginx's ``ssl_verify_client on``: the handshake succeeds without one, and
                the server answers
                ``400 No required SSL certificate was sent``. A certificate that *is*
                sent is still verified: one from an unknown CA fails the handshake
                (nginx's ``optional_no_ca`` would let it through; ``ssl`` has no such mode).

Whom it trusts: the only trust anchor for client certificates is the set's root
(``root.crt``), with the set's own intermediates (``intermediate1.crt``,
``intermediate2.crt``, checked to chain to it) to build paths. Other ``.crt`` files in a
folder are never trusted; they are listed in :attr:`HTTPSServer.ignored`.

How it checks clients: OpenSSL's handshake checks are weaker than ``pkilab verify``'s (it
lets a CA certificate, even the root itself, or a keyAgreement-only certificate through
as a client certificate). So after the handshake and before the page, the server runs
:func:`pkilab.chain.verify_chain` with ``purpose="client"`` on the client's certificate,
the same per-link rules as ``pkilab verify``. A refusal is answered as nginx answers a
client certificate that failed verification: ``400 The SSL certificate error`` (400, not
403: the client did not prove who it is, which is authentication; 403 stays the answer of
the allow list, which is authorization). The page carries the problem's code, what, why
and fix, the ``X-Pkilab-Problem`` header its code, and the event log both.

``allow`` lists client names (certificate CNs) that may see the page; any other
client with a valid certificate gets 403. That is authorization on top of
authentication.

Under pressure: a connection waiting for its handshake holds no thread, only a file
descriptor; when ``max_connections`` are open (or the process has no descriptor left),
the one that has waited longest without finishing its handshake is closed to make room,
so idle or dripping connections cannot lock a prompt client out.
``benchmarks/bench_server_pressure.py`` measures it against the previous design.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from cryptography import x509

from ..crl import crl_pem
from ..errors import InputError, PkilabError
from ..facts import same_certificate
from ..modes import server_mode
from ..names import format_subj, short_name
from . import http
from .contexts import certificates, certificates_pem, identity, server_context
from .events import EventLog, ServerEvent
from .loop import Front, Peer, Reply
from .source import ServerIdentitySource, server_source, split_client_cas

if TYPE_CHECKING:
    from ..chain import Problem

__all__ = ["EventLog", "HTTPSServer", "ServerEvent", "client_page"]

#: A page hook: (path, peer, problem or None) -> (status, body, content type, problem
#: code or None), or None to let the server answer as usual.
Page = Callable[[str, Peer, "Problem | None"], "tuple[int, str, str, str | None] | None"]


class HTTPSServer:
    """A small HTTPS server on 127.0.0.1; use it as a context manager.

    ``source``: a folder written by ``pkilab init``, a
    :class:`~pkilab.certset.CertificateSet`, or a server
    :class:`~pkilab.ca.IssuedCertificate` (anything else is an error with code
    ``unsupported_server_source``). ``chain="leaf"`` serves the server certificate
    without its intermediates (the classic "works in my browser, fails in curl"
    mistake). ``client_ca`` overrides whom client certificates must chain to: its
    self-signed certificates are the anchors, the others intermediates that must chain
    to one (default: the set's root, with its intermediates). ``tls_version`` pins "1.2"
    or "1.3". ``handshake_timeout`` (seconds) bounds how long a client may take from
    connecting to finishing its handshake, and again for its whole request head (a
    client dripping bytes is cut off). ``max_connections`` bounds the connections held
    at once; when it is reached, the one waiting longest for its handshake is dropped.
    ``name``: starting this server first stops a running one of the same name (a
    notebook cell run again replaces its own server).

    ``crl``: revocation for client certificates. By default a folder's ``crl.pem`` is
    used when it exists (``pkilab revoke`` writes it); pass a path, PEM bytes or CRL
    objects to choose, or ``False`` for none. OpenSSL itself checks it in the handshake
    (``VERIFY_CRL_CHECK_LEAF``): a revoked client is refused with the alert
    ``certificate_revoked``, and the event log says whom the CRL revokes, when and why.
    The CRL is read once: after a new revocation, start a new server (nginx needs a
    reload for the same reason).
    """

    def __init__(self, source: Any, *, mtls: str = "off", allow: Sequence[str] | None = None,
                 host: str = "127.0.0.1", port: int = 0, url_host: str = "localhost",
                 chain: str = "full", client_ca: Any = None, tls_version: str | None = None,
                 handshake_timeout: float = 3.0, max_connections: int = 1024,
                 max_events: int = 2000, name: str | None = None, crl: Any = None,
                 page: Page | None = None) -> None:
        _check_numbers(port, handshake_timeout, max_connections, max_events)
        material: ServerIdentitySource = server_source(source, chain)
        roots, intermediates = material.client_roots, material.client_intermediates
        if client_ca is not None:
            roots, intermediates = split_client_cas(certificates(client_ca, "client_ca"))
        allow = _check_allow(allow, mtls)
        mtls = server_mode(mtls)
        self.mtls = mtls
        self.allow = None if allow is None else frozenset(allow)
        #: the client certificates' only trust anchors, and the CAs that build paths to them
        self.client_roots, self.client_intermediates = list(roots), list(intermediates)
        #: files of the source folder that were not used (and so never trusted)
        self.ignored: tuple[str, ...] = material.ignored
        #: the CRLs client certificates are checked against (empty: no revocation check)
        self.crls = _crls(crl, material.crls) if mtls != "off" else ()
        #: whom the CRLs revoke, in words (what a refused handshake's event adds)
        self.revoked_text = _revoked_names(source, self.crls)
        self.context = server_context(identity(material.fullchain, material.private_key),
                                      mtls=mtls,
                                      client_ca_pem=certificates_pem([*roots, *intermediates]),
                                      tls_version=tls_version,
                                      crl_pem=b"".join(map(crl_pem, self.crls)) or None)
        self.host, self._port, self.url_host = host, port, url_host
        self.handshake_timeout = handshake_timeout
        self.max_connections = max_connections
        self._events: deque[ServerEvent] = deque(maxlen=max_events)
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._front: Front | None = None
        self._thread: threading.Thread | None = None
        self._last_port: int | None = None
        self.name = name
        #: ``page(path, peer, problem)``: the answer to a GET with a client certificate,
        #: or None for the server's own (the class server's roll call, pkilab.rollcall)
        self.page = page

    # ---- public -----------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._listener is None:
            raise self._not_running()
        return self._listener.getsockname()[1]

    @property
    def url(self) -> str:
        return f"https://{self.url_host}:{self.port}/"

    @property
    def running(self) -> bool:
        return self._listener is not None

    @property
    def events(self) -> EventLog:
        """What happened so far, oldest first (a copy: safe to keep)."""
        with self._lock:
            return EventLog(self._events)

    def clear_events(self) -> None:
        with self._lock:
            self._events.clear()

    def wait_idle(self, timeout: float = 2.0) -> bool:
        """Wait until no connection is open; True if that happened in time.

        A client may hear the answer a moment before the server has said goodbye to it:
        call this before reading :attr:`events` for a stable log.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            front = self._front
            if front is None or not front.connections:
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
        a notebook cell started before it was re-run) is stopped first.

        A server started again after :meth:`stop` gets its old port back when it is
        still free, so a URL printed earlier keeps working.
        """
        if self._listener is not None:
            return self
        if self.name is not None:
            previous = _RUNNING.get(self.name)
            if previous is not None and previous is not self:
                previous.stop()
        self._listener = self._listen()
        self._front = Front(self._listener, self.context,
                            handshake_timeout=self.handshake_timeout,
                            max_connections=self.max_connections, answer=self._answer,
                            record=self._record)
        self._thread = threading.Thread(target=self._front.run, name="pkilab-https-loop",
                                        daemon=True)
        self._thread.start()
        self._last_port = self._listener.getsockname()[1]
        _STOPPED.pop(self._last_port, None)
        if self.name is not None:
            _RUNNING[self.name] = self
        return self

    def stop(self, timeout: float = 1.0) -> None:
        """Stop accepting, cut open connections, and wait (at most ``timeout``) for the
        server's thread."""
        if self._listener is None:
            return
        assert self._front is not None and self._thread is not None
        self._front.wake()
        self._thread.join(timeout)
        self._listener.close()
        self._listener = self._front = self._thread = None
        if self.name is not None and _RUNNING.get(self.name) is self:
            del _RUNNING[self.name]
        _STOPPED[self._last_port] = f"https://{self.url_host}:{self._last_port}/"

    def __enter__(self) -> HTTPSServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self._listener is not None else "stopped"
        return f"<HTTPSServer mtls={self.mtls!r} {state}>"

    # ---- inside -----------------------------------------------------------------------

    def _not_running(self) -> InputError:
        fix = not_running_fix()
        if self._last_port is None:
            return InputError("this server is not running", "it has not been started", fix,
                              code="server_not_running")
        url = f"https://{self.url_host}:{self._last_port}/"
        return InputError(f"the server at {url} is not running", "it was stopped", fix,
                          code="server_not_running")

    def _listen(self) -> socket.socket:
        ports = [self._port]
        if self._port == 0 and self._last_port is not None:
            ports.insert(0, self._last_port)  # a restart keeps the URL when it can
        for index, port in enumerate(ports):
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                listener.bind((self.host, port))
                listener.listen(1024)
            except OSError as exc:
                listener.close()
                if index + 1 < len(ports):
                    continue
                raise InputError(f"cannot listen on {self.host}:{port}",
                                 exc.strerror or str(exc),
                                 "pick another port, or port 0 for any free one",
                                 code="cannot_listen") from None
            return listener
        raise AssertionError("unreachable")  # pragma: no cover

    def _record(self, event: ServerEvent) -> None:
        if event.kind == "handshake-failed" and "certificate revoked" in event.detail:
            event = ServerEvent(event.kind, detail=f"{event.detail}: {self.revoked_text}",
                                problem="revoked")
        with self._lock:
            self._events.append(event)

    def _answer(self, head: bytes | None, peer: Peer) -> Reply:
        """The reply to one request (the loop sends it); pure apart from verification."""
        cert = peer.certificate
        client = short_name(cert.subject) if cert is not None else None

        def reply(status: int, body: str, **extra: Any) -> Reply:
            event = ServerEvent("request", status=status, client=client,
                                tls_version=peer.version, detail=extra.pop("detail", ""),
                                problem=extra.pop("problem", None))
            return Reply(status, body, event, **extra)

        if head is None:
            return reply(431, http.too_large_page(), detail="request head too large")
        line = http.request_line(head)
        if line is None:
            return reply(400, "400 Bad Request: that was not an HTTP request\n")
        if cert is None and self.mtls == "on":
            return reply(400, http.no_certificate_page(), content_type="text/html")
        problem = self._check_client(peer) if cert is not None else None
        if self.page is not None and cert is not None and line[0] in ("GET", "HEAD"):
            custom = self.page(line[1], peer, problem)
            if custom is not None:
                status, body, content_type, code = custom
                return reply(status, body, content_type=content_type, problem=code,
                             headers={http.PROBLEM_HEADER: code} if code else None,
                             detail=f"[{code}]" if code else "")
        if problem is not None:
            return reply(400, http.bad_certificate_page(problem.code, problem.what,
                                                        problem.why, problem.fix),
                         headers={http.PROBLEM_HEADER: problem.code}, problem=problem.code,
                         detail=f"client certificate refused [{problem.code}]: "
                         f"{problem.what}")
        if line[0] not in ("GET", "HEAD"):
            return reply(405, f"405 {line[0]} is not served here: this lab server only "
                         "answers GET\n")
        if client is not None and self.allow is not None and client not in self.allow:
            return reply(403, f"403 Forbidden: {client!r} proved who it is "
                         "(authentication) but is not on this server's allow list "
                         f"(authorization): {', '.join(sorted(self.allow))}\n")
        return reply(200, client_page(cert, peer.version, self.mtls))

    def _check_client(self, peer: Peer) -> Problem | None:
        """The first problem ``pkilab verify --purpose client`` finds, or None."""
        from ..chain import verify_chain

        assert peer.certificate is not None
        # the path OpenSSL built (3.10+), else the set's own intermediates: the same CAs
        extra = [c for c in peer.chain[1:]
                 if not any(same_certificate(c, r) for r in self.client_roots)]
        pool = [*self.client_intermediates,
                *(c for c in extra if not any(same_certificate(c, i)
                                              for i in self.client_intermediates))]
        try:
            report = verify_chain(peer.certificate, self.client_roots, pool, purpose="client",
                                  crls=self.crls)
        except PkilabError as exc:  # a certificate verify cannot even read is refused too
            from ..chain import Problem

            return Problem(exc.code, exc.what, exc.why, exc.fix, 0)
        return report.problems[0] if report.problems else None


# Named servers that are running: a re-run notebook cell replaces its own server instead
# of leaving the old one listening. Weak values: a server nobody holds is not kept alive.
_RUNNING: weakref.WeakValueDictionary[str, HTTPSServer] = weakref.WeakValueDictionary()
# Ports of servers this process stopped (port -> URL), so a request to one can say so.
_STOPPED: dict[int, str] = {}


def _crls(crl: Any, default: Sequence[x509.CertificateRevocationList]
          ) -> tuple[x509.CertificateRevocationList, ...]:
    from ..revoke import load_crls

    if crl is None:
        return tuple(default)
    if crl is False:
        return ()
    if isinstance(crl, x509.CertificateRevocationList):
        return (crl,)
    if isinstance(crl, (list, tuple)) and all(isinstance(c, x509.CertificateRevocationList)
                                              for c in crl):
        return tuple(crl)
    if isinstance(crl, (str, bytes)) or hasattr(crl, "__fspath__"):
        return tuple(load_crls(crl))
    raise InputError(f"crl={type(crl).__name__} is not a CRL", "",
                     "pass a path such as DIR/crl.pem, PEM bytes, CRL objects, or False",
                     code="not_a_crl")


def _revoked_names(source: Any, crls: Sequence[x509.CertificateRevocationList]) -> str:
    """Whom the CRLs revoke, in words: what a refused handshake's event says.

    OpenSSL refuses a revoked client inside the handshake, before Python sees its
    certificate, so the server cannot tell which one it was: it names the entries
    (a folder's NAME.crt by serial), exactly one when the list has one.
    """
    from ..crl import revocations

    names: dict[int, str] = {}
    if isinstance(source, (str, os.PathLike)):
        from pathlib import Path

        from ..certset import set_clients
        from ..load import load_certificate

        for name in set_clients(Path(source)):
            names[load_certificate(Path(source) / f"{name}.crt").serial_number] = name
    entries = [r for c in crls for r in revocations(c)]
    shown = [f"{names.get(r.serial, f'serial {r.serial:x}')} revoked on "
             f"{r.date:%Y-%m-%d} ({r.reason})" for r in entries]
    if len(shown) > 3:
        shown = [*shown[:3], f"{len(shown) - 3} more"]
    return ("the CRL lists " if len(shown) == 1 else "the CRL lists one of: ") + \
        "; ".join(shown)


def stopped_server_url(port: int) -> str | None:
    """The URL of a server this process ran on ``port`` and stopped, if any."""
    return _STOPPED.get(port)


def not_running_fix() -> str:
    return ("start it again (server.start()) or re-run the cell that starts it; inside "
            "a with HTTPSServer(...) block it runs until the block ends")


def _check_allow(allow: Sequence[str] | str | None, mtls: str) -> Sequence[str] | None:
    if isinstance(allow, str):
        allow = [allow]
    if allow is not None and not all(isinstance(name, str) for name in allow):
        raise InputError("the allow list must hold client names (text)",
                         f"it holds {sorted({type(n).__name__ for n in allow})}",
                         'pass allow=["client"]: the CNs of the clients to let in',
                         code="bad_allow_list")
    if allow is not None and mtls == "off":
        raise InputError("an allow list needs mutual TLS",
                         "without client certificates the server does not know who is "
                         "asking", 'pass mtls="required" (pkilab serve --mtls required)',
                         code="allow_needs_mtls")
    return allow


def _check_numbers(port: Any, handshake_timeout: Any, max_connections: Any,
                   max_events: Any) -> None:
    """Clear errors for bad numbers, instead of a TypeError deep inside a thread."""
    def whole(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    if not whole(port) or not 0 <= port <= 65535:
        raise InputError(f"port={port!r} is not a TCP port", "ports are whole numbers "
                         "0-65535", "pass port=0 to let the system pick a free one",
                         code="bad_port")
    if isinstance(handshake_timeout, bool) or not isinstance(
            handshake_timeout, (int, float)) or not handshake_timeout > 0:
        raise InputError(f"handshake_timeout={handshake_timeout!r} is not a number of "
                         "seconds above 0", "", "pass for example handshake_timeout=3",
                         code="bad_timeout")
    for name, value in (("max_connections", max_connections), ("max_events", max_events)):
        if not whole(value) or value < 1:
            raise InputError(f"{name}={value!r} is not a whole number of at least 1", "",
                             f"leave {name} out to use the default", code=f"bad_{name}")


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
