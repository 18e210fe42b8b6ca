"""One ACME issuance with certbot's ``acme`` library, every message recorded.

The steps of RFC 8555 section 7, each a call of the library: read the directory, create
an account (its key signs every later request), place an order for names, read each
authorization, serve the HTTP-01 token and tell the CA to check it, finalize with a CSR
made by pkilab, download the chain. The library's network layer is subclassed (not
patched) to record each request body and reply, which :mod:`.messages` takes apart.

Limits: HTTP-01 only; one account per call (a new account key each time unless one is
given); the server's TLS certificate is checked against ``ca`` (or the system store).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ..ca import IssuedCertificate
from ..csr import build_csr, requested_names
from ..errors import InputError, PkilabError, TLSError
from ..facts import key_matches
from ..keys import PrivateKey, generate_key
from .messages import AcmeMessage, Exchange, label_exchanges

if TYPE_CHECKING:
    from .challenge import ChallengeRequest, HTTP01Server


@dataclass
class AcmeIssue:
    """What one issuance produced, and how.

    ``certificate`` and ``chain`` (the intermediates, leaf's issuer first) are what the
    CA sent; ``root`` is filled in by :meth:`PebbleServer.issue` (ACME itself never sends
    the root: the client must already trust it). ``messages`` is the whole conversation
    (:func:`pkilab.show_messages`), ``challenge_requests`` what the CA asked the HTTP-01
    server, ``key_authorizations`` what that server answered, per token.
    """

    names: list[str]
    csr: x509.CertificateSigningRequest
    private_key: PrivateKey | None
    certificate: x509.Certificate
    chain: list[x509.Certificate]
    fullchain_pem: str
    account_key: ec.EllipticCurvePrivateKey
    account_url: str
    messages: list[AcmeMessage]
    challenge_requests: list[ChallengeRequest]
    key_authorizations: dict[str, str]
    root: x509.Certificate | None = None
    directory_url: str = field(default="", repr=False)

    @property
    def fullchain(self) -> list[x509.Certificate]:
        return [self.certificate, *self.chain]

    @property
    def issued(self) -> IssuedCertificate:
        """The certificate as :class:`~pkilab.IssuedCertificate`, ready for
        :class:`~pkilab.HTTPSServer` (needs the key and :attr:`root`)."""
        if self.root is None or self.private_key is None:
            raise InputError("this issuance has no root or no private key", "ACME sends "
                             "neither: the root comes from the CA's own channel, the key "
                             "never leaves you", "issue with PebbleServer.issue and a key",
                             code="incomplete_issuance")
        return IssuedCertificate(self.certificate, self.private_key, list(self.chain),
                                 self.root)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwk_thumbprint(public_key: ec.EllipticCurvePublicKey) -> str:
    """RFC 7638 thumbprint of a P-256 key: SHA-256 of its JWK's required members, sorted,
    without spaces, in base64url."""
    numbers = public_key.public_numbers()
    size = (public_key.curve.key_size + 7) // 8
    jwk = {"crv": "P-256", "kty": "EC", "x": _b64url(numbers.x.to_bytes(size, "big")),
           "y": _b64url(numbers.y.to_bytes(size, "big"))}
    canonical = json.dumps(jwk, sort_keys=True, separators=(",", ":")).encode()
    return _b64url(hashlib.sha256(canonical).digest())


def key_authorization(token: str, account_key: ec.EllipticCurvePrivateKey
                      | ec.EllipticCurvePublicKey) -> str:
    """What an HTTP-01 server must answer (RFC 8555 8.1): ``TOKEN.THUMBPRINT``."""
    public = account_key.public_key() if isinstance(
        account_key, ec.EllipticCurvePrivateKey) else account_key
    if not isinstance(public, ec.EllipticCurvePublicKey) or public.curve.name != "secp256r1":
        raise InputError("the account key is not an EC P-256 key", "pkilab's ACME client "
                         "signs with ES256", "pass AcmeIssue.account_key",
                         code="bad_account_key")
    return f"{token}.{jwk_thumbprint(public)}"


def _library() -> Any:
    try:
        import josepy
        from acme import challenges, client, errors, messages
    except ImportError:
        raise PkilabError("the acme library is not installed", "the ACME client is "
                          "certbot's acme package", "pip install acme",
                          code="acme_library_missing") from None
    return josepy, client, messages, challenges, errors


def _recording_network(client_module: Any) -> Any:
    class RecordingNetwork(client_module.ClientNetwork):  # type: ignore[misc, name-defined]
        """The library's own network layer, keeping each request and reply."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.exchanges: list[Exchange] = []

        def _send_request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            response = super()._send_request(method, url, *args, **kwargs)
            self.exchanges.append(Exchange(method, url, kwargs.get("data"),
                                           response.status_code, dict(response.headers),
                                           response.text))
            return response

    return RecordingNetwork


def _order_csr(names_or_csr: Sequence[str] | x509.CertificateSigningRequest,
               key: PrivateKey | None) -> tuple[x509.CertificateSigningRequest,
                                                PrivateKey | None, list[str]]:
    if isinstance(names_or_csr, x509.CertificateSigningRequest):
        csr = names_or_csr
        if key is not None and not key_matches(key, csr):
            raise InputError("the key does not belong to the CSR", "", "pass the CSR's "
                             "own key (or none)", code="key_mismatch")
        names = requested_names(csr)
    else:
        names = [names_or_csr] if isinstance(names_or_csr, str) else list(names_or_csr)
        if not names:
            raise InputError("no names to ask for", "an order needs at least one name",
                             'pass ["www.pkilab.test"]', code="no_names")
        key = key or generate_key()
        csr = build_csr(key, {"CN": names[0]}, names)
    if not names:
        raise InputError("the CSR asks for no names", "ACME orders name identifiers",
                         "build the CSR with names=[...]", code="no_names")
    return csr, key, names


def _converted(exc: Exception, lib: Any) -> PkilabError:
    import requests

    _, _, messages, _, errors = lib
    if isinstance(exc, messages.Error):
        return PkilabError(f"the CA refused: {exc.typ}", exc.detail or "",
                           "read the problem type (RFC 8555 6.7)", code="acme_problem")
    if isinstance(exc, errors.ValidationError):
        details = [f"{a.body.identifier.value}: {c.error.detail}" for a in exc.failed_authzrs
                   for c in a.body.challenges if c.error is not None]
        return PkilabError("the CA could not validate the challenge", "; ".join(details),
                           "serve the key authorization at the token's path",
                           code="acme_challenge_failed")
    if isinstance(exc, errors.TimeoutError):
        return PkilabError("the order did not finish in time", "", "is the CA running?",
                           code="acme_timeout")
    if isinstance(exc, requests.exceptions.RequestException):
        return TLSError("cannot talk to the ACME server", str(exc).split(": ")[-1][:200],
                        "check the directory URL and the CA file", code="acme_unreachable")
    return PkilabError("the ACME client failed", f"{type(exc).__name__}: {exc}",
                       code="acme_failed")


def acme_issue(directory_url: str,
               names_or_csr: Sequence[str] | x509.CertificateSigningRequest, *,
               challenge_server: HTTP01Server, key: PrivateKey | None = None,
               email: str | None = None, ca: str | os.PathLike[str] | None = None,
               account_key: ec.EllipticCurvePrivateKey | None = None,
               timeout: float = 60) -> AcmeIssue:
    """Get a certificate from the ACME server at ``directory_url``, proving each name
    with HTTP-01 tokens served by ``challenge_server`` (running, on the port the CA
    checks).

    ``names_or_csr``: names (a key and a CSR are made) or a CSR made with
    :func:`pkilab.build_csr` (``key`` is then its key, kept only for
    :attr:`AcmeIssue.issued`). ``ca``: the CA file that vouches for the ACME server's
    HTTPS. Failures are pkilab errors: ``acme_problem`` (the CA's problem document),
    ``acme_challenge_failed``, ``acme_timeout``, ``acme_unreachable``.
    """
    lib = _library()
    josepy, client_module, messages, challenges, _ = lib
    csr, key, names = _order_csr(names_or_csr, key)
    account_key = account_key or ec.generate_private_key(ec.SECP256R1())
    jwk = josepy.JWKEC(key=account_key)
    net = _recording_network(client_module)(jwk, alg=josepy.ES256,
                                            verify_ssl=str(ca) if ca else True,
                                            user_agent="pkilab-acme")
    answers: dict[str, str] = {}
    try:
        directory = client_module.ClientV2.get_directory(directory_url, net)
        acme = client_module.ClientV2(directory, net)
        account = acme.new_account(messages.NewRegistration.from_data(
            email=email, terms_of_service_agreed=True))
        order = acme.new_order(csr.public_bytes(serialization.Encoding.PEM))
        for authorization in order.authorizations:
            if authorization.body.status == messages.STATUS_VALID:
                continue  # reused: nothing to prove
            http01 = next(c for c in authorization.body.challenges
                          if isinstance(c.chall, challenges.HTTP01))
            response, validation = http01.response_and_validation(jwk)
            token = http01.chall.encode("token")
            challenge_server.add(token, validation)
            answers[token] = validation
            acme.answer_challenge(http01, response)
        deadline = dt.datetime.now() + dt.timedelta(seconds=timeout)
        order = acme.poll_and_finalize(order, deadline=deadline)
    except Exception as exc:  # the library's errors, requests' errors: explained once
        if isinstance(exc, PkilabError):
            raise
        raise _converted(exc, lib) from None
    certificates = x509.load_pem_x509_certificates(order.fullchain_pem.encode())
    return AcmeIssue(names, csr, key, certificates[0], certificates[1:], order.fullchain_pem,
                     account_key, account.uri, label_exchanges(net.exchanges, directory_url),
                     challenge_server.requests, answers, directory_url=directory_url)
