"""The logic behind the notebook explorers, as plain functions that return data.

:mod:`pkilab.widgets` only wires sliders and drop-downs to these functions; tests and
lessons can call them directly::

    cs = build_certificate_set(seed="lesson-03")
    report = break_chain(cs, expire="intermediate1")
    report.ok, report.codes          # (False, ['expired'])

Every function here is deterministic for a seeded certificate set: certificates are
checked at :func:`check_time` (a month after the set was made), not at "now".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from .ca import CertificateAuthority
from .certset import CertificateSet
from .chain import ChainReport, verify_chain
from .errors import InputError

#: What :func:`break_chain` can expire or strip the CA flag from.
EXPIRABLE = ("none", "server", "intermediate2", "intermediate1", "root")
REMOVABLE = ("none", "intermediate2", "intermediate1")
STRIPPABLE = ("none", "intermediate2", "intermediate1")
#: The check happens this long after the leaf's start of validity.
CHECK_DELAY = dt.timedelta(days=30)


def check_time(cs: CertificateSet) -> dt.datetime:
    """When the explorers check a set: 30 days after its server certificate became valid.

    For a lesson set (``seed=...``) that is 2026-01-31 00:00 UTC on every run, so the
    explorers' verdicts never change with the calendar.
    """
    return cs.server.certificate.not_valid_before_utc + CHECK_DELAY


def _resign(certificate: x509.Certificate, issuer: CertificateAuthority, *,
            not_before: dt.datetime | None = None, not_after: dt.datetime | None = None,
            ca: bool | None = None) -> x509.Certificate:
    """The same certificate (subject, key, serial, extensions) signed again by ``issuer``,
    with other dates or with basicConstraints CA:FALSE: what a careless CA would issue."""
    builder = (x509.CertificateBuilder()
               .subject_name(certificate.subject)
               .issuer_name(issuer.certificate.subject)
               .public_key(certificate.public_key())
               .serial_number(certificate.serial_number)
               .not_valid_before(not_before or certificate.not_valid_before_utc)
               .not_valid_after(not_after or certificate.not_valid_after_utc))
    for extension in certificate.extensions:
        value = extension.value
        if ca is not None and isinstance(value, x509.BasicConstraints):
            value = x509.BasicConstraints(ca=ca, path_length=value.path_length if ca else None)
        builder = builder.add_extension(value, extension.critical)
    algorithm = certificate.signature_hash_algorithm
    if isinstance(issuer.private_key, ec.EllipticCurvePrivateKey):
        # RFC 6979: the same bytes on every run, so lesson outputs stay stable.
        return builder.sign(issuer.private_key, algorithm, ecdsa_deterministic=True)
    return builder.sign(issuer.private_key, algorithm)


def _choice(value: str | bool, allowed: Sequence[str], what: str, true: str) -> str:
    if value is True:
        return true
    if value is False or value is None:
        return "none"
    value = {"leaf": "server"}.get(str(value), str(value))
    if value not in allowed:
        raise InputError(f"cannot {what} {value!r}", "the chain holds " +
                         ", ".join(a for a in allowed if a != "none"),
                         "pick one of those (or 'none')", code="unknown_choice")
    return value


def break_chain(cs: CertificateSet, remove_intermediate: bool | str = False,
                expire: str = "none", host: str = "localhost",
                drop_ca_flag: bool | str = False, *,
                at: dt.datetime | None = None) -> ChainReport:
    """Verify the set's server chain after breaking it on purpose; returns the report.

    - ``remove_intermediate``: ``"intermediate2"`` (or True) or ``"intermediate1"`` is
      left out of what the server sends, as a server configured with ``server.crt``
      instead of ``fullchain.crt`` does;
    - ``expire``: ``"server"``, ``"intermediate2"``, ``"intermediate1"`` or ``"root"`` is
      re-issued (same key) with dates that ended before the check;
    - ``host``: the name the client connected to (try ``"example.com"``);
    - ``drop_ca_flag``: ``"intermediate2"`` (or True) or ``"intermediate1"`` is re-issued
      with basicConstraints CA:FALSE, so it may not sign what it signed.

    ``at`` defaults to :func:`check_time`. Nothing in ``cs`` is changed.
    """
    removed = _choice(remove_intermediate, REMOVABLE, "remove", "intermediate2")
    expired = _choice(expire, EXPIRABLE, "expire", "server")
    stripped = _choice(drop_ca_flag, STRIPPABLE, "drop the CA flag of", "intermediate2")
    at = at or check_time(cs)
    # old dates: a year of validity that ended 30 days before the check
    old = {"not_before": at - dt.timedelta(days=395), "not_after": at - dt.timedelta(days=30)}
    root = cs.root.certificate
    if expired == "root":
        root = _resign(root, cs.root, **old)
    inter1 = cs.intermediate1.certificate
    if expired == "intermediate1" or stripped == "intermediate1":
        inter1 = _resign(inter1, cs.root, ca=False if stripped == "intermediate1" else None,
                         **(old if expired == "intermediate1" else {}))
    inter2 = cs.intermediate2.certificate
    if expired == "intermediate2" or stripped == "intermediate2":
        inter2 = _resign(inter2, cs.intermediate1,
                         ca=False if stripped == "intermediate2" else None,
                         **(old if expired == "intermediate2" else {}))
    leaf = cs.server.certificate
    if expired == "server":
        leaf = _resign(leaf, cs.intermediate2, **old)
    sent = [c for name, c in (("intermediate2", inter2), ("intermediate1", inter1))
            if name != removed]
    return verify_chain(leaf, root, sent, host=host or None, at=at)


# ---- certificate builder ---------------------------------------------------------------

@dataclass
class BuiltCertificate:
    """What :func:`build_certificate` made, and whether it verifies.

    ``chain`` is what was verified, leaf first: the new certificate, or (for a CA) a
    server certificate issued below it, then the CAs up to the lab root.
    """

    certificate: x509.Certificate
    chain: list[x509.Certificate]
    root: x509.Certificate
    report: ChainReport
    notes: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """The certificate as :func:`pkilab.inspect.summary` prints it."""
        from .inspect import summary

        return summary(self.certificate)

    @property
    def verdict(self) -> str:
        """One line: does it verify, and if not, why (in words)."""
        if self.report.ok:
            target = f" for {self.report.host}" if self.report.host else ""
            return f"✔ verifies: a valid {self.report.purpose} chain{target}"
        problem = self.report.problems[0]
        return f"✘ does not verify: {problem.what} ({problem.why})"

    def text(self) -> str:
        return "\n".join([self.summary, "", self.verdict, *self.notes])


def _names(names: str | Sequence[str]) -> list[str]:
    if isinstance(names, str):
        names = names.replace(",", " ").split()
    return [n.strip() for n in names if n and n.strip()]


def build_certificate(*, key_kind: str = "ec", days: int = 397, is_ca: bool = False,
                      path_length: int | None = None, common_name: str = "localhost",
                      names: str | Sequence[str] = "localhost, 127.0.0.1",
                      host: str | None = None, cas_below: int = 0,
                      checked_after_days: int = 30, seed: str = "explore") -> BuiltCertificate:
    """Issue one certificate from a lab root and say whether it verifies.

    - a leaf (``is_ca=False``) is a server certificate for ``names`` and is verified for
      ``host`` (default: the first name);
    - a CA (``is_ca=True``, with ``path_length``) is verified the way it is used: it
      signs ``cas_below`` further CAs and then a server certificate for ``host``, and
      that chain is verified (``path_length=0`` with ``cas_below=1`` fails).

    The check happens ``checked_after_days`` after issue, so ``days=10`` shows an
    expired certificate. Keys, serials and dates repeat for the same ``seed`` (RSA
    keys excepted: they cannot be derived).
    """
    if days < 1:
        raise InputError(f"validity of {days} days", "a certificate is valid for a "
                         "positive number of days", "pick 1 or more",
                         code="bad_validity")
    if cas_below < 0 or (path_length is not None and path_length < 0):
        raise InputError("a negative count of CAs", "", "use 0 or more", code="bad_count")
    root = CertificateAuthority.create_root({"O": "pkilab explorer", "CN": "Explorer Root CA"},
                                            seed=seed)
    start = root.certificate.not_valid_before_utc
    at = start + dt.timedelta(days=checked_after_days)
    subject = {"O": "pkilab explorer", "CN": common_name or "(no name)"}
    hosts = _names(names)
    notes: list[str] = []
    if not is_ca:
        if not hosts:
            raise InputError("no names given", "a server certificate names its host(s) in "
                             "the subjectAltName; clients check nothing else",
                             "type a name such as localhost", code="no_names")
        leaf = root.issue_server(hosts, subject=subject, key_kind=key_kind, days=days,
                                 not_before=start)
        built = leaf.certificate
        chain = leaf.fullchain
        if path_length is not None:
            notes.append("(path length applies only to CA certificates: ignored)")
    else:
        ca = root.issue_intermediate(subject, path_length=path_length, key_kind=key_kind,
                                     days=days, not_before=start)
        built = ca.certificate
        signer = ca
        for level in range(cas_below):
            signer = signer.issue_intermediate(
                {"O": "pkilab explorer", "CN": f"Sub CA {level + 1}"}, path_length=None,
                not_before=start, allow_invalid=True)
        leaf = signer.issue_server(hosts or ["localhost"], not_before=start)
        chain = leaf.fullchain
        notes.append(f"(verified as the CA of a server certificate, with {cas_below} "
                     f"CA{'' if cas_below == 1 else 's'} between them)")
    report = verify_chain(chain[0], root.certificate, chain[1:],
                          host=host or (hosts[0] if hosts else "localhost"), at=at)
    return BuiltCertificate(built, chain, root.certificate, report, notes)


# ---- format explorer -----------------------------------------------------------------------

def list_files(folder: str | Path) -> list[str]:
    """File names in ``folder`` (not hidden, not folders), sorted: the explorer's choices."""
    path = Path(folder)
    if not path.is_dir():
        raise InputError(f"{str(path)!r} is not a folder", "", "pick a lesson's _lab folder",
                         code="not_a_folder")
    return sorted(p.name for p in path.iterdir() if p.is_file() and not p.name.startswith("."))


