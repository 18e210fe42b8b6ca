"""Name constraints, evaluated by pkilab itself (RFC 5280 section 4.2.1.10).

A CA certificate's nameConstraints extension lists the names its descendants may claim
(``permitted``) and may not claim (``excluded``). :func:`violations` answers one question:
which names of this certificate break these constraints, and which constraint each one
breaks. It does no I/O and never raises; the chain checker decides which certificates
to ask about (every certificate below the constrained CA) and how to word the result.

What is checked, and whose behaviour it follows:

- Every subjectAltName entry: dNSName, iPAddress, rfc822Name, the host of a
  uniformResourceIdentifier, and directoryName.
- The subject DN against directoryName constraints (skipped when it is empty), and each
  emailAddress attribute of the subject against rfc822Name constraints. OpenSSL checks
  subject e-mail addresses always; RFC 5280 and Chrome only when there is no
  subjectAltName. pkilab follows OpenSSL, the stricter of the two.
- The subject's commonName, as a dNSName, when the certificate has no dNSName in its
  subjectAltName and is not a CA. This is OpenSSL's rule (``openssl verify`` checks the
  CN of the end certificate unless it has a DNS SAN), with OpenSSL's test for "looks like
  a host name": letters, digits, ``_`` and ``-`` in two or more dot-separated labels, so
  ``CN=Lab Server`` and ``CN=*.lab.example`` are not checked. Chrome never reads the CN
  (since Chrome 58 a certificate without a DNS SAN is refused for any host anyway).

How names match:

- dNSName: ``lab.example`` is satisfied by ``lab.example`` and every name below it,
  on a label boundary (``badlab.example`` is not below it); ``.lab.example`` is satisfied
  by the names below it only, not by ``lab.example`` itself (OpenSSL's reading; RFC 5280
  leaves the leading-dot form to URIs and e-mail). Case does not matter, nor one trailing
  dot. An empty constraint covers every name. A wildcard ``*.lab.example`` is inside a
  permitted subtree only when every name it stands for is (``lab.example`` yes,
  ``www.lab.example`` no), and inside an excluded subtree when any name it stands for is
  (excluding ``secret.lab.example`` catches ``*.lab.example``) — Chrome's rule; OpenSSL
  compares the wildcard as plain text and misses the second case.
- iPAddress: the address is inside the network; an IPv4 address never matches an IPv6
  subtree, and the reverse (``::ffff:10.0.0.1`` is not inside ``10.0.0.0/8``).
- rfc822Name: ``user@host`` is that one mailbox (the local part compared exactly, the
  host without regard to case), ``host`` is every mailbox at that host, ``.host`` every
  mailbox at any host below it.
- uniformResourceIdentifier: its host, with the URI rules of RFC 5280 (which OpenSSL
  follows): ``.example.com`` is any host below example.com, ``example.com`` is that host
  only — unlike dNSName. The host is read as RFC 3986 says, after any ``user@`` part
  (OpenSSL 3.0 does not: it lets ``https://good.example@evil.example/`` past an excluded
  ``evil.example``). A URI with no host cannot be shown to be inside the constraints and
  is reported.
- directoryName: the name must begin with the constraint's RDNs; attribute values are
  compared without regard to case or runs of spaces, as RFC 5280's comparison rules ask.

Excluded beats permitted. A permitted list restricts only the name forms it mentions: a
permitted list of DNS subtrees says nothing about IP addresses, but once it lists any IP
subtree, every IP address must be inside one of them.

Limits, stated honestly:

- otherName and registeredID constraints are not evaluated; a certificate that carries a
  name of a form the constraints restrict is reported as not permitted, with a sentence
  saying pkilab cannot evaluate it (RFC 5280: process the constraint or reject).
  x400Address and ediPartyName cannot even be read by ``cryptography``: the certificate
  then has malformed extensions, which the chain checker reports on its own.
- When a certificate's extensions cannot be read at all (two subjectAltNames, invalid
  address bytes), its names cannot be shown to be inside the constraints. pkilab fails
  closed: it reports one violation of kind ``"dns"``, reason ``"not_permitted"``, with the
  name ``"(unreadable subjectAltName)"`` (the chain checker also reports the defect itself
  with :func:`pkilab.facts.extension_defect`), and still checks the subject.
- One call compares at most :data:`MAX_COMPARISONS` name/subtree pairs; a certificate
  that would need more is reported whole (name ``"(too many names to check)"``) rather
  than ground through, so a crafted certificate cannot make verification hang.
- Which certificates to ask about is the caller's choice: RFC 5280 skips self-issued
  intermediates (not the end certificate), and the CN fallback here already skips CAs.
- The key type plays no part: an Ed25519 chain is evaluated exactly like an EC or RSA one.
- minimum and maximum in GeneralSubtree are not exposed by ``cryptography``; RFC 5280
  forbids them anyway.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.x509.oid import NameOID

from .errors import InputError
from .facts import extension, is_ca

ViolationKind = Literal["dns", "ip", "email", "uri", "directory", "other_name",
                        "registered_id"]
ViolationReason = Literal["excluded", "not_permitted"]

# How each kind reads in a subtree label ("permitted DNS ...") and as a noun for a name.
_KIND_LABEL = {"dns": "DNS", "ip": "IP", "email": "email", "uri": "URI",
               "directory": "directory", "other_name": "otherName",
               "registered_id": "registeredID"}
_KIND_NOUN = {"dns": "DNS name", "ip": "IP address", "email": "email address",
              "uri": "URI", "directory": "directory name", "other_name": "otherName",
              "registered_id": "registeredID"}
_UNSUPPORTED = frozenset({"other_name", "registered_id"})
_SAN = "subjectAltName"
UNREADABLE_SAN = "(unreadable subjectAltName)"
UNREADABLE_SUBJECT = "(unreadable subject)"
TOO_MANY = "(too many names to check)"
#: names x subtrees of their form that one call compares at most (a fraction of a second);
#: beyond it the certificate is refused whole, so a crafted one cannot make a check hang
#: (Chrome and BoringSSL cap the same product, at 2**20)
MAX_COMPARISONS = 2**18


@dataclass(frozen=True)
class Violation:
    """One name of a certificate that a name constraint forbids.

    ``origin`` (where the name was found: ``"subjectAltName"``, ``"subject"``,
    ``"subject CN"``, ``"subject emailAddress"``) and ``note`` (why a name could not be
    evaluated, or that a wildcard was excluded for a name it stands for) are extras beyond
    the four contract fields; both have defaults and take no part in equality. ``kind`` is
    one of the five contract kinds, or ``"other_name"`` / ``"registered_id"`` for the forms
    pkilab cannot evaluate.
    """

    name: str      # the offending name as text: "bank.com", "10.0.0.1", "CN=x,O=y"
    kind: str      # "dns" | "ip" | "email" | "uri" | "directory" (| "other_name" | "registered_id")
    subtree: str   # the constraint it broke: "permitted DNS lab.example, .other.example"
    reason: str    # "excluded" | "not_permitted"
    origin: str = field(default=_SAN, compare=False)
    note: str = field(default="", compare=False)

    @property
    def text(self) -> str:
        """One plain sentence saying which name breaks which constraint."""
        noun = _KIND_NOUN.get(self.kind, self.kind)
        label = _KIND_LABEL.get(self.kind, self.kind)
        bases = self.subtree.split(" ", 2)[2] if self.subtree.count(" ") >= 2 else ""
        where = "" if self.origin == _SAN else f" (from the {self.origin})"
        if self.name == TOO_MANY:
            return ("the certificate cannot be shown to be inside the name constraints "
                    f"({self.subtree}): {self.note}")
        if self.name in (UNREADABLE_SAN, UNREADABLE_SUBJECT):
            part = "subjectAltName" if self.name == UNREADABLE_SAN else "subject"
            return (f"the certificate's {part} cannot be read (it is malformed), so its "
                    f"names cannot be shown to be inside the name constraints "
                    f"({self.subtree})")
        if self.kind in _UNSUPPORTED:
            return (f"the certificate carries the {noun} {self.name!r}, a name form that "
                    f"the issuer's name constraints restrict ({self.subtree}) and pkilab "
                    "cannot evaluate")
        if self.reason == "excluded":
            covers = "covers a name" if self.note else "is"
            return (f"the {noun} {self.name!r}{where} {covers} inside the excluded {label} "
                    f"subtree {bases}")
        if self.note:
            return (f"the {noun} {self.name!r}{where} cannot be checked against the name "
                    f"constraints ({self.subtree}): {self.note}")
        return (f"the {noun} {self.name!r}{where} is not inside any permitted {label} "
                f"subtree ({bases})")


def violations(constraints: x509.NameConstraints,
               certificate: x509.Certificate) -> list[Violation]:
    """The names of ``certificate`` that ``constraints`` forbid, in the certificate's order.

    Empty when every name is allowed. At most one violation per name (an excluded subtree
    is reported before a missing permitted one). Pure and total: never raises, whatever
    the certificate holds (see the module docstring for what cannot be evaluated).
    """
    rules = _Rules.of(constraints)
    names = list(_names_of(certificate))
    work = sum(rules.count(name.kind) for name in names)
    if work > MAX_COMPARISONS:
        return [Violation(TOO_MANY, "dns", rules.summary(), "not_permitted",
                          note=f"{len(names)} names against {rules.count()} subtrees would "
                               f"take {work:,} comparisons, more than pkilab makes "
                               f"({MAX_COMPARISONS:,})")]
    found: dict[Violation, None] = {}  # ordered, and one entry per distinct violation
    for name in names:
        try:
            violation = _judge(name, rules)
        except Exception:  # a name we cannot evaluate must fail closed
            violation = _not_permitted(name, rules, "it cannot be evaluated")
        if violation is not None:
            found.setdefault(violation, None)
    return list(found)


# ---- the certificate's names -----------------------------------------------------------------

_Value = str | ipaddress.IPv4Address | ipaddress.IPv6Address | x509.Name | None


@dataclass(frozen=True)
class _Name:
    kind: str
    value: _Value     # what is matched; None when the name cannot be read
    shown: str        # how it is printed
    origin: str = _SAN


def _names_of(certificate: x509.Certificate) -> Iterator[_Name]:
    """Every name the certificate claims that a name constraint can speak about."""
    try:
        san = extension(certificate, x509.SubjectAlternativeName)
    except InputError:
        yield _Name("dns", None, UNREADABLE_SAN)
        san_entries: list[x509.GeneralName] = []
        has_dns = True  # unknown: the CN fallback must not pretend there is no DNS SAN
    else:
        san_entries = list(san) if san is not None else []
        has_dns = any(isinstance(entry, x509.DNSName) for entry in san_entries)
    for entry in san_entries:
        yield _general_name(entry)
    yield from _subject_names(certificate, cn_fallback=not has_dns)


def _general_name(entry: x509.GeneralName) -> _Name:
    kind = _kind_of(entry)
    if isinstance(entry, x509.DirectoryName):
        return _Name(kind, entry.value, _dn_text(entry.value))
    if isinstance(entry, (x509.OtherName, x509.RegisteredID)):
        return _Name(kind, None, _oid_text(entry))
    if isinstance(entry, x509.IPAddress):
        return _Name(kind, entry.value, _ip_text(entry.value))
    return _Name(kind, str(entry.value), str(entry.value))


def _subject_names(certificate: x509.Certificate, *, cn_fallback: bool) -> Iterator[_Name]:
    try:
        subject = certificate.subject
        rdns = list(subject.rdns)
    except Exception:  # an unparseable subject is reported, not raised
        yield _Name("directory", None, UNREADABLE_SUBJECT, "subject")
        return
    if rdns:
        yield _Name("directory", subject, _dn_text(subject), "subject")
    for attribute in subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS):
        yield _Name("email", str(attribute.value), str(attribute.value),
                    "subject emailAddress")
    if cn_fallback and not is_ca(certificate):
        for attribute in subject.get_attributes_for_oid(NameOID.COMMON_NAME):
            value = attribute.value
            if isinstance(value, str) and _looks_like_host(value):
                yield _Name("dns", value, value, "subject CN")


def _looks_like_host(text: str) -> bool:
    """OpenSSL's test for a CN that is meant as a host name (two or more labels of
    letters, digits, '_' and '-'; no label starts or ends with '-')."""
    labels = text.split(".")
    if len(labels) < 2:
        return False
    for label in labels:
        if not label or label[0] == "-" or label[-1] == "-":
            return False
        if not all(c.isascii() and (c.isalnum() or c in "-_") for c in label):
            return False
    return True


# ---- the constraints, grouped by name form ---------------------------------------------------

@dataclass(frozen=True)
class _Rules:
    permitted: dict[str, list[x509.GeneralName]]
    excluded: dict[str, list[x509.GeneralName]]
    _labels: dict[tuple[str, str], str] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, constraints: x509.NameConstraints) -> _Rules:
        return cls(_by_kind(constraints.permitted_subtrees),
                   _by_kind(constraints.excluded_subtrees))

    def count(self, kind: str | None = None) -> int:
        """How many subtrees speak about ``kind`` (about every form when None)."""
        kinds = [kind] if kind else set(self.permitted) | set(self.excluded)
        return sum(len(self.permitted.get(k, [])) + len(self.excluded.get(k, []))
                   for k in kinds)

    def label(self, side: str, kind: str) -> str:
        """'permitted DNS lab.example, .other.example': a side's subtrees of one form."""
        if (side, kind) not in self._labels:  # made once: many names may need it
            subtrees = (self.permitted if side == "permitted" else self.excluded).get(kind, [])
            shown = ", ".join(_base_text(entry) for entry in subtrees)
            self._labels[side, kind] = f"{side} {_KIND_LABEL.get(kind, kind)} {shown}"
        return self._labels[side, kind]

    def summary(self) -> str:
        """Every subtree, 'permitted DNS lab.example; excluded IP 10.0.0.0/8' ('' if none)."""
        return "; ".join([self.label("permitted", kind) for kind in self.permitted]
                         + [self.label("excluded", kind) for kind in self.excluded])


