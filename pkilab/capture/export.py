"""One handshake and request of a certificate set, written for Wireshark.

:func:`capture_set` starts a lab server for the folder ``pkilab init`` wrote, captures
one connection from the set's client (with ``client.crt`` when mTLS is on) and returns
it annotated; :func:`write_files` writes the pcapng (key log embedded) and the key log
(mode 0600: whoever holds it can read the whole connection), both atomically.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InputError
from ..files import write_output
from ..modes import server_mode
from .annotate import Connection, annotate
from .pcapng import pcapng_bytes


def capture_set(directory: str | os.PathLike[str], *, mtls: str = "required",
                client: str = "client", tls_version: str | None = None) -> Connection:
    """Capture one GET from ``client`` to a lab server serving ``directory``."""
    from ..certset import load_certificate_set
    from ..tls import HTTPSServer
    from .connection import capture

    loaded = load_certificate_set(directory)
    mtls = server_mode(mtls)
    if mtls != "off" and client not in loaded.clients:
        raise InputError(f"the set has no client {client!r}", "mutual TLS needs a client "
                         "certificate and its key", "pass one of: "
                         + (", ".join(loaded.clients) or "(none: run pkilab init)"),
                         code="unknown_client")
    cert = loaded.path(f"{client}.crt") if mtls != "off" else None
    key = loaded.path(f"{client}.key") if mtls != "off" else None
    with HTTPSServer(directory, mtls=mtls, tls_version=tls_version) as server:
        cap = capture(server.url, ca=loaded.root, cert=cert, key=key,
                      tls_version=tls_version)
    try:
        certificate_set = loaded.certificate_set()
    except InputError:  # a set without its CA keys: certificates stay unnamed
        certificate_set = None
    return annotate(cap, certificate_set)


def write_files(conn: Connection, pcap: str | os.PathLike[str] | None,
                keylog: str | os.PathLike[str] | None, *, overwrite: bool = False
                ) -> list[Path]:
    """Write the pcapng (with a Decryption Secrets Block) and/or the key log.

    Both are private (0600): each holds the secrets that decrypt the connection. An
    existing file is refused unless ``overwrite`` (code as :func:`pkilab.files.write_output`).
    """
    written = []
    if pcap is not None:
        data = pcapng_bytes(conn.capture.chunks, conn.capture.keylog)
        written.append(write_output(pcap, data, private=True, overwrite=overwrite))
    if keylog is not None:
        written.append(write_output(keylog, conn.capture.keylog.encode("ascii"),
                                    private=True, overwrite=overwrite))
    return written
