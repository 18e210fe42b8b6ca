"""pkilab.constraints: name constraints evaluated by pkilab itself (RFC 5280 4.2.1.10).

Every case builds a real chain with ``cryptography`` — a root, an intermediate CA that
carries the nameConstraints extension, and a leaf with the names under test — and asks
:func:`pkilab.constraints.violations` about the leaf. Where ``openssl`` is installed, the
cases marked with an OpenSSL outcome are also run through ``openssl verify -x509_strict
-purpose sslserver`` and pkilab must agree with it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import shutil
import subprocess
from dataclasses import FrozenInstanceError, dataclass, field

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from pkilab.constraints import TOO_MANY, UNREADABLE_SAN, Violation, violations

OPENSSL = shutil.which("openssl")
START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
END = dt.datetime(2046, 1, 1, tzinfo=dt.timezone.utc)


# ---- building real chains ----------------------------------------------------------------

def _key(kind: str):
    return ed25519.Ed25519PrivateKey.generate() if kind == "ed25519" else \
        ec.generate_private_key(ec.SECP256R1())


def _sign(builder: x509.CertificateBuilder, key) -> x509.Certificate:
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(key, algorithm)


def _base(subject: x509.Name, issuer: x509.Name, public_key) -> x509.CertificateBuilder:
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(START).not_valid_after(END)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), False))


def _ca_extensions(builder: x509.CertificateBuilder) -> x509.CertificateBuilder:
    usage = x509.KeyUsage(digital_signature=False, content_commitment=False,
                          key_encipherment=False, data_encipherment=False,
                          key_agreement=False, key_cert_sign=True, crl_sign=True,
                          encipher_only=False, decipher_only=False)
    return (builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .add_extension(usage, True))


def _aki(issuer_key) -> x509.AuthorityKeyIdentifier:
    return x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key())


@dataclass
class Chain:
    root: x509.Certificate
    intermediate: x509.Certificate
    intermediate_key: object
    constraints: x509.NameConstraints


def _name(*pairs: tuple) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in pairs])


def make_chain(permitted=None, excluded=None, key_kind: str = "ec") -> Chain:
    root_key, inter_key = _key(key_kind), _key(key_kind)
    root_name = _name((NameOID.COMMON_NAME, "Constraints Test Root"))
    root = _sign(_ca_extensions(_base(root_name, root_name, root_key.public_key())),
                 root_key)
    constraints = x509.NameConstraints(permitted_subtrees=permitted,
                                       excluded_subtrees=excluded)
    inter_name = _name((NameOID.COMMON_NAME, "Constraints Test Intermediate"))
    builder = (_ca_extensions(_base(inter_name, root_name, inter_key.public_key()))
               .add_extension(_aki(root_key), False)
               .add_extension(constraints, True))
    return Chain(root, _sign(builder, root_key), inter_key, constraints)


def make_leaf(chain: Chain, sans: list[x509.GeneralName] | None,
              subject: x509.Name | None = None, *, ca: bool = False) -> x509.Certificate:
    key = _key("ed25519" if isinstance(chain.intermediate_key, ed25519.Ed25519PrivateKey)
               else "ec")
    subject = subject if subject is not None else _name((NameOID.COMMON_NAME, "Lab Leaf"))
    builder = (_base(subject, chain.intermediate.subject, key.public_key())
               .add_extension(_aki(chain.intermediate_key), False))
    if ca:
        builder = _ca_extensions(builder)
    else:
        usage = x509.KeyUsage(digital_signature=True, content_commitment=False,
                              key_encipherment=False, data_encipherment=False,
                              key_agreement=False, key_cert_sign=False, crl_sign=False,
                              encipher_only=False, decipher_only=False)
        builder = (builder.add_extension(x509.BasicConstraints(ca=False, path_length=None),
                                         True)
                   .add_extension(usage, True)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                                  False))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), False)
    return _sign(builder, chain.intermediate_key)


# ---- the cases: one per rule -------------------------------------------------------------

DNS, IP, EMAIL, URI, DIR = (x509.DNSName, x509.IPAddress, x509.RFC822Name,
                            x509.UniformResourceIdentifier, x509.DirectoryName)


def net(text: str) -> x509.IPAddress:
    return IP(ipaddress.ip_network(text))


def addr(text: str) -> x509.IPAddress:
    return IP(ipaddress.ip_address(text))


LAB = _name((NameOID.COUNTRY_NAME, "CN"), (NameOID.ORGANIZATION_NAME, "Lab"))


@dataclass
class Case:
    id: str
    permitted: list | None
    excluded: list | None
    sans: list | None
    expected: list[tuple[str, str]]          # (name, reason) pkilab reports, in order
    openssl: str | None = None               # "ok" | "permitted" | "excluded" | None
    subject: x509.Name | None = None
    key_kind: str = "ec"
    origins: list[str] = field(default_factory=list)  # expected origins, when asserted


CASES = [
    # dNSName: subtree and label boundary
    Case("dns-subdomain-inside", [DNS("lab.example")], None,
         [DNS("lab.example"), DNS("www.lab.example")], [], "ok"),
    Case("dns-outside", [DNS("lab.example")], None, [DNS("bank.com")],
         [("bank.com", "not_permitted")], "permitted"),
    Case("dns-label-boundary", [DNS("lab.example")], None, [DNS("badlab.example")],
         [("badlab.example", "not_permitted")], "permitted"),
    Case("dns-leading-dot-is-subdomains-only", [DNS(".lab.example")], None,
         [DNS("www.lab.example"), DNS("lab.example")],
         [("lab.example", "not_permitted")], "permitted"),
    Case("dns-case-insensitive", [DNS("Lab.Example")], None, [DNS("WWW.lab.EXAMPLE")],
         [], "ok"),
    Case("dns-wildcard-inside", [DNS("lab.example")], None, [DNS("*.lab.example")],
         [], "ok"),
    Case("dns-wildcard-wider-than-permitted", [DNS("www.lab.example")], None,
         [DNS("*.lab.example")], [("*.lab.example", "not_permitted")], "permitted"),
    # OpenSSL compares the wildcard as text and accepts this one; pkilab follows Chrome.
    Case("dns-wildcard-covers-excluded", None, [DNS("secret.lab.example")],
         [DNS("*.lab.example")], [("*.lab.example", "excluded")], None),
    Case("excluded-beats-permitted", [DNS("lab.example")], [DNS("secret.lab.example")],
         [DNS("www.lab.example"), DNS("secret.lab.example")],
         [("secret.lab.example", "excluded")], "excluded"),
    Case("one-violation-per-name-in-order", [DNS("lab.example")], None,
         [DNS("bank.com"), DNS("www.lab.example"), DNS("evil.example")],
         [("bank.com", "not_permitted"), ("evil.example", "not_permitted")], "permitted"),
    # iPAddress
    Case("ipv4-inside", [net("10.0.0.0/8")], None, [addr("10.1.2.3")], [], "ok"),
    Case("ipv4-outside", [net("10.0.0.0/8")], None, [addr("192.168.1.1")],
         [("192.168.1.1", "not_permitted")], "permitted"),
    Case("ipv6-inside", [net("fd00::/8")], None, [addr("fd12::1")], [], "ok"),
    Case("ipv6-outside", [net("fd00::/8")], None, [addr("2001:db8::1")],
         [("2001:db8::1", "not_permitted")], "permitted"),
    Case("ipv6-excluded", None, [net("fd00::/8")], [addr("fd00::5")],
         [("fd00::5", "excluded")], "excluded"),
    Case("ipv4-never-in-ipv6-subtree", [net("::/0")], None, [addr("10.0.0.1")],
         [("10.0.0.1", "not_permitted")], "permitted"),
    Case("ipv4-mapped-ipv6-not-in-ipv4-subtree", [net("10.0.0.0/8")], None,
         [addr("::ffff:10.0.0.1")], [("::ffff:10.0.0.1", "not_permitted")], "permitted"),
    # a permitted list restricts only the forms it mentions
    Case("dns-only-list-does-not-restrict-ip", [DNS("lab.example")], None,
         [DNS("www.lab.example"), addr("192.168.1.1")], [], "ok"),
    Case("ip-listed-restricts-ip", [DNS("lab.example"), net("10.0.0.0/8")], None,
         [DNS("www.lab.example"), addr("192.168.1.1")],
         [("192.168.1.1", "not_permitted")], "permitted"),
    # CN fallback (OpenSSL's rule: no DNS SAN, CN looks like a host name)
    Case("cn-fallback-outside", [DNS("lab.example")], None, None,
         [("bank.com", "not_permitted")], "permitted",
         subject=_name((NameOID.COMMON_NAME, "bank.com")), origins=["subject CN"]),
    Case("cn-fallback-inside", [DNS("lab.example")], None, None, [], "ok",
         subject=_name((NameOID.COMMON_NAME, "www.lab.example"))),
    Case("cn-not-a-host-name-is-not-checked", [DNS("lab.example")], None, None, [], "ok",
         subject=_name((NameOID.COMMON_NAME, "Lab Server"))),
    Case("cn-of-one-label-is-not-checked", [DNS("lab.example")], None, None, [], "ok",
         subject=_name((NameOID.COMMON_NAME, "localhost"))),
    Case("cn-ignored-when-dns-san-present", [DNS("lab.example")], None,
         [DNS("www.lab.example")], [], "ok",
         subject=_name((NameOID.COMMON_NAME, "bank.com"))),
    Case("cn-checked-when-san-has-only-ip", [DNS("lab.example")], None,
         [addr("10.0.0.1")], [("bank.com", "not_permitted")], "permitted",
         subject=_name((NameOID.COMMON_NAME, "bank.com"))),
    # rfc822Name: a mailbox, a host, a domain
    Case("email-mailbox-inside", [EMAIL("alice@lab.example")], None,
         [EMAIL("alice@LAB.example")], [], "ok"),
    Case("email-mailbox-other-local-part", [EMAIL("alice@lab.example")], None,
         [EMAIL("bob@lab.example")], [("bob@lab.example", "not_permitted")], "permitted"),
    Case("email-host-inside", [EMAIL("lab.example")], None, [EMAIL("bob@lab.example")],
         [], "ok"),
    Case("email-host-is-not-its-subdomains", [EMAIL("lab.example")], None,
         [EMAIL("bob@mail.lab.example")], [("bob@mail.lab.example", "not_permitted")],
         "permitted"),
    Case("email-domain-inside", [EMAIL(".lab.example")], None,
         [EMAIL("bob@mail.lab.example")], [], "ok"),
    Case("email-domain-is-not-the-host", [EMAIL(".lab.example")], None,
         [EMAIL("bob@lab.example")], [("bob@lab.example", "not_permitted")], "permitted"),
    Case("email-excluded", None, [EMAIL("evil.example")], [EMAIL("eve@evil.example")],
         [("eve@evil.example", "excluded")], "excluded"),
    Case("email-in-subject-attribute", [EMAIL("lab.example")], None,
         [DNS("www.lab.example")], [("eve@evil.example", "not_permitted")], "permitted",
         subject=_name((NameOID.COMMON_NAME, "Lab Leaf"),
                       (NameOID.EMAIL_ADDRESS, "eve@evil.example")),
         origins=["subject emailAddress"]),
    # uniformResourceIdentifier: the host, with RFC 5280's URI rules
    Case("uri-domain-inside", [URI(".lab.example")], None,
         [URI("https://www.lab.example/path")], [], "ok"),
    Case("uri-domain-is-not-the-host", [URI(".lab.example")], None,
         [URI("https://lab.example/")], [("https://lab.example/", "not_permitted")],
         "permitted"),
    Case("uri-host-exact-with-port", [URI("lab.example")], None,
         [URI("https://LAB.example:8443/x")], [], "ok"),
    # RFC 3986: userinfo is not part of the host. OpenSSL 3.0 takes everything between
    # "://" and the port or path as the host, so it refuses the first of these and lets
    # the second through; pkilab reads the host as RFC 5280 asks.
    Case("uri-host-after-userinfo", [URI("lab.example")], None,
         [URI("https://user@lab.example/x")], [], None),
    Case("uri-userinfo-does-not-hide-the-host", None, [URI("evil.example")],
         [URI("https://good.example@evil.example/")],
         [("https://good.example@evil.example/", "excluded")], None),
    Case("uri-host-is-not-its-subdomains", [URI("lab.example")], None,
         [URI("https://www.lab.example/")], [("https://www.lab.example/", "not_permitted")],
         "permitted"),
    Case("uri-excluded", None, [URI(".evil.example")], [URI("https://a.evil.example/")],
         [("https://a.evil.example/", "excluded")], "excluded"),
    Case("uri-without-host", [URI(".lab.example")], None, [URI("urn:uuid:1234")],
         [("urn:uuid:1234", "not_permitted")], None),
    # directoryName: the subject (and SAN directory names) must begin with the subtree
    Case("directory-prefix-inside", [DIR(LAB)], None, [DNS("www.lab.example")], [], "ok",
         subject=_name((NameOID.COUNTRY_NAME, "CN"), (NameOID.ORGANIZATION_NAME, "Lab"),
                       (NameOID.COMMON_NAME, "www"))),
    Case("directory-prefix-outside", [DIR(LAB)], None, [DNS("www.lab.example")],
         [("CN=www,O=Other,C=CN", "not_permitted")], "permitted",
         subject=_name((NameOID.COUNTRY_NAME, "CN"), (NameOID.ORGANIZATION_NAME, "Other"),
                       (NameOID.COMMON_NAME, "www")), origins=["subject"]),
    Case("directory-prefix-not-a-suffix", [DIR(LAB)], None, [DNS("www.lab.example")],
         [("C=CN,O=Lab,CN=www", "not_permitted")], "permitted",
         subject=_name((NameOID.COMMON_NAME, "www"), (NameOID.ORGANIZATION_NAME, "Lab"),
                       (NameOID.COUNTRY_NAME, "CN"))),
    Case("directory-case-and-spaces-folded",
         [DIR(_name((NameOID.ORGANIZATION_NAME, "LAB  Inc")))], None,
         [DNS("www.lab.example")], [], "ok",
         subject=_name((NameOID.ORGANIZATION_NAME, "lab inc"), (NameOID.COMMON_NAME, "w"))),
    Case("directory-excluded", None,
         [DIR(_name((NameOID.COUNTRY_NAME, "CN"), (NameOID.ORGANIZATION_NAME, "Evil")))],
         [DNS("www.lab.example")], [("CN=x,O=Evil,C=CN", "excluded")], "excluded",
         subject=_name((NameOID.COUNTRY_NAME, "CN"), (NameOID.ORGANIZATION_NAME, "Evil"),
                       (NameOID.COMMON_NAME, "x"))),
    Case("directory-in-san", [DIR(LAB)], None,
         [DNS("www.lab.example"), DIR(_name((NameOID.COUNTRY_NAME, "CN"),
                                            (NameOID.ORGANIZATION_NAME, "Other")))],
         [("O=Other,C=CN", "not_permitted")], "permitted",
         subject=_name((NameOID.COUNTRY_NAME, "CN"), (NameOID.ORGANIZATION_NAME, "Lab"),
                       (NameOID.COMMON_NAME, "www")), origins=["subjectAltName"]),
    # forms pkilab does not evaluate
    Case("other-name-constrained-and-present",
         [x509.OtherName(x509.ObjectIdentifier("1.3.6.1.4.1.311.20.2.3"), b"\x0c\x01x")],
         None, [DNS("www.lab.example"),
                x509.OtherName(x509.ObjectIdentifier("1.3.6.1.4.1.311.20.2.3"),
                               b"\x0c\x01y")],
         [("1.3.6.1.4.1.311.20.2.3", "not_permitted")], None),
    Case("other-name-constrained-but-absent",
         [x509.OtherName(x509.ObjectIdentifier("1.3.6.1.4.1.311.20.2.3"), b"\x0c\x01x")],
         None, [DNS("www.lab.example")], [], None),
    Case("registered-id-constrained-and-present", None,
         [x509.RegisteredID(x509.ObjectIdentifier("1.2.3.4"))],
         [x509.RegisteredID(x509.ObjectIdentifier("1.2.3.4"))],
         [("1.2.3.4", "not_permitted")], None),
    # the key type plays no part
    Case("ed25519-outside", [DNS("lab.example")], None, [DNS("bank.com")],
         [("bank.com", "not_permitted")], "permitted", key_kind="ed25519"),
    Case("ed25519-inside", [DNS("lab.example")], [net("10.0.0.0/8")],
         [DNS("www.lab.example"), addr("192.0.2.1")], [], "ok", key_kind="ed25519"),
]


@dataclass
class Built:
    case: Case
    chain: Chain
    leaf: x509.Certificate


_BUILT: dict[str, Built] = {}


def built(case: Case) -> Built:
    """Each case's chain, made once per test session (the openssl test reuses it)."""
    if case.id not in _BUILT:
        chain = make_chain(case.permitted, case.excluded, case.key_kind)
        _BUILT[case.id] = Built(case, chain, make_leaf(chain, case.sans, case.subject))
    return _BUILT[case.id]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule(case: Case) -> None:
    b = built(case)
    # read the constraints back from the real intermediate, as the chain checker will
    constraints = b.chain.intermediate.extensions.get_extension_for_class(
        x509.NameConstraints).value
    found = violations(constraints, b.leaf)
    assert [(v.name, v.reason) for v in found] == case.expected
    for v in found:
        assert v.kind in {"dns", "ip", "email", "uri", "directory", "other_name",
                          "registered_id"}
        assert v.subtree.startswith(("permitted ", "excluded "))
        assert v.subtree.startswith("excluded " if v.reason == "excluded" else
                                    ("permitted ", "excluded "))
        assert v.name in v.text
    if case.origins:
        assert [v.origin for v in found] == case.origins