#: What the format explorer opens first: a certificate, so its first view is a real answer
#: (the first name in the folder may be a picture such as anatomy.png).
_FIRST_CHOICES = ("server.crt", "fullchain.crt", "root.crt")
_CERTIFICATE_SUFFIXES = (".crt", ".pem", ".cer", ".der")


def first_file(files: Sequence[str]) -> str | None:
    """The file the format explorer shows first: server.crt (or another certificate)."""
    for name in _FIRST_CHOICES:
        if name in files:
            return name
    for name in files:
        if name.lower().endswith(_CERTIFICATE_SUFFIXES):
            return name
    return files[0] if files else None


@dataclass
class FileView:
    """What the format explorer shows for one file.

    ``views`` maps a view's name to its text: "what it is", "objects", "as PEM",
    "as DER (hex)", "openssl"; ``certificates`` are the certificates found (for a
    picture), ``error`` says why nothing could be loaded (a password is needed, ...).
    """

    name: str
    kind: str
    views: dict[str, str]
    certificates: list[x509.Certificate] = field(default_factory=list)
    error: str | None = None


#: The command that shows the same file with the usual tools.
_TOOL_COMMANDS = {
    "pem-certificate": "openssl x509 -in {f} -noout -text",
    "pem-bundle": "openssl crl2pkcs7 -nocrl -certfile {f} | openssl pkcs7 -print_certs -noout",
    "der-certificate": "openssl x509 -inform DER -in {f} -noout -text",
    "pem-csr": "openssl req -in {f} -noout -text",
    "der-csr": "openssl req -inform DER -in {f} -noout -text",
    "pkcs12": "openssl pkcs12 -in {f} -info -nokeys   (keytool -list -v -keystore {f})",
    "pkcs7-der": "openssl pkcs7 -inform DER -in {f} -print_certs -noout",
    "pem-pkcs7": "openssl pkcs7 -in {f} -print_certs -noout",
    "jks": "keytool -list -v -keystore {f}",
    "jceks": "keytool -list -v -storetype JCEKS -keystore {f}",
}


