"""A certificate authority: a self-signed root, intermediates, server and client leaves.

>>> root = CertificateAuthority.create_root("/C=CN/O=alibaba/CN=root")
>>> intermediate = root.issue_intermediate("/CN=Intermediate CA 1", path_length=1)
>>> server = intermediate.issue_server(["localhost", "127.0.0.1"])
>>> [c.subject.rfc4514_string() for c in server.fullchain]
['CN=localhost', 'CN=Intermediate CA 1']

Everything issued here carries the extensions RFC 5280 and Python 3.13's strict
verification want (see :mod:`pkilab.profiles`). Lessons pass ``seed="..."`` to get
the same keys, serial numbers and dates on every run; real sets stay random.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from . import facts
from . import keys as _keys
from .errors import InputError, PolicyError
from .keys import PrivateKey
from .names import as_name, format_subj, short_name
from .profiles import Profile, build_extensions, general_names, name_constraints, profile

#: Lessons built with a ``seed`` all start on this date, so their outputs never change.
LESSON_EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
#: Validity of every certificate in a lesson set: twenty years from LESSON_EPOCH, to
#: 2046-01-01, so the stored notebooks still pass when re-run ten years on (and the dates
#: stay UTCTime, which ends in 2049). Real server certificates live far shorter: see
#: :mod:`pkilab.doctor` for the CA/Browser Forum limits.
LESSON_DAYS = 7305
#: How far back "now" is moved for new certificates, so a clock a little behind still
#: accepts them (trustme and Let's Encrypt do the same).
CLOCK_SKEW = dt.timedelta(minutes=5)


def _signing_hash(key: PrivateKey) -> hashes.HashAlgorithm | None:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return None
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.key_size >= 384:
        return hashes.SHA384()
    return hashes.SHA256()


def _sign(builder: x509.CertificateBuilder, key: PrivateKey, deterministic: bool
          ) -> x509.Certificate:
    if isinstance(key, ec.EllipticCurvePrivateKey) and deterministic:
        # RFC 6979 signatures: byte-identical certificates for lessons stored with outputs.
        return builder.sign(key, _signing_hash(key), ecdsa_deterministic=True)
    return builder.sign(key, _signing_hash(key))


@dataclass
class IssuedCertificate:
    """A leaf (or a certificate signed from a CSR) with what a server or client needs.

    ``chain`` holds the intermediates from the issuer up to, but not including, the
    root: exactly what a server sends after its own certificate (``fullchain``).
    ``private_key`` is None when the certificate was signed from someone else's CSR.
    """

    certificate: x509.Certificate
    private_key: PrivateKey | None
    chain: list[x509.Certificate]
    root: x509.Certificate

    @property
    def fullchain(self) -> list[x509.Certificate]:
        """Leaf first, then each issuer: the seed's ``cat server.crt intermediate2.crt ...``."""
        return [self.certificate, *self.chain]

    @property
    def name(self) -> str:
        return short_name(self.certificate.subject)

    def _repr_html_(self) -> str:
        from .inspect import summary_html

        return summary_html(self.certificate)

    def __repr__(self) -> str:
        return f"<IssuedCertificate {format_subj(self.certificate.subject)!r}>"


