"""pkilab revoke DIR NAME: put a certificate of the set on its CA's CRL (DIR/crl.pem)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    from ..crl import CRL_DAYS, REASONS

    parser = sub.add_parser(
        "revoke", help="revoke a certificate of a set (writes DIR/crl.pem)",
        description="Put DIR/NAME.crt on the CRL of the CA that issued it, signed with that "
        "CA's key: DIR/crl.pem (intermediate2: the server and the clients), "
        "DIR/crl-intermediate1.pem (for intermediate2) or DIR/crl-root.pem (for "
        "intermediate1). The CRL number grows with each new list; revoking again changes "
        "nothing. There is no unrevoke: issue a new certificate instead.")
    parser.add_argument("directory", metavar="DIR", help="folder written by pkilab init")
    parser.add_argument("name", metavar="NAME", nargs="?",
                        help="the certificate to revoke: client2 for DIR/client2.crt")
    parser.add_argument("--reason", choices=tuple(REASONS), default="unspecified",
                        help="why (RFC 5280 5.3.1; default: unspecified, which CRLs leave "
                        "out of the entry)")
    parser.add_argument("--days", type=int, default=CRL_DAYS, metavar="N",
                        help=f"the new CRL is valid N days (nextUpdate; default {CRL_DAYS})")
    parser.add_argument("--refresh", action="store_true",
                        help="re-sign every CRL of the set with the same entries and a new "
                        "window (what a CA does before nextUpdate); no NAME")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..revoke import refresh_crls, revoke_certificate

    if args.refresh == (args.name is not None):
        raise InputError("name a certificate to revoke, or pass --refresh",
                         "pkilab revoke does one of the two", "pkilab revoke DIR client2, "
                         "or pkilab revoke DIR --refresh", code="bad_usage")
    if args.refresh:
        results = refresh_crls(args.directory, days=args.days)
        if not results:
            print("nothing to refresh: no certificate of this set was revoked (no crl.pem)")
        for result in results:
            print(f"refreshed {result.crl_path.name}: CRL number {result.crl_number}, valid "
                  f"{args.days} days")
        return 0
    result = revoke_certificate(args.directory, args.name, args.reason, days=args.days)
    print(result.text())
    if result.changed:
        print(f"  see it: openssl crl -in {result.crl_path} -noout -text")
    return 0
