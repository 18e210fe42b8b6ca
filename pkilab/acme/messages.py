"""The ACME conversation as data: each request with its JWS taken apart, each reply, and
what the step is for; and a stable text of it for stored lessons.

Everything here is pure: :func:`label_exchanges` turns what the network layer recorded
(:class:`Exchange`, plain strings and dicts) into :class:`AcmeMessage` objects, learning
the order, authorization, challenge and certificate URLs from the server's own replies,
the way a client must (RFC 8555 fixes only the directory's URL).

Limits: only the flattened JSON serialization of a JWS (the one RFC 8555 section 6.2
requires) is taken apart; the signature is shown, not checked (pebble checks it).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from ..errors import InputError


@dataclass(frozen=True)
class Exchange:
    """One HTTP request of the client and the server's reply, as the network saw them."""

    method: str
    url: str
    request_body: str | None
    status: int
    headers: Mapping[str, str]
    body: str


@dataclass(frozen=True)
class AcmeMessage:
    """One step of the conversation: the request (its JWS taken apart) and the reply.

    ``kind`` is the resource (``directory``, ``newNonce``, ``newAccount``, ``newOrder``,
    ``authorization``, ``challenge``, ``finalize``, ``order``, ``certificate``);
    ``purpose`` says in words what the step is for. ``payload`` is None for a GET or
    HEAD, ``""`` for a POST-as-GET (RFC 8555 6.3: a signed request with an empty payload
    that reads a resource), else the JSON the client sent. ``nonce`` is the anti-replay
    nonce inside the protected header; ``reply_nonce`` the fresh one the reply's
    ``Replay-Nonce`` header hands out for the next request.
    """

    method: str
    url: str
    kind: str
    purpose: str
    protected: dict[str, Any] | None
    payload: Any
    signature: bytes | None
    status: int
    reply: Any
    reply_nonce: str | None
    location: str | None
    headers: Mapping[str, str] = field(repr=False, default_factory=dict)
    #: the request body exactly as sent (the flattened JWS), to check its signature
    request_body: str | None = field(repr=False, default=None)

    @property
    def nonce(self) -> str | None:
        return None if self.protected is None else self.protected.get("nonce")

    @property
    def signed(self) -> bool:
        return self.protected is not None


