"""pkilab inspect FILE: what the file is, and a summary of what it holds."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "inspect", help="say what a file is and summarize what it holds",
        description="Identify FILE (PEM, DER, PKCS#12, PKCS#7, JKS, ...) and summarize the "
        "certificates, requests and keys inside it. Exit 0 when it was read, 1 when it "
        "was read but holds a problem (a key that does not match its certificate, a chain "
        "in the wrong order), 2 when it cannot be read.")
    parser.add_argument("file", metavar="FILE")
    parser.add_argument("--password", metavar="PW", help="password for PKCS#12, JKS or an "
                        "encrypted key")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..files import read_input
    from ..formats import identify, load_any
    from ..inspect import summary

    data = read_input(args.file)
    found = identify(data, name=args.file)
    print(f"{args.file}: {found.description}")
    contents = load_any(data, password=args.password, name=args.file)
    for index, certificate in enumerate(contents.certificates):
        friendly = (contents.friendly_names[index]
                    if index < len(contents.friendly_names) else None)
        if friendly:
            print(f"[entry {friendly!r}]")
        print(summary(certificate))
    for item in [*contents.csrs, *contents.private_keys, *contents.public_keys]:
        print(summary(item))
    for crl in contents.crls:
        print(f"CRL from {crl.issuer.rfc4514_string()} with "
              f"{len(list(crl))} revoked certificate(s)")
    for note in contents.notes:
        print(f"note: {note}")
    for warning in contents.warnings:
        print(f"warning: {warning}")
    return 1 if contents.warnings else 0