def _by_kind(subtrees: list[x509.GeneralName] | None) -> dict[str, list[x509.GeneralName]]:
    grouped: dict[str, list[x509.GeneralName]] = {}
    for entry in subtrees or []:
        grouped.setdefault(_kind_of(entry), []).append(entry)
    return grouped


def _kind_of(entry: x509.GeneralName) -> str:
    kinds: list[tuple[type, str]] = [
        (x509.DNSName, "dns"), (x509.IPAddress, "ip"), (x509.RFC822Name, "email"),
        (x509.UniformResourceIdentifier, "uri"), (x509.DirectoryName, "directory"),
        (x509.OtherName, "other_name"), (x509.RegisteredID, "registered_id")]
    for cls, kind in kinds:
        if isinstance(entry, cls):
            return kind
    return "other_name"


def _base_text(entry: x509.GeneralName) -> str:
    if isinstance(entry, x509.DirectoryName):
        return _dn_text(entry.value)
    if isinstance(entry, (x509.OtherName, x509.RegisteredID)):
        return _oid_text(entry)
    text = str(entry.value)
    return text if text else '""'


def _ip_text(address: object) -> str:
    # Python 3.13 prints IPv4-mapped addresses as ::ffff:10.0.0.1, older ones as
    # ::ffff:a00:1; print the readable form on every version.
    mapped = getattr(address, "ipv4_mapped", None)
    return f"::ffff:{mapped}" if mapped is not None else str(address)