@dataclass
class CertificateAuthority:
    """A CA certificate with its private key, and the CA above it (None for a root).

    Make a root with :meth:`create_root`, lower CAs with :meth:`issue_intermediate`,
    or load an existing pair with :meth:`from_pair`.
    """

    certificate: x509.Certificate
    private_key: PrivateKey
    parent: CertificateAuthority | None = None
    seed: str | None = None
    _issued: int = field(default=0, repr=False)
    #: (OCSP URL, CRL URL) put on every certificate this CA issues (see
    #: :func:`pkilab.profiles.revocation_pointers`); None: no revocation pointers
    revocation_urls: tuple[str | None, str | None] | None = None

    # ---- construction -------------------------------------------------------------

    @classmethod
    def create_root(
        cls,
        subject: x509.Name | str | dict[str, str] = "/O=pkilab/CN=pkilab Root CA",
        *,
        key_kind: str = _keys.DEFAULT_KEY_KIND,
        key: PrivateKey | None = None,
        days: int | None = None,
        path_length: int | None = None,
        seed: str | None = None,
        not_before: dt.datetime | None = None,
        insecure: bool = False,
    ) -> CertificateAuthority:
        """A self-signed root CA, valid ``days`` (10 years by default, as in the seed).

        ``seed`` makes the key, serial and dates repeatable (lessons only).
        ``path_length`` limits how many intermediates may stand below it (None: any).
        """
        name = as_name(subject)
        key = key or _new_key(key_kind, seed, name, insecure)
        shell = cls(certificate=None, private_key=key, seed=seed)  # type: ignore[arg-type]
        shell.certificate = shell._build(
            name, name, key.public_key(), profile("root"), days=days, path_length=path_length,
            sans=(), not_before=not_before)
        return shell

    @classmethod
    def from_pair(
        cls,
        certificate: x509.Certificate,
        private_key: PrivateKey,
        parent: CertificateAuthority | None = None,
        *,
        allow_invalid: bool = False,
    ) -> CertificateAuthority:
        """Use an existing CA certificate and key (for example ``root.crt`` + ``root.key``).

        Refuses a key that does not belong to the certificate, and a certificate that is
        not a CA (basicConstraints CA:TRUE) unless ``allow_invalid`` — lessons use that
        to show what verifiers do with certificates signed by a leaf.
        """
        facts.require_key_matches(private_key, certificate,
                                  fix="pass the .key file made together with this .crt")
        if not facts.is_ca(certificate) and not allow_invalid:
            raise PolicyError(
                f"{short_name(certificate.subject)!r} is not a CA certificate",
                "it lacks basicConstraints CA:TRUE, so verifiers reject whatever it signs "
                "(this is the seed's v1 intermediate problem)",
                "issue it as a CA (issue_intermediate), or pass allow_invalid=True on purpose",
                code="not_a_ca",
            )
        return cls(certificate=certificate, private_key=private_key, parent=parent)

    # ---- what the CA is ------------------------------------------------------------

    @property
    def name(self) -> str:
        return short_name(self.certificate.subject)

    @property
    def is_root(self) -> bool:
        return self.parent is None

    @property
    def root(self) -> x509.Certificate:
        ca = self
        while ca.parent is not None:
            ca = ca.parent
        return ca.certificate

    @property
    def chain(self) -> list[x509.Certificate]:
        """This CA's certificate and every CA above it, the root last."""
        out, ca = [], self
        while ca is not None:
            out.append(ca.certificate)
            ca = ca.parent
        return out

    @property
    def intermediates(self) -> list[x509.Certificate]:
        """The CA certificates a server sends for a leaf this CA signs (no root)."""
        return self.chain[:-1]

    # ---- issuing --------------------------------------------------------------------

    def issue_intermediate(
        self,
        subject: x509.Name | str | dict[str, str],
        *,
        path_length: int | None = 0,
        key_kind: str | None = None,
        key: PrivateKey | None = None,
        days: int | None = None,
        not_before: dt.datetime | None = None,
        allow_invalid: bool = False,
        permitted_dns: Sequence[str] = (),
        permitted_ips: Sequence[str] = (),
        allow_outside_constraints: bool = False,
    ) -> CertificateAuthority:
        """A CA below this one. ``path_length`` = how many more CAs may follow below it.

        The seed's chain root -> intermediate1 -> intermediate2 -> server needs
        ``path_length=1`` on intermediate1 and 0 on intermediate2.

        ``permitted_dns`` / ``permitted_ips`` give the new CA a critical nameConstraints
        extension: it, and every CA below it, may then vouch only for those names
        (see :func:`pkilab.profiles.name_constraints` for what the entries mean).
        """
        limit = facts.path_length(self.certificate)
        if limit is not None and limit < 1 and not allow_invalid:
            raise PolicyError(
                f"{self.name!r} may not sign another CA",
                f"its basicConstraints pathLenConstraint is {limit}, so a CA below it "
                "would fail every verifier ('path length constraint violated')",
                f"re-issue {self.name!r} with path_length=1 or more, or pass "
                "allow_invalid=True to build the broken chain on purpose",
                code="path_length_exceeded",
            )
        name = as_name(subject)
        constraints = name_constraints(permitted_dns, permitted_ips)
        if not allow_outside_constraints and name != self.certificate.subject:
            # RFC 5280 6.1.3 (b): a self-issued CA is not held to the constraints above it
            refuse_outside_constraints(self._constraints(), name, (), is_ca=True)
        key = key or _new_key(key_kind or self._key_kind(), self.seed, name, False)
        certificate = self._build(name, self.certificate.subject, key.public_key(),
                                  profile("intermediate"), days=days, path_length=path_length,
                                  sans=(), not_before=not_before, constraints=constraints)
        return CertificateAuthority(certificate, key, parent=self, seed=self.seed)

    def issue_server(
        self,
        names: Sequence[str],
        *,
        subject: x509.Name | str | dict[str, str] | None = None,
        key_kind: str | None = None,
        key: PrivateKey | None = None,
        days: int | None = None,
        not_before: dt.datetime | None = None,
        allow_outside_constraints: bool = False,
    ) -> IssuedCertificate:
        """A TLS server certificate for host names and IP addresses (subjectAltName).

        Browsers ignore the CN (Chrome since 2017) and so does pkilab's client; Python's
        ``ssl`` and curl still fall back to it when there is no subjectAltName. The
        names must be in the subjectAltName, which is why ``names`` is required. The
        subject defaults to ``CN=<first name>`` so that tools that still print the CN
        show something useful.

        Under a CA with name constraints (its own or one above it), names outside them
        are refused (code ``outside_name_constraints``): every verifier would refuse the
        certificate. ``allow_outside_constraints=True`` issues it anyway, on purpose.
        """
        if isinstance(names, str):
            names = [names]
        if not names:
            raise InputError(
                "a server certificate needs at least one name",
                "clients match the host they connect to against the subjectAltName; "
                "without one every modern client rejects the certificate",
                "pass names=['localhost', '127.0.0.1'] or your server's DNS name",
                code="no_names",
            )
        sans = general_names(names)
        return self._issue_leaf(profile("server"), subject if subject is not None
                                else {"CN": str(names[0])}, sans, key_kind, key, days,
                                not_before, allow_outside_constraints)

    def issue_client(
        self,
        name: str,
        *,
        subject: x509.Name | str | dict[str, str] | None = None,
        emails: Sequence[str] | None = None,
        key_kind: str | None = None,
        key: PrivateKey | None = None,
        days: int | None = None,
        not_before: dt.datetime | None = None,
        allow_outside_constraints: bool = False,
    ) -> IssuedCertificate:
        """A client certificate (extendedKeyUsage clientAuth) for mutual TLS.

        ``name`` becomes the CN, which servers usually show or match against an allow
        list. The subjectAltName holds ``emails``, by default ``NAME@pkilab.test``:
        cryptography's client verifier (like the web PKI rules it follows) requires a
        subjectAltName on client certificates too. Name constraints of the CAs above
        are enforced as in :meth:`issue_server`.
        """
        if not name or not str(name).strip():
            raise InputError("a client certificate needs a name", "", "pass name='client'",
                             code="no_names")
        if emails is None:
            emails = [default_client_email(str(name))]
        sans = general_names(emails)
        return self._issue_leaf(profile("client"),
                                subject if subject is not None else {"CN": name},
                                sans, key_kind, key, days, not_before,
                                allow_outside_constraints)

    def sign_csr(
        self,
        csr: x509.CertificateSigningRequest,
        *,
        kind: str = "server",
        names: Sequence[str] | None = None,
        days: int | None = None,
        path_length: int | None = 0,
        not_before: dt.datetime | None = None,
        allow_outside_constraints: bool = False,
    ) -> IssuedCertificate:
        """Issue a certificate for someone else's key, from their CSR.

        This is the seed's ``openssl x509 -req -in server.csr -CA ... -CAkey ...`` step,
        done right: the CSR's signature is checked first (proof that the requester
        holds the private key), and the profile's extensions are added. ``names``
        defaults to the subjectAltName requested in the CSR. Name constraints of the
        CAs above are enforced as in :meth:`issue_server`.
        """
        from .csr import check_csr, requested_names

        check_csr(csr)
        prof = profile(kind)
        if names is None:
            names = requested_names(csr)
        if not names and kind == "client":
            # Client verifiers want a subjectAltName too: the same default as issue_client.
            names = [default_client_email(short_name(csr.subject))]
        sans = general_names(names or ())
        if prof.needs_subject_alt_name and not sans:
            raise InputError(
                "the CSR asks for a server certificate but names no host",
                "it has no subjectAltName and no names were given",
                "pass names=['your.host'] (pkilab sign --name)",
                code="no_names",
            )
        if not allow_outside_constraints:
            refuse_outside_constraints(self._constraints(), csr.subject, sans,
                                       is_ca=prof.is_ca)
        public_key = csr.public_key()
        certificate = self._build(csr.subject, self.certificate.subject, public_key, prof,
                                  days=days, path_length=path_length if prof.is_ca else None,
                                  sans=sans, not_before=not_before,
                                  subject_is_empty=len(csr.subject) == 0)
        return IssuedCertificate(certificate, None, self.intermediates, self.root)

    def renew(self, certificate: x509.Certificate, *, days: int | None = None,
              not_before: dt.datetime | None = None) -> x509.Certificate:
        """The same subject, key and extensions, with new dates and a new serial number.

        The seed's point: as long as the key has not leaked, a certificate can be renewed
        with the same key. Renewing this CA's own certificate (a root) works too.
        """
        self_signed = certificate.subject == certificate.issuer and facts.same_public_key(
            certificate, self.private_key)
        if certificate.issuer != self.certificate.subject and not self_signed:
            raise InputError(
                f"{short_name(certificate.subject)!r} was not issued by {self.name!r}",
                f"its issuer is {format_subj(certificate.issuer)!r}",
                "renew it with the CA that issued it",
                code="wrong_issuer",
            )
        lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
        start = not_before or self._now()
        builder = (x509.CertificateBuilder()
                   .subject_name(certificate.subject)
                   .issuer_name(certificate.issuer)
                   .public_key(certificate.public_key())
                   .serial_number(self._serial(certificate.subject, "renew"))
                   .not_valid_before(start)
                   .not_valid_after(start + (dt.timedelta(days=days) if days else lifetime)))
        for extension in facts.extensions(certificate):
            builder = builder.add_extension(extension.value, extension.critical)
        return _sign(builder, self.private_key, self.seed is not None)

    # ---- internals ------------------------------------------------------------------

    def _issue_leaf(self, prof: Profile, subject, sans, key_kind, key, days, not_before,
                    allow_outside_constraints: bool = False) -> IssuedCertificate:
        name = as_name(subject)
        if not allow_outside_constraints:  # before the key: a refusal should be quick
            refuse_outside_constraints(self._constraints(), name, sans)
        key = key or _new_key(key_kind or self._key_kind(), self.seed, name, False)
        certificate = self._build(name, self.certificate.subject, key.public_key(), prof,
                                  days=days, path_length=None, sans=sans,
                                  not_before=not_before, subject_is_empty=len(name) == 0)
        return IssuedCertificate(certificate, key, self.intermediates, self.root)

    def _constraints(self) -> list[tuple[str, x509.NameConstraints]]:
        """(CA name, its nameConstraints) for this CA and each CA above that has them."""
        found = []
        for certificate in self.chain:
            constraints = facts.extension(certificate, x509.NameConstraints)
            if constraints is not None:
                found.append((short_name(certificate.subject), constraints))
        return found

    def _key_kind(self) -> str:
        key = self.private_key
        if isinstance(key, rsa.RSAPrivateKey):
            return f"rsa{key.key_size}"
        if isinstance(key, ed25519.Ed25519PrivateKey):
            return "ed25519"
        if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.key_size >= 384:
            return "ec384"
        return "ec"

    def _now(self) -> dt.datetime:
        if self.seed is not None:
            return LESSON_EPOCH
        return dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - CLOCK_SKEW

    def _serial(self, subject: x509.Name, purpose: str) -> int:
        self._issued += 1
        if self.seed is None:
            return x509.random_serial_number()
        digest = hashlib.sha256(
            f"{self.seed}|{format_subj(subject)}|{purpose}|{self._issued}".encode()).digest()
        # Positive, at most 20 octets, never zero (RFC 5280 4.1.2.2).
        return (int.from_bytes(digest[:19], "big") >> 1) | 1

    def _build(self, subject: x509.Name, issuer: x509.Name, public_key, prof: Profile, *,
               days: int | None, path_length: int | None, sans, not_before,
               subject_is_empty: bool = False,
               constraints: x509.NameConstraints | None = None) -> x509.Certificate:
        if days is not None and days <= 0 and not_before is None:
            raise InputError(f"validity of {days} days is not positive", "",
                             "give days=1 or more (or not_before in the past for an expired "
                             "certificate)", code="bad_validity")
        start = not_before or self._now()
        if days is None:
            # Lesson sets must stay valid for years so stored outputs keep matching.
            days = LESSON_DAYS if self.seed is not None else prof.default_days
        end = start + dt.timedelta(days=days)
        issuer_key = (self.private_key.public_key() if self.certificate is None
                      else self.certificate.public_key())
        extensions = build_extensions(prof, public_key, issuer_key, path_length=path_length,
                                      subject_alt_names=sans, subject_is_empty=subject_is_empty,
                                      constraints=constraints)
        if self.certificate is not None:
            extensions = [_aki_from_issuer(self.certificate, ext) for ext in extensions]
            if self.revocation_urls is not None:
                from .profiles import revocation_pointers

                extensions += revocation_pointers(*self.revocation_urls)
        builder = (x509.CertificateBuilder()
                   .subject_name(subject)
                   .issuer_name(issuer)
                   .public_key(public_key)
                   .serial_number(self._serial(subject, prof.name))
                   .not_valid_before(start)
                   .not_valid_after(end))
        for value, critical in extensions:
            builder = builder.add_extension(value, critical)
        return _sign(builder, self.private_key, self.seed is not None)

    def _repr_html_(self) -> str:
        from .inspect import summary_html

        return summary_html(self.certificate)