OPENSSL_CASES = [c for c in CASES if c.openssl is not None]


@pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed: no cross-check")
@pytest.mark.parametrize("case", OPENSSL_CASES, ids=[c.id for c in OPENSSL_CASES])
def test_openssl_agrees(case: Case, tmp_path) -> None:
    b = built(case)
    files = {"root.pem": b.chain.root, "inter.pem": b.chain.intermediate, "leaf.pem": b.leaf}
    for file_name, certificate in files.items():
        (tmp_path / file_name).write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    result = subprocess.run(
        [OPENSSL, "verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", "root.pem",
         "-untrusted", "inter.pem", "leaf.pem"],
        cwd=tmp_path, capture_output=True, text=True, timeout=30, check=False)
    said = result.stdout + result.stderr
    if case.openssl == "ok":
        assert result.returncode == 0, said
    else:
        assert result.returncode != 0
        assert f"{case.openssl} subtree violation" in said, said
    pkilab_reasons = {v.reason for v in violations(b.chain.constraints, b.leaf)}
    expected = {"ok": set(), "permitted": {"not_permitted"}, "excluded": {"excluded"}}
    assert pkilab_reasons == expected[case.openssl]


# ---- the contract ------------------------------------------------------------------------

def test_text_of_the_contract_example() -> None:
    chain = make_chain([DNS("lab.example")])
    (found,) = violations(chain.constraints, make_leaf(chain, [DNS("bank.com")]))
    assert found == Violation("bank.com", "dns", "permitted DNS lab.example", "not_permitted")
    assert found.text == ("the DNS name 'bank.com' is not inside any permitted DNS subtree "
                          "(lab.example)")


