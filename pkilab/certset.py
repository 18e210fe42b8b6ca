"""The seed's certificate set: root -> intermediate1 -> intermediate2 -> server and clients.

:func:`build_certificate_set` makes the whole set in memory (about a millisecond with
EC keys); :func:`write_certificate_set` puts it on disk under the seed's file names;
:func:`load_certificate_set` reads a folder back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from .ca import (
    CertificateAuthority,
    IssuedCertificate,
    default_client_email,
    refuse_outside_constraints,
)
from .errors import InputError, OverwriteError, PolicyError
from .keys import DEFAULT_KEY_KIND, PrivateKey
from .names import build_name, check_text, short_name
from .passwords import check_new_password
from .profiles import general_names, name_constraints

DEFAULT_SERVER_NAMES = ("localhost", "127.0.0.1")
DEFAULT_CLIENTS = ("client", "client2")
DEFAULT_P12_PASSWORD = "123456"  # the seed's example; keytool wants at least 6 characters

#: The files :func:`load_certificate_set` needs to call a folder a set: published last.
SET_GATE = ("server.key", "server.crt", "fullchain.crt", "root.crt")

#: The CA files; replacing any of these needs ``force``.
CA_FILES = ("root.key", "root.crt", "intermediate1.key", "intermediate1.crt",
            "intermediate2.key", "intermediate2.crt")


@dataclass
class CertificateSet:
    """Everything ``pkilab init`` writes, as objects."""

    root: CertificateAuthority
    intermediate1: CertificateAuthority
    intermediate2: CertificateAuthority
    server: IssuedCertificate
    clients: dict[str, IssuedCertificate] = field(default_factory=dict)

    @property
    def fullchain(self) -> list[x509.Certificate]:
        """server, intermediate2, intermediate1: what the server sends (no root)."""
        return self.server.fullchain

    def files(self) -> list[str]:
        names = [*CA_FILES, "server.key", "server.crt", "fullchain.crt"]
        for client in self.clients:
            names += [f"{client}.key", f"{client}.crt", f"{client}.p12"]
        return names


def build_certificate_set(
    *,
    key_kind: str = DEFAULT_KEY_KIND,
    server_names: Sequence[str] = DEFAULT_SERVER_NAMES,
    clients: Sequence[str] = DEFAULT_CLIENTS,
    organization: str = "pkilab",
    subject: str | None = None,
    seed: str | None = None,
    not_before: dt.datetime | None = None,
    permitted_dns: Sequence[str] = (),
    permitted_ips: Sequence[str] = (),
    ocsp_url: str | None = None,
    crl_url: str | None = None,
) -> CertificateSet:
    """The seed's chain, done right: every certificate valid under strict verification.

    ``subject`` gives the fields every certificate shares, in openssl's ``-subj`` form
    without the CN (the seed: "/C=CN/ST=bj/L=bj/O=alibaba/OU=test"); each certificate
    adds its own CN. Without it, every subject is ``/O=<organization>/CN=...``.
    ``seed`` makes every key, serial and date repeatable (lessons, fixtures).

    ``permitted_dns`` / ``permitted_ips`` put a critical nameConstraints extension on
    intermediate1, so that it and intermediate2 may vouch only for those names (and
    ``localhost`` / ``127.0.0.1`` only when permitted too). A server name or a client
    outside them is refused before any key is made (code ``outside_name_constraints``).
    A server with IP addresses only gets the CN ``<O> server`` in such a set: OpenSSL
    would otherwise check a CN of ``10.0.0.5`` as a DNS name against the DNS subtrees.
    ``ocsp_url`` / ``crl_url`` put an authorityInfoAccess OCSP URL and a CRL
    distribution point on the server and client certificates (intermediate2's
    responder and list: ``pkilab ocsp``, ``crl.pem``).
    """
    _check_server_names(server_names)
    _check_clients(clients)
    constraints = name_constraints(permitted_dns, permitted_ips)
    base = _base_fields(subject) if subject else [("O", organization)]
    label = dict(base).get("O", organization)

    def named(common_name: str) -> x509.Name:
        return build_name(dict([*base, ("CN", common_name)]))

    server_cn = _server_cn(server_names, constraints, label)
    if constraints is not None:
        _check_inside(constraints, named(f"{label} Intermediate CA 1"),
                      [(named(server_cn), general_names(server_names), _SERVER_FIX)]
                      + [(named(name), general_names([default_client_email(name)]), _CLIENT_FIX)
                         for name in clients])
    root = CertificateAuthority.create_root(
        named(f"{label} Root CA"), key_kind=key_kind, seed=seed, not_before=not_before)
    intermediate1 = root.issue_intermediate(
        named(f"{label} Intermediate CA 1"), path_length=1, not_before=not_before,
        permitted_dns=permitted_dns, permitted_ips=permitted_ips)
    intermediate2 = intermediate1.issue_intermediate(
        named(f"{label} Intermediate CA 2"), path_length=0, not_before=not_before)
    if ocsp_url is not None or crl_url is not None:
        intermediate2.revocation_urls = (ocsp_url, crl_url)
    server = intermediate2.issue_server(
        list(server_names), subject=named(server_cn), not_before=not_before)
    issued = {name: intermediate2.issue_client(name, subject=named(name), not_before=not_before)
              for name in clients}
    return CertificateSet(root, intermediate1, intermediate2, server, issued)


def _server_cn(server_names: Sequence[str], constraints: x509.NameConstraints | None,
               label: str) -> str:
    """The server's CN: its first name, except in a DNS-constrained set whose server has
    only IP addresses (OpenSSL checks a CN like ``10.0.0.5`` as a DNS name then)."""
    dns_constrained = constraints is not None and any(
        isinstance(n, x509.DNSName) for n in constraints.permitted_subtrees or ())
    if not dns_constrained or any(isinstance(n, x509.DNSName)
                                  for n in general_names(server_names)):
        return str(server_names[0])
    return f"{label} server"


_SERVER_FIX = ("give only server names inside them (--server-name), or permit these too: a "
               "set for a lab on this machine usually adds --permitted-dns localhost "
               "--permitted-ip 127.0.0.1/32")
_CLIENT_FIX = ("name the client with one word (alice, not alice.smith: OpenSSL checks a CN "
               "that looks like a host name as a DNS name when there is no DNS "
               "subjectAltName), or permit that name too")


def _check_inside(constraints: x509.NameConstraints, ca_name: x509.Name,
                  leaves: Sequence[tuple[x509.Name, list[x509.GeneralName], str]]) -> None:
    """Refuse (code ``outside_name_constraints``) a leaf of the set outside the constraints,
    with the CLI's words for the fix."""
    for subject, sans, fix in leaves:
        try:
            refuse_outside_constraints([(short_name(ca_name), constraints)], subject, sans)
        except PolicyError as exc:
            raise PolicyError(exc.what, exc.why, fix,
                              code="outside_name_constraints") from None


