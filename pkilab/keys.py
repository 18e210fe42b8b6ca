"""Key kinds, generation, and the strength policy.

EC P-256 is the default: small, fast (about a millisecond for a whole chain) and
accepted everywhere. RSA stays for the lessons that follow the seed and for old
clients; below 2048 bits it is refused unless a lesson asks for it on purpose.
"""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from .errors import InputError, PolicyError

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey | ed25519.Ed25519PublicKey

#: The key kinds pkilab issues, by the names the command line uses.
KEY_KINDS: dict[str, str] = {
    "ec": "EC P-256",
    "ec384": "EC P-384",
    "rsa2048": "RSA 2048",
    "rsa3072": "RSA 3072",
    "rsa4096": "RSA 4096",
    "ed25519": "Ed25519",
}
DEFAULT_KEY_KIND = "ec"
MIN_RSA_BITS = 2048

_CURVES = {"ec": ec.SECP256R1, "ec384": ec.SECP384R1}


def _check_kind(kind: str) -> str:
    if kind not in KEY_KINDS and not kind.startswith("rsa"):
        raise InputError(
            f"unknown key kind {kind!r}",
            "pkilab knows " + ", ".join(KEY_KINDS),
            "pick one of those (ec is the default and the right choice for a lab)",
            code="unknown_key_kind",
        )
    return kind


def _rsa_bits(kind: str, insecure: bool) -> int:
    try:
        bits = int(kind[3:])
    except ValueError:
        raise InputError(f"unknown key kind {kind!r}", "RSA kinds look like rsa2048",
                         code="unknown_key_kind") from None
    if bits < MIN_RSA_BITS and not insecure:
        raise PolicyError(
            f"refusing to make a {bits}-bit RSA key",
            f"keys under {MIN_RSA_BITS} bits are within reach of well-funded attackers "
            "(NIST disallowed them in 2013), and TLS refuses to load them at OpenSSL "
            "security level 2, the default in Python's ssl and in Debian, Ubuntu and RHEL "
            "builds (EE_KEY_TOO_SMALL)",
            "use rsa2048 or larger, or pass insecure=True to reproduce the seed's 1024-bit "
            "keys on purpose",
            code="weak_key",
        )
    if bits < 512 or bits % 8:
        raise InputError(f"RSA key size {bits} is not usable", "use 2048, 3072 or 4096",
                         code="unknown_key_kind")
    return bits


def generate_key(kind: str = DEFAULT_KEY_KIND, *, insecure: bool = False) -> PrivateKey:
    """Make a new random private key of ``kind`` ("ec", "ec384", "rsa2048", ...).

    >>> generate_key("ec").curve.name
    'secp256r1'

    ``generate_key("rsa1024", insecure=True)`` makes the seed's weak key for a lesson
    that shows what breaks; without ``insecure`` it raises :class:`PolicyError`.
    """
    kind = _check_kind(kind)
    if kind in _CURVES:
        return ec.generate_private_key(_CURVES[kind]())
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    return rsa.generate_private_key(public_exponent=65537, key_size=_rsa_bits(kind, insecure))


def derive_key(kind: str, seed: str) -> PrivateKey:
    """The same private key every time for the same ``seed`` (lessons and fixtures only).

    Lessons are stored with their outputs; deriving keys from a fixed text keeps
    fingerprints and PEM text identical on every run. Never use this for real keys:
    anyone who knows the seed text knows the key.
    """
    kind = _check_kind(kind)
    digest = hashlib.sha512(f"pkilab-lesson-key:{kind}:{seed}".encode()).digest()
    if kind in _CURVES:
        curve = _CURVES[kind]()
        order = {"secp256r1": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
                 "secp384r1": int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF"
                                  "581A0DB248B0A77AECEC196ACCC52973", 16)}[curve.name]
        return ec.derive_private_key(int.from_bytes(digest, "big") % (order - 1) + 1, curve)
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.from_private_bytes(digest[:32])
    raise InputError(
        f"cannot derive a repeatable {KEY_KINDS.get(kind, kind)} key",
        "RSA key generation has no seedable form in cryptography",
        "use kind 'ec' or 'ed25519' for repeatable lesson keys",
        code="not_repeatable",
    )


def describe_key(key: PrivateKey | PublicKey) -> str:
    """A short human name for a key: 'EC P-256', 'RSA 2048', 'Ed25519'."""
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        return {"secp256r1": "EC P-256", "secp384r1": "EC P-384", "secp521r1": "EC P-521"}.get(
            key.curve.name, f"EC {key.curve.name}"
        )
    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        return f"RSA {key.key_size}"
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey)):
        return "Ed25519"
    return type(key).__name__




def weak_key_reason(key: PrivateKey | PublicKey) -> str | None:
    """Why a key is too weak for today's defaults, or None when it is fine."""
    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)) and key.key_size < MIN_RSA_BITS:
        return (f"RSA {key.key_size} is below {MIN_RSA_BITS} bits: factorable, and refused by "
                "OpenSSL's default security level")
    return None