def refuse_outside_constraints(constrained: Sequence[tuple[str, x509.NameConstraints]],
                               subject: x509.Name, sans: Sequence[x509.GeneralName], *,
                               is_ca: bool = False) -> None:
    """Raise PolicyError (code ``outside_name_constraints``) when a certificate with this
    subject and these subjectAltNames would break a constraint in ``constrained``
    ((CA name, nameConstraints) pairs).

    The judge is :func:`pkilab.constraints.violations`, the same that ``verify_chain``
    uses, asked about a stand-in certificate with the same names (signed with a
    throw-away key, so no real key has to exist yet). Its rules include OpenSSL's CN
    fallback: a leaf whose subject CN looks like a host name and that has no DNS
    subjectAltName is checked by that CN.
    """
    if not constrained:
        return
    from .constraints import violations

    stand_in = _stand_in(subject, sans, is_ca)
    found = [(ca, v) for ca, nc in constrained for v in violations(nc, stand_in)]
    if not found:
        return
    ca = found[0][0]
    outside = list(dict.fromkeys(repr(v.name) for _, v in found))
    raise PolicyError(
        f"{', '.join(outside)} {'is' if len(outside) == 1 else 'are'} outside the name "
        f"constraints of {ca!r}",
        "; ".join(dict.fromkeys(v.text for _, v in found)) + ": every verifier (OpenSSL: "
        "'permitted subtree violation') would refuse the certificate",
        "issue it only for names inside the permitted subtrees, or make the CA with those "
        "names permitted too (pkilab init --permitted-dns / --permitted-ip); to make the "
        "broken certificate on purpose, pass allow_outside_constraints=True",
        code="outside_name_constraints")


