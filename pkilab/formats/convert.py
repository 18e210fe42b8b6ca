"""The conversion dispatcher behind ``pkilab convert``: what goes in, what comes out.

:func:`plan` is pure: given what was read (:class:`Contents`) and a target format, it
returns the files to write (name, bytes, private or not). The command line does the
reading and writing around it, so tests and notebooks can use it without files.

Targets:

=============  ==========================================================================
pem            every object as PEM text (certificates, then the key: PKCS#8, encrypted
               when a password is given)
der            one object as DER (a certificate, CSR, CRL, or the key as PKCS#8)
pkcs8, pkcs1,  the private key in that format; PEM, or DER when OUT ends in .der
sec1
p12            PKCS#12 with key, certificate and chain (AES-256, SHA-256 MAC)
p12-legacy     the same with 3DES and a SHA-1 MAC, for old Java, macOS and Windows
p7b            the certificates as a PKCS#7 bundle (DER; PEM when OUT ends in .pem)
jks            a Java keystore: one private-key entry with its chain
truststore     a Java truststore: each certificate as a trusted entry (give the root)
split          one PEM file per certificate: OUT-1.crt (leaf), OUT-2.crt, ...
=============  ==========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .. import facts
from ..errors import InputError
from ..keys import PrivateKey
from ..names import short_name
from . import bundle, jks, pkcs7, pkcs12
from .contents import Contents
from .keys import key_bytes

TARGETS = ("pem", "der", "pkcs8", "pkcs1", "sec1", "p12", "p12-legacy", "p7b", "jks",
           "truststore", "split")

#: File extension -> default target when ``--to`` is not given.
EXTENSIONS = {
    ".pem": "pem", ".crt": "pem", ".key": "pem", ".csr": "pem", ".req": "pem",
    ".chain": "pem", ".cer": "der", ".der": "der", ".p12": "p12", ".pfx": "p12",
    ".p7b": "p7b", ".p7c": "p7b", ".jks": "jks", ".keystore": "jks",
    ".truststore": "truststore", ".ts": "truststore",
}

#: Targets whose output holds a private key (written with mode 0600).
PRIVATE_TARGETS = {"pkcs8", "pkcs1", "sec1", "p12", "p12-legacy", "jks"}


@dataclass
class Output:
    """One file to write: ``path``, its ``data``, whether it is ``private`` (0600),
    and a one-line ``summary`` of what it holds."""

    path: Path
    data: bytes
    private: bool
    summary: str


def target_for(out: str | Path) -> str:
    """The default target for an output name: ``.p12`` -> p12, ``truststore.jks`` ->
    truststore, ``.crt`` -> pem, ..."""
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix in (".jks", ".keystore") and "trust" in path.stem.lower():
        return "truststore"
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    raise InputError(f"cannot tell the output format from the name {path.name!r}",
                     "its extension is not one pkilab knows",
                     "add --to " + "|".join(TARGETS[:-1]), code="unknown_format")


def plan(contents: Contents, target: str, out: str | Path, *,
         password: str | None = None, name: str | None = None,
         only: str | None = None) -> list[Output]:
    """The files that converting ``contents`` to ``target`` at ``out`` produces.

    ``password`` protects the output (PKCS#12, JKS, encrypted PKCS#8); ``name`` is the
    PKCS#12 friendly name / JKS alias; ``only`` ("certs" or "key") picks part of a
    container for pem/der.
    """
    out = Path(out)
    if target not in TARGETS:
        raise InputError(f"unknown target {target!r}", "pkilab converts to " +
                         ", ".join(TARGETS), code="unknown_format")
    certs, keys = list(contents.certificates), list(contents.private_keys)
    if only == "certs":
        keys = []
    elif only == "key":
        certs = []
    if (contents.csrs or contents.crls or contents.public_keys) and \
            target not in ("pem", "der"):
        raise InputError(f"{contents.identified.description} cannot become {target}",
                         "CSRs, CRLs and public keys only convert between PEM and DER",
                         "use --to pem or --to der", code="cannot_convert")
    if target == "pem":
        return [_pem(certs, keys, contents, out, password)]
    if target == "der":
        return [_der(certs, keys, contents, out, password)]
    if target in ("pkcs8", "pkcs1", "sec1"):
        key = _one_key(keys)
        fmt = "pkcs8-encrypted" if target == "pkcs8" and password else target
        der_out = out.suffix.lower() in (".der", ".cer")
        data = key_bytes(key, fmt, der=der_out, password=password)
        return [Output(out, data, True, f"private key, {fmt.upper()} "
                       f"{'DER' if der_out else 'PEM'}")]
    if target == "split":
        if not certs:
            raise InputError("nothing to split", "the input holds no certificates",
                             code="no_certificate")
        stem, suffix = out.stem, out.suffix or ".crt"
        texts = bundle.split_pem(certs)
        return [Output(out.with_name(f"{stem}-{i}{suffix}"), texts[i - 1], False,
                       f"certificate {i}: {short_name(cert.subject)}")
                for i, cert in enumerate(certs, 1)]
    if target == "p7b":
        if not certs:
            raise InputError("no certificates for a PKCS#7 bundle",
                             "the input holds " + (contents.identified.description),
                             code="no_certificate")
        ordered = bundle.order_leaf_to_root(certs)
        pem_out = out.suffix.lower() == ".pem"
        return [Output(out, pkcs7.export(ordered, pem=pem_out), False,
                       f"PKCS#7 bundle of {len(ordered)} certificate(s), stored sorted by "
                       "encoding (strict DER), not leaf -> root: readers re-order them")]
    if target == "truststore":
        if not certs:
            raise InputError("no certificates for a truststore", "",
                             "give the root certificate: pkilab convert root.crt "
                             "truststore.jks --password PW", code="no_certificate")
        data = jks.export_truststore(certs, _need_password(password, target),
                                     aliases=[name] if name and len(certs) == 1 else None)
        return [Output(out, data, False, f"Java truststore (JKS) with {len(certs)} trusted "
                       "certificate(s)")]
    # p12, p12-legacy, jks: a key and its certificate (+ chain)
    key, leaf, chain = key_and_chain(keys, certs)
    alias = name or short_name(leaf.subject)
    pw = _need_password(password, target)
    if target == "jks":
        data = jks.export_keystore(key, leaf, chain, pw, alias=alias)
        return [Output(out, data, True, f"Java keystore (JKS): entry {alias.lower()!r} with "
                       f"key + {1 + len(chain)} certificate(s)")]
    legacy = target == "p12-legacy"
    data = pkcs12.export(key, leaf, chain, pw, friendly_name=alias, legacy=legacy)
    scheme = "3DES + SHA-1 MAC (legacy)" if legacy else "AES-256 + SHA-256 MAC"
    return [Output(out, data, True, f"PKCS#12 ({scheme}): {alias!r}, key + "
                   f"{1 + len(chain)} certificate(s)")]


def key_and_chain(keys: list[PrivateKey], certs: list[x509.Certificate]
                  ) -> tuple[PrivateKey, x509.Certificate, list[x509.Certificate]]:
    """The key, the certificate it belongs to, and the other certificates leaf -> root.

    Raises a clear error when either half is missing or when they do not match.
    """
    if not keys:
        raise InputError("no private key to put in the keystore",
                         "PKCS#12 and JKS keystores hold a key with its certificate",
                         "give a PEM file with both, or add --key FILE", code="no_key")
    if not certs:
        raise InputError("no certificate to go with the private key", "",
                         "give a PEM file with both, or add --chain CERT_FILE",
                         code="no_certificate")
    key = _one_key(keys)
    leaf = next((c for c in certs if facts.key_matches(key, c)), None)
    if leaf is None:
        raise InputError("the private key does not match any of the certificates",
                         "its public key is in none of them (a server would fail with 'key "
                         "values mismatch')",
                         "pass the key that belongs to the certificate", code="key_mismatch")
    rest = bundle.order_leaf_to_root([leaf] + [c for c in certs if c != leaf])[1:]
    return key, leaf, rest


def _one_key(keys: list[PrivateKey]) -> PrivateKey:
    if not keys:
        raise InputError("the input holds no private key", "",
                         "pass a key file (or a .p12/.jks with --in-password)", code="no_key")
    if len(keys) > 1:
        raise InputError(f"the input holds {len(keys)} private keys", "pkilab cannot "
                         "tell which one you mean", "split the file first",
                         code="several_keys")
    return keys[0]


def _need_password(password: str | None, target: str) -> str:
    if password:
        return password
    if target in ("jks", "truststore"):
        raise InputError("a Java store needs a password", "none was given",
                         "pass --password (6 characters or more: keytool's minimum)",
                         code="password_missing")
    raise InputError("a PKCS#12 file needs a password",
                     "in an unencrypted .p12 (no password at all) keytool and Java list 0 "
                     "entries, and browsers refuse to import it",
                     "pass --password (6 characters or more: keytool's minimum)",
                     code="password_missing")


def _pem(certs: list[x509.Certificate], keys: list[PrivateKey], contents: Contents,
         out: Path, password: str | None) -> Output:
    parts = bundle.split_pem(certs)
    parts += [c.public_bytes(serialization.Encoding.PEM) for c in contents.csrs]
    parts += [c.public_bytes(serialization.Encoding.PEM) for c in contents.crls]
    parts += [k.public_bytes(serialization.Encoding.PEM,
                             serialization.PublicFormat.SubjectPublicKeyInfo)
              for k in contents.public_keys]
    fmt = "pkcs8-encrypted" if password else "pkcs8"
    parts += [key_bytes(k, fmt, password=password) for k in keys]
    if not parts:
        raise InputError("nothing to write", "the input holds no objects", code="empty_input")
    what = [f"{len(certs)} certificate(s)"] if certs else []
    what += [f"{len(keys)} private key(s) ({fmt.upper()})"] if keys else []
    what += [f"{len(contents.csrs)} CSR(s)"] if contents.csrs else []
    what += [f"{len(contents.crls)} CRL(s)"] if contents.crls else []
    what += [f"{len(contents.public_keys)} public key(s)"] if contents.public_keys else []
    return Output(out, b"".join(parts), bool(keys), "PEM: " + ", ".join(what))


def _der(certs: list[x509.Certificate], keys: list[PrivateKey], contents: Contents,
         out: Path, password: str | None) -> Output:
    objects = len(certs) + len(keys) + len(contents.csrs) + len(contents.crls) + len(
        contents.public_keys)
    if objects != 1:
        # --only helps only when it leaves one object: never for a bundle of certificates
        fix = ("use --to p7b (all the certificates in one file) or --to split (one file "
               "each, then convert the one you need)" if len(certs) > 1 else
               "use --only certs or --only key to keep one of them")
        raise InputError(f"DER holds exactly one object; the input has {objects}",
                         "a DER file is a single certificate, key, CSR or CRL", fix,
                         code="cannot_convert")
    if certs:
        return Output(out, certs[0].public_bytes(serialization.Encoding.DER), False,
                      f"DER certificate: {short_name(certs[0].subject)}")
    if keys:
        fmt = "pkcs8-encrypted" if password else "pkcs8"
        return Output(out, key_bytes(keys[0], fmt, der=True, password=password), True,
                      f"DER private key ({fmt.upper()})")
    if contents.csrs:
        return Output(out, contents.csrs[0].public_bytes(serialization.Encoding.DER), False,
                      "DER certificate signing request")
    if contents.crls:
        return Output(out, contents.crls[0].public_bytes(serialization.Encoding.DER), False,
                      "DER certificate revocation list")
    return Output(out, contents.public_keys[0].public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo), False,
        "DER public key (SubjectPublicKeyInfo)")
