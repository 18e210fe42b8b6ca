"""The words for mutual-TLS modes: one meaning each, for pkilab's server and for nginx.

pkilab's own :class:`~pkilab.tls.HTTPSServer` and the nginx configuration it writes
share one vocabulary, named after what happens to a client that sends no certificate:

``"off"``       one-way TLS: no client certificate is asked for.
``"required"``  pkilab's server only: the TLS handshake itself fails without a client
                certificate the server trusts (Python's ``CERT_REQUIRED``). nginx has no
                such setting: it always finishes the handshake and answers with a page.
``"on"``        nginx's ``ssl_verify_client on`` (the seed's setup): a certificate is asked
                for and verified when sent; without one the handshake succeeds and the
                answer is ``400 No required SSL certificate was sent``.
``"optional"``  nginx's ``ssl_verify_client optional``: a certificate that is sent is
                verified, and a request without one gets the page; the application
                decides (``$ssl_client_verify`` is ``NONE``). nginx only.
``"optional_no_ca"`` nginx only: a certificate from *any* CA gets through unverified.

Before 0.2, ``HTTPSServer(mtls="optional")`` meant what is now ``"on"``, and
``nginx_server_block(mtls="required")`` meant nginx's ``on``. Both old spellings still
work for pkilab's server and nginx respectively, with a :class:`DeprecationWarning`.
"""

from __future__ import annotations

import warnings
from typing import Literal

from .errors import InputError

ServerMTLS = Literal["off", "required", "on"]
NginxMTLS = Literal["off", "on", "optional", "optional_no_ca"]

SERVER_MODES: tuple[str, ...] = ("off", "required", "on")
NGINX_MODES: tuple[str, ...] = ("off", "on", "optional", "optional_no_ca")


def _renamed(old: str, new: str, where: str) -> str:
    warnings.warn(f'{where}: mtls="{old}" is now called mtls="{new}" (one word, one meaning '
                  "for pkilab's server and nginx; see pkilab.modes)", DeprecationWarning,
                  stacklevel=3)
    return new


def server_mode(mtls: str) -> str:
    """pkilab's server mode for ``mtls``; the old ``"optional"`` becomes ``"on"``."""
    if mtls == "optional":
        return _renamed("optional", "on", "HTTPSServer")
    if mtls not in SERVER_MODES:
        raise InputError(f"unknown mTLS mode {mtls!r} for pkilab's server",
                         "optional and optional_no_ca exist only in nginx",
                         'pass mtls="off", "required" or "on"', code="unknown_mode")
    return mtls


def nginx_mode(mtls: str) -> str:
    """nginx's ``ssl_verify_client`` word for ``mtls``; the old ``"required"`` becomes ``"on"``."""
    if mtls == "required":
        return _renamed("required", "on", "nginx_server_block")
    if mtls not in NGINX_MODES:
        raise InputError(f"unknown nginx mTLS mode {mtls!r}", "",
                         'pass mtls="off", "on", "optional" or "optional_no_ca"',
                         code="unknown_mode")
    return mtls
