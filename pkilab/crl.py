"""Certificate revocation lists as data: build one, read its entries, judge one.

Pure functions over ``cryptography`` objects (no files: :mod:`pkilab.revoke` reads and
writes a set's CRLs). A CRL is the issuer's signed list of the serial numbers it no
longer vouches for, with a ``thisUpdate`` / ``nextUpdate`` window and a CRL number
that grows with every new list (RFC 5280 5.2.3).

Limits: no delta CRLs, no indirect CRLs, no issuing-distribution-point scoping; a CRL
here always covers every certificate its issuer signed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519

from . import facts
from .errors import InputError

#: The reasons ``pkilab revoke --reason`` takes, RFC 5280 5.3.1 spelling -> flag.
#: ``certificateHold`` (a suspension that ``removeFromCRL`` could lift) is left out on
#: purpose: the CA/Browser Forum forbids it for public CAs, and a lab that "unrevokes"
#: teaches that revocation is reversible, which a copied key makes untrue.
REASONS: dict[str, x509.ReasonFlags] = {
    "unspecified": x509.ReasonFlags.unspecified,
    "keyCompromise": x509.ReasonFlags.key_compromise,
    "superseded": x509.ReasonFlags.superseded,
    "cessationOfOperation": x509.ReasonFlags.cessation_of_operation,
    "affiliationChanged": x509.ReasonFlags.affiliation_changed,
    "privilegeWithdrawn": x509.ReasonFlags.privilege_withdrawn,
}
_NAMES = {flag: name for name, flag in REASONS.items()}
# Reasons a CRL may carry that pkilab does not issue: shown as history, never written.
_NAMES.update({x509.ReasonFlags.certificate_hold: "certificateHold",
               x509.ReasonFlags.remove_from_crl: "removeFromCRL",
               x509.ReasonFlags.ca_compromise: "cACompromise",
               x509.ReasonFlags.aa_compromise: "aACompromise"})

#: How long a new CRL is valid by default (its nextUpdate); a lab's short week.
CRL_DAYS = 7


@dataclass(frozen=True)
class Revocation:
    """One entry of a CRL: which serial, since when, and why."""

    serial: int
    date: dt.datetime
    reason: str

    def __str__(self) -> str:
        return f"serial {self.serial:x}: revoked on {self.date:%Y-%m-%d %H:%M} UTC ({self.reason})"


def reason_flag(reason: str) -> x509.ReasonFlags:
    """The flag for ``reason`` (RFC 5280 spelling); code ``unknown_reason`` otherwise."""
    if reason in REASONS:
        return REASONS[reason]
    why = ("certificateHold would make revocation reversible: pkilab has no unrevoke, "
           "because a certificate whose key may be copied must never be trusted again; "
           "issue a new certificate instead" if reason == "certificateHold" else
           "RFC 5280 5.3.1 names the reasons; pkilab issues these: " + ", ".join(REASONS))
    raise InputError(f"{reason!r} is not a revocation reason pkilab uses", why,
                     "pass --reason " + "|".join(REASONS), code="unknown_reason")


def reason_name(flag: x509.ReasonFlags | None) -> str:
    """RFC 5280's spelling of a reason flag ("unspecified" when the entry has none)."""
    return _NAMES.get(flag, "unspecified") if flag is not None else "unspecified"


def _value(extensions: x509.Extensions, kind: type):
    # CRL and CRL-entry extensions: pkilab.facts is about certificates' extensions
    return next((e.value for e in extensions if isinstance(e.value, kind)), None)


def _entry_reason(entry: x509.RevokedCertificate) -> str:
    found = _value(entry.extensions, x509.CRLReason)
    return reason_name(found.reason) if found is not None else "unspecified"


def revocations(crl: x509.CertificateRevocationList) -> list[Revocation]:
    """Every entry of ``crl``, oldest first."""
    found = [Revocation(e.serial_number, e.revocation_date_utc, _entry_reason(e)) for e in crl]
    return sorted(found, key=lambda r: (r.date, r.serial))


def revocation_of(crl: x509.CertificateRevocationList, certificate: x509.Certificate
                  ) -> Revocation | None:
    """The entry of ``certificate`` in ``crl`` (same serial), or None."""
    entry = crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
    if entry is None:
        return None
    return Revocation(entry.serial_number, entry.revocation_date_utc, _entry_reason(entry))


def crl_number(crl: x509.CertificateRevocationList) -> int | None:
    found = _value(crl.extensions, x509.CRLNumber)
    return found.crl_number if found is not None else None


