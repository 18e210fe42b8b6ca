"""The failure zoo: one HTTPS endpoint per way a certificate can be wrong, made fresh at start.

badssl.com's cases break when their certificates expire; here every certificate is
issued from a new zoo CA when the zoo starts (dates relative to that moment), so
"expired" is expired and "good" is good, whenever it runs.

>>> with Zoo("zoo") as zoo:
...     for case in zoo.cases: print(case.line())

One port per case, not one port with SNI. The cases differ in more than the
certificate: client-cert-required asks for a client certificate, tls-1.0-only pins
the protocol version, sha1-signature and rsa-1024 need OpenSSL's security level 0 to be
served at all. With a context (and a port) of its own, each case's settings are simply
its own, with no SNI callback switching contexts half-way through a handshake (whose
effect on the verify mode and version range would itself need teaching). A port each
also means every client reaches every case as plain ``https://localhost:PORT/``: no
``--resolve``, no hosts-file entry. ``port=P`` gives
the cases ports P, P+1, ... in the order of :data:`CASES`, so the URLs stay the same
across restarts.

The zoo writes the files a client needs into its folder: ``root.crt`` (the zoo root:
trust it and only the intended failure remains), ``zoo.crl`` (the CRL on which the
revoked case's certificate is), ``client.crt``/``client.key`` (a client certificate
the mTLS cases accept) and ``wrong-ca-client.crt``/``.key`` (one from another CA).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import ssl
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from .ca import CertificateAuthority, IssuedCertificate
from .errors import InputError

HOSTS = ["localhost", "127.0.0.1"]


@dataclass(frozen=True)
class Expectation:
    """What a correct client does with a case: ``accept`` or ``refuse``, and why."""

    outcome: str          # "accept" | "refuse"
    should: str           # the line the zoo prints


#: Every case in port order, with what a correct client should do.
CASES: dict[str, Expectation] = {
    "good": Expectation("accept", "accept: a valid chain to the zoo root, for localhost"),
    "expired": Expectation("refuse", "refuse: the certificate expired 20 days ago"),
    "not-yet-valid": Expectation("refuse", "refuse: the certificate is valid only from "
                                 "30 days from now"),
    "wrong-host": Expectation("refuse", "refuse: the certificate is for "
                              "wrong-host.zoo.test, not localhost"),
    "self-signed": Expectation("refuse", "refuse: a self-signed certificate, no CA vouches "
                               "for it"),
    "untrusted-root": Expectation("refuse", "refuse: the chain ends at a root you do not "
                                  "trust"),
    "incomplete-chain": Expectation("refuse", "refuse: the server sends no intermediate, "
                                    "so there is no path to the root"),
    "reversed-chain": Expectation("accept", "accept: the intermediates come in reverse "
                                  "order; TLS 1.3 (RFC 8446 4.4.2) lets clients reorder"),
    "revoked": Expectation("refuse", "refuse when it checks revocation: the certificate is "
                           "on zoo.crl (curl --crlfile zoo.crl); a client that checks no "
                           "CRL accepts it"),
    "sha1-signature": Expectation("refuse", "refuse: the certificate is signed with SHA-1, "
                                  "forgeable since 2020 (SHA-1 is a Shambles)"),
    "rsa-1024": Expectation("refuse", "refuse: a 1024-bit RSA key, below the 2048 bits of "
                            "OpenSSL's security level 2 (Python's default)"),
    "client-cert-required": Expectation("refuse", "the server refuses a client without a "
                                        "certificate (send client.crt + client.key and it "
                                        "answers)"),
    "client-cert-wrong-ca": Expectation("refuse", "the server refuses a client certificate "
                                        "from another CA (wrong-ca-client.crt)"),
    "tls-1.0-only": Expectation("refuse", "refuse: the server speaks only TLS 1.0, "
                                "retired in 2021 (RFC 8996)"),
}


@dataclass
class ZooCase:
    """One endpoint: what it serves, how, and (once started) its URL."""

    name: str
    chain: list[x509.Certificate]
    key: object
    mtls: bool = False
    tls10: bool = False
    weak: bool = False
    port: int = 0
    available: str = ""   # why the case cannot run here ("" when it can)

    @property
    def expectation(self) -> Expectation:
        return CASES[self.name]

    @property
    def url(self) -> str:
        return f"https://localhost:{self.port}/"

    def line(self) -> str:
        """``NAME URL what a correct client should do``."""
        if self.available:
            return f"{self.name:<21} {'(not served)':<24} {self.available}"
        return f"{self.name:<21} {self.url:<24} {self.expectation.should}"


@dataclass
class ZooMaterial:
    """The zoo's CAs and the files it hands to clients, all made at one moment."""

    root: CertificateAuthority
    intermediate: CertificateAuthority
    cases: list[ZooCase]
    files: dict[str, tuple[bytes, bool]] = field(default_factory=dict)


def _pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _served(issued: IssuedCertificate) -> tuple[list[x509.Certificate], object]:
    return issued.fullchain, issued.private_key


