"""The extension sets of each kind of certificate, in one table.

RFC 5280 and the stricter checks of Python 3.13 (``VERIFY_X509_STRICT``) want:
basicConstraints (critical on CAs), keyUsage, subjectKeyIdentifier everywhere,
authorityKeyIdentifier on everything a CA issues, extendedKeyUsage and a
subjectAltName on TLS leaves. The seed's recipe sets none of these; that is why its
certificates fail (lesson 03).
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from .errors import InputError
from .keys import PublicKey


@dataclass(frozen=True)
class Profile:
    """What one kind of certificate is for, and the extensions that say so."""

    name: str
    is_ca: bool
    key_usage: frozenset[str]
    extended_key_usage: tuple[x509.ObjectIdentifier, ...]
    needs_subject_alt_name: bool
    default_days: int
    purpose: str


#: How long pkilab's TLS leaves (server and client) are valid by default: 90 days.
#: A private CA is not bound by the CA/B Forum's limits, but clients are: Apple refuses a
#: TLS server certificate valid for more than 825 days even from a root you added, and
#: public certificates may last at most 200 days from 2026-03-15, 100 from 2027-03-15 and
#: 47 from 2029-03-15 (ballot SC-081; pkilab.doctor.max_server_days). 90 days fits every
#: client and every public limit until 2029, is what Let's Encrypt issues, and makes
#: renewal a habit rather than an emergency. Lesson sets use their own fixed dates.
LEAF_DAYS = 90

PROFILES: dict[str, Profile] = {
    "root": Profile("root", True, frozenset({"key_cert_sign", "crl_sign", "digital_signature"}),
                    (), False, 3650, "trust anchor: signs intermediates"),
    "intermediate": Profile("intermediate", True,
                            frozenset({"key_cert_sign", "crl_sign", "digital_signature"}),
                            (), False, 1825, "signs leaves (or lower intermediates)"),
    "server": Profile("server", False, frozenset({"digital_signature"}),
                      (ExtendedKeyUsageOID.SERVER_AUTH,), True, LEAF_DAYS,
                      "proves a server's name in TLS"),
    "client": Profile("client", False, frozenset({"digital_signature"}),
                      (ExtendedKeyUsageOID.CLIENT_AUTH,), False, LEAF_DAYS,
                      "proves a client's identity in mutual TLS"),
}

_KEY_USAGE_FIELDS = ("digital_signature", "content_commitment", "key_encipherment",
                     "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign",
                     "encipher_only", "decipher_only")


def profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise InputError(f"unknown certificate profile {name!r}",
                         "pkilab issues " + ", ".join(PROFILES),
                         "pick one of those", code="unknown_profile") from None


def general_names(names: Iterable[str | x509.GeneralName]) -> list[x509.GeneralName]:
    """Host names and IP addresses as subjectAltName entries (IPs become IPAddress)."""
    out: list[x509.GeneralName] = []
    for name in names:
        if isinstance(name, x509.GeneralName):
            out.append(name)
            continue
        text = str(name).strip()
        if not text:
            raise InputError("a subjectAltName is empty", "", "give a host name or an IP address",
                             code="empty_name")
        try:
            out.append(x509.IPAddress(ipaddress.ip_address(text)))
            continue
        except ValueError:
            pass
        if "@" in text:
            out.append(x509.RFC822Name(text))
            continue
        out.append(x509.DNSName(dns_name(text)))
    unique: list[x509.GeneralName] = []
    for general_name in out:  # the same name twice is noise in every tool's output
        if general_name not in unique:
            unique.append(general_name)
    return unique


_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


def dns_name(text: str) -> str:
    """A host name checked the way certificates need it (RFC 1123 labels; IDNA for
    non-ASCII; ``*`` only as the whole leftmost label), in lower case."""
    original = text
    text = text.rstrip(".").lower()
    try:
        text.encode("ascii")
    except UnicodeEncodeError:
        try:
            text = text.encode("idna").decode("ascii")
        except UnicodeError:
            raise InputError(f"{original!r} is not a valid host name",
                             "it cannot be written in IDNA (xn--) form: a label is empty "
                             "or too long", "check the dots and the spelling",
                             code="bad_host_name") from None
    labels = text.split(".")
    problem = None
    if len(text) > 253:
        problem = "it is longer than 253 characters"
    elif "*" in text and (labels[0] != "*" or "*" in ".".join(labels[1:]) or len(labels) < 3):
        problem = "a wildcard must be the whole leftmost label of a name with two more " \
                  "labels (*.example.com)"
    elif "_" in text:
        problem = "host names may not contain '_' (public CAs stopped issuing them in 2019)"
    elif any(not _LABEL.fullmatch(label) for label in labels if label != "*"):
        problem = ("each dot-separated label must be 1-63 letters, digits or hyphens, "
                   "not starting or ending with a hyphen")
    if problem:
        raise InputError(f"{original!r} is not a valid host name", problem,
                         "give a DNS name like localhost or www.example.com, or an IP address",
                         code="bad_host_name")
    return text


def name_constraints(permitted_dns: Iterable[str] = (), permitted_ips: Iterable[str] = ()
                     ) -> x509.NameConstraints | None:
    """The nameConstraints of a CA that may vouch only for these names (None if none given).

    ``permitted_dns``: ``lab.example`` permits that name and every name below it on a
    label boundary (``www.lab.example``, not ``badlab.example``); ``.lab.example`` permits
    only the names below it. ``permitted_ips``: networks such as ``10.0.0.0/8`` or one
    address (``127.0.0.1`` is ``127.0.0.1/32``). Each list restricts only its own form of
    name: IP constraints alone leave every DNS name allowed, and the reverse. Nothing is
    excluded, and e-mail addresses are not constrained (the set's client e-mail SANs
    stay free). Refused (code ``bad_name_constraint``): wildcards, host bits set in a
    network (``10.0.0.1/8``), and anything that is not a host name or a network.
    """
    subtrees: list[x509.GeneralName] = []
    for text in permitted_dns:
        subtrees.append(x509.DNSName(_permitted_dns(str(text))))
    for text in permitted_ips:
        subtrees.append(x509.IPAddress(_permitted_network(str(text))))
    unique = list(dict.fromkeys(subtrees))  # the same subtree twice is noise
    return x509.NameConstraints(permitted_subtrees=unique, excluded_subtrees=None) \
        if unique else None


def _permitted_dns(text: str) -> str:
    stripped = text.strip()
    below_only = stripped.startswith(".")
    why = None
    if "*" in stripped:
        why = "a wildcard means nothing in a constraint: lab.example already covers " \
              "every name below it"
    elif not stripped.lstrip("."):
        why = "it is empty"
    else:
        with contextlib.suppress(ValueError):
            ipaddress.ip_network(stripped, strict=False)
            why = "it is an IP address: IPs are constrained with --permitted-ip"
    if why is None:
        try:
            return ("." if below_only else "") + dns_name(stripped[1:] if below_only
                                                          else stripped)
        except InputError as exc:
            why = exc.why
    raise InputError(f"{text!r} cannot be a permitted DNS name", why,
                     "give a domain such as lab.example (it and every name below it) or "
                     ".lab.example (only the names below it)", code="bad_name_constraint")


def _permitted_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(text.strip(), strict=True)
    except ValueError as exc:
        try:
            loose = ipaddress.ip_network(text.strip(), strict=False)
        except ValueError:
            loose = None
        fix = (f"write the network itself: {loose}" if loose is not None else
               "give a network such as 10.0.0.0/8, or one address such as 127.0.0.1")
        raise InputError(f"{text!r} cannot be a permitted IP network", str(exc), fix,
                         code="bad_name_constraint") from None


def _key_usage(usages: frozenset[str]) -> x509.KeyUsage:
    return x509.KeyUsage(**{field: field in usages for field in _KEY_USAGE_FIELDS})


def build_extensions(
    prof: Profile,
    subject_public_key: PublicKey,
    issuer_public_key: PublicKey,
    *,
    path_length: int | None = None,
    subject_alt_names: Sequence[x509.GeneralName] = (),
    subject_is_empty: bool = False,
    constraints: x509.NameConstraints | None = None,
) -> list[tuple[x509.ExtensionType, bool]]:
    """The (extension, critical) pairs for a certificate of profile ``prof``.

    ``constraints`` (CA profiles only) is added critical, as RFC 5280 4.2.1.10 asks.
    """
    usages = set(prof.key_usage)
    if not prof.is_ca and isinstance(subject_public_key, rsa.RSAPublicKey):
        usages.add("key_encipherment")  # TLS 1.2 RSA key transport, still used by old clients
    extensions: list[tuple[x509.ExtensionType, bool]] = [
        (x509.BasicConstraints(ca=prof.is_ca, path_length=path_length if prof.is_ca else None),
         True),
        (_key_usage(frozenset(usages)), True),
    ]
    if prof.extended_key_usage:
        extensions.append((x509.ExtendedKeyUsage(list(prof.extended_key_usage)), False))
    if subject_alt_names:
        # RFC 5280 4.2.1.6: critical when the subject name is empty.
        extensions.append((x509.SubjectAlternativeName(list(subject_alt_names)), subject_is_empty))
    if constraints is not None:
        if not prof.is_ca:
            raise InputError(f"a {prof.name} certificate cannot carry name constraints",
                             "nameConstraints limit what a CA may sign; a leaf signs nothing",
                             "put them on the CA (issue_intermediate(permitted_dns=...))",
                             code="bad_name_constraint")
        extensions.append((constraints, True))
    extensions.append((x509.SubjectKeyIdentifier.from_public_key(subject_public_key), False))
    extensions.append(
        (x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public_key), False))
    return extensions


def revocation_pointers(ocsp_url: str | None, crl_url: str | None
                        ) -> list[tuple[x509.ExtensionType, bool]]:
    """Where a verifier asks about revocation: authorityInfoAccess with the OCSP URL and
    cRLDistributionPoints with the CRL URL (both non-critical, RFC 5280 4.2.2.1 and
    4.2.1.13). Only http:// URLs (RFC 5280: the CRL itself is signed, so no TLS is
    needed; an https CRL URL could loop on its own revocation check)."""
    found: list[tuple[x509.ExtensionType, bool]] = []
    if ocsp_url is not None:
        found.append((x509.AuthorityInformationAccess([x509.AccessDescription(
            x509.oid.AuthorityInformationAccessOID.OCSP,
            x509.UniformResourceIdentifier(_http_url(ocsp_url, "--ocsp-url")))]), False))
    if crl_url is not None:
        found.append((x509.CRLDistributionPoints([x509.DistributionPoint(
            [x509.UniformResourceIdentifier(_http_url(crl_url, "--crl-url"))], None, None,
            None)]), False))
    return found


def _http_url(url: str, option: str) -> str:
    from urllib.parse import urlsplit

    text = str(url).strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is None or parts.scheme != "http" or not parts.hostname or \
            any(c.isspace() or ord(c) < 33 or ord(c) > 126 for c in text):
        raise InputError(f"{text!r} is not an http:// URL", "revocation pointers are plain "
                         "http URLs of ASCII characters (the CRL and the OCSP answers are "
                         "signed, so they need no TLS)",
                         f"pass {option} http://127.0.0.1:8080/...", code="bad_url")
    return text
