"""The seed's certificate set: root -> intermediate1 -> intermediate2 -> server and clients.

:func:`build_certificate_set` makes the whole set in memory (about a millisecond with
EC keys); :func:`write_certificate_set` puts it on disk under the seed's file names;
:func:`load_certificate_set` reads a folder back.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from .ca import CertificateAuthority, IssuedCertificate
from .errors import InputError, OverwriteError
from .files import write_output
from .keys import DEFAULT_KEY_KIND, PrivateKey
from .names import build_name

DEFAULT_SERVER_NAMES = ("localhost", "127.0.0.1")
DEFAULT_CLIENTS = ("client", "client2")
DEFAULT_P12_PASSWORD = "123456"  # the seed's example; keytool wants at least 6 characters

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
) -> CertificateSet:
    """The seed's chain, done right: every certificate valid under strict verification.

    ``subject`` gives the fields every certificate shares, in openssl's ``-subj`` form
    without the CN (the seed: "/C=CN/ST=bj/L=bj/O=alibaba/OU=test"); each certificate
    adds its own CN. Without it, every subject is ``/O=<organization>/CN=...``.
    ``seed`` makes every key, serial and date repeatable (lessons, fixtures).
    """
    if not server_names:
        raise InputError("no server names given", "the server certificate needs at least one",
                         "pass --server-name localhost")
    if len(set(clients)) != len(clients):
        raise InputError("a client name is given twice", "each client gets its own files",
                         "give distinct --client names")
    for client in clients:
        if client in ("root", "intermediate1", "intermediate2", "server", "fullchain") or \
                not client or "/" in client or client.startswith("."):
            raise InputError(f"{client!r} cannot be a client name",
                             "it would clash with another file of the set",
                             "pick a plain name such as alice or client3")
    base = _base_fields(subject) if subject else [("O", organization)]
    label = dict(base).get("O", organization)

    def named(common_name: str) -> x509.Name:
        return build_name(dict([*base, ("CN", common_name)]))

    root = CertificateAuthority.create_root(
        named(f"{label} Root CA"), key_kind=key_kind, seed=seed, not_before=not_before)
    intermediate1 = root.issue_intermediate(
        named(f"{label} Intermediate CA 1"), path_length=1, not_before=not_before)
    intermediate2 = intermediate1.issue_intermediate(
        named(f"{label} Intermediate CA 2"), path_length=0, not_before=not_before)
    server = intermediate2.issue_server(
        list(server_names), subject=named(str(server_names[0])), not_before=not_before)
    issued = {name: intermediate2.issue_client(name, subject=named(name), not_before=not_before)
              for name in clients}
    return CertificateSet(root, intermediate1, intermediate2, server, issued)


def _base_fields(subject: str) -> list[tuple[str, str]]:
    from .names import name_fields, parse_subj

    fields = list(name_fields(parse_subj(subject)).items())
    if any(field == "CN" for field, _ in fields):
        raise InputError(
            f"the shared subject {subject!r} has a CN",
            "each certificate gets its own Common Name (the seed warns that the root's CN "
            "must differ from the server's and the clients')",
            "leave /CN=... out, e.g. /C=CN/ST=bj/L=bj/O=alibaba/OU=test")
    return fields


def _key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _cert_pem(*certificates: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def client_p12(client: IssuedCertificate, name: str, password: str) -> bytes:
    """The client's key, certificate and intermediates as PKCS#12 (AES-256, PBKDF2)."""
    if not password:
        raise InputError("the PKCS#12 password is empty",
                         "keytool and Java list 0 entries in an unencrypted .p12 (no password) "
                         "with a key",
                         "give --p12-password (at least 6 characters for keytool)")
    # OpenSSL 3's `openssl pkcs12 -export` parameters (the seed's command): AES-256-CBC,
    # PBKDF2-SHA256 with 2048 rounds, SHA-256 MAC. BestAvailableEncryption uses 20000
    # rounds: 12 ms more per file, and a lab password printed on screen gains nothing.
    encryption = (serialization.PrivateFormat.PKCS12.encryption_builder()
                  .kdf_rounds(2048)
                  .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
                  .hmac_hash(hashes.SHA256())
                  .build(password.encode()))
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

    An existing CA key is never replaced silently: without ``force`` nothing is written
    when any file of the set exists. With ``force`` the old files are first moved to
    ``DIR/replaced-<UTC time>/``, so nothing is lost.
    """
    folder = Path(directory)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{str(folder)!r} is a file", "pkilab init writes a folder of files",
                         "name a folder")
    files = certificate_set_files(cs, p12_password)
    existing = [name for name in files if (folder / name).exists()]
    if existing and force:
        # Everything of the old set goes, clients it had that this one lacks included:
        # a stale alice.crt from the old CA would otherwise look like part of this set.
        existing = sorted({*existing, *(p.name for p in folder.iterdir() if p.is_file()
                                         and p.suffix in (".crt", ".key", ".p12"))})
    if existing and not force:
        ca_keys = [n for n in existing if n in CA_FILES and n.endswith(".key")]
        what = ", ".join(ca_keys or existing[:3])
        raise OverwriteError(
            f"{str(folder)!r} already holds a certificate set ({what})",
            "replacing a CA key would orphan every certificate it signed",
            "use another folder, or pass --force (the old files are kept in a replaced-* "
            "folder)")
    if existing:
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        backup = folder / f"replaced-{stamp}"
        backup.mkdir(parents=True)
        for name in existing:
            shutil.move(str(folder / name), str(backup / name))
    folder.mkdir(parents=True, exist_ok=True)
    return [write_output(folder / name, data, private=private)
            for name, (data, private) in files.items()]


@dataclass
class LoadedSet:
    """A certificate set read back from disk: paths, plus the objects in them."""

    directory: Path
    root: x509.Certificate
    intermediates: list[x509.Certificate]
    server: x509.Certificate
    clients: list[str]

    def path(self, name: str) -> Path:
        return self.directory / name


def load_certificate_set(directory: str | os.PathLike[str]) -> LoadedSet:
    """Read what ``pkilab init DIR`` wrote; explains which file is missing."""
    from .load import load_certificate, load_certificates

    folder = Path(directory)
    if not folder.is_dir():
        raise InputError(f"{str(folder)!r} is not a folder", "",
                         f"make a set first: pkilab init {folder}")
    missing = [n for n in ("root.crt", "server.crt", "server.key", "fullchain.crt")
               if not (folder / n).exists()]
    if missing:
        raise InputError(f"{str(folder)!r} is not a complete certificate set",
                         "missing " + ", ".join(missing), f"run: pkilab init {folder}")
    fullchain = load_certificates(folder / "fullchain.crt")
    clients = sorted(p.stem for p in folder.glob("*.crt")
                     if p.stem not in ("root", "intermediate1", "intermediate2", "server",
                                       "fullchain") and (folder / f"{p.stem}.key").exists())
    return LoadedSet(folder, load_certificate(folder / "root.crt"), fullchain[1:],
                     load_certificate(folder / "server.crt"), clients)
