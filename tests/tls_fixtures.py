"""Certificate material shared by the TLS, trace and serve tests (imported, not a conftest).

Sets are built once per test session (EC keys: about a millisecond each).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID

from pkilab.ca import IssuedCertificate
from pkilab.certset import CertificateSet, build_certificate_set
from pkilab.keys import generate_key
from pkilab.names import build_name

PAST = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)


@functools.cache
def lab_set() -> CertificateSet:
    """The set the servers serve: root -> intermediate1 -> intermediate2 -> server, clients."""
    return build_certificate_set(seed="tests-tls")


@functools.cache
def foreign_set() -> CertificateSet:
    """Another CA with the *same names* (O=pkilab): only the keys differ."""
    return build_certificate_set(seed="tests-tls-foreign")


@functools.cache
def expired_client() -> IssuedCertificate:
    """A client certificate from the right CA that expired on 2020-01-02."""
    return lab_set().intermediate2.issue_client("old-client", not_before=PAST, days=1)


@functools.cache
def expired_server() -> IssuedCertificate:
    return lab_set().intermediate2.issue_server(["localhost"], not_before=PAST, days=1)


def root():
    return lab_set().root.certificate


def client(name: str = "client") -> IssuedCertificate:
    return lab_set().clients[name]


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def pkilab_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("pkilab-https")]


def _client_certificate(cn: str, *, ca: bool, usage: tuple[str, ...]) -> IssuedCertificate:
    """A client certificate from intermediate2 with exactly these basicConstraints and
    keyUsage bits (clientAuth, an e-mail SAN): what CertificateAuthority would never issue."""
    issuer = lab_set().intermediate2
    key = generate_key("ec")
    now = dt.datetime.now(dt.timezone.utc)
    bits = {name: name in usage for name in (
        "digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
        "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only")}
    builder = (x509.CertificateBuilder().subject_name(build_name(O="pkilab", CN=cn))
               .issuer_name(issuer.certificate.subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=1))
               .not_valid_after(now + dt.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   issuer.private_key.public_key()), critical=False)
               .add_extension(x509.KeyUsage(**bits), critical=True)
               .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]),
                              critical=False)
               .add_extension(x509.SubjectAlternativeName(
                   [x509.RFC822Name(f"{cn}@pkilab.test")]), critical=False))
    certificate = builder.sign(issuer.private_key, hashes.SHA256())
    return IssuedCertificate(certificate, key, lab_set().intermediate2.intermediates,
                             lab_set().root.certificate)


@functools.cache
def odd_clients() -> dict[str, IssuedCertificate]:
    """Certificates the TLS handshake lets through as client certificates, but
    ``pkilab verify --purpose client`` refuses: the CAs themselves, a CA:TRUE leaf, and a
    leaf whose keyUsage allows only keyAgreement."""
    cs = lab_set()
    return {
        "root": IssuedCertificate(cs.root.certificate, cs.root.private_key, [],
                                  cs.root.certificate),
        "intermediate2": IssuedCertificate(cs.intermediate2.certificate,
                                           cs.intermediate2.private_key,
                                           [cs.intermediate1.certificate], cs.root.certificate),
        "ca-true-leaf": _client_certificate("ca-true-leaf", ca=True,
                                            usage=("digital_signature", "key_cert_sign")),
        "key-agreement-only": _client_certificate("key-agreement-only", ca=False,
                                                  usage=("key_agreement",)),
    }