def _sha1_signed(leaf: IssuedCertificate, ca: CertificateAuthority) -> x509.Certificate:
    """``leaf`` (issued by the RSA ``ca`` with SHA-256) signed again with SHA-1.

    cryptography refuses to sign with SHA-1, so the certificate is edited instead: the
    two sha256WithRSAEncryption identifiers become sha1WithRSAEncryption (same length)
    and the signature at the end is replaced by one over the edited fields.
    """
    from cryptography.hazmat.primitives.asymmetric import padding

    sha256_rsa, sha1_rsa = bytes.fromhex("2a864886f70d01010b"), bytes.fromhex("2a864886f70d010105")
    der = leaf.certificate.public_bytes(serialization.Encoding.DER)
    assert der.count(sha256_rsa) == 2
    edited = der.replace(sha256_rsa, sha1_rsa)
    tbs = x509.load_der_x509_certificate(edited).tbs_certificate_bytes
    size = ca.private_key.key_size // 8  # type: ignore[union-attr]
    signature = ca.private_key.sign(tbs, padding.PKCS1v15(), hashes.SHA1())  # type: ignore
    return x509.load_der_x509_certificate(edited[:-size] + signature)


def _self_signed_leaf(now: dt.datetime):
    """A server certificate that signs itself (CA:FALSE): nobody vouches for it."""
    from .keys import generate_key
    from .profiles import build_extensions, general_names, profile

    key = generate_key("ec")
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "localhost")])
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now).not_valid_after(now + dt.timedelta(days=30)))
    for value, critical in build_extensions(profile("server"), key.public_key(),
                                            key.public_key(),
                                            subject_alt_names=general_names(HOSTS)):
        builder = builder.add_extension(value, critical)
    return [builder.sign(key, hashes.SHA256())], key


def _crl(ca: CertificateAuthority, serials: Sequence[int], now: dt.datetime) -> bytes:
    from .crl import Revocation, build_crl, crl_pem

    entries = [Revocation(serial, now, "keyCompromise") for serial in serials]
    return crl_pem(build_crl(ca.certificate, ca.private_key, entries, number=1,
                             this_update=now))


def build_zoo(now: dt.datetime | None = None) -> ZooMaterial:
    """Every case's certificates, from a new zoo root, dated around ``now``."""
    from .keys import generate_key

    now = now or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    start = now - dt.timedelta(minutes=5)
    root = CertificateAuthority.create_root("/O=pkilab zoo/CN=pkilab Zoo Root CA",
                                            not_before=start, days=30)
    inter = root.issue_intermediate("/O=pkilab zoo/CN=pkilab Zoo Intermediate CA",
                                    path_length=0, not_before=start, days=30)

    def leaf(**kw) -> IssuedCertificate:
        kw.setdefault("not_before", start)
        kw.setdefault("days", 30)
        return inter.issue_server(kw.pop("names", HOSTS), **kw)

    upper = root.issue_intermediate("/O=pkilab zoo/CN=pkilab Zoo Upper CA", path_length=1,
                                    not_before=start, days=30)
    lower = upper.issue_intermediate("/O=pkilab zoo/CN=pkilab Zoo Lower CA", path_length=0,
                                     not_before=start, days=30)
    stranger = CertificateAuthority.create_root("/O=elsewhere/CN=Untrusted Root CA",
                                                not_before=start, days=30)
    stranger_inter = stranger.issue_intermediate("/O=elsewhere/CN=Untrusted Intermediate",
                                                 path_length=0, not_before=start, days=30)
    revoked = leaf()
    rsa_ca = root.issue_intermediate("/O=pkilab zoo/CN=pkilab Zoo RSA CA", path_length=0,
                                     key_kind="rsa2048", not_before=start, days=30)
    sha1 = rsa_ca.issue_server(HOSTS, not_before=start, days=30)
    weak = leaf(key=generate_key("rsa1024", insecure=True))
    reversed_leaf = lower.issue_server(HOSTS, not_before=start, days=30)
    good = leaf()
    cases = [
        ZooCase("good", *_served(good)),
        ZooCase("expired", *_served(leaf(not_before=now - dt.timedelta(days=30), days=10))),
        ZooCase("not-yet-valid", *_served(leaf(not_before=now + dt.timedelta(days=30)))),
        ZooCase("wrong-host", *_served(leaf(names=["wrong-host.zoo.test"]))),
        ZooCase("self-signed", *_self_signed_leaf(start)),
        ZooCase("untrusted-root", *_served(stranger_inter.issue_server(
            HOSTS, not_before=start, days=30))),
        ZooCase("incomplete-chain", [good.certificate], good.private_key),
        ZooCase("reversed-chain", [reversed_leaf.certificate, upper.certificate,
                                   lower.certificate], reversed_leaf.private_key),
        ZooCase("revoked", *_served(revoked)),
        ZooCase("sha1-signature", [_sha1_signed(sha1, rsa_ca), rsa_ca.certificate],
                sha1.private_key, weak=True),
        ZooCase("rsa-1024", *_served(weak), weak=True),
        ZooCase("client-cert-required", *_served(good), mtls=True),
        ZooCase("client-cert-wrong-ca", *_served(good), mtls=True),
        ZooCase("tls-1.0-only", *_served(good), tls10=True, weak=True),
    ]
    client = inter.issue_client("zoo-client", not_before=start, days=30)
    wrong = stranger_inter.issue_client("wrong-ca-client", not_before=start, days=30)
    files = {"root.crt": (_pem(root.certificate), False),
             "zoo.crl": (_crl(inter, [revoked.certificate.serial_number], now), False),
             "client.crt": (_pem(*client.fullchain), False),
             "client.key": (_key_pem(client.private_key), True),
             "wrong-ca-client.crt": (_pem(*wrong.fullchain), False),
             "wrong-ca-client.key": (_key_pem(wrong.private_key), True)}
    return ZooMaterial(root, inter, cases, files)


