"""What is this file? A pure answer for any bytes, without passwords and without raising.

Learners arrive with a ``.crt`` that may be PEM or DER, a ``.pem`` holding a key and
three certificates, a ``.p12`` from a colleague, a ``.jks`` from a Java team, or
something else entirely (an SSH key, an HTML error page saved by a download). The
extension says little; the bytes say everything. :func:`identify` reads them.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
from dataclasses import dataclass, field

from cryptography import x509

from .. import der, facts, pem
from ..der import DERError
from ..errors import InputError
from . import pkcs12 as _pkcs12
from ._quiet import quiet_serials

#: PEM label -> (kind when the file holds only that block, what it is in plain words).
PEM_LABELS: dict[str, tuple[str, str]] = {
    "CERTIFICATE": ("pem-certificate", "an X.509 certificate"),
    "TRUSTED CERTIFICATE": ("pem-certificate", "an X.509 certificate with OpenSSL trust "
                            "settings"),
    "X509 CERTIFICATE": ("pem-certificate", "an X.509 certificate (old label)"),
    "CERTIFICATE REQUEST": ("pem-csr", "a certificate signing request (PKCS#10)"),
    "NEW CERTIFICATE REQUEST": ("pem-csr", "a certificate signing request (old label)"),
    "PRIVATE KEY": ("pem-pkcs8-key", "a private key, PKCS#8, not encrypted"),
    "ENCRYPTED PRIVATE KEY": ("pem-encrypted-pkcs8-key",
                              "a private key, PKCS#8, encrypted with a password"),
    "RSA PRIVATE KEY": ("pem-pkcs1-key", "an RSA private key, PKCS#1 (the older OpenSSL form)"),
    "EC PRIVATE KEY": ("pem-sec1-key", "an EC private key, SEC1 (the older OpenSSL form)"),
    "PUBLIC KEY": ("pem-public-key", "a public key (SubjectPublicKeyInfo)"),
    "RSA PUBLIC KEY": ("pem-pkcs1-public-key", "an RSA public key, PKCS#1"),
    "PKCS7": ("pem-pkcs7", "a PKCS#7 bundle of certificates (.p7b)"),
    "CMS": ("pem-pkcs7", "a CMS/PKCS#7 structure"),
    "X509 CRL": ("pem-crl", "a certificate revocation list"),
    "EC PARAMETERS": ("pem-ec-parameters", "EC curve parameters (not a key; "
                      "'openssl ecparam -genkey' writes them before the key)"),
    "DH PARAMETERS": ("pem-dh-parameters", "Diffie-Hellman parameters (nginx ssl_dhparam), "
                      "not a key or certificate"),
}

#: Kinds that hold something :func:`pkilab.formats.load_any` can load.
LOADABLE = {
    "pem-bundle", "der-certificate", "der-csr", "der-crl", "der-pkcs8-key",
    "der-encrypted-pkcs8-key", "der-pkcs1-key", "der-sec1-key", "der-public-key",
    "der-pkcs1-public-key", "pkcs12", "pkcs7-der", "jks", "jceks", "base64-der",
} | {kind for kind, _ in PEM_LABELS.values()} - {"pem-ec-parameters", "pem-dh-parameters"}


@dataclass
class Identified:
    """The answer to "what is this file?".

    ``kind``: a short stable name: ``pem-certificate``, ``pem-csr``, ``pem-pkcs8-key``,
    ``pem-encrypted-pkcs8-key``, ``pem-pkcs1-key``, ``pem-sec1-key``, ``pem-public-key``,
    ``pem-pkcs7``, ``pem-crl`` (one PEM block), ``pem-bundle`` (several blocks),
    ``der-certificate``, ``der-csr``, ``der-crl``, ``der-pkcs8-key``,
    ``der-encrypted-pkcs8-key``, ``der-pkcs1-key``, ``der-sec1-key``, ``der-public-key``,
    ``pkcs12``, ``pkcs7-der``, ``jks``, ``jceks``, ``base64-der`` (PEM body without
    its BEGIN/END lines); for other data ``empty``, ``ssh-public-key``,
    ``openssh-private-key``, ``putty-key``, ``pgp``, ``zip``, ``gzip``, ``html``,
    ``utf16-text``, ``text``, ``damaged-pem``, ``damaged-der``, ``too-many-blocks``
    (more PEM blocks than :data:`pkilab.pem.MAX_BLOCKS`), ``unknown``.
    ``description``: one sentence for a person ("a PKCS#12 file: ...").
    ``blocks``: every PEM block (label, decoded DER, problem if damaged); empty for DER.
    ``needs_password``: True/False, or None when pkilab cannot tell without trying.
    ``hint``: for data pkilab cannot load, what it is not and what it might be.
    ``details``: further facts (encryption used, entry count, text around the blocks).
    ``warnings``: traps to know about (legacy RC2, a password-less PKCS#12, ...).
    """

    kind: str
    description: str
    blocks: list[pem.PemBlock] = field(default_factory=list)
    needs_password: bool | None = False
    hint: str = ""
    details: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def loadable(self) -> bool:
        """True when :func:`pkilab.formats.load_any` can read objects from it."""
        return self.kind in LOADABLE

    @property
    def labels(self) -> list[str]:
        return [block.label for block in self.blocks]

    def __str__(self) -> str:
        lines = [f"{self.kind}: {self.description}"]
        lines += [f"  {d}" for d in self.details]
        lines += [f"  warning: {w}" for w in self.warnings]
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


def identify(data: bytes, name: str | None = None) -> Identified:
    """Say what ``data`` is: PEM (every block), DER, PKCS#12, PKCS#7, JKS, or what else.

    Pure and total: reads no files, asks for no password, and returns an answer for
    any bytes (never raises). ``name`` (a file name) only sharpens the hints, e.g. a
    ``.crt`` that turns out to be an HTML page.
    """
    try:
        with quiet_serials():  # a negative serial is reported by load_any, as a note
            return _identify(bytes(data), name)
    except Exception as exc:  # a bug here must not hide the file: say so instead
        return Identified("unknown", f"pkilab could not classify the data ({type(exc).__name__})",
                          hint="report this file's kind to the pkilab authors")


def _identify(data: bytes, name: str | None) -> Identified:
    if not data.strip():
        what = "an empty file" if not data else "a file with only whitespace"
        return Identified("empty", what, hint="the download or copy produced nothing: "
                          "fetch the file again")
    magic = data[:4]
    if magic in (b"\xfe\xed\xfe\xed", b"\xce\xce\xce\xce"):
        return _java_keystore(data)
    if b"-----BEGIN " in data:
        return _pem(data, name)
    if data[:1] == b"\x30":
        found = _der(data)
        if found is not None:
            return found
    return _other(data, name)


# --- PEM ------------------------------------------------------------------------------

def _pem(data: bytes, name: str | None) -> Identified:
    try:
        blocks = pem.find_blocks(data)
    except InputError as exc:  # more blocks than pkilab reads (code too_many_blocks)
        return Identified("too-many-blocks", f"PEM text with more than {pem.MAX_BLOCKS} "
                          "blocks", needs_password=None, hint=exc.why)
    labels = [b.label for b in blocks]
    if labels and labels[0] == "OPENSSH PRIVATE KEY":
        return Identified("openssh-private-key", "an OpenSSH private key (ssh-keygen's format)",
                          blocks, needs_password=None,
                          hint="this is an SSH key, not an X.509/PKCS#8 key; ssh-keygen -p -m "
                               "PKCS8 -f FILE rewrites it as PKCS#8 (on a copy!) if you need "
                               "it for TLS")
    if any(label.startswith("PGP ") for label in labels):
        return Identified("pgp", "OpenPGP armored data (" + labels[0].title() + ")", blocks,
                          needs_password=None,
                          hint="PGP keys and signatures are not X.509; TLS cannot use them")
    if b"PuTTY-User-Key-File" in data[:100]:
        return _other(data, name)
    details: list[str] = []
    warnings: list[str] = []
    for block in blocks:
        if block.problem:
            warnings.append(f"line {block.line}: {block.problem}")
        elif block.label in PEM_LABELS:
            _check_pem_body(block, warnings)
        else:
            details.append(f"line {block.line}: a {block.label} block (not something pkilab "
                           "reads)")
    before = data[:data.find(b"-----BEGIN ")].strip()
    if before:
        details.append(f"{len(before.splitlines())} line(s) of text before the first block "
                       "(for example 'openssl x509 -text' output); ignored")
    good = [b for b in blocks if not b.problem]
    if not good:
        return Identified("damaged-pem", "PEM text whose blocks cannot be decoded", blocks,
                          needs_password=None, details=details, warnings=warnings,
                          hint="the file was cut or edited; copy it again, whole, "
                               "including the BEGIN and END lines")
    needs = any(block.encrypted for block in blocks)
    if len(blocks) == 1:
        block = blocks[0]
        kind, what = PEM_LABELS.get(block.label, ("pem-other", f"a PEM {block.label} block"))
        if block.headers.get("Proc-Type", "").endswith("ENCRYPTED"):
            what += ", encrypted with OpenSSL's old PEM scheme (" + block.headers.get(
                "DEK-Info", "?").split(",")[0] + ")"
        hint = "" if kind != "pem-other" else (
            f"pkilab reads certificates, CSRs, keys, PKCS#7 and CRLs, not {block.label}")
        if kind in ("pem-ec-parameters", "pem-dh-parameters"):
            hint = "parameters are not a key or a certificate"
        return Identified(kind, "PEM text: " + what, blocks, needs, hint, details, warnings)
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    summary = ", ".join(f"{n} x {label}" for label, n in counts.items())
    description = f"PEM bundle of {len(blocks)} blocks: {summary}"
    if set(labels) == {"CERTIFICATE"}:
        description = f"PEM bundle of {len(blocks)} certificates (a chain or full-chain file)"
    return Identified("pem-bundle", description, blocks, needs, "", details, warnings)


def _check_pem_body(block: pem.PemBlock, warnings: list[str]) -> None:
    """Warn when a well-formed block's DER does not match its label."""
    if block.headers.get("Proc-Type", "").endswith("ENCRYPTED"):
        return  # old-style encrypted key: the body is ciphertext
    body = block.der
    try:
        if block.label == "TRUSTED CERTIFICATE":  # OpenSSL appends trust settings by design
            body = body[:der.read(body).end]
        else:
            der.read_whole(body)
    except DERError as exc:
        warnings.append(f"line {block.line}: the {block.label} block decodes, but its content "
                        f"is not valid DER ({exc})")
        return
    found = _der(body)
    expected = PEM_LABELS[block.label][0].replace("pem-", "der-")
    if found is not None and found.kind.startswith("der-") and expected.startswith("der-") \
            and found.kind != expected and expected != "der-pkcs7":
        warnings.append(f"line {block.line}: labelled {block.label} but holds "
                        f"{found.description}")
    elif found is not None:
        warnings += [f"line {block.line}: {warning}" for warning in found.warnings]


# --- DER ------------------------------------------------------------------------------

def _der(data: bytes) -> Identified | None:
    """Classify a DER blob by its shape; None when it is not DER at all."""
    try:
        top = der.read(data)
        if top.tag != der.SEQUENCE:
            return None
        parts = top.children()
    except DERError as exc:
        if "cut short" in str(exc):
            return Identified("damaged-der", "binary data that starts like DER but is cut "
                              "short", needs_password=None,
                              hint=f"{exc}; copy or download the file again "
                                   "(FTP in text mode also damages binary files)")
        return None
    extra = len(data) - top.end
    found = _der_shape(data[:top.end], parts)
    if found is not None and extra:
        found.warnings.append(f"{extra} extra byte(s) after the DER structure")
    return found


def _der_shape(data: bytes, parts: list[der.Element]) -> Identified | None:
    tags = [p.tag for p in parts]
    try:
        if len(parts) >= 2 and tags[0] == der.INTEGER and parts[0].content == b"\x03" and \
                tags[1] == der.SEQUENCE:
            return _pkcs12_info(data)
        if tags[:1] == [der.OID] and parts[0].oid() == "1.2.840.113549.1.7.2":
            return _pkcs7_info(data)
        if tags == [der.SEQUENCE, der.SEQUENCE, der.BIT_STRING]:
            return _signed_object(data, parts[0])
        if tags[:3] == [der.INTEGER, der.SEQUENCE, der.OCTET_STRING] and \
                parts[0].integer() in (0, 1):
            algorithm = der.oid_name(parts[1].children()[0].oid())
            return Identified("der-pkcs8-key", f"DER bytes: a private key ({algorithm}), "
                              "PKCS#8, not encrypted")
        if tags == [der.SEQUENCE, der.OCTET_STRING]:
            scheme = _pkcs12._scheme(parts[0])
            return Identified("der-encrypted-pkcs8-key", "DER bytes: a private key, PKCS#8, "
                              f"encrypted ({scheme})", needs_password=True)
        if len(parts) == 9 and all(t == der.INTEGER for t in tags) and parts[0].integer() == 0:
            bits = (len(parts[1].content.lstrip(b"\x00")) * 8)
            return Identified("der-pkcs1-key", f"DER bytes: an RSA {bits} private key, PKCS#1")
        if tags[:2] == [der.INTEGER, der.OCTET_STRING] and parts[0].integer() == 1:
            return Identified("der-sec1-key", "DER bytes: an EC private key, SEC1")
        if tags == [der.SEQUENCE, der.BIT_STRING]:
            algorithm = der.oid_name(parts[0].children()[0].oid())
            return Identified("der-public-key", f"DER bytes: a {algorithm} public key "
                              "(SubjectPublicKeyInfo)")
        if tags == [der.INTEGER, der.INTEGER]:
            return Identified("der-pkcs1-public-key", "DER bytes: an RSA public key, PKCS#1")
    except (DERError, IndexError):
        return None
    return None


def _signed_object(data: bytes, tbs: der.Element) -> Identified | None:
    """Certificate, CSR or CRL: all three are SEQUENCE { body, algorithm, signature }."""
    loaders = (("der-certificate", "an X.509 certificate", x509.load_der_x509_certificate),
               ("der-csr", "a certificate signing request", x509.load_der_x509_csr),
               ("der-crl", "a certificate revocation list", x509.load_der_x509_crl))
    for kind, what, loader in loaders:
        try:
            obj = loader(data)
        except Exception:  # try the next shape
            continue
        description = f"DER bytes: {what}"
        subject = getattr(obj, "subject", None) or getattr(obj, "issuer", None)
        if subject is not None:
            with contextlib.suppress(Exception):  # an unprintable name is still fine
                description += f" ({subject.rfc4514_string()})"
        found = Identified(kind, description)
        defect = facts.extension_defect(obj) if kind == "der-certificate" else None
        if defect:
            found.warnings.append(f"the certificate is malformed: {defect}")
        return found
    first = tbs.children()[0].tag if tbs.children() else None
    guess = "certificate" if first == 0xA0 else "certificate, CSR or CRL"
    return Identified("damaged-der", f"DER bytes shaped like a {guess} that cryptography "
                      "cannot parse", needs_password=None,
                      hint="it may use an unusual algorithm or be corrupted; "
                           "try 'openssl asn1parse -inform der -in FILE'")


def _pkcs12_info(data: bytes) -> Identified:
    info = _pkcs12.structure(data)
    free = _pkcs12.opens_without_password(data)
    description = "a PKCS#12 file (.p12/.pfx): " + info.describe()
    warnings = []
    if info.legacy:
        warnings.append("uses RC2/RC4 (OpenSSL 1.x or 'openssl pkcs12 -legacy'): OpenSSL 3 "
                        "reads it only with -legacy; pkilab reads it and can re-export it "
                        "modern: pkilab convert IN OUT.p12")
    if free:
        warnings.append("opens without a password: if it holds a private key, keytool and "
                        "Java list 0 entries and browsers refuse it; re-export with a password")
    details = []
    if info.java_trusted:
        details.append(f"{info.java_trusted} Java trusted-certificate entr"
                       f"{'y' if info.java_trusted == 1 else 'ies'} (a Java truststore)")
    return Identified("pkcs12", description, needs_password=not free, details=details,
                      warnings=warnings)


def _pkcs7_info(data: bytes) -> Identified:
    from . import pkcs7

    try:
        count = len(pkcs7.read(data))
    except Exception:
        return Identified("pkcs7-der", "DER bytes: PKCS#7 signed data (a signature, or a "
                          "bundle pkilab cannot list)", needs_password=None)
    return Identified("pkcs7-der", f"DER bytes: a PKCS#7 bundle of {count} certificate(s) "
                      "(.p7b/.p7c); certificates only, no keys")


def _java_keystore(data: bytes) -> Identified:
    kind = "jks" if data[:4] == b"\xfe\xed\xfe\xed" else "jceks"
    label = "JKS" if kind == "jks" else "JCEKS"
    details = []
    try:
        from . import jks as _jks

        entries = _jks.list_entries(data)
        details.append(", ".join(f"{alias} ({what})" for alias, what in entries) or
                       "no entries")
        description = f"a Java {label} keystore with {len(entries)} entr" + (
            "y" if len(entries) == 1 else "ies")
    except Exception as exc:
        description = f"a Java {label} keystore that pkilab cannot list ({exc})"
    return Identified(kind, description, needs_password=True, details=details)


# --- everything else ------------------------------------------------------------------

_SSH_PUBLIC = re.compile(rb"^(ssh-(rsa|dss|ed25519|ed448)|ecdsa-sha2-nistp\d+|"
                         rb"sk-(ssh|ecdsa)[-\w@.]*) [A-Za-z0-9+/=]+")


def _other(data: bytes, name: str | None) -> Identified:
    head = data.lstrip()[:200]
    lower = head.lower()
    not_x509 = "not an X.509 certificate, key or keystore"
    if _SSH_PUBLIC.match(head):
        return Identified("ssh-public-key", "an SSH public key (authorized_keys / id_*.pub)",
                          needs_password=None,
                          hint=f"this looks like an SSH public key, {not_x509}; "
                               "ssh-keygen -e -m PKCS8 -f FILE prints it as a PEM PUBLIC KEY")
    if head.startswith(b"PuTTY-User-Key-File"):
        return Identified("putty-key", "a PuTTY private key (.ppk)", needs_password=None,
                          hint=f"a PuTTY SSH key, {not_x509}; puttygen can export it")
    if data[:4] == b"PK\x03\x04":
        hint = ("a ZIP archive (also .jar, .apk, .docx): unzip it and look inside for "
                ".crt/.pem/.p12 files")
        return Identified("zip", "a ZIP archive", needs_password=None,
                          hint=f"{not_x509}; {hint}")
    if data[:2] == b"\x1f\x8b":
        return Identified("gzip", "gzip-compressed data", needs_password=None,
                          hint=f"{not_x509}; decompress it first (gunzip / tar xzf)")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return Identified("utf16-text", "UTF-16 text (saved by Windows Notepad or PowerShell)",
                          needs_password=None,
                          hint="PEM must be ASCII/UTF-8: save it again as UTF-8 (PowerShell: "
                               "Out-File -Encoding ascii)")
    if lower.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head")) or b"<html" in lower:
        where = f" saved as {name!r}" if name else ""
        return Identified("html", f"an HTML or XML page{where}", needs_password=None,
                          hint=f"{not_x509}: a download probably saved an error or login "
                               "page; open it in a text editor, then fetch the real file")
    as_der = _bare_base64(data)
    if as_der is not None:
        return as_der
    if _is_text(data):
        return Identified("text", "plain text without any PEM block", needs_password=None,
                          hint=f"{not_x509}; PEM needs -----BEGIN ...----- and -----END "
                               "...----- lines around the base64")
    why = "binary data that is not DER" + (
        "" if data[:1] != b"\x30" else " (it starts like a DER SEQUENCE but does not parse)")
    return Identified("unknown", why, needs_password=None,
                      hint=f"{not_x509}; it might be encrypted, compressed, or a format "
                           "pkilab does not know (Windows .sst, BKS, a raw key)")


def _is_text(data: bytes) -> bool:
    sample = data[:4096]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(c.isprintable() or c in "\r\n\t" for c in text)


def _bare_base64(data: bytes) -> Identified | None:
    """A PEM body pasted without its BEGIN/END lines (a common copy-and-paste slip)."""
    text = b"".join(data.split())
    if len(text) < 64 or not re.fullmatch(rb"[A-Za-z0-9+/]+={0,2}", text):
        return None
    try:
        decoded = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    inner = _der(decoded) if decoded[:1] == b"\x30" else None
    if inner is None or not inner.kind.startswith(("der-", "pkcs")):
        return None
    return Identified("base64-der", "base64 text without BEGIN/END lines; decoded it is " +
                      inner.description.replace("DER bytes: ", ""),
                      needs_password=inner.needs_password,
                      hint="add the -----BEGIN ...----- and -----END ...----- lines, or "
                           "let pkilab convert it: pkilab convert IN OUT.pem")