def test_excluded_text_names_the_subtree() -> None:
    chain = make_chain(None, [DNS("secret.lab.example"), net("10.0.0.0/8")])
    leaf = make_leaf(chain, [DNS("secret.lab.example"), addr("10.9.9.9")])
    dns, ip = violations(chain.constraints, leaf)
    assert (dns.subtree, ip.subtree) == ("excluded DNS secret.lab.example",
                                         "excluded IP 10.0.0.0/8")
    assert "excluded DNS subtree secret.lab.example" in dns.text
    assert "'10.9.9.9'" in ip.text and "10.0.0.0/8" in ip.text


def test_not_permitted_lists_every_permitted_subtree_of_the_form() -> None:
    chain = make_chain([DNS("lab.example"), DNS(".other.example"), net("10.0.0.0/8")])
    (found,) = violations(chain.constraints, make_leaf(chain, [DNS("bank.com")]))
    assert found.subtree == "permitted DNS lab.example, .other.example"


def test_wildcard_excluded_for_a_name_it_stands_for_says_so() -> None:
    chain = make_chain(None, [DNS("secret.lab.example")])
    (found,) = violations(chain.constraints, make_leaf(chain, [DNS("*.lab.example")]))
    assert found.text == ("the DNS name '*.lab.example' covers a name inside the excluded "
                          "DNS subtree secret.lab.example")


