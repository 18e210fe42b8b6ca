"""TLS for the lab: ``ssl`` contexts, an in-notebook HTTPS server, and a client.

* :class:`HTTPSServer` — one-way TLS, or mutual TLS ``"required"``/``"on"`` (nginx's
  ``ssl_verify_client on``), on 127.0.0.1 with a free port; it trusts only the set's
  root and checks client certificates as ``pkilab verify`` does.
* :func:`request` — one HTTPS request; returns a :class:`RequestResult` or raises a
  :class:`TLSConnectionError` that explains who refused whom.

Inside: :mod:`.source` adapts what is served, :mod:`.contexts` builds ``ssl`` contexts,
:mod:`.loop` is the server's one-thread engine, :mod:`.http` the pure HTTP bits,
:mod:`.events` what the server records, :mod:`.explain` the explanations of failures.
"""

from __future__ import annotations

from .client import RequestResult, request
from .contexts import client_context, server_context
from .explain import TLSConnectionError, sanitize
from .http import NO_CERT_TEXT
from .server import EventLog, HTTPSServer, ServerEvent

__all__ = ["NO_CERT_TEXT", "EventLog", "HTTPSServer", "RequestResult", "ServerEvent",
           "TLSConnectionError", "client_context", "request", "sanitize", "server_context"]
