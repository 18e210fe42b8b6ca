"""What the lab server serves, and whom it trusts: one adapter from what a learner passes.

:class:`~pkilab.tls.HTTPSServer` takes exactly three kinds of source, and this module
turns each into one :class:`ServerMaterial` (which satisfies :class:`ServerIdentitySource`,
the only thing the server reads):

* a folder written by ``pkilab init`` (a path);
* a :class:`~pkilab.certset.CertificateSet` (the same set, in memory);
* a server :class:`~pkilab.ca.IssuedCertificate` (its chain and root come with it).

Anything else is an :class:`~pkilab.errors.InputError` with code
``unsupported_server_source``.

Trust: the only anchor for client certificates is the set's root (``root.crt``). The
intermediates the server uses to build a client's path are the set's own
(``intermediate1.crt``, ``intermediate2.crt``), and each must be signed by the root or by
an intermediate that is; a folder's other ``.crt`` files (an ``intermediate-extra.crt``
dropped in, say) are never trusted: they are listed in :attr:`ServerMaterial.ignored` so
``pkilab serve`` can say so.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from cryptography import x509

from ..ca import IssuedCertificate
from ..certset import CertificateSet
from ..errors import InputError
from ..facts import is_self_signed, same_certificate, signed_by
from ..names import short_name

ChainChoice = Literal["full", "leaf"]

#: The files of a set that are not clients; a client is a NAME.crt with its NAME.key.
_SET_CERTIFICATES = ("root.crt", "intermediate1.crt", "intermediate2.crt", "server.crt",
                     "fullchain.crt")


class ServerIdentitySource(Protocol):
    """What a server identity source must provide: everything :class:`HTTPSServer` reads.

    ``fullchain``: what the server sends, leaf first, then its intermediates (no root).
    ``private_key``: the leaf's key. ``client_roots``: the trust anchors for client
    certificates (the set's root). ``client_intermediates``: CAs below those roots that
    may have issued client certificates, each chaining to a root. ``ignored``: files of
    the source that were deliberately not used, for the server's startup note.
    """

    @property
    def fullchain(self) -> list[x509.Certificate]: ...

    @property
    def private_key(self) -> Any: ...

    @property
    def client_roots(self) -> list[x509.Certificate]: ...

    @property
    def client_intermediates(self) -> list[x509.Certificate]: ...

    @property
    def ignored(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class ServerMaterial:
    """The one :class:`ServerIdentitySource` pkilab makes (see :func:`server_source`)."""

    fullchain: list[x509.Certificate]
    private_key: Any
    client_roots: list[x509.Certificate]
    client_intermediates: list[x509.Certificate]
    ignored: tuple[str, ...] = ()
    #: the folder's crl.pem (intermediate2's CRL), when there is one
    crls: tuple[x509.CertificateRevocationList, ...] = ()


def server_source(source: object, chain: str = "full") -> ServerMaterial:
    """Adapt a folder, a :class:`CertificateSet` or an :class:`IssuedCertificate`.

    ``chain="leaf"`` keeps only the server's own certificate in ``fullchain`` (the
    "works in my browser, fails in curl" mistake, on purpose).
    """
    if chain not in ("full", "leaf"):
        raise InputError(f"unknown chain choice {chain!r}", "",
                         'pass chain="full" (fullchain.crt) or "leaf" (server.crt alone)',
                         code="unknown_chain_choice")
    if isinstance(source, (str, os.PathLike)):
        material = _from_folder(Path(source))
    elif isinstance(source, CertificateSet):
        material = _from_issued(source.server, [source.intermediate1.certificate,
                                                source.intermediate2.certificate])
    elif isinstance(source, IssuedCertificate):
        material = _from_issued(source, source.chain)
    else:
        raise InputError(f"cannot serve a {type(source).__name__}",
                         "a server needs its certificate chain, its private key and the root "
                         "that issued its clients",
                         "pass a folder made by pkilab init, a CertificateSet "
                         "(build_certificate_set) or a server IssuedCertificate "
                         "(ca.issue_server)", code="unsupported_server_source")
    if chain == "leaf":
        material = ServerMaterial(material.fullchain[:1], material.private_key,
                                  material.client_roots, material.client_intermediates,
                                  material.ignored, material.crls)
    return material


def _from_issued(issued: IssuedCertificate, intermediates: Sequence[x509.Certificate]
                 ) -> ServerMaterial:
    if issued.private_key is None:
        raise InputError("this server certificate has no private key with it",
                         "it was signed from someone else's CSR",
                         "serve a folder or set that holds server.key", code="missing_key")
    roots = [issued.root]
    return ServerMaterial(issued.fullchain, issued.private_key, roots,
                          chained_intermediates(roots, intermediates, "the set"))


def _from_folder(folder: Path) -> ServerMaterial:
    from ..certset import load_certificate_set
    from ..load import load_certificate, load_certificates, load_private_key

    loaded = load_certificate_set(folder)  # explains a missing folder or file
    intermediates = [load_certificate(folder / name)
                     for name in ("intermediate1.crt", "intermediate2.crt")
                     if (folder / name).is_file()]
    roots = [loaded.root]
    return ServerMaterial(load_certificates(folder / "fullchain.crt"),
                          load_private_key(folder / "server.key"), roots,
                          chained_intermediates(roots, intermediates, str(folder)),
                          _not_in_the_set(folder, loaded.clients), _folder_crls(folder))


def _folder_crls(folder: Path) -> tuple[x509.CertificateRevocationList, ...]:
    """DIR/crl.pem, the list of the CA that issued the clients (none: no revocation)."""
    from ..revoke import load_crls

    return tuple(load_crls(folder / "crl.pem")) if (folder / "crl.pem").is_file() else ()


def chained_intermediates(roots: Sequence[x509.Certificate],
                          intermediates: Sequence[x509.Certificate], where: str
                          ) -> list[x509.Certificate]:
    """``intermediates``, after checking each is signed by a root or by one that is.

    A CA that does not chain to the root would let the server build paths that no
    verifier holding only the root accepts; it is refused, not quietly trusted.
    """
    reached = list(roots)
    left = [c for c in intermediates if not any(same_certificate(c, r) for r in roots)]
    progress = True
    while left and progress:
        progress = False
        for candidate in list(left):
            if any(signed_by(candidate, parent) for parent in reached):
                reached.append(candidate)
                left.remove(candidate)
                progress = True
    if left:
        names = ", ".join(repr(short_name(c.subject)) for c in left)
        root_names = ", ".join(repr(short_name(r.subject)) for r in roots)
        raise InputError(f"{names} in {where} does not chain to {root_names}",
                         "an intermediate CA the server relies on must be signed by the root "
                         "(or by an intermediate that is)",
                         "make the set again with pkilab init, or pass the matching "
                         "root", code="intermediate_not_from_root")
    return reached[len(roots):]


def split_client_cas(certificates: Sequence[x509.Certificate]
                     ) -> tuple[list[x509.Certificate], list[x509.Certificate]]:
    """``client_ca=`` as (roots, intermediates): the self-signed CAs are the anchors."""
    roots = [c for c in certificates if is_self_signed(c)]
    if not roots:
        raise InputError("client_ca holds no root certificate",
                         "a trust anchor is a self-signed CA (like root.crt); an intermediate "
                         "alone is not trusted as one (there is no partial-chain mode)",
                         "pass client_ca= the root (and, if you like, its intermediates)",
                         code="no_client_root")
    others = [c for c in certificates if not is_self_signed(c)]
    return roots, chained_intermediates(roots, others, "client_ca")


def _not_in_the_set(folder: Path, clients: Sequence[str]) -> tuple[str, ...]:
    """The ``.crt`` files in ``folder`` that the set does not own: never trusted."""
    own = set(_SET_CERTIFICATES) | {f"{name}.crt" for name in clients}
    return tuple(sorted(p.name for p in folder.glob("*.crt") if p.name not in own))