def test_cn_fallback_says_where_the_name_came_from() -> None:
    chain = make_chain([DNS("lab.example")])
    leaf = make_leaf(chain, None, _name((NameOID.COMMON_NAME, "bank.com")))
    (found,) = violations(chain.constraints, leaf)
    assert (found.kind, found.origin) == ("dns", "subject CN")
    assert "from the subject CN" in found.text


def test_violation_is_a_frozen_value_and_extras_do_not_change_equality() -> None:
    a = Violation("bank.com", "dns", "permitted DNS lab.example", "not_permitted")
    b = Violation("bank.com", "dns", "permitted DNS lab.example", "not_permitted",
                  origin="subject CN")
    assert a == b and hash(a) == hash(b)
    with pytest.raises(FrozenInstanceError):
        a.name = "other"  # type: ignore[misc]


def test_a_ca_certificate_cn_is_not_taken_for_a_host_name() -> None:
    chain = make_chain([DNS("lab.example")])
    sub_ca = make_leaf(chain, None, _name((NameOID.COMMON_NAME, "ca.other.example")), ca=True)
    assert violations(chain.constraints, sub_ca) == []
    leaf = make_leaf(chain, None, _name((NameOID.COMMON_NAME, "ca.other.example")))
    assert [v.name for v in violations(chain.constraints, leaf)] == ["ca.other.example"]


