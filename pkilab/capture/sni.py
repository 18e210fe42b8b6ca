"""One server, several names: a certificate per name, chosen by the ClientHello's SNI.

``ssl`` calls ``SSLContext.sni_callback`` with the name the client sent, before the
server sends its Certificate; the callback may swap in another context holding another
certificate. This module builds those contexts the way :class:`pkilab.HTTPSServer` builds
its own (same mTLS mode, same client CAs), so only the certificate differs.
"""

from __future__ import annotations

import ssl
from typing import Any

from ..errors import InputError
from ..tls.contexts import certificates_pem, identity, server_context


def serve_names(server: Any, names: dict[str, Any], *, alpn: list[str] | None = None
                ) -> dict[str, list[str]]:
    """Make ``server`` (an HTTPSServer) answer each name in ``names`` with that
    :class:`~pkilab.IssuedCertificate`; other names get the server's own certificate.

    ``alpn``: the protocols the server accepts, set on its own context and on each new
    one (once the callback switches contexts, ALPN is answered from the new one).

    Returns ``{name: [names the client asked for]}``, filled as connections come, so a
    lesson can show which name chose which certificate.
    """
    if not names:
        raise InputError("no names were given", "", 'pass {"api.lab.test": issued}',
                         code="no_server_names")
    client_cas = certificates_pem([*server.client_roots, *server.client_intermediates])
    contexts = {}
    for name, issued in names.items():
        ident = identity(issued.fullchain, issued.private_key)
        contexts[name.lower()] = server_context(
            ident, mtls=server.mtls, client_ca_pem=client_cas if server.mtls != "off"
            else None)
    for context in (server.context, *contexts.values()):
        if alpn:
            context.set_alpn_protocols(alpn)
    seen: dict[str, list[str]] = {name: [] for name in contexts}
    seen["(other)"] = []

    def choose(obj: ssl.SSLObject, asked: str | None, _context: ssl.SSLContext) -> None:
        chosen = contexts.get((asked or "").lower())
        seen[asked.lower() if chosen is not None and asked else "(other)"].append(
            asked or "(no name)")
        if chosen is not None:
            obj.context = chosen

    server.context.sni_callback = choose
    return seen
