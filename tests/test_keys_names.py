import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from pkilab.errors import InputError, PolicyError
from pkilab.facts import same_public_key
from pkilab.keys import derive_key, describe_key, generate_key
from pkilab.names import as_name, build_name, format_subj, parse_subj

SEED_SUBJ = "/C=cn/ST=bj/L=bj/O=alibaba/OU=test/CN=root"


@pytest.mark.parametrize("kind, cls, text", [
    ("ec", ec.EllipticCurvePrivateKey, "EC P-256"),
    ("ec384", ec.EllipticCurvePrivateKey, "EC P-384"),
    ("rsa2048", rsa.RSAPrivateKey, "RSA 2048"),
    ("ed25519", ed25519.Ed25519PrivateKey, "Ed25519"),
])
def test_generate_each_kind(kind, cls, text):
    key = generate_key(kind)
    assert isinstance(key, cls)
    assert describe_key(key) == text


def test_weak_rsa_refused_unless_insecure():
    with pytest.raises(PolicyError) as info:
        generate_key("rsa1024")
    assert info.value.code == "weak_key"
    assert "insecure=True" in info.value.fix
    assert generate_key("rsa1024", insecure=True).key_size == 1024


def test_unknown_kind_is_explained():
    with pytest.raises(InputError) as info:
        generate_key("dsa")
    assert info.value.code == "unknown_key_kind"


def test_derived_keys_repeat_and_differ_by_seed():
    a, b, c = derive_key("ec", "x"), derive_key("ec", "x"), derive_key("ec", "y")
    assert same_public_key(a, b)
    assert not same_public_key(a, c)
    assert same_public_key(derive_key("ed25519", "x"), derive_key("ed25519", "x"))
    with pytest.raises(InputError) as info:
        derive_key("rsa2048", "x")
    assert info.value.code == "not_repeatable"


def test_seed_subject_round_trip():
    name = parse_subj(SEED_SUBJ)
    # The seed types "cn"; ISO 3166 codes are upper case.
    assert format_subj(name) == "/C=CN/ST=bj/L=bj/O=alibaba/OU=test/CN=root"
    assert parse_subj(format_subj(name)) == name


def test_keyword_fields_and_aliases():
    assert format_subj(build_name(country="de", organization="Acme", common_name="x")) == \
        "/C=DE/O=Acme/CN=x"
    assert format_subj(as_name("just a cn")) == "/CN=just a cn"


def test_slash_inside_value_escapes():
    name = parse_subj(r"/O=a\/b/CN=c")
    assert format_subj(name) == r"/O=a\/b/CN=c"


@pytest.mark.parametrize("text, code", [
    ("/C=China/CN=x", "bad_country_code"),
    ("/CN=root/emailAddress=a.alibaba.com", "bad_email_address"),
    ("/XX=1", "unknown_name_field"),
    ("CN=root", "bad_subject"),
    ("/CN", "bad_subject"),
    ("/CN=", "empty_name_field"),
    ("/", "bad_subject"),
    ("/CN=a\nb", "control_character"),
    ("/O=\x1b[31mred", "control_character"),
    ("/O=evil\u202etxt.exe", "control_character"),
    ("/CN=\x85", "control_character"),
    ("/CN=caf\udce9", "not_utf8"),
])
def test_bad_subjects_are_explained(text, code):
    with pytest.raises(InputError) as info:
        parse_subj(text)
    assert info.value.code == code
    assert "\n" not in info.value.what and "\x1b" not in info.value.what  # shown escaped


@pytest.mark.parametrize("fields, code", [
    ({"O": "line\nbreak"}, "control_character"),
    ({"CN": "tab\there"}, "control_character"),
    ({"OU": "\udcff"}, "not_utf8"),
    ({"CN": "x" * 65}, "name_field_too_long"),
])
def test_build_name_refuses_control_characters(fields, code):
    with pytest.raises(InputError) as info:
        build_name(fields)
    assert info.value.code == code


@pytest.mark.parametrize("name", ["a@b.example", "1.2.3.4.5", "999.1.1.1", "10.0.0", "",
                                  "a_b.example", "bad\nname", "\udcffx.example", "ex..ample"])
def test_server_names_are_dns_names_or_ip_addresses(name):
    from pkilab.certset import check_server_name

    with pytest.raises(InputError) as info:
        check_server_name(name)
    assert info.value.code in ("bad_server_name", "control_character", "not_utf8")


def test_good_server_names():
    from pkilab.certset import check_server_name

    assert check_server_name("LOCALHOST") == "localhost"
    assert check_server_name("127.0.0.1") == "127.0.0.1"
    assert check_server_name("::1") == "::1"
    assert check_server_name("www.example.com.") == "www.example.com"
    assert check_server_name("1a.example") == "1a.example"


def test_chinese_names_count_utf8_bytes():
    assert format_subj(build_name(C="cn", ST="北京", O="阿里巴巴", CN="客户端")) == \
        "/C=CN/ST=北京/O=阿里巴巴/CN=客户端"
    with pytest.raises(InputError) as info:
        build_name(CN="客户端" * 8)
    assert info.value.code == "name_field_too_long" and "72" in info.value.what


@pytest.mark.parametrize("name, message", [
    ("a_b.example", "'_'"),
    ("a..example", "1-63"),
    ("-bad-.example", "1-63"),
    ("*.example", "wildcard"),
    ("www.*.example.com", "wildcard"),
    ("ü..example", "IDNA"),
    ("x" * 64 + ".com", "1-63"),
])
def test_bad_host_names_are_explained(name, message):
    from pkilab.profiles import general_names

    with pytest.raises(InputError) as info:
        general_names([name])
    # one code; the reason names the rule that was broken
    assert info.value.code == "bad_host_name" and message in info.value.why


def test_host_names_are_normalized():
    from cryptography import x509

    from pkilab.profiles import general_names

    assert general_names(["Bücher.example.", "LOCALHOST", "localhost", "::1"]) == [
        x509.DNSName("xn--bcher-kva.example"), x509.DNSName("localhost"),
        x509.IPAddress(__import__("ipaddress").ip_address("::1"))]
