"""PKCS#12 (.p12, .pfx): a key, its certificate and chain in one password-protected file.

What the seed makes for browsers (``openssl pkcs12 -export ... -out client.p12``) and
what Java 9+ uses as its default keystore. Three kinds of protection are in use:

- **modern** (OpenSSL 3, cryptography, Java 17): AES-256-CBC with PBKDF2 (PBES2) and a
  SHA-256 MAC. Old Java (before 8u301), macOS before 14 and Windows before Server 2019
  cannot read it.
- **legacy** 3DES with a SHA-1 MAC: readable by everything, including those old ones.
- **RC2-40** (``openssl pkcs12 -export -legacy``, OpenSSL 1.x, older mkcert): a
  40-bit cipher; OpenSSL 3 reads it only with ``-legacy``. pkilab (through
  cryptography, whose own OpenSSL still has RC2) reads it, and can re-export it.

:func:`structure` tells them apart without the password; :func:`export` and
:func:`load` do the work.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12 as _p12

from .. import der, facts
from ..der import DERError
from ..errors import InputError
from ..keys import PrivateKey
from ..passwords import check_new_password

#: Java marks a trusted certificate (a truststore entry) in a PKCS#12 with this attribute.
JAVA_TRUSTED_KEY_USAGE = "2.16.840.1.113894.746875.1.1"
#: keytool (Java) refuses store passwords shorter than this.


@dataclass
class Structure:
    """How a PKCS#12 file is built, read without the password.

    ``mac``: digest of the integrity MAC ("SHA-256"), or None when there is no MAC.
    ``containers``: one entry per part: "plain" or the encryption scheme name.
    ``key_bags``: the protection of each key bag visible without decrypting
    ("plain" or a scheme); bags inside an encrypted part are counted after loading.
    ``legacy``: uses RC2/RC4, so OpenSSL 3 needs ``-legacy`` for it.
    ``java_trusted``: Java trusted-certificate attributes seen (a truststore).
    """

    mac: str | None = None
    mac_iterations: int = 1
    containers: list[str] = field(default_factory=list)
    key_bags: list[str] = field(default_factory=list)
    legacy: bool = False
    java_trusted: int = 0

    def describe(self) -> str:
        parts = [f"MAC {self.mac}" if self.mac else "no MAC (no integrity password)"]
        if self.containers:
            parts.append("certificates " + ", ".join(sorted(set(self.containers))))
        if self.key_bags:
            parts.append("keys " + ", ".join(sorted(set(self.key_bags))))
        return "; ".join(parts)


def _octets(element: der.Element) -> bytes:
    # BER writers may split an OCTET STRING into pieces (constructed form, tag 0x24).
    if element.tag == der.OCTET_STRING:
        return element.content
    if element.tag == 0x24:
        return b"".join(_octets(child) for child in element.children())
    raise DERError("expected an OCTET STRING")


def _scheme(algorithm: der.Element) -> str:
    """The name of a PKCS#12 / PKCS#5 encryption AlgorithmIdentifier."""
    parts = algorithm.children()
    oid = parts[0].oid()
    if oid != "1.2.840.113549.1.5.13" or len(parts) < 2:
        return der.oid_name(oid)
    # PBES2: SEQUENCE { keyDerivationFunc, encryptionScheme }
    kdf, cipher = parts[1].children()[:2]
    cipher_name = der.oid_name(cipher.children()[0].oid())
    return f"{cipher_name} (PBES2/{der.oid_name(kdf.children()[0].oid())})"


def _bags(safe_contents: bytes, info: Structure) -> None:
    for bag in der.read_whole(safe_contents).children():
        parts = bag.children()
        bag_id = parts[0].oid()
        if bag_id == "1.2.840.113549.1.12.10.1.2":  # shrouded key bag
            encrypted_key_info = parts[1].children()[0]
            info.key_bags.append(_scheme(encrypted_key_info.children()[0]))
        elif bag_id == "1.2.840.113549.1.12.10.1.1":
            info.key_bags.append("plain")
        if len(parts) > 2 and parts[2].tag == der.SET:
            for attribute in parts[2].children():
                if attribute.children()[0].oid() == JAVA_TRUSTED_KEY_USAGE:
                    info.java_trusted += 1


