"""The handshake messages after the hellos, field by field (TLS 1.3, and TLS 1.2's own).

``names`` maps a certificate's DER bytes to what the learner calls it (``"server.crt"``)
so each certificate on the wire is linked to the set's files; the parse itself reads
only framing, and :mod:`cryptography` reads the certificates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from cryptography import x509

from ..names import short_name
from .fields import Field, Reader
from .hello import _list_of, extensions, handshake_header
from .registry import GROUPS, SIGNATURE_SCHEMES, name_of

Names = Mapping[bytes, str]


def _certificate_entry(r: Reader, names: Names, sender: str, tls13: bool) -> Field:
    start = r.pos
    length, der = r.vector(3, "certificate (DER)")
    try:
        cert = x509.load_der_x509_certificate(der.data)
        label = f"subject {short_name(cert.subject)}, issued by {short_name(cert.issuer)}"
    except ValueError:
        label = "bytes that are not a certificate"
    der.meaning = label
    der.origin = names.get(der.data, f"a certificate the {sender} sent, not in your set")
    parts = [length, der]
    if tls13:
        ext_len, ext = r.vector(2, "certificate extensions",
                                "per-certificate extensions (OCSP, SCT): none here")
        parts += [ext_len, ext]
    return Field(f"certificate {names.get(der.data, '')}".strip(), r.base + start,
                 r.data[start:r.pos], label, der.origin, parts)


def certificate(message: bytes, names: Names, sender: str, tls13: bool = True) -> list[Field]:
    r = Reader(message, 0, "Certificate")
    out = handshake_header(r, "Certificate")
    if tls13:
        length, ctx = r.vector(1, "request context", "empty: not a post-handshake request")
        out += [length, ctx]
    length, body = r.vector(3, "certificate list", f"the {sender}'s chain, leaf first",
                            "server: fullchain.crt; client: client.crt (and any "
                            "intermediates loaded with it)" if sender == "client" or tls13
                            else "")
    br = Reader(body.data, body.offset, "certificate list")
    while br.left:
        body.children.append(_certificate_entry(br, names, sender, tls13))
    if not body.children:
        body.meaning = f"empty: the {sender} has no certificate to send"
    return [*out, length, body]


def certificate_verify(message: bytes, sender: str) -> list[Field]:
    r = Reader(message, 0, "CertificateVerify")
    out = handshake_header(r, "CertificateVerify")
    scheme, f = r.number(2, "signature scheme", origin=f"the {sender}'s key type, from "
                         "the other side's signature_algorithms")
    f.meaning = name_of(SIGNATURE_SCHEMES, scheme)
    length, sig = r.vector(2, "signature", "over the transcript hash so far",
                           f"made with the {sender}'s private key "
                           + ("(client.key)" if sender == "client" else "(server.key)"))
    return [*out, f, length, sig]


def finished(message: bytes, sender: str) -> list[Field]:
    r = Reader(message, 0, "Finished")
    out = handshake_header(r, "Finished")
    out.append(r.rest("verify_data", "HMAC over the transcript: proves the sender saw "
                      "the same handshake", f"the {sender}'s handshake traffic secret"))
    return out


def encrypted_extensions(message: bytes, sender: str) -> list[Field]:
    r = Reader(message, 0, "EncryptedExtensions")
    return handshake_header(r, "EncryptedExtensions") + extensions(r, server=True)


def _distinguished_names(body: Field, names: Names) -> None:
    r = Reader(body.data, body.offset, "certificate_authorities")
    while r.left:
        length, der = r.vector(2, "CA name")
        der.meaning = names.get(der.data, "a CA name not in your set")
        der.origin = "the server's client_ca: the CAs it trusts for client certificates"
        body.children += [length, der]


def _request_extensions(r: Reader, names: Names) -> list[Field]:
    length, block = r.vector(2, "extensions", "what the server asks of the client's "
                             "certificate")
    er = Reader(block.data, block.offset, "CertificateRequest extensions")
    while er.left >= 4:
        start = er.pos
        ext_type, tf = er.number(2, "extension type")
        ext_len, lf = er.number(2, "extension length")
        body = er.take(ext_len, "extension data")
        inner = Reader(body.data, body.offset, "extension")
        if ext_type in (13, 50):
            tf.meaning = f"{ext_type} = signature_algorithms" + ("_cert" if ext_type == 50
                                                                 else "")
            vlen, vec = inner.vector(2, "schemes", "signatures the server accepts from "
                                     "the client", "OpenSSL's defaults on the server")
            vec.children = _list_of(vec, 2, SIGNATURE_SCHEMES, "scheme")
            parts = [vlen, vec]
            name = tf.meaning.split(" = ")[1]
        elif ext_type == 47:
            tf.meaning = "47 = certificate_authorities"
            vlen, vec = inner.vector(2, "CA names", "the CAs whose clients the server "
                                     "accepts: a browser shows only matching "
                                     "certificates in its picker")
            _distinguished_names(vec, names)
            parts, name = [vlen, vec], "certificate_authorities"
        else:
            tf.meaning, name = f"extension {ext_type}", f"extension {ext_type}"
            parts = [inner.rest("extension data")]
        block.children.append(Field(name, block.offset + start, er.data[start:er.pos],
                                    children=[tf, lf, *parts]))
    return [length, block]


def certificate_request(message: bytes, names: Names) -> list[Field]:
    r = Reader(message, 0, "CertificateRequest")
    out = handshake_header(r, "CertificateRequest")
    length, ctx = r.vector(1, "request context", "empty during the handshake")
    return [*out, length, ctx, *_request_extensions(r, names)]


def new_session_ticket(message: bytes, sender: str) -> list[Field]:
    r = Reader(message, 0, "NewSessionTicket")
    out = handshake_header(r, "NewSessionTicket")
    lifetime, f = r.number(4, "ticket lifetime", origin="the server's ticket policy")
    f.meaning = f"{lifetime} s the client may keep it ({lifetime // 3600} h)"
    out.append(f)
    out.append(r.take(4, "ticket age add", "random: hides how old the ticket is when "
                      "it is used"))
    out += list(r.vector(1, "ticket nonce", "makes each ticket's PSK different"))
    out += list(r.vector(2, "ticket", "opaque to the client: the server's sealed state",
                         "encrypted with the server's ticket key"))
    out += extensions(r, server=True)
    return out


def server_key_exchange(message: bytes, sender: str) -> list[Field]:
    """TLS 1.2 ECDHE: the server's ephemeral public key, signed with its certificate key."""
    r = Reader(message, 0, "ServerKeyExchange")
    out = handshake_header(r, "ServerKeyExchange")
    out.append(r.take(1, "curve type", "3 = named_curve"))
    group, gf = r.number(2, "named curve", origin="the server chose it from the "
                         "client's supported_groups")
    gf.meaning = name_of(GROUPS, group)
    length, key = r.vector(1, "public key", "", "made fresh for this connection by the "
                           "server")
    key.meaning = f"the server's ephemeral {name_of(GROUPS, group)} public key"
    scheme, sf = r.number(2, "signature scheme")
    sf.meaning = name_of(SIGNATURE_SCHEMES, scheme)
    slen, sig = r.vector(2, "signature", "over client random + server random + "
                         "the parameters above", "made with server.key")
    return [*out, gf, length, key, sf, slen, sig]


def client_key_exchange(message: bytes, sender: str, rsa: bool = False) -> list[Field]:
    """ECDHE: the client's ephemeral public key. RSA key exchange: the premaster secret,
    encrypted with the public key in server.crt (whoever gets server.key reads it)."""
    r = Reader(message, 0, "ClientKeyExchange")
    out = handshake_header(r, "ClientKeyExchange")
    if rsa:
        length, secret = r.vector(2, "encrypted premaster secret", "48 random bytes "
                                  "encrypted with the server certificate's RSA key",
                                  "made by the client; server.key decrypts it, today or "
                                  "in ten years")
        return [*out, length, secret]
    length, key = r.vector(1, "public key", "the client's ephemeral public key",
                           "made fresh for this connection by the client")
    return [*out, length, key]


def opaque(name: str) -> Callable[[bytes, str], list[Field]]:
    def parse(message: bytes, sender: str) -> list[Field]:
        r = Reader(message, 0, name)
        out = handshake_header(r, name)
        if r.left:
            out.append(r.rest("body"))
        return out
    return parse