_SET_STEMS = ("root", "intermediate1", "intermediate2", "server", "fullchain")


def _check_server_names(server_names: Sequence[str]) -> None:
    if not server_names:
        raise InputError("no server names given", "the server certificate needs at least one",
                         "pass --server-name localhost", code="bad_server_name")
    for name in server_names:
        check_server_name(name)


def check_server_name(name: str) -> str:
    """``name`` when it is a DNS name or an IP address -- what a TLS client checks.

    Refused (code ``bad_server_name``): e-mail addresses (``a@b.example`` would become
    an e-mail SAN, which no TLS client looks at), names of digits and dots that are not
    an IP address (``1.2.3.4.5``, ``999.1.1.1``: clients would take them for a broken
    IP), and anything ``profiles.dns_name`` refuses; control characters and text that
    is not UTF-8 as in :func:`pkilab.names.check_text`.
    """
    import ipaddress

    from .profiles import dns_name

    check_text(str(name), "the server name")
    text = str(name).strip()
    with contextlib.suppress(ValueError):
        return str(ipaddress.ip_address(text))
    why = None
    if not text:
        why = "it is empty"
    elif "@" in text:
        why = "it is an e-mail address (it would become an e-mail SAN, which TLS ignores)"
    elif text.rstrip(".").rsplit(".", 1)[-1].isdigit():
        why = "it ends in a number but is not an IP address (a top-level domain is never " \
              "all digits)"
    if why is None:
        try:
            return dns_name(text)
        except InputError as exc:
            why = exc.why or exc.what
    raise InputError(f"{text!r} is not a server name", why,
                     "give a DNS name like localhost or www.example.com, or an IP address "
                     "like 127.0.0.1", code="bad_server_name")


def _check_clients(clients: Sequence[str]) -> None:
    if len(set(clients)) != len(clients):
        raise InputError("a client name is given twice", "each client gets its own files",
                         "give distinct --client names", code="duplicate_client")
    for client in clients:
        check_text(str(client), "the client name")
        if client in _SET_STEMS or not client.strip() or client != client.strip() or \
                any(c in client for c in '/\\:') or client.startswith(".") or \
                client.startswith("replaced-"):
            raise InputError(f"{client!r} cannot be a client name",
                             "it would clash with another file of the set, or is not a "
                             "plain file name",
                             "pick a plain name such as alice or client3", code="bad_client_name")