def structure(data: bytes) -> Structure:
    """Read the outer layers of a PKCS#12 file; raises :class:`DERError` if it is not one."""
    pfx = der.read(data).children()
    if len(pfx) < 2 or pfx[0].integer() != 3:
        raise DERError("not PKCS#12: version 3 expected")
    auth_safe = pfx[1].children()
    if auth_safe[0].oid() != "1.2.840.113549.1.7.1":
        raise DERError("PKCS#12 with public-key integrity mode is not supported")
    info = Structure()
    if len(pfx) > 2:
        mac_data = pfx[2].children()
        digest_algorithm = mac_data[0].children()[0].children()[0].oid()
        info.mac = der.oid_name(digest_algorithm)
        if len(mac_data) > 2:
            info.mac_iterations = mac_data[2].integer()
    safes = der.read_whole(_octets(auth_safe[1].children()[0])).children()
    for content_info in safes:
        parts = content_info.children()
        kind = parts[0].oid()
        if kind == "1.2.840.113549.1.7.1":
            info.containers.append("plain")
            _bags(_octets(parts[1].children()[0]), info)
        elif kind == "1.2.840.113549.1.7.6":
            encrypted_content_info = parts[1].children()[0].children()[1].children()
            info.containers.append(_scheme(encrypted_content_info[1]))
        else:
            info.containers.append(der.oid_name(kind))
    legacy_names = {der.oid_name(o) for o in der.LEGACY_PBE}
    info.legacy = any(name in legacy_names for name in info.containers + info.key_bags)
    return info


def opens_without_password(data: bytes) -> bool:
    """True when the file opens with no password (or an empty one)."""
    for password in (None, b""):
        try:
            _p12.load_pkcs12(data, password)
            return True
        except Exception:  # any failure just means "not with this password"
            continue
    return False


@dataclass
class Loaded:
    """What a PKCS#12 file holds: the key, its certificate, the other certificates."""

    key: PrivateKey | None
    certificate: x509.Certificate | None
    additional: list[x509.Certificate]
    names: dict[bytes, str]  # certificate DER -> friendly name
    key_name: str | None
    structure: Structure


def load(data: bytes, password: str | bytes | None, origin: str = "the data") -> Loaded:
    """Open a PKCS#12 file; wrong or missing passwords give a clear :class:`InputError`."""
    try:
        info = structure(data)
    except (DERError, IndexError) as exc:
        raise InputError(f"{origin} is not a readable PKCS#12 file", str(exc),
                         "run 'pkilab inspect' on it to see what it is",
                         code="damaged_file") from None
    pw = password.encode() if isinstance(password, str) else password
    attempts = [pw] if pw is not None else [None, b""]
    for attempt in attempts:
        try:
            result = _p12.load_pkcs12(data, attempt)
            break
        except ValueError:
            continue
        except Exception as exc:  # unsupported algorithms surface as other library errors
            raise InputError(f"cannot open the PKCS#12 file {origin}",
                             f"it uses something pkilab cannot read ({exc})",
                             code="unsupported_algorithm") from None
    else:
        if pw is None:
            raise InputError(f"{origin} is a password-protected PKCS#12 file",
                             "no password was given",
                             "give its password (--password on the command line, the "
                             "password argument in Python; the seed's example is 123456)",
                             code="password_required")
        raise InputError(f"cannot open the PKCS#12 file {origin}",
                         "the password is wrong (the integrity check failed)",
                         "check the password; note that keytool stores need 6+ characters",
                         code="wrong_password")
    names: dict[bytes, str] = {}
    certificate = result.cert.certificate if result.cert else None
    if result.cert and result.cert.friendly_name:
        names[certificate.public_bytes(serialization.Encoding.DER)] = (  # type: ignore[union-attr]
            result.cert.friendly_name.decode("utf-8", "replace"))
    for extra in result.additional_certs:
        if extra.friendly_name:
            names[extra.certificate.public_bytes(serialization.Encoding.DER)] = (
                extra.friendly_name.decode("utf-8", "replace"))
    key_name = (result.cert.friendly_name.decode("utf-8", "replace")
                if result.cert and result.cert.friendly_name else None)
    return Loaded(result.key, certificate,  # type: ignore[arg-type]
                  [c.certificate for c in result.additional_certs], names, key_name, info)


def _check_password(password: str | bytes | None) -> bytes:
    # One rule for every new keystore password: pkilab.passwords.
    return check_new_password(password, "keystore")


def export(key: PrivateKey, certificate: x509.Certificate, chain: list[x509.Certificate],
           password: str | bytes, *, friendly_name: str = "", legacy: bool = False) -> bytes:
    """A PKCS#12 file with ``key``, its ``certificate`` and the ``chain`` after it.

    ``friendly_name`` is the alias keytool and browsers show. ``legacy=True`` uses 3DES
    and a SHA-1 MAC for old Java, macOS and Windows; the default is AES-256 + SHA-256.
    Same as ``openssl pkcs12 -export -inkey KEY -in CERT -certfile CHAIN -name NAME``.
    """
    pw = _check_password(password)
    facts.require_key_matches(key, certificate, certificate_name="the certificate",
                              fix="pass the key that was used to make the certificate's CSR")
    if legacy:
        encryption = (serialization.PrivateFormat.PKCS12.encryption_builder()
                      .kdf_rounds(2048)
                      .key_cert_algorithm(_p12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
                      .hmac_hash(hashes.SHA1())
                      .build(pw))
    else:
        encryption = serialization.BestAvailableEncryption(pw)
    name = friendly_name.encode() if friendly_name else None
    return _p12.serialize_key_and_certificates(name, key, certificate, chain or None,
                                               encryption)
