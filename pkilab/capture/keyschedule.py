"""The TLS 1.3 key schedule (RFC 8446 section 7), recomputed with ``cryptography``.

What can be recomputed from a capture and its key log, and what cannot:

* the early secret and the first "derived" secret: constants when no PSK is used;
* the handshake secret needs the ECDHE shared secret, which neither side ever sends
  (each computes it from its own ephemeral private key and the other's public key_share;
  OpenSSL discards the private keys after the handshake): the key log therefore starts
  one step lower, at the handshake *traffic* secrets;
* from those: the traffic keys and IVs, every record's decryption (the AEAD tag proves
  the key is right), and both Finished ``verify_data`` values over the transcript hash.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.hmac import HMAC
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

from ..errors import InputError


@dataclass(frozen=True)
class Suite:
    """A TLS 1.3 cipher suite: its hash and its AEAD."""

    code: int
    name: str
    hash_name: str
    key_size: int

    @property
    def hash(self) -> hashes.HashAlgorithm:
        return hashes.SHA384() if self.hash_name == "sha384" else hashes.SHA256()

    @property
    def hash_size(self) -> int:
        return self.hash.digest_size

    def aead(self, key: bytes) -> AESGCM | ChaCha20Poly1305:
        return ChaCha20Poly1305(key) if "CHACHA" in self.name else AESGCM(key)


SUITES = {s.code: s for s in (
    Suite(0x1301, "TLS_AES_128_GCM_SHA256", "sha256", 16),
    Suite(0x1302, "TLS_AES_256_GCM_SHA384", "sha384", 32),
    Suite(0x1303, "TLS_CHACHA20_POLY1305_SHA256", "sha256", 32),
)}


def suite(code: int) -> Suite:
    try:
        return SUITES[code]
    except KeyError:
        raise InputError(f"cipher suite 0x{code:04x} is not a TLS 1.3 suite this module "
                         "knows", "only the three RFC 8446 suites OpenSSL enables are "
                         "recomputed", "connect with tls_version='1.3'",
                         code="unknown_tls13_suite") from None


def hkdf_extract(algorithm: hashes.HashAlgorithm, salt: bytes, ikm: bytes) -> bytes:
    """HKDF-Extract (RFC 5869): HMAC(salt, ikm). ``cryptography`` exposes only the whole
    HKDF or its Expand half, so Extract is the HMAC it is defined as."""
    h = HMAC(salt or b"\0" * algorithm.digest_size, algorithm)
    h.update(ikm)
    return h.finalize()


def hkdf_expand_label(algorithm: hashes.HashAlgorithm, secret: bytes, label: str,
                      context: bytes, length: int) -> bytes:
    """HKDF-Expand-Label: the label is prefixed "tls13 " and sent with its lengths."""
    full = b"tls13 " + label.encode("ascii")
    info = (length.to_bytes(2, "big") + bytes([len(full)]) + full + bytes([len(context)])
            + context)
    return HKDFExpand(algorithm, length, info).derive(secret)


def transcript_hash(algorithm: hashes.HashAlgorithm, messages: list[bytes]) -> bytes:
    """The hash of the handshake messages so far, headers included, records excluded."""
    h = hashes.Hash(algorithm)
    for message in messages:
        h.update(message)
    return h.finalize()


def derive_secret(algorithm: hashes.HashAlgorithm, secret: bytes, label: str,
                  messages: list[bytes]) -> bytes:
    return hkdf_expand_label(algorithm, secret, label,
                             transcript_hash(algorithm, messages), algorithm.digest_size)


def early_secret(algorithm: hashes.HashAlgorithm, psk: bytes | None = None) -> bytes:
    """HKDF-Extract(0, PSK or zeros): a constant on a full handshake."""
    return hkdf_extract(algorithm, b"", psk or b"\0" * algorithm.digest_size)


def handshake_secret(algorithm: hashes.HashAlgorithm, ecdhe: bytes,
                     psk: bytes | None = None) -> bytes:
    """HKDF-Extract(Derive-Secret(early, "derived", ""), ECDHE shared secret)."""
    derived = derive_secret(algorithm, early_secret(algorithm, psk), "derived", [])
    return hkdf_extract(algorithm, derived, ecdhe)


@dataclass(frozen=True)
class TrafficKeys:
    """The write key and IV of one direction, from its traffic secret."""

    secret: bytes
    key: bytes
    iv: bytes

    def nonce(self, sequence: int) -> bytes:
        """The per-record nonce: the IV xor the record's sequence number, left-padded."""
        padded = sequence.to_bytes(len(self.iv), "big")
        return bytes(a ^ b for a, b in zip(self.iv, padded, strict=True))


def traffic_keys(s: Suite, secret: bytes) -> TrafficKeys:
    return TrafficKeys(secret, hkdf_expand_label(s.hash, secret, "key", b"", s.key_size),
                       hkdf_expand_label(s.hash, secret, "iv", b"", 12))


@dataclass(frozen=True)
class Opened:
    """A decrypted record: the inner content type and the plaintext, padding removed."""

    content_type: int
    plaintext: bytes
    nonce: bytes


def open_record(s: Suite, keys: TrafficKeys, sequence: int, header: bytes,
                payload: bytes) -> Opened:
    """Decrypt one TLS 1.3 record: AEAD(key, nonce, ciphertext, additional data = header)."""
    nonce = keys.nonce(sequence)
    try:
        inner = s.aead(keys.key).decrypt(nonce, payload, header)
    except InvalidTag:
        raise InputError(f"record {sequence} does not decrypt with these keys",
                         "the AEAD tag does not match: wrong secret, wrong sequence "
                         "number, or the bytes were changed", "use the key log written "
                         "for this very connection", code="record_does_not_decrypt") from None
    body = inner.rstrip(b"\0")
    if not body:
        raise InputError("a decrypted record has no content type", "", "",
                         code="record_without_type")
    return Opened(body[-1], body[:-1], nonce)


def finished_verify_data(s: Suite, base_secret: bytes, messages: list[bytes]) -> bytes:
    """HMAC(finished_key, transcript hash), finished_key from the sender's handshake secret."""
    finished_key = hkdf_expand_label(s.hash, base_secret, "finished", b"", s.hash_size)
    mac = HMAC(finished_key, s.hash)
    mac.update(transcript_hash(s.hash, messages))
    return mac.finalize()


def certificate_verify_input(side: str, digest: bytes) -> bytes:
    """What a CertificateVerify signs: 64 spaces, a context string, a zero, the hash."""
    context = f"TLS 1.3, {side} CertificateVerify".encode("ascii")
    return b" " * 64 + context + b"\0" + digest