def test_uri_without_host_says_why() -> None:
    chain = make_chain(None, [URI(".evil.example")])
    (found,) = violations(chain.constraints, make_leaf(chain, [URI("urn:uuid:1234")]))
    assert (found.reason, found.subtree) == ("not_permitted", "excluded URI .evil.example")
    assert "no host" in found.text


def test_unevaluable_form_says_pkilab_cannot_evaluate_it() -> None:
    oid = x509.ObjectIdentifier("1.2.3.4")
    chain = make_chain([x509.RegisteredID(oid)])
    (found,) = violations(chain.constraints, make_leaf(chain, [x509.RegisteredID(oid)]))
    assert found.kind == "registered_id"
    assert "cannot evaluate" in found.text


# ---- broken certificates: reported, never raised -------------------------------------------

_PLACEHOLDER_OID = x509.ObjectIdentifier("2.5.29.99")  # DER 06 03 55 1d 63
_SAN_OID_DER, _PLACEHOLDER_DER = b"\x06\x03\x55\x1d\x11", b"\x06\x03\x55\x1d\x63"


def _with_raw_san(chain: Chain, san_value_der: bytes, *, keep_real_san: bool,
                  subject: x509.Name | None = None) -> x509.Certificate:
    """A leaf whose DER carries ``san_value_der`` as a subjectAltName, bypassing
    cryptography's checks (the signature no longer verifies; these tests do not care)."""
    key = _key("ec")
    subject = subject or _name((NameOID.COMMON_NAME, "Broken Leaf"))
    builder = (_base(subject, chain.intermediate.subject, key.public_key())
               .add_extension(x509.UnrecognizedExtension(_PLACEHOLDER_OID, san_value_der),
                              False))
    if keep_real_san:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName("www.lab.example")]), False)
    der = _sign(builder, chain.intermediate_key).public_bytes(serialization.Encoding.DER)
    assert der.count(_PLACEHOLDER_DER) == 1
    return x509.load_der_x509_certificate(der.replace(_PLACEHOLDER_DER, _SAN_OID_DER))


