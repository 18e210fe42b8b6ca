"""pkilab inspect FILE: what the file is, and a summary of what it holds."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "inspect", help="say what a file is and summarize what it holds",
        description="Identify FILE (PEM, DER, PKCS#12, PKCS#7, JKS, ...) and summarize the "
        "certificates, requests and keys inside it.")
    parser.add_argument("file", metavar="FILE")
    parser.add_argument("--password", metavar="PW", help="password for PKCS#12, JKS or an "
                        "encrypted key")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..files import read_input
    from ..inspect import summary

    data = read_input(args.file)
    try:
        from ..formats import identify, load_any
    except ImportError:  # formats arrive with lesson 04; the core reads PEM and DER
        identify = load_any = None
    if identify is not None:
        found = identify(data, name=args.file)
        print(f"{args.file}: {found.description}")
        contents = load_any(data, password=args.password, name=args.file)
        items = [*contents.certificates, *contents.csrs, *contents.private_keys]
        notes = list(getattr(contents, "notes", []) or [])
    else:
        items, notes = _core_load(data, args.file, args.password)
    for item in items:
        print(summary(item))
    for note in notes:
        print(f"note: {note}")
    return 0


def _core_load(data: bytes, origin: str, password: str | None):
    from ..errors import InputError
    from ..load import certificates_from_bytes, load_csr, load_private_key, pem_labels

    labels = pem_labels(data)
    if "CERTIFICATE" in labels:
        certificates = certificates_from_bytes(data, repr(origin))
        print(f"{origin}: PEM, {len(certificates)} certificate(s)")
        return certificates, []
    if "CERTIFICATE REQUEST" in labels:
        print(f"{origin}: PEM certificate signing request")
        return [load_csr(data)], []
    if any("PRIVATE KEY" in label for label in labels):
        print(f"{origin}: PEM private key")
        return [load_private_key(data, password)], []
    for kind, loader in (("DER certificate", certificates_from_bytes), ("DER CSR", load_csr),
                         ("DER private key", lambda d: [load_private_key(d, password)])):
        try:
            loaded = loader(data)
        except InputError:
            continue
        print(f"{origin}: {kind}")
        return loaded if isinstance(loaded, list) else [loaded], []
    raise InputError(f"{origin!r} is not a certificate, CSR or key pkilab can read",
                     "it is neither PEM nor DER", "check the file")
