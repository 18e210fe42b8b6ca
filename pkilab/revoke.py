"""Revoking a certificate of a set: the CRL files next to the certificates.

Each CA of the set keeps its own list, signed with its own key:

=================  ===========================  =================================
CRL file           signed by                    lists
=================  ===========================  =================================
``crl.pem``        intermediate2                the set's leaves (server, clients)
``crl-intermediate1.pem``  intermediate1        intermediate2, when it is revoked
``crl-root.pem``   root                         intermediate1, when it is revoked
=================  ===========================  =================================

``crl.pem`` is the one ``pkilab serve`` and ``openssl verify -crl_check`` use: a client
certificate is always issued by intermediate2. Each revocation also makes sure the CAs
above the issuer publish a list (empty when nothing of theirs is revoked): nginx's
``ssl_crl`` checks every certificate of the chain (OpenSSL's ``CRL_CHECK_ALL``) and
refuses a chain with a CA that has no CRL, so it loads all of them
(:func:`crl_chain`). The root itself cannot be revoked: nobody above it signs a list
(remove it from the trust store instead).

There is no unrevoke. A revoked certificate's key may be in someone else's hands; the
only safe way back is a new certificate (``CertificateAuthority.renew`` with a new key).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from . import crl as crls
from .crl import CRL_DAYS, Revocation
from .errors import InputError

#: issuer stem -> the file of the CRL it signs.
CRL_FILES = {"intermediate2": "crl.pem", "intermediate1": "crl-intermediate1.pem",
             "root": "crl-root.pem"}
MAX_CRL_DAYS = 36525
_ISSUER_OF = {"intermediate1": "root", "intermediate2": "intermediate1"}


@dataclass(frozen=True)
class RevokeResult:
    """What :func:`revoke_certificate` did: ``changed`` is False when the certificate
    was already on the list (nothing was written)."""

    name: str
    revocation: Revocation
    crl_path: Path
    crl_number: int
    issuer: str
    changed: bool

    def text(self) -> str:
        r = self.revocation
        if not self.changed:
            return (f"{self.name} was already revoked on {r.date:%Y-%m-%d %H:%M} UTC "
                    f"({r.reason}); {self.crl_path.name} is unchanged (CRL number "
                    f"{self.crl_number})")
        return (f"revoked {self.name} (serial {r.serial:x}) on {r.date:%Y-%m-%d %H:%M} UTC "
                f"({r.reason}): {self.crl_path.name}, signed by {self.issuer}, CRL number "
                f"{self.crl_number}")

    __str__ = text


def _issuer_stem(folder: Path, name: str, certificate: x509.Certificate) -> str:
    from .facts import signed_by
    from .load import load_certificate

    if name == "root":
        raise InputError("the root cannot be revoked",
                         "a CRL is signed by the certificate's issuer, and nobody is above "
                         "the root", "stop trusting it: remove root.crt from every trust "
                         "store, then make a new set", code="cannot_revoke_root")
    if name in _ISSUER_OF:
        return _ISSUER_OF[name]
    if name == "fullchain":
        raise InputError("fullchain.crt is a bundle, not one certificate",
                         "it holds server.crt and the intermediates",
                         "name the certificate: pkilab revoke DIR server", code="not_in_set")
    issuer = load_certificate(folder / "intermediate2.crt")
    if not signed_by(certificate, issuer):
        raise InputError(f"{name}.crt was not issued by this set's intermediate2",
                         "pkilab revoke lists only certificates the set's own CAs signed",
                         "name a certificate of this set (server, client, client2, "
                         "intermediate2, intermediate1)", code="not_in_set")
    return "intermediate2"


def _existing(path: Path, issuer: x509.Certificate) -> x509.CertificateRevocationList | None:
    from .files import read_input

    if not path.exists():
        return None
    found = crls.parse_crls(read_input(path, what="CRL"), repr(str(path)))[0]
    if not crls.signed_by(found, issuer):
        raise InputError(f"{path.name} was not signed by this set's CA",
                         "adding to a list another key signed would make its entries "
                         "look like this CA's word", f"move {path.name} away and revoke "
                         "again (the new list starts empty)", code="crl_bad_signature")
    return found


def revoke_certificate(folder: str | os.PathLike[str], name: str, reason: str = "unspecified",
                       *, at: dt.datetime | None = None, days: int = CRL_DAYS
                       ) -> RevokeResult:
    """Put ``NAME.crt`` of the set in ``folder`` on its issuer's CRL (see the table above).

    ``reason`` is one of :data:`pkilab.crl.REASONS`; ``at`` the revocation time and the
    new list's thisUpdate (default: now); ``days`` how long the list is valid. The CRL
    number grows by one with each new list. Revoking a certificate that is already on
    the list changes nothing (``changed`` False; the first date and reason stay).
    Codes: ``cannot_revoke_root``, ``not_in_set``, ``unknown_reason``,
    ``crl_bad_signature`` (an existing list another key signed), plus the file codes.
    """
    from .certset import load_certificate_set
    from .staging import locked

    crls.reason_flag(reason)
    _check_days(days)
    if not isinstance(name, str) or not name or any(c in name for c in "/\\:") or \
            name.startswith("."):
        raise InputError(f"{name!r} is not the name of a certificate of the set",
                         "it names NAME.crt in the set's folder, nothing outside it",
                         "pass a plain name such as client2", code="not_in_set")
    directory = load_certificate_set(folder).directory
    with locked(directory):  # two revokes at once must not drop each other's entry
        return _revoke(directory, name, reason, at, days)


def _revoke(directory: Path, name: str, reason: str, at: dt.datetime | None, days: int
            ) -> RevokeResult:
    from .files import write_output
    from .load import load_certificate, load_private_key

    certificate = load_certificate(directory / f"{name}.crt")
    stem = _issuer_stem(directory, name, certificate)
    issuer = load_certificate(directory / f"{stem}.crt")
    path = directory / CRL_FILES[stem]
    old = _existing(path, issuer)
    entry = crls.revocation_of(old, certificate) if old is not None else None
    if old is not None and entry is not None:
        return RevokeResult(name, entry, path, crls.crl_number(old) or 0, stem, False)
    when = (at or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    entry = Revocation(certificate.serial_number, when.replace(microsecond=0), reason)
    number = (crls.crl_number(old) or 0) + 1 if old is not None else 1
    new = crls.build_crl(issuer, load_private_key(directory / f"{stem}.key"),
                         [*(crls.revocations(old) if old is not None else []), entry],
                         number=number, this_update=when, days=days)
    write_output(path, crls.crl_pem(new), overwrite=True)
    _publish_empty_lists_above(directory, stem, when, days)
    return RevokeResult(name, entry, path, number, stem, True)


def _publish_empty_lists_above(directory: Path, stem: str, when: dt.datetime, days: int
                               ) -> None:
    from .files import write_output
    from .load import load_certificate, load_private_key

    while stem in _ISSUER_OF:
        stem = _ISSUER_OF[stem]
        path = directory / CRL_FILES[stem]
        if path.exists():
            continue
        empty = crls.build_crl(load_certificate(directory / f"{stem}.crt"),
                               load_private_key(directory / f"{stem}.key"), [], number=1,
                               this_update=when, days=days)
        write_output(path, crls.crl_pem(empty), overwrite=True)


def crl_chain(folder: str | os.PathLike[str]) -> bytes:
    """Every CRL of the set in one PEM (``crl.pem`` first): nginx's ``ssl_crl`` file."""
    from .files import read_input

    directory = Path(folder)
    return b"".join(read_input(directory / name, what="CRL") for name in CRL_FILES.values()
                    if (directory / name).is_file())


