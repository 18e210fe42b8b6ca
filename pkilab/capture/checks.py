"""The equalities that prove the annotations: each recomputed value beside the wire's.

* each Finished: ``HMAC(finished_key, transcript hash)`` from the key log's handshake
  traffic secret equals the ``verify_data`` on the wire;
* each CertificateVerify: the signature on the wire verifies, with the public key of the
  certificate the same side sent, over 64 spaces + context string + 0 + transcript hash;
* the first encrypted record, opened by hand (key and IV from the secret, nonce = IV xor
  0), equals what the walk decrypted;
* TLS 1.2: ServerKeyExchange's signature verifies over both randoms and the parameters.

Every step uses ``cryptography``; a check never raises for a mismatch, it reports it.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa

from ..errors import PkilabError
from .annotate import Connection
from .hello import random_of
from .keyschedule import (
    certificate_verify_input,
    finished_verify_data,
    open_record,
    traffic_keys,
    transcript_hash,
)


@dataclass(frozen=True)
class Check:
    """One recomputation: ``computed`` beside ``wire``; ``ok`` when they agree."""

    name: str
    ok: bool
    computed: bytes
    wire: bytes
    how: str

    @property
    def verdict(self) -> str:
        return "matches the wire" if self.ok else "DOES NOT match the wire"

    def line(self) -> str:
        return f"{self.name}: {self.verdict}"


_HASHES = {0x04: hashes.SHA256, 0x05: hashes.SHA384, 0x06: hashes.SHA512}
# rsa_pss_rsae_* (key in an ordinary RSA certificate) and rsa_pss_pss_* (RSA-PSS key)
_PSS = {0x0804: hashes.SHA256, 0x0805: hashes.SHA384, 0x0806: hashes.SHA512,
        0x0809: hashes.SHA256, 0x080A: hashes.SHA384, 0x080B: hashes.SHA512}


def verify_signature(public_key: object, scheme: int, signature: bytes, data: bytes) -> bool:
    """True when ``signature`` (TLS SignatureScheme ``scheme``) verifies over ``data``."""
    try:
        if (scheme == 0x0807 and isinstance(public_key, ed25519.Ed25519PublicKey)) or (
                scheme == 0x0808 and isinstance(public_key, ed448.Ed448PublicKey)):
            public_key.verify(signature, data)
        elif scheme & 0xFF == 0x03 and isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(_HASHES[scheme >> 8]()))
        elif scheme in _PSS and isinstance(public_key, rsa.RSAPublicKey):
            h = _PSS[scheme]()
            public_key.verify(signature, data, padding.PSS(padding.MGF1(h), h.digest_size), h)
        elif scheme & 0xFF == 0x01 and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), _HASHES[scheme >> 8]())
        else:
            return False
    except (InvalidSignature, KeyError, UnsupportedAlgorithm):
        return False
    return True


def _leaf(conn: Connection, sender: str) -> x509.Certificate:
    cert_message = conn.message(sender, "Certificate")
    der = next(f for f in cert_message.fields if f.name == "certificate list"
               ).children[0].find("certificate (DER)")
    assert der is not None
    return x509.load_der_x509_certificate(der.data)


def finished_check(conn: Connection, sender: str) -> Check:
    secret = conn.secrets[f"{sender.upper()}_HANDSHAKE_TRAFFIC_SECRET"]
    messages = conn.transcript((sender, "Finished"), include=False)
    computed = finished_verify_data(conn.suite, secret, messages)
    wire = conn.message(sender, "Finished").data[4:]
    return Check(f"{sender} Finished", computed == wire, computed, wire,
                 f"HMAC-{conn.suite.hash_name.upper()}(finished_key from "
                 f"{sender.upper()}_HANDSHAKE_TRAFFIC_SECRET, hash of {len(messages)} "
                 "messages)")


def certificate_verify_check(conn: Connection, sender: str) -> Check:
    message = conn.message(sender, "CertificateVerify").data
    scheme = int.from_bytes(message[4:6], "big")
    signature = message[8:]
    digest = transcript_hash(conn.suite.hash,
                             conn.transcript((sender, "CertificateVerify"), include=False))
    signed = certificate_verify_input(sender, digest)
    ok = verify_signature(_leaf(conn, sender).public_key(), scheme, signature, signed)
    return Check(f"{sender} CertificateVerify", ok, signed, signature,
                 f"signature by the {sender} certificate's key over 64 spaces + "
                 f"'TLS 1.3, {sender} CertificateVerify' + 0 + transcript hash")


def first_record_check(conn: Connection, sender: str = "server") -> Check:
    """The first encrypted record of ``sender``, opened step by step from its secret."""
    opening = next(o for o in conn.openings if o.sender == sender)
    record = conn.records[sender][opening.record]
    keys = traffic_keys(conn.suite, conn.secrets[opening.keys_name])
    nonce = bytes(a ^ b for a, b in zip(keys.iv, bytes(12), strict=True))
    plain = open_record(conn.suite, keys, 0, record.header, record.payload)
    return Check(f"{sender}'s first encrypted record", nonce == plain.nonce and
                 plain.plaintext == opening.opened.plaintext, plain.plaintext,
                 record.payload, "AEAD open with key and IV from "
                 f"{opening.keys_name}, nonce = IV xor 0, additional data = header")


def server_key_exchange_check(conn: Connection) -> Check:
    """TLS 1.2 ECDHE: the server signed client random + server random + its parameters."""
    ske = conn.message("server", "ServerKeyExchange").data
    key_len = ske[4 + 3]
    params = ske[4:4 + 4 + key_len]
    rest = ske[4 + 4 + key_len:]
    scheme, signature = int.from_bytes(rest[:2], "big"), rest[4:]
    signed = (random_of(conn.message("client", "ClientHello").data)
              + random_of(conn.message("server", "ServerHello").data) + params)
    ok = verify_signature(_leaf(conn, "server").public_key(), scheme, signature, signed)
    return Check("server ServerKeyExchange signature", ok, signed, signature,
                 "signature by server.crt's key over client random + server random + "
                 "curve + ephemeral public key")


def all_checks(conn: Connection) -> list[Check]:
    """Every check that applies to this connection (TLS 1.3 or 1.2, one-way or mutual)."""
    if conn.version != "TLS 1.3":
        return [server_key_exchange_check(conn)] if conn.has("server", "ServerKeyExchange") \
            else []
    out = [first_record_check(conn, "server")]
    for sender in ("server", "client"):
        if conn.has(sender, "CertificateVerify"):
            out.append(certificate_verify_check(conn, sender))
        out.append(finished_check(conn, sender))
    return out


def require_all(conn: Connection) -> list[Check]:
    """:func:`all_checks`, raising when one fails (for the CLI and exercises)."""
    checks = all_checks(conn)
    bad = [c.name for c in checks if not c.ok]
    if bad:
        raise PkilabError(f"recomputed values differ from the wire: {', '.join(bad)}",
                          "the key log or the bytes do not belong to this connection",
                          "capture again", code="capture_mismatch")
    return checks
