"""A CA that may only sign what it should: ``pkilab init --permitted-dns/--permitted-ip``.

The set's intermediate1 carries a critical nameConstraints extension; what ``init``
makes still passes every strict verifier (OpenSSL's ``-x509_strict``, Python's ``ssl``
with ``VERIFY_X509_STRICT`` in a real handshake, pkilab's ``verify_chain``), and a
leaf for ``bank.example`` made on purpose under the same CA is refused by all three.
"""

from __future__ import annotations

import ipaddress
import shutil
import socket
import ssl
import subprocess
import sys

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from pkilab import (
    CertificateAuthority,
    HTTPSServer,
    InputError,
    PolicyError,
    build_certificate_set,
    build_csr,
    generate_key,
    verify_chain,
    write_certificate_set,
)
from pkilab.profiles import name_constraints

PKILAB = [sys.executable, "-m", "pkilab"]
LAB = ["lab.example", "localhost"]
LAB_IPS = ["127.0.0.1/32"]
needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


def pkilab(*args):
    return subprocess.run([*PKILAB, *map(str, args)], capture_output=True, text=True,
                          timeout=60)


def pem(*certificates: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


@pytest.fixture(scope="module")
def constrained():
    return build_certificate_set(seed="nc tests", permitted_dns=LAB, permitted_ips=LAB_IPS,
                                 server_names=["www.lab.example", "localhost", "127.0.0.1"])


@pytest.fixture(scope="module")
def bank(constrained):
    """A leaf for bank.example under the constrained intermediate, made on purpose."""
    return constrained.intermediate2.issue_server(["bank.example"],
                                                  allow_outside_constraints=True)


def _nc(certificate: x509.Certificate) -> x509.Extension | None:
    for extension in certificate.extensions:
        if isinstance(extension.value, x509.NameConstraints):
            return extension
    return None


# ---- the extension ---------------------------------------------------------------------------

def test_intermediate1_alone_carries_the_critical_constraints(constrained):
    extension = _nc(constrained.intermediate1.certificate)
    assert extension is not None and extension.critical
    assert extension.value.permitted_subtrees == [
        x509.DNSName("lab.example"), x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_network("127.0.0.1/32"))]
    assert extension.value.excluded_subtrees is None
    for other in (constrained.root, constrained.intermediate2):
        assert _nc(other.certificate) is None
    assert _nc(build_certificate_set().intermediate1.certificate) is None


def test_entries_are_normalised_and_deduplicated():
    built = name_constraints(["LAB.Example.", "lab.example", ".sub.example"],
                             ["10.0.0.0/8", "127.0.0.1", "127.0.0.1/32"])
    assert [str(s.value) for s in built.permitted_subtrees] == [
        "lab.example", ".sub.example", "10.0.0.0/8", "127.0.0.1/32"]
    assert name_constraints() is None


@pytest.mark.parametrize("dns, ips", [
    (["*.lab.example"], []), ([""], []), (["."], []), (["10.0.0.1"], []),
    (["a_b.example"], []), (["-bad.example"], []),
    ([], ["10.0.0.1/8"]), ([], ["lab.example"]), ([], ["10.0.0.0/33"]), ([], [""]),
])
def test_bad_entries_are_refused_with_a_code(dns, ips):
    with pytest.raises(InputError) as caught:
        build_certificate_set(permitted_dns=dns, permitted_ips=ips, server_names=["x.example"])
    assert caught.value.code == "bad_name_constraint"
    assert caught.value.fix


def test_a_leaf_cannot_carry_constraints():
    from pkilab.profiles import build_extensions, profile

    key = generate_key("ec").public_key()
    with pytest.raises(InputError) as caught:
        build_extensions(profile("server"), key, key,
                         constraints=name_constraints(["lab.example"]))
    assert caught.value.code == "bad_name_constraint"


# ---- what init makes still verifies, strictly ------------------------------------------------

def test_the_constrained_set_verifies_with_pkilab(constrained):
    root = constrained.root.certificate
    for host in ("www.lab.example", "localhost", "127.0.0.1"):
        report = verify_chain(constrained.server.fullchain, root, host=host)
        assert report.ok, report
    for client in constrained.clients.values():
        assert verify_chain(client.fullchain, root, purpose="client").ok


