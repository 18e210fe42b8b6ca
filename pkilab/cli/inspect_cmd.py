"""pkilab inspect FILE: what the file is, and a summary of what it holds."""

from __future__ import annotations

import argparse

_EPILOG = """\
exit codes:
  0  the file was read; notes (if any) are facts, not problems. A missing password is
     a note: what it protects is not shown, pass --password PW to see it.
  1  the file was read but has a problem to fix (printed as "warning:"): a private key
     that does not match its certificate or whose certificate is not first, a chain
     in the wrong order, a PKCS#12 holding a private key without a password, a PKCS#12
     using legacy RC2/RC4 encryption, a JKS key entry with its own key password, a PEM
     block whose label does not match its content, a malformed certificate.
  2  the file cannot be read: missing, damaged, not a certificate/key/keystore, extra
     bytes after DER data, more than 1,000 PEM blocks, or the password is wrong.

--json prints one JSON object instead (the same exit codes; errors too): see the
README's "Scripting pkilab" and pkilab/jsonout.py for its keys.
"""


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "inspect", help="say what a file is and summarize what it holds",
        description="Identify FILE (PEM, DER, PKCS#12, PKCS#7, JKS, ...) and summarize the "
        "certificates, requests and keys inside it.", epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", metavar="FILE")
    parser.add_argument("--password", metavar="PW", help="password for PKCS#12, JKS or an "
                        "encrypted key (without it, what it protects is not shown)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object (the format in pkilab.jsonout)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..formats._quiet import quiet_serials

    # pkilab reports a negative serial number as a note; cryptography would also print
    # a deprecation warning each time the summary reads it
    with quiet_serials():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from ..files import read_input
    from ..formats import identify, load_any
    from ..inspect import summary

    data = read_input(args.file)
    found = identify(data, name=args.file)
    if not args.json:
        print(f"{args.file}: {found.description}")
    contents = load_any(data, password=args.password, name=args.file, locked_ok=True)
    if args.json:
        from ..jsonout import emit, inspect_document

        return emit(inspect_document(args.file, contents))
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