def test_two_subject_alt_names_fail_closed() -> None:
    chain = make_chain([DNS("lab.example")])
    # SEQUENCE { [2] "bank.com" }: a second SAN naming a host outside the subtree
    leaf = _with_raw_san(chain, b"\x30\x0a\x82\x08bank.com", keep_real_san=True)
    found = violations(chain.constraints, leaf)
    assert [(v.name, v.kind, v.reason) for v in found] == [
        (UNREADABLE_SAN, "dns", "not_permitted")]
    assert "cannot be read" in found[0].text


def test_invalid_ip_bytes_in_san_fail_closed_and_subject_is_still_checked() -> None:
    chain = make_chain([DNS("lab.example"), DIR(LAB)])
    # SEQUENCE { [7] 5 bytes }: an iPAddress of five bytes is neither IPv4 nor IPv6
    subject = _name((NameOID.ORGANIZATION_NAME, "Other"), (NameOID.COMMON_NAME, "x"))
    leaf = _with_raw_san(chain, b"\x30\x07\x87\x05\x0a\x00\x00\x01\x02", keep_real_san=False,
                         subject=subject)
    found = violations(chain.constraints, leaf)
    assert [(v.name, v.kind) for v in found] == [(UNREADABLE_SAN, "dns"),
                                                 ("CN=x,O=Other", "directory")]


