"""Private key files: the same key as PKCS#8, PKCS#1, SEC1, encrypted or not, PEM or DER.

The seed shows two labels for a private key: ``BEGIN PRIVATE KEY`` (PKCS#8, any
algorithm, what OpenSSL 3 writes) and ``BEGIN RSA PRIVATE KEY`` (PKCS#1, the older
RSA-only form, still asked for by some tools). EC keys have their own older form,
SEC1 (``BEGIN EC PRIVATE KEY``). Only PKCS#8 has a modern encrypted variant
(``BEGIN ENCRYPTED PRIVATE KEY``, AES-256 with PBKDF2 here). The key inside never
changes: converting is lossless, and :func:`pkilab.facts.same_public_key` proves it.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ..errors import InputError
from ..keys import PrivateKey, describe_key
from ..passwords import KEY_MIN, check_new_password

#: Key format name -> (what it is, the PEM label it gets).
KEY_FORMATS: dict[str, tuple[str, str]] = {
    "pkcs8": ("PKCS#8, not encrypted (any key type)", "PRIVATE KEY"),
    "pkcs8-encrypted": ("PKCS#8 encrypted with a password (AES-256, PBKDF2)",
                        "ENCRYPTED PRIVATE KEY"),
    "pkcs1": ("PKCS#1, RSA keys only (OpenSSL 1.x's default)", "RSA PRIVATE KEY"),
    "sec1": ("SEC1, EC keys only (OpenSSL 1.x's default for EC)", "EC PRIVATE KEY"),
}

#: Shortest password for an encrypted key: the minimum openssl asks for when it prompts
#: for a new PEM pass phrase ("needs to be at least 4 chars"; ``-passout`` does not
#: check). PKCS#12 and JKS need 6 (keytool's minimum).
MIN_KEY_PASSWORD = KEY_MIN

#: The openssl command that does the same conversion (PEM output).
OPENSSL_EQUIVALENT = {
    "pkcs8": "openssl pkey -in KEY -out OUT",
    "pkcs8-encrypted": "openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out OUT",
    "pkcs1": "openssl pkey -in KEY -traditional -out OUT   (or: openssl rsa -in KEY -out OUT)",
    "sec1": "openssl ec -in KEY -out OUT",
}


def key_bytes(key: PrivateKey, key_format: str = "pkcs8", *, der: bool = False,
              password: str | bytes | None = None) -> bytes:
    """``key`` written as ``key_format`` ("pkcs8", "pkcs8-encrypted", "pkcs1", "sec1").

    PEM by default, DER with ``der=True``. "pkcs8-encrypted" needs ``password`` (at
    least :data:`MIN_KEY_PASSWORD` characters); the others refuse one (an encrypted
    PKCS#1/SEC1 file is OpenSSL's old scheme, which pkilab does not write).
    """
    if key_format not in KEY_FORMATS:
        raise InputError(f"unknown key format {key_format!r}",
                         "pkilab writes " + ", ".join(KEY_FORMATS), code="unknown_format")
    encoding = serialization.Encoding.DER if der else serialization.Encoding.PEM
    pw = password.encode() if isinstance(password, str) else password
    if key_format == "pkcs8-encrypted":
        pw = check_new_password(password, "key")  # the one password rule
        return key.private_bytes(encoding, serialization.PrivateFormat.PKCS8,
                                 serialization.BestAvailableEncryption(pw))
    if pw:
        raise InputError(f"{KEY_FORMATS[key_format][0]} is written without a password",
                         "only PKCS#8 has a modern encrypted form",
                         "use --to pkcs8 with --password for an encrypted key, or leave "
                         "--password out (the input's password goes to --in-password)",
                         code="password_not_possible")
    if key_format == "pkcs8":
        return key.private_bytes(encoding, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())
    wanted = rsa.RSAPrivateKey if key_format == "pkcs1" else ec.EllipticCurvePrivateKey
    if not isinstance(key, wanted):
        raise InputError(f"an {describe_key(key)} key cannot be written as {key_format.upper()}",
                         f"{KEY_FORMATS[key_format][0]}",
                         "use PKCS#8 (--to pkcs8), which holds every key type",
                         code="wrong_key_type")
    return key.private_bytes(encoding, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())