def _oid_text(entry: x509.OtherName | x509.RegisteredID) -> str:
    oid = entry.type_id if isinstance(entry, x509.OtherName) else entry.value
    return oid.dotted_string


def _dn_text(name: x509.Name) -> str:
    try:
        return name.rfc4514_string()
    except Exception:  # printing must not be the thing that fails
        return "(a name that cannot be printed)"


# ---- judging one name ------------------------------------------------------------------------

def _judge(name: _Name, rules: _Rules) -> Violation | None:
    if name.shown in (UNREADABLE_SAN, UNREADABLE_SUBJECT):
        # Any of its names might break any constraint: fail closed if there is one.
        summary = rules.summary()
        return Violation(name.shown, name.kind, summary, "not_permitted",
                         name.origin) if summary else None
    excluded = rules.excluded.get(name.kind, [])
    permitted = rules.permitted.get(name.kind)
    if not excluded and permitted is None:
        return None  # no constraint speaks about this form
    if name.value is None:
        why = "pkilab cannot evaluate this name form" if name.kind in _UNSUPPORTED else ""
        return _not_permitted(name, rules, why)
    if name.kind == "uri" and _uri_host(str(name.value)) is None:
        return _not_permitted(name, rules, "it has no host part to check")
    if name.kind == "email" and _mailbox(str(name.value)) is None:
        return _not_permitted(name, rules, "it is not a plain local@host mailbox")
    for base in excluded:
        if _matches(name, base, wildcard_any=True):
            # a wildcard caught only because one of the names it stands for is excluded
            partly = not _matches(name, base, wildcard_any=False)
            return Violation(name.shown, name.kind,
                             f"excluded {_KIND_LABEL[name.kind]} {_base_text(base)}",
                             "excluded", name.origin,
                             "a name the wildcard stands for" if partly else "")
    if permitted is not None and not any(_matches(name, base, wildcard_any=False)
                                         for base in permitted):
        return Violation(name.shown, name.kind, rules.label("permitted", name.kind),
                         "not_permitted", name.origin)
    return None


