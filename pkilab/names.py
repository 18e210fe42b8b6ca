"""Distinguished names: keyword fields <-> ``x509.Name`` <-> openssl ``-subj`` text.

The seed types its names into ``openssl req`` prompts (``cn``, ``bj``, ``alibaba``,
``root``); :func:`parse_subj` reads the same text as ``-subj "/C=CN/ST=bj/CN=root"``,
and :func:`format_subj` prints any name back that way.
"""

from __future__ import annotations

import re

from cryptography import x509
from cryptography.x509.oid import NameOID

from .errors import InputError

# Short name (as openssl prints it), OID, the prompt text openssl req shows.
_FIELDS: list[tuple[str, x509.ObjectIdentifier, str]] = [
    ("C", NameOID.COUNTRY_NAME, "Country Name (2 letter code)"),
    ("ST", NameOID.STATE_OR_PROVINCE_NAME, "State or Province Name"),
    ("L", NameOID.LOCALITY_NAME, "Locality Name (city)"),
    ("O", NameOID.ORGANIZATION_NAME, "Organization Name (company)"),
    ("OU", NameOID.ORGANIZATIONAL_UNIT_NAME, "Organizational Unit Name (section)"),
    ("CN", NameOID.COMMON_NAME, "Common Name"),
    ("emailAddress", NameOID.EMAIL_ADDRESS, "Email Address"),
    ("DC", NameOID.DOMAIN_COMPONENT, "Domain Component"),
    ("serialNumber", NameOID.SERIAL_NUMBER, "Serial Number"),
]
_BY_SHORT = {short: oid for short, oid, _ in _FIELDS}
_SHORT_BY_OID = {oid: short for short, oid, _ in _FIELDS}
_ALIASES = {
    "c": "C", "country": "C", "country_name": "C",
    "st": "ST", "state": "ST", "province": "ST",
    "l": "L", "locality": "L", "city": "L",
    "o": "O", "organization": "O", "org": "O", "company": "O",
    "ou": "OU", "organizational_unit": "OU", "unit": "OU",
    "cn": "CN", "common_name": "CN",
    "email": "emailAddress", "emailaddress": "emailAddress", "email_address": "emailAddress",
    "dc": "DC", "serialnumber": "serialNumber", "serial_number": "serialNumber",
}
# Characters that change what a terminal shows: C0 and C1 controls (newline, escape
# sequences) and the bidirectional overrides and isolates ("Trojan Source").
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# RFC 5280 upper bounds (ub-*) that cryptography would otherwise reject tersely.
_MAX_LENGTH = {"C": 2, "ST": 128, "L": 128, "O": 64, "OU": 64, "CN": 64, "emailAddress": 255}


def _canonical(field: str) -> str:
    short = _ALIASES.get(field.lower(), field if field in _BY_SHORT else None)
    if short is None:
        raise InputError(
            f"unknown name field {field!r}",
            "a subject is made of " + ", ".join(s for s, _, _ in _FIELDS),
            "spell it like openssl does, e.g. /C=CN/O=alibaba/CN=root",
            code="unknown_name_field",
        )
    return short


def is_control_character(char: str) -> bool:
    """C0 and C1 control characters (newline, escape, DEL, ...): what must not reach a
    terminal, a log or a prompt from a name or a password."""
    return ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0