def _tool_command(kind: str, name: str) -> str:
    if kind in _TOOL_COMMANDS:
        return _TOOL_COMMANDS[kind].format(f=name)
    if "key" in kind and "public" not in kind:
        return f"openssl pkey -in {name} -noout -text" + (" -inform DER" if
                                                          kind.startswith("der") else "")
    if "public" in kind:
        return f"openssl pkey -pubin -in {name} -noout -text"
    return f"file {name}   (not a format openssl reads)"


def explore_file(path: str | Path, password: str | None = None) -> FileView:
    """Everything the format explorer shows about one file, as text views.

    Never raises for a bad file: what could not be read is in ``error`` (and the
    "what it is" view still says what the bytes look like).
    """
    from cryptography.hazmat.primitives.serialization import Encoding

    from .errors import PkilabError
    from .files import read_input
    from .formats import identify, load_any
    from .inspect import summary
    from .keys import describe_key
    from .names import format_subj

    path = Path(path)
    data = read_input(path)  # a FIFO, a device or a huge file: one clear InputError
    found = identify(data, path.name)
    views = {"what it is": str(found)}
    error = None
    contents = None
    try:
        contents = load_any(data, password or None, name=path.name)
    except PkilabError as exc:
        error = str(exc)
    objects: list[str] = []
    pem_parts: list[str] = []
    certificates: list[x509.Certificate] = []
    if contents is not None:
        certificates = list(contents.certificates)
        for i, certificate in enumerate(certificates, 1):
            objects.append(f"certificate {i}: {format_subj(certificate.subject)}\n"
                           f"    issued by {format_subj(certificate.issuer)}")
            pem_parts.append(certificate.public_bytes(Encoding.PEM).decode().strip())
        for key in contents.private_keys:
            objects.append(f"private key: {describe_key(key)}")
            pem_parts.append(f"(the {describe_key(key)} private key is kept out of this "
                             "view; pkilab convert writes it as PKCS#8 PEM)")
        objects += [f"certificate signing request: {format_subj(c.subject)}"
                    for c in contents.csrs]
        objects += [f"public key: {describe_key(k)}" for k in contents.public_keys]
        extra = [f"note: {n}" for n in contents.notes] + \
            [f"warning: {w}" for w in contents.warnings if w not in found.warnings]
        if extra:
            views["what it is"] += "\n" + "\n".join(extra)
    views["objects"] = "\n".join(objects) or (error or "nothing pkilab can load")
    views["as PEM"] = "\n".join(pem_parts) or "(no certificates)"
    if certificates:
        der = certificates[0].public_bytes(Encoding.DER)
        views["as DER (hex)"] = (
            f"the first certificate is {len(der)} bytes of DER; the first 48:\n"
            + "\n".join(der[i:i + 16].hex(" ") for i in range(0, min(48, len(der)), 16))
            + "\n30 = SEQUENCE; the next bytes give its length (see the anatomy picture)")
        views["summary"] = summary(certificates[0])
    views["openssl"] = "$ " + _tool_command(found.kind, path.name)
    return FileView(path.name, found.kind, views, certificates, error)