def refresh_crls(folder: str | os.PathLike[str], *, at: dt.datetime | None = None,
                 days: int = CRL_DAYS) -> list[RevokeResult]:
    """:func:`refresh_crl` for each CRL the set has (none yet: an empty list)."""
    found = [refresh_crl(folder, stem, at=at, days=days) for stem in CRL_FILES]
    return [r for r in found if r is not None]


def refresh_crl(folder: str | os.PathLike[str], issuer: str = "intermediate2", *,
                at: dt.datetime | None = None, days: int = CRL_DAYS) -> RevokeResult | None:
    """Re-sign ``issuer``'s CRL with the same entries, a new window and the next number.

    A CA must publish a fresh list before nextUpdate even when nothing new was revoked,
    or every verifier starts refusing (``crl_expired``). Returns None when ``issuer``
    has no CRL yet (nothing was ever revoked: nothing to refresh).
    """
    from .certset import load_certificate_set
    from .files import write_output
    from .load import load_certificate, load_private_key
    from .staging import locked

    _check_days(days)
    if issuer not in CRL_FILES:
        raise InputError(f"{issuer!r} signs no CRL of the set", "",
                         "name intermediate2, intermediate1 or root", code="not_in_set")
    directory = load_certificate_set(folder).directory
    with locked(directory):
        certificate = load_certificate(directory / f"{issuer}.crt")
        path = directory / CRL_FILES[issuer]
        old = _existing(path, certificate)
        if old is None:
            return None
        when = (at or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
        number = (crls.crl_number(old) or 0) + 1
        entries = crls.revocations(old)
        new = crls.build_crl(certificate, load_private_key(directory / f"{issuer}.key"),
                             entries, number=number, this_update=when, days=days)
        write_output(path, crls.crl_pem(new), overwrite=True)
    last = entries[-1] if entries else Revocation(0, when, "unspecified")
    return RevokeResult(issuer, last, path, number, issuer, True)


def _check_days(days: object) -> None:
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_CRL_DAYS:
        raise InputError(f"days={days!r} is not a CRL lifetime", "a CRL needs a nextUpdate "
                         "after its thisUpdate, within a century",
                         f"pass a whole number of days from 1 to {MAX_CRL_DAYS}",
                         code="bad_days")


def load_crls(*sources: str | os.PathLike[str] | bytes) -> list[x509.CertificateRevocationList]:
    """The CRLs in files, folders or bytes: a folder gives its ``crl*.pem`` files.

    A file may hold several PEM CRLs or one DER CRL (code ``not_a_crl`` otherwise).
    """
    from .files import read_input

    found: list[x509.CertificateRevocationList] = []
    for source in sources:
        if isinstance(source, bytes):
            found += crls.parse_crls(source)
            continue
        path = Path(source)
        if path.is_dir():
            for name in CRL_FILES.values():
                if (path / name).is_file():
                    found += crls.parse_crls(read_input(path / name, what="CRL"),
                                             repr(str(path / name)))
            continue
        found += crls.parse_crls(read_input(path, what="CRL"), repr(str(path)))
    return found
