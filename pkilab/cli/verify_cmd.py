"""pkilab verify CERT --ca ROOT: OK and the chain, or what is wrong and how to fix it."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "verify", help="verify a certificate chain and explain any failure",
        description="Verify CERT (a leaf, or a full chain leaf first) against the trusted "
        "root(s) in --ca. Exit 0 when valid, 1 when not (with the reason), 2 when a file "
        "cannot be read.")
    parser.add_argument("cert", metavar="CERT", help="leaf certificate or fullchain.crt")
    parser.add_argument("--ca", required=True, action="append", metavar="ROOT",
                        help="trusted root certificate(s) (repeatable)")
    parser.add_argument("--untrusted", action="append", default=[], metavar="FILE",
                        help="intermediate certificates (repeatable; a bundle is fine)")
    parser.add_argument("--host", metavar="NAME", help="host name or IP the server must match")
    parser.add_argument("--purpose", choices=("server", "client"), default="server",
                        help="check as a TLS server (default) or client certificate")
    parser.add_argument("--key", metavar="FILE",
                        help="also check that this private key belongs to CERT "
                        "(a mismatch is bad input: exit 2)")
    parser.add_argument("--password", metavar="PW", help="password of an encrypted --key")
    parser.add_argument("--partial-chain", action="store_true",
                        help="also accept an intermediate given with --ca as the end of the "
                        "chain (openssl's -partial_chain); by default only self-signed roots "
                        "are trust anchors")
    parser.add_argument("--crl", action="append", default=[], metavar="FILE",
                        help="check revocation against this CRL (repeatable; a folder "
                        "gives its crl*.pem): the leaf's issuer must have one")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print every check on every certificate")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..chain import anchor_note, verify_chain
    from ..load import load_certificates
    from ..names import format_subj

    served = load_certificates(args.cert)
    roots = [c for path in args.ca for c in load_certificates(path)]
    intermediates = [c for path in args.untrusted for c in load_certificates(path)]
    if args.key:
        from ..facts import require_key_matches
        from ..load import load_private_key

        require_key_matches(
            load_private_key(args.key, args.password), served[0],
            key_name=f"the key {args.key!r}", certificate_name=repr(args.cert),
            fix="pass the .key made together with this certificate (a server with this "
            "pair fails: 'key values mismatch')")
    report = verify_chain(served if len(served) > 1 else served[0], roots, intermediates,
                          host=args.host, purpose=args.purpose,
                          partial_chain=args.partial_chain, crls=_crls(args.crl))
    if args.verbose:
        print(report.text())
        return 0 if report.ok else 1
    if report.ok:
        target = f" for {args.host}" if args.host else ""
        print(f"OK: valid {args.purpose} certificate{target}")
        for index, cert in enumerate(report.chain):
            print(f"  {index}. {report.links[index].role:<12} {format_subj(cert.subject)}")
        if report.partial_chain:
            print(f"  note: {anchor_note(report)}.")
        for warning in report.warnings:
            print(f"  warning: {warning.what}")
            print(f"    why: {warning.why}.")
            print(f"    fix: {warning.fix}.")
        return 0
    problem = report.errors[0]
    print(f"FAILED: {problem.what}")
    print(f"  why: {problem.why}.")
    print(f"  fix: {problem.fix}.")
    for extra in [p for p in report.problems if p is not problem]:
        print(f"  {'also' if extra.severity == 'error' else 'warning'}: {extra.what}")
    return 1


def _crls(paths: list[str]) -> list:
    if not paths:
        return []
    from ..revoke import load_crls

    return load_crls(*paths)