@needs_openssl
def test_the_constrained_set_verifies_with_openssl_strict(constrained, tmp_path):
    write_certificate_set(constrained, tmp_path / "set")
    folder = tmp_path / "set"
    for purpose, leaf, extra in (("sslserver", "server.crt", ["-verify_hostname",
                                                              "www.lab.example"]),
                                 ("sslserver", "server.crt", ["-verify_ip", "127.0.0.1"]),
                                 ("sslclient", "client.crt", [])):
        done = subprocess.run(["openssl", "verify", "-x509_strict", "-purpose", purpose,
                               *extra, "-CAfile", "root.crt", "-untrusted", "fullchain.crt",
                               leaf], cwd=folder, capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.strip() == f"{leaf}: OK"


def _strict_client(root: x509.Certificate, client=None, folder=None) -> ssl.SSLContext:
    """Python's own client with OpenSSL's strict RFC 5280 checks (3.13's default)."""
    context = ssl.create_default_context(cadata=pem(root).decode())
    context.verify_flags |= ssl.VERIFY_X509_STRICT
    if client is not None:
        (folder / "c.crt").write_bytes(pem(*client.fullchain))
        (folder / "c.key").write_bytes(client.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        context.load_cert_chain(folder / "c.crt", folder / "c.key")
    return context


def _handshake(port: int, context: ssl.SSLContext, host: str) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname=host) as tls:
        tls.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        reply = b""
        while chunk := tls.recv(4096):
            reply += chunk
    return reply.decode(errors="replace").split("\r\n", 1)[0]


def test_mutual_tls_with_the_constrained_set_under_strict_python_ssl(constrained, tmp_path):
    context = _strict_client(constrained.root.certificate, constrained.clients["client"],
                             tmp_path)
    with HTTPSServer(constrained, mtls="required", name="nc strict mtls") as server:
        status = _handshake(server.port, context, "www.lab.example")
    assert status.startswith("HTTP/1.1 200"), status


# ---- the leaf for bank.example: refused by all three -------------------------------------------

def test_the_ca_refuses_a_name_outside_its_constraints(constrained):
    with pytest.raises(PolicyError) as caught:
        constrained.intermediate2.issue_server(["bank.example"])
    assert caught.value.code == "outside_name_constraints"
    assert "bank.example" in caught.value.what
    with pytest.raises(PolicyError) as caught:
        constrained.intermediate1.issue_server(["www.lab.example", "10.0.0.1"])
    assert caught.value.code == "outside_name_constraints"
    assert "10.0.0.1" in caught.value.what and "www.lab.example" not in caught.value.what
    # inside: issued without a word
    assert constrained.intermediate2.issue_server(["deep.www.lab.example"]).certificate


def test_the_ca_refuses_outside_names_from_a_csr_and_for_clients(constrained):
    key = generate_key("ec")
    csr = build_csr(key, "/CN=bank.example", names=["bank.example"])
    with pytest.raises(PolicyError) as caught:
        constrained.intermediate2.sign_csr(csr)
    assert caught.value.code == "outside_name_constraints"
    forced = constrained.intermediate2.sign_csr(csr, allow_outside_constraints=True)
    assert not verify_chain([forced.certificate, *forced.chain],
                            constrained.root.certificate).ok
    # a client CN that looks like a host name is checked as one (OpenSSL's CN rule)
    with pytest.raises(PolicyError) as caught:
        constrained.intermediate2.issue_client("alice.smith")
    assert caught.value.code == "outside_name_constraints"
    assert constrained.intermediate2.issue_client("alice").certificate


def test_constraints_of_a_loaded_ca_are_enforced_too(constrained):
    loaded = CertificateAuthority.from_pair(constrained.intermediate1.certificate,
                                            constrained.intermediate1.private_key)
    with pytest.raises(PolicyError) as caught:
        loaded.issue_server(["bank.example"])
    assert caught.value.code == "outside_name_constraints"


def test_pkilab_verify_names_the_constraint(constrained, bank):
    report = verify_chain(bank.fullchain, constrained.root.certificate, host="bank.example")
    assert not report.ok
    assert report.problem.code == "name_constraints"
    assert "Intermediate CA 1" in report.problem.what
    assert "lab.example" in report.problem.why
    control = constrained.intermediate2.issue_server(["bank.lab.example"])
    assert verify_chain(control.fullchain, constrained.root.certificate,
                        host="bank.lab.example").ok


@needs_openssl
def test_openssl_strict_refuses_the_bank_leaf(constrained, bank, tmp_path):
    (tmp_path / "root.crt").write_bytes(pem(constrained.root.certificate))
    (tmp_path / "chain.pem").write_bytes(pem(*bank.chain))
    (tmp_path / "bank.crt").write_bytes(pem(bank.certificate))
    done = subprocess.run(["openssl", "verify", "-x509_strict", "-purpose", "sslserver",
                           "-CAfile", "root.crt", "-untrusted", "chain.pem", "bank.crt"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert done.returncode != 0
    assert "error 47" in done.stdout + done.stderr  # X509_V_ERR_PERMITTED_VIOLATION
    assert "permitted subtree violation" in done.stdout + done.stderr


def test_python_ssl_refuses_the_bank_leaf_in_a_real_handshake(constrained, bank):
    context = _strict_client(constrained.root.certificate)
    with HTTPSServer(bank, name="nc bank") as server, \
            pytest.raises(ssl.SSLCertVerificationError) as caught:
        _handshake(server.port, context, "bank.example")
    assert caught.value.verify_code == 47  # X509_V_ERR_PERMITTED_VIOLATION
    # the control: the same client context accepts a leaf inside the constraints
    inside = constrained.intermediate2.issue_server(["bank.lab.example"])
    with HTTPSServer(inside, name="nc inside") as server:
        assert _handshake(server.port, context, "bank.lab.example").startswith("HTTP/1.1 200")


def test_pkilab_verify_cli_exits_1_on_the_bank_leaf(constrained, bank, tmp_path):
    (tmp_path / "root.crt").write_bytes(pem(constrained.root.certificate))
    (tmp_path / "bank.pem").write_bytes(pem(*bank.fullchain))
    done = pkilab("verify", tmp_path / "bank.pem", "--ca", tmp_path / "root.crt",
                  "--host", "bank.example")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "name constraints" in done.stdout


# ---- pkilab init -----------------------------------------------------------------------------

def test_init_puts_the_constraints_on_intermediate1(tmp_path):
    folder = tmp_path / "set"
    done = pkilab("init", folder, "--permitted-dns", "lab.example", "--permitted-dns",
                  "localhost", "--permitted-ip", "127.0.0.1/32")
    assert done.returncode == 0, done.stderr
    from pkilab import load_certificate

    extension = _nc(load_certificate(folder / "intermediate1.crt"))
    assert extension is not None and extension.critical
    assert [str(s.value) for s in extension.value.permitted_subtrees] == [
        "lab.example", "localhost", "127.0.0.1/32"]
    assert "lab.example, localhost, 127.0.0.1/32" in done.stdout
    served = pkilab("verify", folder / "fullchain.crt", "--ca", folder / "root.crt",
                    "--host", "127.0.0.1")
    assert served.returncode == 0, served.stdout


def test_init_refuses_default_names_outside_and_writes_nothing(tmp_path):
    folder = tmp_path / "set"
    done = pkilab("init", folder, "--permitted-dns", "lab.example")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "'localhost'" in done.stderr
    assert not folder.exists()
    with pytest.raises(PolicyError) as caught:
        build_certificate_set(permitted_dns=["lab.example"])
    assert caught.value.code == "outside_name_constraints"


@pytest.mark.parametrize("server_names, clients, dns, ips", [
    (["bank.example"], ["client"], ["lab.example"], []),
    (["www.lab.example", "10.0.0.1"], ["client"], ["lab.example"], ["192.168.0.0/16"]),
    (["lab.example"], ["client"], [".lab.example"], []),  # leading dot: below only
    (["www.lab.example"], ["alice.smith"], ["lab.example"], []),
    (["www.badlab.example"], ["client"], ["lab.example"], []),  # label boundary
])
def test_init_refuses_each_name_outside(server_names, clients, dns, ips):
    with pytest.raises(PolicyError) as caught:
        build_certificate_set(server_names=server_names, clients=clients, permitted_dns=dns,
                              permitted_ips=ips)
    assert caught.value.code == "outside_name_constraints"


def test_init_refuses_before_making_any_key(monkeypatch):
    import pkilab.ca

    def no_keys(*args, **kwargs):
        raise AssertionError("a key was made before the refusal")

    monkeypatch.setattr(pkilab.ca, "_new_key", no_keys)
    with pytest.raises(PolicyError) as caught:
        build_certificate_set(key_kind="rsa4096", permitted_dns=["lab.example"],
                              server_names=["bank.example"])
    assert caught.value.code == "outside_name_constraints"


def test_ip_constraints_alone_leave_dns_names_free():
    cs = build_certificate_set(permitted_ips=["127.0.0.1/32"])
    assert verify_chain(cs.server.fullchain, cs.root.certificate, host="localhost").ok
    with pytest.raises(PolicyError):
        cs.intermediate2.issue_server(["10.0.0.1"])


def test_an_ip_only_server_gets_a_cn_openssl_will_not_check_as_a_dns_name(tmp_path):
    cs = build_certificate_set(permitted_dns=["lab.example"], permitted_ips=["10.0.0.0/8"],
                               server_names=["10.0.0.5"])
    assert cs.server.certificate.subject.rfc4514_string() == "CN=pkilab server,O=pkilab"
    assert verify_chain(cs.server.fullchain, cs.root.certificate, host="10.0.0.5").ok
    # without constraints the CN stays the first name, as before
    plain = build_certificate_set(server_names=["10.0.0.5"])
    assert plain.server.certificate.subject.rfc4514_string() == "CN=10.0.0.5,O=pkilab"
    if shutil.which("openssl"):
        write_certificate_set(cs, tmp_path / "set")
        done = subprocess.run(["openssl", "verify", "-x509_strict", "-purpose", "sslserver",
                               "-verify_ip", "10.0.0.5", "-CAfile", "root.crt", "-untrusted",
                               "fullchain.crt", "server.crt"], cwd=tmp_path / "set",
                              capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stdout + done.stderr


def test_help_says_localhost_must_be_permitted_too():
    done = pkilab("init", "--help")
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert "--permitted-dns" in text and "--permitted-ip" in text
    assert "localhost" in text and "127.0.0.1/32" in text


# ---- the CN fallback ---------------------------------------------------------------------------

def _cn_only(constrained, host: str):
    from pkilab import IssuedCertificate, make_cn_only_server_certificate

    key = constrained.server.private_key
    certificate = make_cn_only_server_certificate(
        host, key.public_key(), constrained.intermediate2.certificate,
        constrained.intermediate2.private_key)
    return IssuedCertificate(certificate, key, constrained.intermediate2.intermediates,
                             constrained.root.certificate)


def test_openssl_checks_a_host_like_cn_against_the_dns_constraints(constrained):
    """Python's ssl falls back to the CN without a subjectAltName; OpenSSL then checks that
    CN against the DNS constraints, so the fallback is no way around them."""
    context = ssl.create_default_context(cadata=pem(constrained.root.certificate).decode())
    assert context.hostname_checks_common_name
    with HTTPSServer(_cn_only(constrained, "www.lab.example"), name="nc cn inside") as server:
        assert _handshake(server.port, context, "www.lab.example").startswith("HTTP/1.1 200")
    with HTTPSServer(_cn_only(constrained, "bank.example"), name="nc cn outside") as server, \
            pytest.raises(ssl.SSLCertVerificationError) as caught:
        _handshake(server.port, context, "bank.example")
    assert caught.value.verify_code == 47


@needs_openssl
def test_openssl_checks_an_ip_cn_as_a_dns_name(tmp_path):
    """Why an IP-only server of a DNS-constrained set gets another CN: OpenSSL refuses
    CN=10.0.0.5 (IP SAN only) under DNS constraints, and pkilab's CA says so first."""
    cs = build_certificate_set(seed="nc ip cn", permitted_dns=["lab.example"],
                               permitted_ips=["10.0.0.0/8"], server_names=["www.lab.example"])
    with pytest.raises(PolicyError) as caught:
        cs.intermediate2.issue_server(["10.0.0.5"])
    assert caught.value.code == "outside_name_constraints"
    forced = cs.intermediate2.issue_server(["10.0.0.5"], allow_outside_constraints=True)
    (tmp_path / "root.crt").write_bytes(pem(cs.root.certificate))
    (tmp_path / "leaf.pem").write_bytes(pem(*forced.fullchain))
    done = subprocess.run(["openssl", "verify", "-x509_strict", "-purpose", "sslserver",
                           "-CAfile", "root.crt", "-untrusted", "leaf.pem", "leaf.pem"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert "error 47" in done.stdout + done.stderr
    assert verify_chain(forced.fullchain, cs.root.certificate).problem.code == "name_constraints"


def test_the_root_itself_is_not_constrained(constrained):
    from_root = constrained.root.issue_server(["bank.example"])
    assert verify_chain(from_root.fullchain, constrained.root.certificate,
                        host="bank.example").ok