def _b64url(text: str, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise InputError(f"the JWS {what} is not base64url", str(exc),
                         "pass the request body exactly as it was sent",
                         code="malformed_jws") from None


def decode_jws(data: str | bytes) -> tuple[dict[str, Any], Any, bytes]:
    """A flattened JWS (RFC 7515 7.2.2) as ``(protected header, payload, signature)``.

    The payload is the decoded JSON, or ``""`` when it is empty (a POST-as-GET). Raises
    :class:`~pkilab.errors.InputError` (code ``malformed_jws``) for anything else.
    """
    try:
        outer = json.loads(data)
        protected = json.loads(_b64url(outer["protected"], "protected header"))
        raw_payload = _b64url(outer["payload"], "payload")
        signature = _b64url(outer["signature"], "signature")
        payload = json.loads(raw_payload) if raw_payload else ""
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError("this is not a flattened JWS", f"{type(exc).__name__}: {exc}",
                         "pass the body of an ACME POST request",
                         code="malformed_jws") from None
    if not isinstance(protected, dict):
        raise InputError("the JWS protected header is not a JSON object", "",
                         "pass the body of an ACME POST request", code="malformed_jws")
    return protected, payload, signature


_PURPOSES = {
    "directory": "read the directory: the URL of every other step",
    "newNonce": "get a first nonce: every signed request must carry a fresh one",
    "newAccount": "create the account: the JWS carries the account's public key (jwk)",
    "newOrder": "ask for a certificate for these names: the CA answers with an order",
    "authorization": "read an authorization: how the CA wants one name proven",
    "challenge": "tell the CA the token is served: come and fetch it",
    "finalize": "send the CSR: the names are proven, now sign this key",
    "order": "poll the order until the certificate is ready",
    "certificate": "download the certificate with its chain (PEM)",
    "revokeCert": "revoke a certificate",
    "other": "a request this walk-through does not name",
}


def _reply(exchange: Exchange) -> Any:
    try:
        return json.loads(exchange.body) if exchange.body else ""
    except ValueError:
        return exchange.body


def _learn(known: dict[str, str], kind: str, reply: Any, location: str | None) -> None:
    """Remember the URLs a reply hands out, as RFC 8555 clients must."""
    if not isinstance(reply, dict):
        return
    if kind == "directory":
        known.update({url: name for name, url in reply.items() if isinstance(url, str)})
    if kind in ("newOrder", "order", "finalize"):
        for url in reply.get("authorizations", []):
            known[url] = "authorization"
        for name in ("finalize", "certificate"):
            if reply.get(name):
                known[reply[name]] = name
        if location:
            known[location] = "order"
    if kind in ("authorization", "challenge"):
        for challenge in reply.get("challenges", [reply] if kind == "challenge" else []):
            if isinstance(challenge, dict) and challenge.get("url"):
                known[challenge["url"]] = "challenge"


def label_exchanges(exchanges: Iterable[Exchange], directory_url: str) -> list[AcmeMessage]:
    """Name each recorded exchange and take its JWS apart (see :class:`AcmeMessage`)."""
    known = {directory_url: "directory"}
    out = []
    for ex in exchanges:
        kind = known.get(ex.url, "other")
        protected = payload = signature = None
        if ex.request_body:
            protected, payload, signature = decode_jws(ex.request_body)
        reply = _reply(ex)
        headers = {k.lower(): v for k, v in ex.headers.items()}
        location = headers.get("location")
        _learn(known, kind, reply, location)
        out.append(AcmeMessage(ex.method, ex.url, kind, _PURPOSES[kind], protected, payload,
                               signature, ex.status, reply, headers.get("replay-nonce"),
                               location, headers, ex.request_body))
    return out


# ---- stable text --------------------------------------------------------------------

_DATE_KEYS = {"expires", "validated", "notBefore", "notAfter"}
_URL_KEYS = {"url", "kid", "finalize", "certificate", "orders", "authorizations",
             "newNonce", "newAccount", "newOrder", "revokeCert", "keyChange", "renewalInfo",
             "termsOfService", "location"}


class _Labels:
    """Random values (nonces, resource ids) as numbered labels, the same value always the
    same label: the text stays identical run after run, and still shows which nonce a
    request spends and which reply handed it out."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], str] = {}

    def label(self, kind: str, value: str) -> str:
        key = (kind, value)
        if key not in self._seen:
            number = sum(k == kind for k, _ in self._seen) + 1
            self._seen[key] = f"<{kind} {number}>"
        return self._seen[key]

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        if not parts.scheme:
            return url
        # ACME resources live at /KIND/ID (pebble: /my-order/ID, /authZ/ID): every
        # segment after the first is the server's random id
        head, *ids = parts.path.lstrip("/").split("/")
        segments = ["", head, *(self.label("id", i) for i in ids)]
        host = parts.hostname or ""
        port = ":PORT" if parts.port else ""
        return f"{parts.scheme}://{host}{port}{'/'.join(segments)}"

    def value(self, key: str, value: Any) -> Any:
        if isinstance(value, list):
            return [self.value(key, v) for v in value]
        if isinstance(value, dict):
            return self.jwk(value) if key == "jwk" else {
                k: self.value(k, v) for k, v in value.items()}
        if not isinstance(value, str):
            return value
        if key == "nonce":
            return self.label("nonce", value)
        if key in _URL_KEYS:
            return self.url(value)
        if key in _DATE_KEYS:
            return "<date>"
        if key == "token":
            return "<token>"
        if key == "csr":
            return "<the CSR, DER in base64url>"
        return value

    def jwk(self, jwk: dict[str, Any]) -> dict[str, Any]:
        shown = {}
        for k, v in jwk.items():
            shown[k] = (f"<{len(_b64url(v, 'key'))} bytes>" if k in ("x", "y", "n", "e")
                        and isinstance(v, str) else v)
        return shown


def _reply_summary(message: AcmeMessage, labels: _Labels) -> str:
    reply = message.reply
    if message.kind == "certificate" and isinstance(reply, str):
        return f"{reply.count('BEGIN CERTIFICATE')} certificates, PEM"
    if not isinstance(reply, dict):
        return "(empty)" if not reply else "(text)"
    keep = {"directory": ("newNonce", "newAccount", "newOrder", "revokeCert"),
            "newAccount": ("status", "contact"),
            "newOrder": ("status", "identifiers"), "order": ("status",),
            # what finalize and challenge replies say races the CA's own work: left out
            "finalize": (),
            "authorization": ("identifier", "status", "challenges"),
            "challenge": ("type",)}.get(message.kind, ("status", "type", "detail"))
    shown: dict[str, Any] = {}
    for key in keep:
        if key not in reply:
            continue
        if key == "challenges":
            # the server lists them in any order
            shown[key] = sorted(str(c.get("type")) for c in reply[key] if isinstance(c, dict))
        else:
            shown[key] = labels.value(key, reply[key])
    return json.dumps(shown, ensure_ascii=False)


def _message_text(message: AcmeMessage, labels: _Labels, number: int) -> list[str]:
    path = urlsplit(labels.url(message.url)).path or "/"
    lines = [f"{number}. {message.method} {path}  [{message.kind}] {message.purpose}"]
    if message.signed:
        assert message.protected is not None and message.signature is not None
        protected = labels.value("protected", message.protected)
        lines.append(f"   protected: {json.dumps(protected, ensure_ascii=False)}")
        payload = ("\"\" (empty: POST-as-GET, a signed read)" if message.payload == ""
                   else json.dumps(labels.value("payload", message.payload),
                                   ensure_ascii=False))
        lines.append(f"   payload:   {payload}")
        lines.append(f"   signature: {len(message.signature)} bytes "
                     f"({message.protected.get('alg')} over protected.payload)")
    reply = f"   reply: {message.status}"
    if message.reply_nonce:
        reply += f", Replay-Nonce {labels.label('nonce', message.reply_nonce)}"
    if message.location:
        reply += f", Location {labels.url(message.location)}"
    lines.append(reply)
    lines.append(f"          {_reply_summary(message, labels)}")
    return lines


def collapse_polls(messages: Sequence[AcmeMessage]) -> list[AcmeMessage]:
    """Polls of one URL in a row become one step: the first poll's request with the last
    poll's reply (how many polls there were depends on timing), so the nonce chain shown
    stays whole: each request spends the nonce the step before it handed out."""
    out: list[AcmeMessage] = []
    for message in messages:
        polled = message.payload == "" and message.kind in ("authorization", "order")
        if out and polled and out[-1].url == message.url and out[-1].payload == "":
            out[-1] = replace(out[-1], status=message.status, reply=message.reply,
                              reply_nonce=message.reply_nonce, location=message.location,
                              headers=message.headers)
        else:
            out.append(message)
    return out


def show_messages(messages: Sequence[AcmeMessage], *, details: bool = True,
                  steps: Sequence[int] | None = None) -> str:
    """The conversation as text that is the same on every run: nonces and resource ids
    become numbered labels (``<nonce 3>``), ports ``PORT``, dates ``<date>``, key
    coordinates and signatures their length. Repeated polls of one URL are shown once,
    as one (:func:`collapse_polls`). ``details=False`` prints one line per step;
    ``steps`` prints only those step numbers (labels still count from the start)."""
    labels = _Labels()
    lines: list[str] = []
    for number, message in enumerate(collapse_polls(messages), 1):
        text = _message_text(message, labels, number)
        if steps is None or number in steps:
            lines.extend(text if details else text[:1])
    return "\n".join(lines)