def test_unreadable_san_fails_closed_whatever_form_is_constrained() -> None:
    chain = make_chain(None, [net("10.0.0.0/8")])  # constraints on IP addresses only
    leaf = _with_raw_san(chain, b"\x30\x0a\x82\x08bank.com", keep_real_san=True)
    (found,) = violations(chain.constraints, leaf)
    assert (found.name, found.subtree) == (UNREADABLE_SAN, "excluded IP 10.0.0.0/8")


def test_too_many_names_times_subtrees_is_refused_whole_not_ground_through() -> None:
    chain = make_chain([DNS(f"p{i}.lab.example") for i in range(1400)],
                       [DNS(f"x{i}.lab.example") for i in range(1400)])
    leaf = make_leaf(chain, [DNS(f"h{i}.lab.example") for i in range(100)])
    (found,) = violations(chain.constraints, leaf)  # 100 x 2800 > MAX_COMPARISONS
    assert (found.name, found.reason) == (TOO_MANY, "not_permitted")
    assert "280,000 comparisons" in found.text
    fewer = make_leaf(chain, [DNS(f"h{i}.lab.example") for i in range(90)])
    assert len(violations(chain.constraints, fewer)) == 90  # 252,000: still checked


# ---- label boundaries, for any labels --------------------------------------------------------

_LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(base=st.lists(_LABEL, min_size=1, max_size=3).map(".".join),
       prefix=_LABEL, below=st.booleans(), dotted=st.booleans())
def test_label_boundary_for_any_names(base: str, prefix: str, below: bool,
                                      dotted: bool) -> None:
    constraint = ("." if dotted else "") + base
    name = f"{prefix}.{base}" if below else f"{prefix}{base}"
    assert constraint.lstrip(".") == base
    chain = _PROPERTY_CHAINS.setdefault(constraint, make_chain([DNS(constraint)]))
    found = violations(chain.constraints, make_leaf(chain, [DNS(name)]))
    # below the base on a label boundary: inside; glued onto its first label: outside
    assert [v.name for v in found] == ([] if below else [name])


_PROPERTY_CHAINS: dict[str, Chain] = {}
