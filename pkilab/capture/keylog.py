"""The NSS key log format: ``LABEL <client random hex> <secret hex>``, one line each.

OpenSSL writes it when ``SSLContext.keylog_filename`` is set (curl and browsers when
the ``SSLKEYLOGFILE`` environment variable is). TLS 1.3 lines carry the four traffic
secrets; a TLS 1.2 line (``CLIENT_RANDOM``) carries the master secret.
"""

from __future__ import annotations

from ..errors import InputError

TLS13_LABELS = ("CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET")


def parse_keylog(text: str) -> dict[bytes, dict[str, bytes]]:
    """``{client_random: {label: secret}}`` from key log text; comments are skipped."""
    out: dict[bytes, dict[str, bytes]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        try:
            if len(parts) != 3:
                raise ValueError
            label, random, secret = parts[0], bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
        except ValueError:
            raise InputError(f"line {number} of the key log is not 'LABEL RANDOM SECRET'",
                             "the NSS key log format has three fields of which the last "
                             "two are hex", "pass the file SSLKEYLOGFILE or "
                             "keylog_filename wrote", code="bad_keylog_line") from None
        out.setdefault(random, {})[label] = secret
    return out


def secrets_for(text: str, client_random: bytes) -> dict[str, bytes]:
    """The secrets of the connection whose ClientHello carried ``client_random``."""
    found = parse_keylog(text).get(client_random)
    if not found:
        raise InputError("the key log has no secrets for this connection",
                         "its lines are indexed by the ClientHello's random, and none "
                         "matches", "capture the key log and the bytes of the same "
                         "connection", code="keylog_mismatch")
    return found
