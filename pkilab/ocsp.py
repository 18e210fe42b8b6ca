"""OCSP for a certificate set: answers built with ``cryptography.x509.ocsp``, and a small
responder on 127.0.0.1 that ``openssl ocsp -url`` can ask.

:func:`ocsp_answer` is pure: request bytes and a :class:`SetAuthorities` in, response
bytes out. Each CA of the set answers for the certificates it signed (intermediate2 for
the server and the clients), signing with its own key (RFC 6960 2.6: the CA itself may
sign; no delegated responder certificate). What is revoked comes from the CA's CRL file
(``crl.pem``...), read again for every request: unlike a CRL a server loaded at start,
the responder's answer changes the moment ``pkilab revoke`` runs.

Limits: one responder for one set; GET and POST (RFC 6960 A.1); no pre-signed responses,
no delegated signer, nonces echoed but never required. Public CAs are leaving OCSP:
Let's Encrypt switched its responders off in August 2025 in favour of CRLs.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import threading
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509 import ocsp

from . import crl as crls
from .errors import InputError

#: How long an answer may be cached by the client (its nextUpdate).
ANSWER_HOURS = 1
MAX_REQUEST = 64 * 1024


@dataclass
class Authority:
    """One CA of the set, as the responder needs it."""

    name: str
    certificate: x509.Certificate
    key: object
    issued: dict[int, str]              # serial -> file stem of what it signed
    crl_path: Path | None = None

    def revocation(self, serial: int) -> crls.Revocation | None:
        if self.crl_path is None or not self.crl_path.is_file():
            return None
        from .files import read_input

        found = crls.parse_crls(read_input(self.crl_path, what="CRL"))[0]
        if not crls.signed_by(found, self.certificate):
            return None  # a list another key signed says nothing for this CA
        entry = found.get_revoked_certificate_by_serial_number(serial)
        if entry is None:
            return None
        return next(r for r in crls.revocations(found) if r.serial == serial)


@dataclass
class SetAuthorities:
    """The CAs of a set, found by the hashes an OCSP request names its issuer with."""

    authorities: list[Authority] = field(default_factory=list)

    def find(self, request: ocsp.OCSPRequest) -> Authority | None:
        algorithm = request.hash_algorithm
        for authority in self.authorities:
            name_hash, key_hash = _issuer_hashes(authority.certificate, algorithm)
            if (request.issuer_name_hash, request.issuer_key_hash) == (name_hash, key_hash):
                return authority
        return None


def _issuer_hashes(issuer: x509.Certificate, algorithm: hashes.HashAlgorithm
                   ) -> tuple[bytes, bytes]:
    from cryptography.hazmat.primitives import serialization

    name = hashes.Hash(algorithm)
    name.update(issuer.subject.public_bytes())
    # the key hash covers the subjectPublicKey BIT STRING's bytes: the SPKI's tail
    spki = issuer.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    key = hashes.Hash(algorithm)
    key.update(_bit_string_contents(spki))
    return name.finalize(), key.finalize()


def _bit_string_contents(spki: bytes) -> bytes:
    """The bytes of the BIT STRING that ends a DER SubjectPublicKeyInfo."""
    def length(at: int) -> tuple[int, int]:
        first = spki[at]
        if first < 0x80:
            return first, at + 1
        count = first & 0x7F
        return int.from_bytes(spki[at + 1:at + 1 + count], "big"), at + 1 + count

    _outer, at = length(1)               # SEQUENCE
    inner_len, inner_at = length(at + 1)  # AlgorithmIdentifier SEQUENCE
    at = inner_at + inner_len
    assert spki[at] == 0x03  # BIT STRING
    bits_len, bits_at = length(at + 1)
    return spki[bits_at + 1:bits_at + bits_len]  # skip the unused-bits octet


def ocsp_answer(request_der: bytes, authorities: SetAuthorities, *,
                at: dt.datetime | None = None) -> bytes:
    """The DER OCSP response to ``request_der``: good, revoked (with time and reason) or
    unknown, signed by the CA the request names; malformedRequest for bytes that are
    not a request, unauthorized for another CA's certificate."""
    try:
        request = ocsp.load_der_ocsp_request(request_der)
        request.serial_number  # noqa: B018 - several certificates in one request raise here
    except ValueError:
        return _failure(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    authority = authorities.find(request)
    if authority is None:
        return _failure(ocsp.OCSPResponseStatus.UNAUTHORIZED)
    now = (at or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0)
    serial = request.serial_number
    revoked = authority.revocation(serial)
    if revoked is not None:
        status, when, reason = (ocsp.OCSPCertStatus.REVOKED, revoked.date,
                                crls.REASONS.get(revoked.reason))
    elif serial in authority.issued:
        status, when, reason = ocsp.OCSPCertStatus.GOOD, None, None
    else:
        status, when, reason = ocsp.OCSPCertStatus.UNKNOWN, None, None
    if reason == x509.ReasonFlags.unspecified:
        reason = None
    builder = (ocsp.OCSPResponseBuilder()
               .add_response_by_hash(request.issuer_name_hash, request.issuer_key_hash,
                                     serial, request.hash_algorithm, status, now,
                                     now + dt.timedelta(hours=ANSWER_HOURS), when, reason)
               .responder_id(ocsp.OCSPResponderEncoding.HASH, authority.certificate))
    for extension in request.extensions:
        if isinstance(extension.value, x509.OCSPNonce):
            builder = builder.add_extension(extension.value, critical=False)
    response = builder.sign(authority.key, crls.signing_hash(authority.key))  # type: ignore[arg-type]
    from cryptography.hazmat.primitives import serialization

    return response.public_bytes(serialization.Encoding.DER)


def _failure(status: ocsp.OCSPResponseStatus) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return ocsp.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(
        serialization.Encoding.DER)


def set_authorities(folder: str | os.PathLike[str]) -> SetAuthorities:
    """The CAs of the set in ``folder`` with what each signed and where its CRL is."""
    from .certset import load_certificate_set
    from .load import load_certificate, load_private_key
    from .revoke import CRL_FILES

    loaded = load_certificate_set(folder)
    directory = loaded.directory

    def serials(*stems: str) -> dict[int, str]:
        return {load_certificate(directory / f"{s}.crt").serial_number: s for s in stems}

    def authority(stem: str, issued: dict[int, str]) -> Authority:
        return Authority(stem, load_certificate(directory / f"{stem}.crt"),
                         load_private_key(directory / f"{stem}.key"), issued,
                         directory / CRL_FILES[stem])

    return SetAuthorities([
        authority("intermediate2", serials("server", *loaded.clients)),
        authority("intermediate1", serials("intermediate2")),
        authority("root", serials("intermediate1")),
    ])


# ---- the responder on loopback -------------------------------------------------------------

@dataclass(frozen=True)
class OCSPEvent:
    """One answered request: which serial, and the status given."""

    serial: int | None
    status: str

    def __str__(self) -> str:
        serial = f"serial {self.serial:x}" if self.serial is not None else "no serial"
        return f"{serial}: {self.status}"


def describe(response_der: bytes) -> OCSPEvent:
    """What a response says, as an event (for logs and tests)."""
    response = ocsp.load_der_ocsp_response(response_der)
    if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        return OCSPEvent(None, response.response_status.name.lower())
    return OCSPEvent(response.serial_number, response.certificate_status.name.lower())


class OCSPResponder:
    """``with OCSPResponder(folder) as responder:`` an OCSP responder for the set on
    ``http://127.0.0.1:PORT`` (``responder.url``), stopped when the block ends.

    It never prints; :attr:`events` records each answer. ``port=0`` takes a free port.
    """

    def __init__(self, folder: str | os.PathLike[str], *, port: int = 0,
                 host: str = "127.0.0.1") -> None:
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise InputError(f"the lab OCSP responder listens on loopback only, not {host!r}",
                             "it signs answers with the set's CA keys",
                             "leave host at 127.0.0.1", code="not_loopback")
        self.authorities = set_authorities(folder)
        self.host, self._port = host, port
        self.events: list[OCSPEvent] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise InputError("the OCSP responder is not running", "", "start it (with ...:)",
                             code="server_not_running")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> OCSPResponder:
        if self._server is None:
            self._server = ThreadingHTTPServer((self.host, self._port), _handler(self))
            self._server.daemon_threads = True
            self._thread = threading.Thread(target=self._server.serve_forever,
                                            kwargs={"poll_interval": 0.1},
                                            name="pkilab-ocsp", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            assert self._thread is not None
            self._thread.join(2)
            self._server = self._thread = None

    def __enter__(self) -> OCSPResponder:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def answer(self, request_der: bytes) -> bytes:
        response = ocsp_answer(request_der, self.authorities)
        self.events.append(describe(response))
        return response


def _handler(responder: OCSPResponder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        timeout = 5

        def do_POST(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            if not 0 < size <= MAX_REQUEST:
                self._send(_failure(ocsp.OCSPResponseStatus.MALFORMED_REQUEST))
                return
            self._send(responder.answer(self.rfile.read(size)))

        def do_GET(self) -> None:
            encoded = urllib.parse.unquote(self.path.lstrip("/"))
            try:
                der = base64.b64decode(encoded, validate=True)
            except ValueError:
                der = b""
            self._send(responder.answer(der))

        def _send(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/ocsp-response")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet threads: the events say what happened

    return Handler


def ocsp_status(certificate: x509.Certificate, issuer: x509.Certificate, url: str, *,
                timeout: float = 5) -> str:
    """Ask the responder at ``url`` about ``certificate``: "good", "revoked", "unknown"
    (or the failure status). The response's signature is checked against ``issuer``."""
    import urllib.request

    from cryptography.hazmat.primitives import serialization

    request = ocsp.OCSPRequestBuilder().add_certificate(certificate, issuer,
                                                        hashes.SHA1()).build()
    body = request.public_bytes(serialization.Encoding.DER)
    posted = urllib.request.Request(url, data=body,
                                    headers={"Content-Type": "application/ocsp-request"})
    with urllib.request.urlopen(posted, timeout=timeout) as reply:
        response = ocsp.load_der_ocsp_response(reply.read(MAX_REQUEST))
    if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        return response.response_status.name.lower()
    _check_signature(response, issuer)
    return response.certificate_status.name.lower()


def _check_signature(response: ocsp.OCSPResponse, issuer: x509.Certificate) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    key = issuer.public_key()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(response.signature, response.tbs_response_bytes,
                       ec.ECDSA(response.signature_hash_algorithm))  # type: ignore[arg-type]
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(response.signature, response.tbs_response_bytes, padding.PKCS1v15(),
                       response.signature_hash_algorithm)  # type: ignore[arg-type]
        else:
            key.verify(response.signature, response.tbs_response_bytes)  # type: ignore[union-attr,call-arg]
    except Exception:
        raise InputError("the OCSP answer is not signed by the issuer",
                         "anyone on the path could have written it",
                         "ask the CA's own responder", code="ocsp_bad_signature") from None


def stapling_response(folder: str | os.PathLike[str], name: str = "server", *,
                      at: dt.datetime | None = None) -> bytes:
    """The DER OCSP response about ``NAME.crt`` of the set, signed by its issuer: what a
    server staples into its handshake (nginx ``ssl_stapling_file``), so clients need not
    ask the CA themselves. Valid :data:`ANSWER_HOURS`; make a fresh one before then."""
    from cryptography.hazmat.primitives import serialization

    from .load import load_certificate

    authorities = set_authorities(folder)
    certificate = load_certificate(Path(folder) / f"{name}.crt")
    issuer = next((a.certificate for a in authorities.authorities
                   if a.certificate.subject == certificate.issuer), None)
    if issuer is None:
        raise InputError(f"{name}.crt was not issued by a CA of this set", "",
                         "staple the set's own server.crt", code="not_in_set")
    request = ocsp.OCSPRequestBuilder().add_certificate(certificate, issuer, hashes.SHA1())
    return ocsp_answer(request.build().public_bytes(serialization.Encoding.DER), authorities,
                       at=at)


def openssl_index(authority: Authority) -> str:
    """``authority``'s certificates as an ``openssl ca`` database (``index.txt``), the
    file ``openssl ocsp -index`` answers from: V (valid) or R (revoked, with its time
    and reason) per serial. Used to cross-check pkilab's answers with OpenSSL's own
    responder."""
    from .load import load_certificate
    from .names import format_subj

    folder = authority.crl_path.parent if authority.crl_path is not None else Path(".")
    lines = []
    for serial, stem in sorted(authority.issued.items()):
        certificate = load_certificate(folder / f"{stem}.crt")
        revoked = authority.revocation(serial)
        flag, when = ("R", f"{_index_time(revoked.date)},{revoked.reason}") if revoked \
            else ("V", "")
        lines.append("\t".join([flag, _index_time(certificate.not_valid_after_utc), when,
                                f"{serial:X}", "unknown", format_subj(certificate.subject)]))
    return "\n".join(lines) + "\n"


def _index_time(moment: dt.datetime) -> str:
    # openssl's database keeps ASN.1 time text: UTCTime (two digits) until 2049
    return moment.strftime("%y%m%d%H%M%SZ" if moment.year < 2050 else "%Y%m%d%H%M%SZ")


__all__: Sequence[str] = ("OCSPResponder", "ocsp_answer", "ocsp_status", "openssl_index",
                          "set_authorities", "stapling_response")