def _base_fields(subject: str) -> list[tuple[str, str]]:
    from .names import name_fields, parse_subj

    fields = list(name_fields(parse_subj(subject)).items())
    if any(field == "CN" for field, _ in fields):
        raise InputError(
            f"the shared subject {subject!r} has a CN",
            "each certificate gets its own Common Name (the seed warns that the root's CN "
            "must differ from the server's and the clients')",
            "leave /CN=... out, e.g. /C=CN/ST=bj/L=bj/O=alibaba/OU=test", code="subject_has_cn")
    return fields


def _key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _cert_pem(*certificates: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def client_p12(client: IssuedCertificate, name: str, password: str) -> bytes:
    """The client's key, certificate and intermediates as PKCS#12 (AES-256, PBKDF2)."""
    secret = check_new_password(password, "keystore", option="--p12-password")
    # OpenSSL 3's `openssl pkcs12 -export` parameters (the seed's command): AES-256-CBC,
    # PBKDF2-SHA256 with 2048 rounds, SHA-256 MAC. BestAvailableEncryption uses 20000
    # rounds: 12 ms more per file, and a lab password printed on screen gains nothing.
    encryption = (serialization.PrivateFormat.PKCS12.encryption_builder()
                  .kdf_rounds(2048)
                  .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
                  .hmac_hash(hashes.SHA256())
                  .build(secret))
    return pkcs12.serialize_key_and_certificates(
        name.encode(), client.private_key, client.certificate, client.chain, encryption)


def certificate_set_files(cs: CertificateSet, p12_password: str = DEFAULT_P12_PASSWORD
                          ) -> dict[str, tuple[bytes, bool]]:
    """File name -> (bytes, is_private) for a whole set, in the order they are written."""
    out: dict[str, tuple[bytes, bool]] = {}
    for stem, ca in (("root", cs.root), ("intermediate1", cs.intermediate1),
                     ("intermediate2", cs.intermediate2)):
        out[f"{stem}.key"] = (_key_pem(ca.private_key), True)
        out[f"{stem}.crt"] = (_cert_pem(ca.certificate), False)
    assert cs.server.private_key is not None
    out["server.key"] = (_key_pem(cs.server.private_key), True)
    out["server.crt"] = (_cert_pem(cs.server.certificate), False)
    out["fullchain.crt"] = (_cert_pem(*cs.server.fullchain), False)
    for name, client in cs.clients.items():
        assert client.private_key is not None
        out[f"{name}.key"] = (_key_pem(client.private_key), True)
        out[f"{name}.crt"] = (_cert_pem(client.certificate), False)
        out[f"{name}.p12"] = (client_p12(client, name, p12_password), True)
    return out


def write_certificate_set(cs: CertificateSet, directory: str | os.PathLike[str], *,
                          p12_password: str = DEFAULT_P12_PASSWORD, force: bool = False
                          ) -> list[Path]:
    """Write the set under the seed's names; keys and .p12 files get mode 0600.

    All or nothing (:mod:`pkilab.staging`): a run killed at any moment leaves the old
    set, the whole new set, or a folder without the files that make it a set
    (:data:`SET_GATE`) that the next run completes; two runs at once never mix their
    files. A new DIR is created with mode 0700.

    An existing CA key is never replaced silently: without ``force`` nothing is written
    when any file of the set exists (code ``would_overwrite``). With ``force`` the old
    set's files -- the fixed names, and the clients ``intermediate2.crt`` signed -- move
    to ``DIR/replaced-<UTC time>/``; a user's other files stay where they are.
    """
    from . import staging

    folder = _target(directory)
    files = certificate_set_files(cs, p12_password)  # before the lock: may take a while
    staging.make_parents(folder)
    with staging.locked(folder):
        staging.recover(folder)
        move_aside = _files_to_replace(folder, files, force)
        return staging.publish(folder, files, move_aside=move_aside, gate=SET_GATE)


def _target(directory: str | os.PathLike[str]) -> Path:
    from .files import check_path, name_too_long

    folder = Path(os.path.abspath(directory))
    check_path(folder)
    try:
        info = os.stat(folder)  # lexists() would hide ENAMETOOLONG
    except FileNotFoundError:
        return folder
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise name_too_long(folder) from None
        return folder  # a parent that is a file: make_folders explains it
    if not stat.S_ISDIR(info.st_mode):
        raise InputError(f"{str(directory)!r} is not a folder",
                         "pkilab init writes a folder of files", "name a folder",
                         code="not_a_folder")
    return Path(os.path.realpath(folder))  # a link to a folder: replace the folder itself


def _files_to_replace(folder: Path, files: dict[str, tuple[bytes, bool]],
                      force: bool) -> list[str]:
    """The names of ``folder`` that move to replaced-*/ (refuses without ``force``)."""
    if not folder.is_dir():
        return []
    existing = sorted(name for name in files if os.path.lexists(folder / name))
    if existing and not force:
        ca_keys = [n for n in existing if n in CA_FILES and n.endswith(".key")]
        what = ", ".join(ca_keys or existing[:3])
        raise OverwriteError(
            f"{str(folder)!r} already holds a certificate set ({what})",
            "replacing a CA key would orphan every certificate it signed",
            "use another folder, or pass --force (the old files are kept in a replaced-* "
            "folder)", code="would_overwrite")
    if not force:
        return []
    # The old set goes whole, clients this one lacks included (a stale alice.crt from
    # the old CA would look like part of the new set); a user's own files stay.
    return sorted({*existing, *old_set_files(folder)})


def old_set_files(folder: Path) -> list[str]:
    """The files of the set ``pkilab init`` wrote in ``folder``: the fixed names, and
    NAME.crt/.key/.p12 for each NAME.crt that ``intermediate2.crt`` signed."""
    names = [n for n in (*CA_FILES, "server.key", "server.crt", "fullchain.crt")
             if os.path.lexists(folder / n)]
    for client in set_clients(folder):
        names += [f"{client}{ext}" for ext in (".crt", ".key", ".p12")
                  if os.path.lexists(folder / f"{client}{ext}")]
    return names


def set_clients(folder: Path) -> list[str]:
    """NAME for each NAME.crt in ``folder`` issued by its ``intermediate2.crt``."""
    from .facts import signed_by
    from .load import load_certificate

    try:
        issuer = load_certificate(folder / "intermediate2.crt")
    except InputError:
        return []
    clients = []
    for path in sorted(folder.glob("*.crt")):
        if path.stem in _SET_STEMS or not path.is_file():
            continue
        try:
            if signed_by(load_certificate(path), issuer):
                clients.append(path.stem)
        except InputError:
            continue  # not a certificate, or not one: not part of the set
    return clients


@dataclass
class LoadedSet:
    """A certificate set read back from disk: paths, plus the objects in them.

    ``clients`` are the names whose ``NAME.crt`` ``intermediate2.crt`` signed.
    :meth:`certificate_set` loads the keys too and gives back what
    :func:`write_certificate_set` was given.
    """

    directory: Path
    root: x509.Certificate
    intermediates: list[x509.Certificate]
    server: x509.Certificate
    clients: list[str]

    def path(self, name: str) -> Path:
        return self.directory / name

    def certificate_set(self) -> CertificateSet:
        """The whole set with its private keys (raises InputError for a missing key)."""
        from .load import load_certificate, load_private_key

        def authority(stem: str, parent: CertificateAuthority | None) -> CertificateAuthority:
            return CertificateAuthority.from_pair(load_certificate(self.path(f"{stem}.crt")),
                                                  load_private_key(self.path(f"{stem}.key")),
                                                  parent)

        root = authority("root", None)
        intermediate1 = authority("intermediate1", root)
        intermediate2 = authority("intermediate2", intermediate1)
        chain = [intermediate2.certificate, intermediate1.certificate]

        def issued(stem: str, certificate: x509.Certificate | None = None) -> IssuedCertificate:
            cert = certificate or load_certificate(self.path(f"{stem}.crt"))
            return IssuedCertificate(cert, load_private_key(self.path(f"{stem}.key")), chain,
                                     root.certificate)

        return CertificateSet(root, intermediate1, intermediate2,
                              issued("server", self.server),
                              {name: issued(name) for name in self.clients})


def load_certificate_set(directory: str | os.PathLike[str]) -> LoadedSet:
    """Read what ``pkilab init DIR`` wrote; explains which file is missing."""
    from .load import load_certificate, load_certificates

    folder = Path(directory)
    if not folder.is_dir():
        raise InputError(f"{str(folder)!r} is not a folder", "",
                         f"make a set first: pkilab init {folder}", code="not_a_folder")
    missing = [n for n in SET_GATE if not (folder / n).exists()]
    if missing:
        raise InputError(f"{str(folder)!r} is not a complete certificate set",
                         "missing " + ", ".join(missing), f"run: pkilab init {folder}",
                         code="incomplete_set")
    fullchain = load_certificates(folder / "fullchain.crt")
    clients = [c for c in set_clients(folder) if (folder / f"{c}.key").exists()]
    return LoadedSet(folder, load_certificate(folder / "root.crt"), fullchain[1:],
                     load_certificate(folder / "server.crt"), clients)
