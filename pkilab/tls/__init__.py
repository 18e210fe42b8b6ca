"""TLS for the lab: ``ssl`` contexts, an in-notebook HTTPS server, and a client.

* :class:`HTTPSServer` — one-way TLS, or mutual TLS ``"required"``/``"optional"``
  like nginx's ``ssl_verify_client``, on 127.0.0.1 with a free port.
* :func:`request` — one HTTPS request; returns a :class:`RequestResult` or raises a
  :class:`TLSConnectionError` that explains who refused whom.
"""

from __future__ import annotations

from .client import RequestResult, request
from .contexts import client_context, server_context
from .explain import TLSConnectionError, sanitize
from .http import NO_CERT_TEXT
from .server import EventLog, HTTPSServer, ServerEvent

__all__ = ["NO_CERT_TEXT", "EventLog", "HTTPSServer", "RequestResult", "ServerEvent",
           "TLSConnectionError", "client_context", "request", "sanitize", "server_context"]