def _not_permitted(name: _Name, rules: _Rules, note: str) -> Violation | None:
    """A name that cannot be shown to be allowed, reported against the subtrees of its
    form (the permitted ones if there are any, else the excluded ones)."""
    side = "permitted" if name.kind in rules.permitted else "excluded"
    if name.kind not in rules.permitted and name.kind not in rules.excluded:
        return None
    return Violation(name.shown, name.kind, rules.label(side, name.kind), "not_permitted",
                     name.origin, note)


def _matches(name: _Name, base: x509.GeneralName, *, wildcard_any: bool) -> bool:
    value = name.value
    if name.kind == "dns":
        return _dns_inside(str(value), str(base.value), wildcard_any=wildcard_any)
    if name.kind == "ip":
        return _ip_inside(value, base.value)
    if name.kind == "email":
        return _email_inside(str(value), str(base.value))
    if name.kind == "uri":
        return _uri_inside(str(value), str(base.value))
    if name.kind == "directory":
        return isinstance(value, x509.Name) and _dn_inside(value, base.value)
    return False


def _dns_form(text: str) -> str:
    text = text.lower()
    return text[:-1] if text.endswith(".") and text != "." else text


def _dns_inside(name: str, base: str, *, wildcard_any: bool) -> bool:
    """``name`` inside the dNSName subtree ``base``; with ``wildcard_any``, a wildcard name
    counts when any name it stands for is inside (for excluded subtrees)."""
    name, base = _dns_form(name), _dns_form(base)
    if _below_or_at(name, base):
        return True
    if wildcard_any and name.startswith("*.") and not base.startswith("."):
        first, _, parent = base.partition(".")
        return bool(first) and parent == name[2:]
    return False


