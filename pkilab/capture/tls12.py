"""TLS 1.2 with RSA key exchange, opened with the server's private key: no forward secrecy.

In an RSA-key-exchange suite (``AES256-GCM-SHA384``, no ``ECDHE-`` in front) the client
encrypts a random 48-byte premaster secret with the public key in the server's
certificate. So a recording of the connection plus ``server.key`` — obtained at any time
later — gives the premaster secret, hence the master secret, hence every key. This
module does exactly that with ``cryptography`` and checks the result against the key log
(``CLIENT_RANDOM`` line). TLS 1.3 has no such suite.

The master secret (RFC 5246 section 8.1; RFC 7627 when both hellos carry
extended_master_secret, which OpenSSL does by default): ``PRF(premaster, label, seed)``
with the suite's hash (SHA-384 for the ``*_SHA384`` suites, else SHA-256).
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.hmac import HMAC

from ..errors import InputError
from .annotate import RSA_KEY_EXCHANGE, Connection
from .hello import random_of
from .keyschedule import transcript_hash


def _hmac(algorithm: hashes.HashAlgorithm, key: bytes, data: bytes) -> bytes:
    mac = HMAC(key, algorithm)
    mac.update(data)
    return mac.finalize()


def prf(algorithm: hashes.HashAlgorithm, secret: bytes, label: bytes, seed: bytes,
        length: int) -> bytes:
    """The TLS 1.2 PRF: P_hash(secret, label + seed), HMAC chained until ``length``."""
    out, a, full = b"", label + seed, label + seed
    while len(out) < length:
        a = _hmac(algorithm, secret, a)
        out += _hmac(algorithm, secret, a + full)
    return out[:length]


def _suite_hash(conn: Connection) -> hashes.HashAlgorithm:
    return hashes.SHA384() if conn.capture.cipher.endswith("SHA384") else hashes.SHA256()


def _extended(conn: Connection) -> bool:
    def has_ems(sender: str, name: str) -> bool:
        block = conn.message(sender, name).fields[-1]
        return any(f.name == "extended_master_secret" for f in block.children)
    return has_ems("client", "ClientHello") and has_ems("server", "ServerHello")


def premaster_secret(conn: Connection, server_key: Any) -> bytes:
    """Decrypt the ClientKeyExchange of an RSA-key-exchange connection with ``server_key``."""
    if conn.suite_code not in RSA_KEY_EXCHANGE:
        raise InputError(f"{conn.capture.cipher} does not use RSA key exchange",
                         "with (EC)DHE the premaster secret never crosses the wire: "
                         "server.key cannot recover it", "capture with "
                         'ciphers="AES256-GCM-SHA384" and an RSA server certificate',
                         code="not_rsa_key_exchange")
    if not isinstance(server_key, rsa.RSAPrivateKey):
        raise InputError("the server key is not an RSA key", "", "pass server.key of an "
                         "RSA set", code="not_an_rsa_key")
    encrypted = conn.message("client", "ClientKeyExchange").data[6:]
    return server_key.decrypt(encrypted, padding.PKCS1v15())


def master_secret(conn: Connection, premaster: bytes) -> bytes:
    """The 48-byte master secret from the premaster secret and this handshake."""
    algorithm = _suite_hash(conn)
    if _extended(conn):
        seed = transcript_hash(algorithm, conn.transcript(("client", "ClientKeyExchange")))
        return prf(algorithm, premaster, b"extended master secret", seed, 48)
    seed = (random_of(conn.message("client", "ClientHello").data)
            + random_of(conn.message("server", "ServerHello").data))
    return prf(algorithm, premaster, b"master secret", seed, 48)


def keylog_master_secret(conn: Connection) -> bytes:
    """The master secret the key log recorded (its ``CLIENT_RANDOM`` line)."""
    return conn.secrets["CLIENT_RANDOM"]