def check_text(value: str, what: str) -> str:
    """``value`` when it is printable UTF-8 text for a name, else an :class:`InputError`.

    Refused: bytes that were not UTF-8 (the command line hands them over as lone
    surrogates; code ``not_utf8``) and characters that change what a terminal or a log
    shows -- newlines, escape sequences, other C0/C1 controls, bidirectional overrides
    (code ``control_character``).
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"{what} {value!r} is not valid UTF-8 text",
                         "certificates store names as UTF-8",
                         "check the terminal's encoding and type the name again",
                         code="not_utf8") from None
    bad = next((c for c in value if is_control_character(c) or c in _BIDI_CONTROLS), None)
    if bad is not None:
        raise InputError(f"{what} {value!r} contains the control character U+{ord(bad):04X}",
                         "a newline or an escape sequence in a name changes what every "
                         "terminal and log shows for it",
                         "use printable characters only", code="control_character")
    return value


def _check_value(short: str, value: str) -> str:
    value = check_text(value, f"the {short} field").strip()
    if not value:
        raise InputError(f"the {short} field is empty", "", f"give {short} a value or leave it out",
                         code="empty_name_field")
    if short == "C":
        if not re.fullmatch(r"[A-Za-z]{2}", value):
            raise InputError(
                f"country {value!r} is not a two-letter code",
                "X.509 stores the country as an ISO 3166 code such as CN, US or DE",
                "use the two-letter code", code="bad_country_code",
            )
        value = value.upper()  # the seed types "cn"; ISO 3166 codes are upper case
    if short == "emailAddress" and "@" not in value:
        raise InputError(
            f"email address {value!r} has no '@'",
            "the seed's example 'a.alibaba.com' is a typo for a@alibaba.com",
            "write a real address, or leave the field out (modern certificates do)",
            code="bad_email_address",
        )
    limit = _MAX_LENGTH.get(short)
    size = len(value.encode("utf-8"))  # cryptography counts UTF-8 bytes, not characters
    if limit and size > limit:
        unit = "characters" if size == len(value) else f"bytes in UTF-8 ({len(value)} characters)"
        raise InputError(f"the {short} field is {size} {unit} long",
                         f"RFC 5280 allows {limit}, and cryptography counts them in UTF-8 "
                         "bytes (a Chinese character takes 3)",
                         "shorten it", code="name_field_too_long")
    return value


def build_name(fields: dict[str, str] | None = None, **kwargs: str) -> x509.Name:
    """A distinguished name from fields, in the order given.

    >>> format_subj(build_name(C="cn", ST="bj", O="alibaba", CN="root"))
    '/C=CN/ST=bj/O=alibaba/CN=root'

    Field names may be openssl's short names (``C``, ``ST``, ``CN``) or words
    (``country``, ``common_name``, ``email``).
    """
    items = list((fields or {}).items()) + list(kwargs.items())
    attributes = []
    for field, value in items:
        if value is None:
            continue
        short = _canonical(field)
        attributes.append(_attribute(short, _check_value(short, str(value))))
    return x509.Name(attributes)


def _attribute(short: str, value: str) -> x509.NameAttribute:
    try:
        return x509.NameAttribute(_BY_SHORT[short], value)
    except ValueError as exc:  # the library's own limits, worded for a learner
        raise InputError(f"the {short} field {value!r} cannot go into a certificate",
                         str(exc).rstrip("."), "shorten or simplify it",
                         code="bad_name_field") from None


def parse_subj(text: str) -> x509.Name:
    """Read openssl's ``-subj`` form, ``/C=CN/ST=bj/L=bj/O=alibaba/OU=test/CN=root``.

    A slash inside a value is written ``\\/``, as openssl wants it.
    """
    if not isinstance(text, str) or not text.startswith("/"):
        raise InputError(
            f"subject {text!r} does not start with '/'",
            "openssl's -subj form is a list of /FIELD=value parts",
            "write it like /C=CN/O=alibaba/CN=root", code="bad_subject",
        )
    parts = [p.replace("\\/", "/") for p in re.split(r"(?<!\\)/", text[1:]) if p != ""]
    if not parts:
        raise InputError("the subject is empty", "", "give at least /CN=name",
                         code="bad_subject")
    fields: list[tuple[str, str]] = []
    for part in parts:
        if "=" not in part:
            raise InputError(
                f"subject part {part!r} has no '='",
                "each part of -subj is FIELD=value",
                "write it like /CN=root", code="bad_subject",
            )
        field, value = part.split("=", 1)
        fields.append((field.strip(), value))
    attributes = []
    for field, value in fields:
        short = _canonical(field)
        attributes.append(_attribute(short, _check_value(short, value)))
    return x509.Name(attributes)


def as_name(value: x509.Name | str | dict[str, str]) -> x509.Name:
    """Accept a Name, ``-subj`` text, a bare common name, or a dict of fields."""
    if isinstance(value, x509.Name):
        return value
    if isinstance(value, dict):
        return build_name(value)
    if isinstance(value, str) and value.startswith("/"):
        return parse_subj(value)
    if isinstance(value, str):
        return build_name(CN=value)
    raise InputError(f"cannot make a name from {type(value).__name__}",
                     "", "pass -subj text like /CN=root or a dict of fields",
                     code="bad_subject")


def format_subj(name: x509.Name) -> str:
    """A name in openssl's ``-subj`` form."""
    out = []
    for attribute in name:
        short = _SHORT_BY_OID.get(attribute.oid, attribute.oid.dotted_string)
        value = attribute.value if isinstance(attribute.value, str) else attribute.value.hex()
        out.append(f"/{short}={value.replace('/', chr(92) + '/')}")
    return "".join(out)


def name_fields(name: x509.Name) -> dict[str, str]:
    """A name as a dict of short field names (the last one wins when repeated)."""
    return {_SHORT_BY_OID.get(a.oid, a.oid.dotted_string): str(a.value) for a in name}


def common_name(name: x509.Name) -> str | None:
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else None


def short_name(name: x509.Name) -> str:
    """The common name if there is one, else the whole ``-subj`` text (for labels)."""
    return common_name(name) or format_subj(name) or "(empty name)"