def _below_or_at(name: str, base: str) -> bool:
    if base in ("", "."):
        return True
    if base.startswith("."):
        return len(name) > len(base) and name.endswith(base)
    return name == base or name.endswith("." + base)


def _ip_inside(address: object, network: object) -> bool:
    if isinstance(network, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        network = ipaddress.ip_network(network)
    if not isinstance(address, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return False
    if not isinstance(network, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return False
    # ipaddress answers False across families too; the rule is spelled out here because
    # it is the rule (RFC 5280: 4-byte and 16-byte subtrees are different forms).
    return address.version == network.version and address in network


def _mailbox(text: str) -> tuple[str, str] | None:
    local, at, host = text.rpartition("@")
    if not at or not local or not host or "@" in local:
        return None
    return local, host.lower()


def _email_inside(mailbox: str, base: str) -> bool:
    parts = _mailbox(mailbox)
    if parts is None:
        return False
    local, host = parts
    if "@" in base:
        wanted = _mailbox(base)
        return wanted is not None and (local, host) == wanted
    base = base.lower()
    if base.startswith("."):
        return len(host) > len(base) and host.endswith(base)
    return host == base


def _uri_host(uri: str) -> str | None:
    try:
        host = urlsplit(uri).hostname
    except ValueError:  # e.g. an unclosed "[" in the authority
        return None
    return host or None


def _uri_inside(uri: str, base: str) -> bool:
    host = _uri_host(uri)
    if host is None:
        return False
    host, base = _dns_form(host), _dns_form(base)
    if base.startswith("."):
        return len(host) > len(base) and host.endswith(base)
    return host == base


def _dn_inside(name: x509.Name, base: x509.Name) -> bool:
    """``name`` begins with ``base``'s RDNs (compared as RFC 5280 7.1 asks, roughly:
    case-insensitively, with runs of spaces folded)."""
    mine, theirs = list(name.rdns), list(base.rdns)
    if len(theirs) > len(mine):
        return False
    return all(_rdn_key(a) == _rdn_key(b) for a, b in zip(mine[:len(theirs)], theirs, strict=True))


def _rdn_key(rdn: x509.RelativeDistinguishedName) -> frozenset[tuple[str, object]]:
    return frozenset((attribute.oid.dotted_string, _value_key(attribute.value))
                     for attribute in rdn)


def _value_key(value: object) -> object:
    if isinstance(value, str):
        return " ".join(value.split()).casefold()
    return value
