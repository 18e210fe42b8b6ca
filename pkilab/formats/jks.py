"""Java keystores (JKS, JCEKS) and truststores, through pyjks.

A **keystore** holds a private-key entry: the key and its certificate chain, under an
alias (what a Java server or client presents). A **truststore** holds trusted
certificate entries: the roots a Java program accepts (what ``-Djavax.net.ssl.
trustStore`` points to). Both are the same file format; only the entries differ.

Java 9+ creates PKCS#12 keystores by default (``keytool -genkeypair`` without
``-storetype``); those are read by :mod:`pkilab.formats.pkcs12`, not here. pyjks
writes JKS only (not JCEKS), and keytool reads what it writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .. import facts
from ..errors import InputError
from ..keys import PrivateKey
from ..passwords import check_new_password
from ._quiet import quiet_serials


@dataclass
class Entry:
    """One keystore entry: ``alias``, ``kind`` ("private key", "trusted certificate",
    "secret key"), its ``certificates`` (leaf first for a key entry) and the ``key``
    (None when not decrypted or not a key entry)."""

    alias: str
    kind: str
    certificates: list[x509.Certificate] = field(default_factory=list)
    key: PrivateKey | None = None


@dataclass
class Loaded:
    store_type: str  # "jks" or "jceks"
    entries: list[Entry]
    verified: bool  # the store password was given and its integrity check passed
    warnings: list[str] = field(default_factory=list)  # problems of the store itself
    notes: list[str] = field(default_factory=list)  # e.g. keys left locked: no password


def _jks():
    import jks  # pyjks: imported here so that `import pkilab` stays cheap

    return jks


def _parse(data: bytes, password: str | None, decrypt: bool):
    return _jks().KeyStore.loads(data, password, try_decrypt_keys=decrypt)


def list_entries(data: bytes) -> list[tuple[str, str]]:
    """(alias, kind) of every entry, read without the password (no integrity check)."""
    store = _parse(data, None, False)
    out = []
    for alias, entry in store.entries.items():
        name = type(entry).__name__
        if name == "PrivateKeyEntry":
            out.append((alias, f"private key + {len(entry.cert_chain)} certificate(s)"))
        elif name == "TrustedCertEntry":
            out.append((alias, "trusted certificate"))
        else:
            out.append((alias, "secret key"))
    return out


def load(data: bytes, password: str | bytes | None, origin: str = "the data") -> Loaded:
    """Read a JKS/JCEKS store. Without a password the certificates are still listed
    (Java stores them in clear) but keys stay locked (a note says so) and integrity is
    not checked."""
    with quiet_serials():
        return _load(data, password, origin)


def _load(data: bytes, password: str | bytes | None, origin: str) -> Loaded:
    jks = _jks()
    pw = password.decode() if isinstance(password, bytes) else password
    try:
        store = _parse(data, pw, pw is not None)
    except jks.util.KeystoreSignatureException:
        raise InputError(f"cannot open the Java keystore {origin}",
                         "the store password is wrong (the integrity check failed)",
                         "check the password (keytool's are at least 6 characters)",
                         code="wrong_password") from None
    except Exception as exc:  # pyjks raises struct, pyasn1, javaobj errors on bad data
        raise InputError(f"{origin} is a damaged Java keystore",
                         f"{type(exc).__name__}: {exc}".rstrip(": ")[:160],
                         "copy the file again, whole (it may be cut short)",
                         code="damaged_file") from None
    loaded = Loaded(store.store_type, [], verified=pw is not None)
    locked = []
    for alias, entry in store.entries.items():
        kind = type(entry).__name__
        try:
            if kind == "PrivateKeyEntry":
                certs = [x509.load_der_x509_certificate(c[1]) for c in entry.cert_chain]
                key = None
                if entry.is_decrypted():
                    key = serialization.load_der_private_key(entry.pkey_pkcs8, None)
                else:
                    locked.append(alias)
                loaded.entries.append(Entry(alias, "private key", certs, key))  # type: ignore[arg-type]
            elif kind == "TrustedCertEntry":
                cert = x509.load_der_x509_certificate(entry.cert)
                loaded.entries.append(Entry(alias, "trusted certificate", [cert]))
            else:
                loaded.entries.append(Entry(alias, "secret key"))
        except Exception as exc:
            raise InputError(f"entry {alias!r} of {origin} cannot be read",
                             f"{type(exc).__name__}: {exc}"[:160], code="damaged_file") from None
    if locked and pw is None:
        # not a problem of the store: the password was simply not given
        loaded.notes.append(f"{len(locked)} private key(s) not read: pass the store "
                            "password (--password PW) to unlock them")
    elif locked:
        # a real trap: Java servers (KeyManagerFactory) open every key with the store
        # password, so such an entry fails there too
        loaded.warnings.append("private key entr" + ("y " if len(locked) == 1 else "ies ") +
                               ", ".join(repr(a) for a in locked) + " use a key password "
                               "different from the store password; pkilab cannot open them, "
                               "and most Java servers cannot either")
    return loaded


def _check_password(password: str | bytes | None) -> str:
    # One rule for every new keystore password: pkilab.passwords.
    return check_new_password(password, "keystore").decode()


def _timestamp(certificate: x509.Certificate) -> int:
    # Use the certificate's start date, not "now", so the same input gives the same entry.
    return int(certificate.not_valid_before_utc.timestamp()) * 1000


def export_keystore(key: PrivateKey, certificate: x509.Certificate,
                    chain: list[x509.Certificate], password: str | bytes, *,
                    alias: str = "server") -> bytes:
    """A JKS keystore with one private-key entry: ``key`` and ``certificate`` + ``chain``.

    The key is protected with the store password (what keytool does by default).
    Same as importing a PKCS#12 with ``keytool -importkeystore -deststoretype JKS``.
    """
    jks = _jks()
    pw = _check_password(password)
    facts.require_key_matches(key, certificate, certificate_name="the certificate",
                              fix="pass the key that was used to make the certificate's CSR")
    pkcs8 = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())
    ders = [c.public_bytes(serialization.Encoding.DER) for c in [certificate, *chain]]
    entry = jks.PrivateKeyEntry.new(_alias(alias), ders, pkcs8, "pkcs8")
    entry.timestamp = _timestamp(certificate)
    return jks.KeyStore.new("jks", [entry]).saves(pw)


def export_truststore(certificates: list[x509.Certificate], password: str | bytes, *,
                      aliases: list[str] | None = None) -> bytes:
    """A JKS truststore: each certificate as a trusted entry (normally just the root).

    Same as ``keytool -importcert -noprompt -alias root -file root.crt -keystore
    truststore.jks``. Aliases default to each certificate's common name.
    """
    jks = _jks()
    pw = _check_password(password)
    if not certificates:
        raise InputError("no certificate to put in the truststore", "",
                         "pass the root certificate (root.crt)", code="no_certificate")
    from ..names import short_name

    names = aliases or [short_name(c.subject) for c in certificates]
    entries, seen = [], set()
    for certificate, name in zip(certificates, names, strict=False):
        alias = _alias(name)
        while alias in seen:
            alias += "-2"
        seen.add(alias)
        entry = jks.TrustedCertEntry.new(alias, certificate.public_bytes(
            serialization.Encoding.DER))
        entry.timestamp = _timestamp(certificate)
        entries.append(entry)
    return jks.KeyStore.new("jks", entries).saves(pw)


def _alias(name: str) -> str:
    # Java lower-cases aliases; pyjks warns that upper case corrupts the store for keytool.
    return (name or "entry").strip().lower()