def _stand_in(subject: x509.Name, sans: Sequence[x509.GeneralName], is_ca: bool
              ) -> x509.Certificate:
    """A certificate that claims exactly these names: all the constraints judge reads."""
    key = ed25519.Ed25519PrivateKey.generate()  # microseconds; never leaves this function
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
               .public_key(key.public_key()).serial_number(1)
               .not_valid_before(LESSON_EPOCH).not_valid_after(LESSON_EPOCH)
               .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), True))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(sans)), False)
    return builder.sign(key, None)


def _aki_from_issuer(issuer: x509.Certificate, item):
    """Copy the issuer's own subjectKeyIdentifier into the AKI, so the two always match
    even when the issuer was made by another tool with another key-id method."""
    value, critical = item
    if not isinstance(value, x509.AuthorityKeyIdentifier):
        return item
    ski = facts.extension(issuer, x509.SubjectKeyIdentifier)
    if ski is None:
        return item
    return (x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical)


def default_client_email(name: str) -> str:
    """``NAME@pkilab.test``: a reserved domain (RFC 2606), so it can never be real."""
    local = re.sub(r"[^a-z0-9._-]+", "-", name.strip().lower()).strip("-.")
    return f"{local or 'client'}@pkilab.test"


def _new_key(kind: str, seed: str | None, name: x509.Name, insecure: bool) -> PrivateKey:
    if seed is not None and not kind.startswith("rsa"):
        return _keys.derive_key(kind, f"{seed}|{format_subj(name)}")
    return _keys.generate_key(kind, insecure=insecure)


