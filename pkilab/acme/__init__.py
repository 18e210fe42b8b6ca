"""A real ACME (RFC 8555) issuance on loopback: pebble, an HTTP-01 token server, and
certbot's ``acme`` library as the client.

* :mod:`.pebble` runs Let's Encrypt's test server ``pebble`` on 127.0.0.1 (its listener
  certificate made by pkilab) and always stops it;
* :mod:`.challenge` is the notebook's own HTTP-01 server, which answers pebble's
  validation requests;
* :mod:`.flow` walks account, order, authorization, challenge, finalize and download with
  the ``acme`` library;
* :mod:`.messages` records every request and reply of that conversation and shows each
  JWS (protected header, payload, signature) as data and as stable text.

``acme`` (PyPI) and ``pebble`` (Debian's package) are optional: importing this package
needs neither; using the client without ``acme`` is a pkilab error (code
``acme_library_missing``), starting pebble where it is not installed one with code
``tool_missing``.
"""

from __future__ import annotations

from .challenge import ChallengeRequest, HTTP01Server
from .flow import AcmeIssue, acme_issue, key_authorization
from .messages import AcmeMessage, decode_jws, show_messages
from .pebble import PebbleServer, find_pebble

__all__ = ["AcmeIssue", "AcmeMessage", "ChallengeRequest", "HTTP01Server", "PebbleServer",
           "acme_issue", "decode_jws", "find_pebble", "key_authorization", "show_messages"]