def tls10_unavailable() -> str:
    """Why this Python/OpenSSL cannot serve TLS 1.0 ("" when it can)."""
    if not getattr(ssl, "HAS_TLSv1", False):
        return "this OpenSSL was built without TLS 1.0"
    try:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        _pin_tls10(context)
    except (ValueError, ssl.SSLError) as exc:
        return f"this OpenSSL cannot be set to TLS 1.0 ({exc})"
    return ""


def _pin_tls10(context: ssl.SSLContext) -> None:
    import warnings

    with warnings.catch_warnings():  # deprecated, and shown here on purpose
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1


def case_context(case: ZooCase, material: ZooMaterial) -> ssl.SSLContext:
    """The server context of one case (weak cases at OpenSSL security level 0)."""
    from .tls.contexts import Identity, load_identity

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if case.weak:
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    if case.tls10:
        _pin_tls10(context)
    else:
        context.minimum_version = ssl.TLSVersion.TLSv1_2
    load_identity(context, Identity(_pem(*case.chain), _key_pem(case.key)))
    if case.mtls:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(cadata=_pem(material.root.certificate,
                                                  material.intermediate.certificate).decode())
    return context


class Zoo:
    """Every case on its own loopback port; a context manager (stops within a second).

    ``directory`` receives the client files (see the module docstring); ``port`` 0 lets
    the system pick free ports, ``port=P`` uses P, P+1, ... (code ``cannot_listen`` when
    one is taken).
    """

    def __init__(self, directory: str | os.PathLike[str], *, port: int = 0) -> None:
        if not isinstance(port, int) or isinstance(port, bool) or \
                not 0 <= port <= 65535 - len(CASES):
            raise InputError(f"port={port!r} leaves no room for {len(CASES)} cases",
                             f"the zoo uses {len(CASES)} ports from it",
                             "pass 0 (any free ports) or a port below 65500",
                             code="bad_port")
        self.directory = Path(directory)
        self.base_port = port
        self.material = build_zoo()
        self.cases = self.material.cases
        self._running: list[tuple[socket.socket, object, threading.Thread]] = []

    def write_files(self) -> list[Path]:
        """The client files, replaced each start (the zoo CA is new each time)."""
        from .files import write_output

        return [write_output(self.directory / name, data, private=private, overwrite=True)
                for name, (data, private) in self.material.files.items()]

    def start(self) -> Zoo:
        self.write_files()
        try:
            self._start_cases()
        except BaseException:
            self.stop()  # a port taken half-way: the cases already started stop too
            raise
        return self

    def _start_cases(self) -> None:
        from .tls.events import ServerEvent
        from .tls.loop import Front, Reply

        tls10 = tls10_unavailable()
        for index, case in enumerate(self.cases):
            if case.tls10 and tls10:
                case.available = tls10
                continue
            listener = _listen(self.base_port + index if self.base_port else 0)
            case.port = listener.getsockname()[1]

            def answer(head, peer, name=case.name):
                return Reply(200, f"zoo case {name}: the handshake succeeded\n",
                             ServerEvent("request", status=200))

            front = Front(listener, case_context(case, self.material), handshake_timeout=3,
                          max_connections=64, answer=answer, record=lambda event: None)
            thread = threading.Thread(target=front.run, name=f"pkilab-zoo-{case.name}",
                                      daemon=True)
            thread.start()
            self._running.append((listener, front, thread))

    def stop(self) -> None:
        for listener, front, thread in self._running:
            front.wake()  # type: ignore[attr-defined]
            thread.join(1.0)
            listener.close()
        self._running.clear()

    def case(self, name: str) -> ZooCase:
        for case in self.cases:
            if case.name == name:
                return case
        raise InputError(f"no zoo case {name!r}", "", "one of: " + ", ".join(CASES),
                         code="unknown_zoo_case")

    def lines(self) -> list[str]:
        return [case.line() for case in self.cases]

    def __enter__(self) -> Zoo:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _listen(port: int) -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(64)
    except OSError as exc:
        listener.close()
        raise InputError(f"cannot listen on 127.0.0.1:{port}", exc.strerror or str(exc),
                         "pick another --port, or leave it out for free ports",
                         code="cannot_listen") from None
    return listener
