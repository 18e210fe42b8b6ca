"""Problem codes: every code pkilab reports, once, with its what / why / fix words.

A code is a snake_case word (``missing_intermediate``, ``certificate_required``) that
programs, tests, JSON output and translations key on; the words may change, the code
does not. The chain checker (:mod:`pkilab.chain`), the TLS explainer
(:mod:`pkilab.tls.explain`), the doctor (:mod:`pkilab.doctor`) and the handshake trace
(:mod:`pkilab.trace`) all take their codes and words from :data:`PROBLEMS`.

One code may be worded for several situations: the key ``"code"`` holds the main
wording and ``"code/variant"`` the others (``"missing_intermediate/tls"`` is how the
TLS client says it; ``"weak_key/doctor"`` how the doctor does). The words are
templates: ``{name}``, ``{issuer}``, ``{host}``... are filled in by :func:`words`.

This module sits at the bottom of pkilab and imports nothing from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Severity = Literal["error", "warning"]

#: Every problem code pkilab itself reports (pkilint's ``pkix.*`` codes are pkilint's).
Code = Literal[
    # the chain checker: building the path
    "too_long", "untrusted_root", "anchor_not_self_signed", "missing_intermediate",
    "unknown_issuer", "bad_signature", "weak_signature",
    # the chain checker: each certificate
    "malformed_extensions", "v1_certificate", "expired", "not_yet_valid", "weak_key",
    "unknown_critical_extension", "not_a_ca", "path_length", "key_usage",
    "missing_key_identifier", "wrong_purpose", "leaf_is_ca", "missing_san", "wrong_host",
    "name_constraints", "unsupported", "rejected",
    # the chain checker: revocation (CRLs given to verify_chain)
    "revoked", "crl_expired", "crl_not_yet_valid", "crl_bad_signature", "crl_wrong_issuer",
    # the chain as a server sends it
    "wrong_order", "leaf_not_first",
    # the doctor's own findings
    "server_validity_too_long", "pkilint_cannot_decode",
    # a TLS connection (pkilab.tls)
    "unknown_ca", "hostname_mismatch", "bad_server_certificate", "certificate_required",
    "client_certificate_rejected", "closed_after_handshake", "protocol_version", "not_tls",
    "handshake_failure", "connection_refused", "timeout", "connection_reset", "network",
    "bad_reply",
]
CODES: frozenset[str] = frozenset(get_args(Code))


@dataclass(frozen=True)
class Words:
    """What happened, why, and what to do, as templates; and how bad it is.

    ``refusal`` marks TLS codes where one side refused the other's certificate (the
    trace calls such a connection "refused" rather than "failed").
    """

    what: str
    why: str
    fix: str
    severity: Severity = "error"
    refusal: bool = False


_RENEW = "renew it (same key, new dates: CertificateAuthority.renew)"
_REISSUE_CA = ("issue it as a CA (issue_intermediate; openssl: basicConstraints=critical,"
               "CA:TRUE in the extfile)")
_V1_WHY = ("version 1 certificates cannot carry extensions, so they cannot say they are a CA, "
           "name a host or state a purpose; openssl x509 -req without -extfile makes them "
           "(the seed's recipes)")
_SAN_WHY = ("clients match the host name against the subjectAltName only: browsers ignore "
            "the CN, and pkilab's client never falls back to it (Python's ssl and curl still "
            "do, which hides the mistake until a browser connects)")
_WEAK_KEY_WHY = ("RSA keys under {min_bits} bits can be factored with public computing power; "
                 "browsers, OpenSSL's default security level 2 (EE_KEY_TOO_SMALL) and "
                 "cryptography's verifier refuse them (the seed uses 1024)")

#: code (or "code/variant") -> its words. The one table; everything else derives from it.
PROBLEMS: dict[str, Words] = {
    # ---- building the path ---------------------------------------------------------
    "too_long": Words("the chain is too long", "more than {max_depth} certificates",
                      "check for a loop"),
    "untrusted_root": Words(
        "the chain ends at {name!r}, a root you do not trust",
        "it is self-signed but not among the trusted CA certificates, so anyone could have "
        "made it: it was sent along with the chain, as another CA's server does. OpenSSL "
        "says 'self-signed certificate in certificate chain' (error 19) for this, not "
        "'unable to get local issuer certificate'",
        "pass the right root with --ca (root.crt of the same set); never work around this "
        "with curl -k"),
    "untrusted_root/self_signed_leaf": Words(
        "{name!r} is self-signed and not trusted",
        "nobody vouches for it but itself, and it is not among the trusted CA certificates. "
        "OpenSSL says 'self-signed certificate' (error 18)",
        "issue it from your CA (issue_server), or trust exactly this certificate on purpose"),
    "untrusted_root/same_name": Words(
        "{name!r} was signed by another key than the trusted root {issuer!r}",
        "a root of the same name exists, but its key did not make this signature: it comes "
        "from a different CA that happens to use the same name (running the seed's recipe "
        "twice makes exactly this)",
        "trust the root that really signed it, or re-issue the certificate from your root"),
    "anchor_not_self_signed": Words(
        "{name!r} was given as a trusted CA, but it is not a root",
        "a trust anchor must be a self-signed root unless partial-chain trust is asked for: "
        "trusting an intermediate (or a fullchain.crt) as if it were a root trusts it without "
        "the root above it. openssl verify refuses this too, unless -partial_chain",
        "pass root.crt with --ca; to trust an intermediate as the anchor on purpose, add "
        "--partial-chain (verify_chain(..., partial_chain=True))"),
    "missing_intermediate": Words(
        "the intermediate {issuer!r} is missing",
        "{name!r} was issued by {issuer!r}, which was not provided; the intermediates that "
        "were given ({given!r}) do lead to your root, but nothing links them to this "
        "certificate",
        "add the certificate of {issuer!r} (servers send fullchain.crt, which has every "
        "intermediate)"),
    "unknown_issuer": Words(
        "the issuer {issuer!r} is neither a trusted root nor provided",
        "the chain climbs from the leaf to {name!r}, whose issuer {issuer!r} is missing: "
        "either that intermediate was left out, or the chain belongs to a CA you do not trust",
        "if {issuer!r} is part of your CA, add its certificate (--untrusted); if not, this "
        "certificate is rightly refused"),
    "unknown_issuer/nothing_given": Words(
        "the issuer {issuer!r} is neither a trusted root nor provided",
        "no intermediate certificates were given. Either an intermediate is missing (a "
        "server that sends server.crt instead of fullchain.crt does this), or the "
        "certificate comes from a CA you do not trust",
        "if {issuer!r} is an intermediate of your CA, add it (--untrusted); if it belongs "
        "to another CA, this certificate should be refused"),
    "bad_signature": Words(
        "the signature on {name!r} is not valid",
        "the certificate was changed after signing, or signed by another key",
        "re-issue it from the right CA"),
    "bad_signature/other_key": Words(
        "the signature on {name!r} does not match {issuer!r}",
        "a certificate named {issuer!r} was given, but its key did not sign this one "
        "(re-generated CA key, or a certificate edited after signing)",
        "use the intermediate that really issued it, or re-issue the certificate"),
    "weak_signature": Words(
        "{name!r} is signed with {hash}",
        "{hash} signatures can be forged and are refused by today's verifiers (OpenSSL: "
        "'CA signature digest algorithm too weak')",
        "re-issue it with SHA-256 (openssl x509 -req ... -sha256; pkilab's default)"),
    # ---- each certificate --------------------------------------------------------------
    "malformed_extensions": Words(
        "{name!r} has extensions that cannot be read",
        "{defect}; no verifier accepts such a certificate, and none of its other checks "
        "could run",
        "re-issue it with each extension once and well-formed"),
    "v1_certificate": Words(
        "{name!r} is a version 1 certificate", _V1_WHY,
        "re-issue it with extensions (pkilab does this by default; with openssl add "
        "-extfile and the right section)"),
    "v1_certificate/doctor": Words(
        "X.509 version 1 certificate", _V1_WHY, "re-issue it as version 3 with extensions"),
    "expired": Words(
        "{name!r} has expired",
        "it was valid {start} to {end}; the time checked is {at} UTC", _RENEW),
    "not_yet_valid": Words(
        "{name!r} is not valid yet",
        "its validity starts {start} UTC, after the time checked ({at} UTC)",
        "check the clock, or re-issue it"),
    "weak_key": Words(
        "{name!r} has a {bits}-bit RSA key", _WEAK_KEY_WHY,
        "re-issue with an EC P-256 key (pkilab's default) or RSA 2048+"),
    "weak_key/doctor": Words(
        "{bits}-bit RSA key", _WEAK_KEY_WHY,
        "use EC P-256 (pkilab's default) or RSA 2048+"),
    "unknown_critical_extension": Words(
        "{name!r} has a critical extension pkilab does not evaluate",
        "RFC 5280: a verifier must reject a certificate with a critical extension it does "
        "not process ({extensions})",
        "re-issue it without that extension, or mark it non-critical"),
    "not_a_ca": Words(
        "{name!r} is not a CA but signed {below!r}",
        "only certificates with basicConstraints CA:TRUE (critical) may sign others",
        _REISSUE_CA),
    "not_a_ca/not_critical": Words(
        "{name!r} is not a CA but signed {below!r}",
        "RFC 5280 requires basicConstraints to be critical on CA certificates", _REISSUE_CA),
    "not_a_ca/doctor": Words(
        "a CA certificate without basicConstraints CA:TRUE",
        "verifiers only accept an issuer whose certificate says CA:TRUE (critical); OpenSSL "
        "reports 'invalid CA certificate' (the seed's intermediates lack it)",
        "add basicConstraints=critical,CA:TRUE"),
    "not_a_ca/doctor_guess": Words(
        "self-signed, but no basicConstraints CA:TRUE (if this is meant as a root CA)",
        "verifiers only accept an issuer whose certificate says CA:TRUE (critical); OpenSSL "
        "reports 'invalid CA certificate'",
        "add basicConstraints=critical,CA:TRUE"),
    "path_length": Words(
        "{name!r} allows {limit} CA(s) below it, but the chain has {count}",
        "its basicConstraints pathLenConstraint forbids this many intermediates ('path "
        "length constraint violated')",
        "re-issue {name!r} with path_length={count}, or shorten the chain"),
    "key_usage": Words(
        "{name!r} may not be used for a TLS handshake",
        "its keyUsage allows neither digitalSignature (needed to sign the handshake) nor, "
        "for RSA, keyEncipherment; OpenSSL refuses it",
        "re-issue it with keyUsage=critical,digitalSignature"),
    "key_usage/ca_missing": Words(
        "{name!r} has no keyUsage",
        "RFC 5280 requires keyUsage with keyCertSign on CA certificates; cryptography's "
        "verifier and openssl verify -x509_strict ('CA cert does not include key usage "
        "extension') refuse a CA without it. openssl req -x509 with the default config (the "
        "seed's root) leaves it out",
        "re-issue it with keyUsage=critical,keyCertSign,cRLSign (openssl: -addext on req "
        "-x509, or in the -extfile)"),
    "key_usage/ca_no_cert_sign": Words(
        "{name!r} is not allowed to sign certificates", "its keyUsage lacks keyCertSign",
        "re-issue it with keyUsage=critical,keyCertSign,cRLSign"),
    "missing_key_identifier": Words(
        "{name!r} has no subjectKeyIdentifier",
        "RFC 5280 requires it on CA certificates, and Python 3.13's strict verification "
        "rejects CAs without it", "re-issue it with subjectKeyIdentifier=hash"),
    "missing_key_identifier/aki": Words(
        "{name!r} has no authorityKeyIdentifier",
        "RFC 5280 requires it, and Python 3.13's strict verification rejects certificates "
        "without it", "re-issue it with authorityKeyIdentifier"),
    "wrong_purpose": Words(
        "{name!r} is not meant for a TLS {purpose}",
        "its extendedKeyUsage allows {have} but not {purpose}Auth",
        "use a {purpose} certificate (issue_{purpose})"),
    "wrong_purpose/ca": Words(
        "the CA {name!r} is limited to {have}",
        "an extendedKeyUsage on a CA limits everything below it; {purpose}Auth is not in it",
        "re-issue the CA without extendedKeyUsage, or with {purpose}Auth"),
    "leaf_is_ca": Words(
        "{name!r} is a CA certificate used as a {purpose} certificate",
        "verifiers refuse CA certificates as TLS leaves",
        "issue a leaf (issue_server / issue_client) for the server or client"),
    "missing_san": Words(
        "{name!r} has no subjectAltName", _SAN_WHY,
        "re-issue with names (issue_server(['host']); openssl: -addext "
        "subjectAltName=DNS:host)"),
    "missing_san/doctor": Words(
        "{prefix}no subjectAltName", _SAN_WHY,
        "add subjectAltName=DNS:name (pkilab: issue_server(['name']))"),
    "wrong_host": Words(
        "{name!r} is not valid for {host!r}", "its subjectAltName lists {names}",
        "connect with a listed name, or issue a certificate that names {host}"),
    "name_constraints": Words(
        "{name!r} names {offending!r}, which its CA {ca!r} may not vouch for",
        "{ca!r} carries name constraints: {detail}",
        "issue the certificate only for names inside the CA's permitted subtrees, or from "
        "a CA without that constraint"),
    "unsupported": Words(
        "this Ed25519 chain uses {which} constraints",
        "cryptography's verifier refuses Ed25519 chains, and pkilab's own checks do not "
        "evaluate {which} constraints, so it cannot vouch for this chain",
        "check it with openssl verify -x509_strict, or use EC P-256 keys"),
    "unsupported/name": Words(
        "cryptography's verifier cannot check this name", "{detail}",
        "use a host name made of letters, digits and hyphens"),
    "rejected": Words(
        "cryptography's verifier rejected the chain", "{detail}",
        "see the checks above; report this case to the pkilab developers"),
    # ---- revocation (CRLs given to verify_chain) ---------------------------------------------
    "revoked": Words(
        "{name!r} was revoked on {date} ({reason})",
        "its issuer {issuer!r} lists serial {serial} on its CRL (number {number}): whoever "
        "holds its key is no longer vouched for, however good its dates and signature are "
        "(OpenSSL: error 23, 'certificate revoked')",
        "issue a new certificate with a new key; a revoked certificate is never trusted "
        "again (there is no unrevoke)"),
    "crl_expired": Words(
        "the CRL of {issuer!r} expired on {next_update}",
        "a CRL speaks only until its nextUpdate; after that nobody can tell what was revoked "
        "since, so verifiers refuse the chain rather than guess (OpenSSL: error 12, 'CRL "
        "has expired')",
        "fetch or make a fresh list (pkilab revoke DIR --refresh re-signs the set's crl.pem)"),
    "crl_not_yet_valid": Words(
        "the CRL of {issuer!r} is not valid until {last_update}",
        "its thisUpdate is later than the time checked ({at}): a clock is wrong (OpenSSL: "
        "error 11, 'CRL is not yet valid')",
        "check the clocks of the CA and of this machine"),
    "crl_bad_signature": Words(
        "the CRL that names {issuer!r} was not signed with the key of {issuer!r}",
        "anyone can write a list with a CA's name on it; only the signature makes it the "
        "CA's word, and this one was made by another key (OpenSSL: error 8, 'CRL signature "
        "failure')",
        "use the CRL the CA itself signed (the set's crl.pem, from the same folder as "
        "intermediate2.crt)"),
    "crl_wrong_issuer": Words(
        "no CRL given is from {issuer!r}, which issued {name!r}",
        "the CRLs given come from {crl_issuers}; a CRL speaks only for certificates its own "
        "issuer signed, so whether {name!r} is revoked could not be checked (OpenSSL: error "
        "3, 'unable to get certificate CRL')",
        "pass the CRL of {issuer!r} (for a set's server and clients: crl.pem)"),
    # ---- the chain as a server sends it ---------------------------------------------------
    "wrong_order": Words(
        "the full chain is not in issuer order",
        "it lists {found}. TLS 1.2 (RFC 5246) requires each certificate to be followed by "
        "its issuer; TLS 1.3 (RFC 8446 4.4.2) asks clients to accept any order after the "
        "leaf, and OpenSSL and Python's ssl do, with either version. Only strict TLS 1.2 "
        "clients refuse it, so this is a warning, not a broken chain",
        "write it as {wanted} (cat server.crt intermediate2.crt intermediate1.crt > "
        "fullchain.crt)", severity="warning"),
    "leaf_not_first": Words(
        "the full chain does not start with the leaf",
        "it lists {found}. Every TLS version requires the server's own certificate first, "
        "and nginx refuses such a file ('key values mismatch')",
        "write it as {wanted} (cat server.crt intermediate2.crt intermediate1.crt > "
        "fullchain.crt)"),
    # ---- the doctor's own findings ---------------------------------------------------------
    "server_validity_too_long": Words(
        "{prefix}valid for {days} days",
        "a publicly trusted TLS server certificate issued on {issued} may be valid at most "
        "{limit} days (CA/B Forum ballot SC-081: 398 days before 2026-03-15, 200 from then, "
        "100 from 2027-03-15, 47 from 2029-03-15). Apple platforms refuse any TLS server "
        "certificate valid for more than 825 days, even from a private root you trust",
        "a lab CA may choose otherwise, but short lives train the renewal habit"),
    "pkilint_cannot_decode": Words(
        "{detail}",
        "pkilint's ASN.1 decoder refused the certificate's bytes, so none of its RFC 5280 "
        "checks ran; the structure itself is malformed",
        "re-issue it"),
    "malformed_extensions/doctor": Words(
        "extensions that cannot be read", "{defect}; no verifier accepts such a certificate",
        "re-issue it with each extension once and well-formed"),
    # ---- a TLS connection --------------------------------------------------------------------
    "unknown_ca": Words(
        "we refused the server's certificate: it was not issued by a CA we trust",
        "the chain it sent does not lead to any root in our trust store",
        "pass the root that issued it, ca=root.crt (curl --cacert root.crt); -k would hide "
        "the problem, not solve it", refusal=True),
    "unknown_ca/same_name": Words(
        "we refused the server's certificate: it was not issued by a CA we trust",
        "the chain it sent ends at {top!r}, issued by {issuer!r}; we trust a root with that "
        "name, but it did not make that signature: another CA with the same name (names are "
        "labels; keys are what count)",
        "pass the root that issued it, ca=root.crt (curl --cacert root.crt); -k would hide "
        "the problem, not solve it", refusal=True),
    "unknown_ca/foreign": Words(
        "we refused the server's certificate: it was not issued by a CA we trust",
        "the chain it sent ends at {top!r}, issued by {issuer!r}, a CA that is not in our "
        "trust store",
        "pass the root that issued it, ca=root.crt (curl --cacert root.crt); -k would hide "
        "the problem, not solve it", refusal=True),
    "unknown_ca/sent_root": Words(
        "we refused the server's certificate: it was not issued by a CA we trust",
        "the server sent its chain up to a root of its own, which is not in our trust store; "
        "OpenSSL says 'self-signed certificate in certificate chain' (error 19) for this",
        "pass the root that issued it, ca=root.crt (curl --cacert root.crt); -k would hide "
        "the problem, not solve it", refusal=True),
    "missing_intermediate/tls": Words(
        "we refused the server's certificate: we cannot link it to our root",
        "the server sent its certificate without the intermediates that connect it to "
        "root.crt{also}",
        "serve fullchain.crt (server.crt + intermediates), not server.crt alone",
        refusal=True),
    "missing_intermediate/tls_leaf_only": Words(
        "we refused the server's certificate: we cannot link it to our root",
        "the server sent only its own certificate, issued by {issuer!r}, and we have no "
        "certificate for {issuer!r}: the intermediates that link it to the root are missing "
        "(or it comes from a CA we do not trust)",
        "serve fullchain.crt (server.crt + intermediates), not server.crt alone",
        refusal=True),
    "hostname_mismatch": Words(
        "we refused the server's certificate: it is not for {host!r}",
        "the name we connected to is not in its subjectAltName",
        "connect with a name the certificate lists (pkilab inspect server.crt shows them), "
        "or issue a certificate that includes it", refusal=True),
    "expired/tls": Words(
        "we refused the server's certificate: it has expired",
        "its notAfter date is in the past",
        "renew it (the same key may be reused) and restart the server", refusal=True),
    "not_yet_valid/tls": Words(
        "we refused the server's certificate: it is not valid yet",
        "its notBefore date is in the future (or this computer's clock is behind)",
        "check the clock, or issue it with an earlier start date", refusal=True),
    "bad_server_certificate": Words(
        "we refused the server's certificate", "{detail}",
        "inspect it: pkilab inspect server.crt; pkilab verify shows each check",
        refusal=True),
    "certificate_required": Words(
        "the server refused us: it requires a client certificate and we sent none",
        "the server runs mutual TLS (nginx ssl_verify_client on)",
        "pass cert=client.crt and key=client.key (curl --cert client.crt --key client.key)",
        refusal=True),
    "certificate_required/tls12": Words(
        "the server refused us: it requires a client certificate and we sent none",
        "the server runs mutual TLS; in TLS 1.2 it ends the handshake with a 'handshake "
        "failure' alert when no client certificate comes",
        "pass cert=client.crt and key=client.key (curl --cert client.crt --key client.key)",
        refusal=True),
    "client_certificate_rejected": Words(
        "the server refused our client certificate", "its alert says {alert!r}",
        "use a client certificate issued by a CA the server trusts, still valid, with "
        "extendedKeyUsage clientAuth", refusal=True),
    "client_certificate_rejected/unknown_ca": Words(
        "the server refused our client certificate",
        "its alert says 'unknown CA': our certificate was not issued by a CA it trusts",
        "use a client certificate issued by a CA the server trusts", refusal=True),
    "client_certificate_rejected/expired": Words(
        "the server refused our client certificate", "its alert says 'certificate expired'",
        "renew the client certificate", refusal=True),
    "client_certificate_rejected/revoked": Words(
        "the server refused our client certificate",
        "its alert says 'certificate revoked': the CA that issued it put it on its CRL, and "
        "the server checks that list",
        "get a new certificate (a revoked one is never accepted again); the server's log "
        "says when and why it was revoked", refusal=True),
    "client_certificate_rejected/unsupported": Words(
        "the server refused our client certificate",
        "its alert says 'unsupported certificate' (is the extendedKeyUsage clientAuth?)",
        "use a client certificate with extendedKeyUsage clientAuth (issue_client)",
        refusal=True),
    "closed_after_handshake": Words(
        "the server closed the connection right after the handshake",
        "with TLS 1.3 the server checks our certificate after our side of the handshake is "
        "done; its 'certificate required' alert can be lost when it closes quickly, so we "
        "only see the connection end",
        "if the server runs mutual TLS, pass cert=client.crt and key=client.key",
        refusal=True),
    "protocol_version": Words(
        "no TLS version both sides accept", "{detail}",
        "drop the tls_version pin, or pin the version the server speaks"),
    "not_tls": Words(
        "the other side does not speak TLS", "{detail}",
        "check the port: is it an https:// server? (http:// servers answer in plain text)"),
    "handshake_failure": Words(
        "the handshake failed", "{detail}",
        "compare both sides' settings; pkilab.trace shows the messages exchanged"),
    "connection_refused": Words(
        "nothing is listening at {address}", "the connection was refused",
        "start the server first (and use the port it printed)"),
    "timeout": Words(
        "the server did not answer in time", "{detail}",
        "check that the server is running and the port is right"),
    "connection_reset": Words(
        "the server cut the connection", "{detail}",
        "the server's log or events say why (a mutual-TLS server drops clients without a "
        "valid certificate)"),
    "network": Words(
        "the connection to {address} failed", "{detail}",
        "check the address and that the server runs"),
    "bad_reply": Words(
        "the server's reply is not HTTP", "{detail}",
        "check that the URL points to an HTTPS web server"),
}

#: TLS codes where one side refused the other's certificate (see :attr:`Words.refusal`).
REFUSALS: frozenset[str] = frozenset(key.split("/")[0] for key, entry in PROBLEMS.items()
                                     if entry.refusal)


class _Facts(dict):
    """Template values; a fact the caller did not give shows as '?' rather than raising."""

    def __missing__(self, key: str) -> str:
        return "?"


def entry(code: str, variant: str = "") -> Words:
    """The table entry of ``code`` (worded for ``variant``, falling back to the main one)."""
    key = f"{code}/{variant}" if variant else code
    if key in PROBLEMS:
        return PROBLEMS[key]
    if code in PROBLEMS:
        return PROBLEMS[code]
    raise KeyError(f"no problem code {code!r} in pkilab.problems.PROBLEMS")


def words(code: str, variant: str = "", **facts: object) -> tuple[str, str, str]:
    """(what, why, fix) of ``code`` with ``facts`` filled in."""
    found = entry(code, variant)
    values = _Facts(facts)
    return (found.what.format_map(values), found.why.format_map(values),
            found.fix.format_map(values))


def severity(code: str) -> Severity:
    """How bad ``code`` is: "error" (trust fails) or "warning" (worth fixing, not fatal)."""
    return entry(code).severity


@dataclass(frozen=True)
class Problem:
    """One problem: a stable ``code`` for programs, and what / why / fix for people.

    ``position`` is the index in the chain of the certificate at fault (None when the
    problem is about the whole chain); ``severity`` comes from the table.
    """

    code: str
    what: str
    why: str
    fix: str
    position: int | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.what}. {self.why}. {self.fix}."

    def as_dict(self) -> dict[str, object]:
        """The problem as plain data (for JSON output)."""
        return {"code": self.code, "position": self.position, "severity": self.severity,
                "what": self.what, "why": self.why, "fix": self.fix}


def problem(code: str, position: int | None = None, variant: str = "",
            **facts: object) -> Problem:
    """A :class:`Problem` of ``code`` worded from the table with ``facts`` filled in."""
    what, why, fix = words(code, variant, **facts)
    return Problem(code, what, why, fix, position, severity(code))