def covers(crl: x509.CertificateRevocationList, certificate: x509.Certificate) -> bool:
    """True when ``crl`` comes from the issuer named in ``certificate`` (by name)."""
    return crl.issuer == certificate.issuer


def signed_by(crl: x509.CertificateRevocationList, issuer: x509.Certificate) -> bool:
    """True when ``issuer``'s key made the CRL's signature."""
    try:
        return crl.is_signature_valid(issuer.public_key())  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def signing_hash(key) -> hashes.HashAlgorithm | None:
    """The hash a CA key signs lists and answers with (as its certificates: SHA-384 for
    P-384 and larger, none for Ed25519/Ed448, else SHA-256)."""
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)):
        return None
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.key_size >= 384:
        return hashes.SHA384()
    return hashes.SHA256()


def _sign(builder: x509.CertificateRevocationListBuilder, key) -> x509.CertificateRevocationList:
    algorithm = signing_hash(key)
    if algorithm is None:
        return builder.sign(key, None)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        # RFC 6979: the same list signed twice is byte-identical (lessons stored with output)
        return builder.sign(key, algorithm, ecdsa_deterministic=True)
    return builder.sign(key, algorithm)


def build_crl(issuer: x509.Certificate, key, entries: Iterable[Revocation], *, number: int,
              this_update: dt.datetime, days: int = CRL_DAYS) -> x509.CertificateRevocationList:
    """A CRL signed by ``issuer``'s ``key`` listing ``entries``, valid ``days`` days.

    Carries the CRL number and the authority key identifier (both required by RFC 5280
    5.2); an ``unspecified`` reason is left out of its entry, as 5.3.1 asks.
    """
    facts.require_key_matches(key, issuer, key_name="the CA key",
                              fix="sign the CRL with the key of the CA that issued the "
                              "certificates it lists")
    this_update = this_update.replace(microsecond=0)
    builder = (x509.CertificateRevocationListBuilder()
               .issuer_name(issuer.subject)
               .last_update(this_update)
               .next_update(this_update + dt.timedelta(days=days))
               .add_extension(x509.CRLNumber(number), critical=False)
               .add_extension(_authority_key_id(issuer), critical=False))
    for entry in sorted(entries, key=lambda r: (r.date, r.serial)):
        revoked = (x509.RevokedCertificateBuilder().serial_number(entry.serial)
                   .revocation_date(entry.date.replace(microsecond=0)))
        if entry.reason != "unspecified":
            revoked = revoked.add_extension(x509.CRLReason(reason_flag(entry.reason)),
                                            critical=False)
        builder = builder.add_revoked_certificate(revoked.build())
    return _sign(builder, key)


def _authority_key_id(issuer: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = facts.extension_or_none(issuer, x509.SubjectKeyIdentifier)
    if ski is not None:
        return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)
    return x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.public_key())  # type: ignore[arg-type]


def crl_pem(crl: x509.CertificateRevocationList) -> bytes:
    return crl.public_bytes(serialization.Encoding.PEM)


def parse_crls(data: bytes, origin: str = "the data") -> list[x509.CertificateRevocationList]:
    """Every CRL in ``data`` (PEM, several allowed, or one DER); code ``not_a_crl``."""
    from .pem import find_blocks

    if b"-----BEGIN" in data:
        blocks = [b for b in find_blocks(data) if b.label == "X509 CRL" and not b.problem]
        try:
            found = [x509.load_der_x509_crl(b.der) for b in blocks]
        except ValueError as exc:
            raise _not_a_crl(origin, f"a CRL block cannot be read ({exc})") from None
        if found:
            return found
        raise _not_a_crl(origin, "it holds no '-----BEGIN X509 CRL-----' block")
    try:
        return [x509.load_der_x509_crl(data)]
    except ValueError:
        raise _not_a_crl(origin, "it is neither PEM nor a DER CRL") from None


def _not_a_crl(origin: str, why: str) -> InputError:
    return InputError(f"{origin} is not a certificate revocation list", why,
                      "pass the crl.pem that pkilab revoke wrote (openssl crl -in FILE "
                      "-noout -text shows what a file holds)", code="not_a_crl")


def issuer_of(crl: x509.CertificateRevocationList, candidates: Sequence[x509.Certificate]
              ) -> x509.Certificate | None:
    """The candidate whose subject is the CRL's issuer and whose key signed it."""
    return next((c for c in candidates if c.subject == crl.issuer and signed_by(crl, c)), None)
