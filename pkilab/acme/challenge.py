"""The notebook's own HTTP-01 server: it answers the CA's validation requests on
127.0.0.1 and records each one (quietly: a later cell shows them).

HTTP-01 (RFC 8555 section 8.3): the CA fetches
``http://NAME/.well-known/acme-challenge/TOKEN`` and expects the *key authorization*,
``TOKEN.THUMBPRINT`` (the account key's RFC 7638 thumbprint), as the body. Only paths
that were added are served; everything else is a 404, like a real web root.

Limits: plain HTTP on one loopback port (pebble's ``httpPort``; a real CA always asks
port 80), no redirects.
"""

from __future__ import annotations

import http.server
import threading
from dataclasses import dataclass

from ..errors import InputError

_PREFIX = "/.well-known/acme-challenge/"


@dataclass(frozen=True)
class ChallengeRequest:
    """One request the server answered: the path, the Host header, who asked, and the
    status it got (200 with the key authorization, or 404)."""

    path: str
    host: str
    user_agent: str
    status: int


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Listener

    def do_GET(self) -> None:
        body = self.server.owner.body_for(self.path)
        self.server.owner.note(ChallengeRequest(self.path, self.headers.get("Host", ""),
                                                self.headers.get("User-Agent", ""),
                                                200 if body is not None else 404))
        data = (body if body is not None else "not found").encode()
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet thread: requests are recorded, not printed


class _Listener(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], owner: HTTP01Server) -> None:
        self.owner = owner
        super().__init__(address, _Handler)


class HTTP01Server:
    """Serve HTTP-01 tokens on ``127.0.0.1:port`` (0: a free one); a context manager.

        with HTTP01Server(port) as tokens:
            tokens.add(challenge_token, key_authorization)

    :attr:`requests` lists what was asked, in order.
    """

    def __init__(self, port: int = 0) -> None:
        if not isinstance(port, int) or not 0 <= port <= 65535:
            raise InputError(f"port {port!r} is not a TCP port", "",
                             "pass 0 (a free port) or a number up to 65535", code="bad_port")
        self._wanted_port = port
        self._bodies: dict[str, str] = {}
        self._requests: list[ChallengeRequest] = []
        self._lock = threading.Lock()
        self._listener: _Listener | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._listener is None:
            raise InputError("the HTTP-01 server is not running", "",
                             "use it in a with block", code="server_not_running")
        return self._listener.server_address[1]

    @property
    def requests(self) -> list[ChallengeRequest]:
        with self._lock:
            return list(self._requests)

    def add(self, token: str, key_authorization: str) -> None:
        """Serve ``key_authorization`` at ``/.well-known/acme-challenge/TOKEN``."""
        if not token or "/" in token:
            raise InputError(f"{token!r} is not an ACME token", "tokens are base64url text",
                             "pass the challenge's token", code="bad_token")
        with self._lock:
            self._bodies[_PREFIX + token] = key_authorization

    def remove(self, token: str) -> None:
        with self._lock:
            self._bodies.pop(_PREFIX + token, None)

    def body_for(self, path: str) -> str | None:
        with self._lock:
            return self._bodies.get(path)

    def note(self, request: ChallengeRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def __enter__(self) -> HTTP01Server:
        try:
            self._listener = _Listener(("127.0.0.1", self._wanted_port), self)
        except OSError as exc:
            raise InputError(f"cannot listen on 127.0.0.1:{self._wanted_port}",
                             exc.strerror or str(exc), "pick another port, or 0",
                             code="port_in_use") from None
        self._thread = threading.Thread(target=self._listener.serve_forever,
                                        kwargs={"poll_interval": 0.1}, daemon=True,
                                        name="pkilab-http01")
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._listener is not None:
            self._listener.shutdown()
            self._listener.server_close()
            self._listener = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
