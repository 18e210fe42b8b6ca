"""pkilab init DIR: write the seed's certificate set, done right."""

from __future__ import annotations

import argparse
import os

from ..keys import KEY_KINDS


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "init", help="write a certificate set: root, two intermediates, server, clients",
        description="Write root.key root.crt intermediate1.* intermediate2.* server.key "
        "server.crt fullchain.crt and, for each client, NAME.key NAME.crt NAME.p12 "
        "(the seed's file names). Private keys and .p12 files get mode 0600.")
    parser.add_argument("directory", metavar="DIR",
                        help="folder to write (created if missing, mode 0700); the set appears "
                        "there whole or not at all")
    parser.add_argument("--key", default="ec", choices=list(KEY_KINDS),
                        help="key kind for every certificate (default: ec = EC P-256)")
    parser.add_argument("--server-name", action="append", metavar="NAME",
                        help="DNS name or IP address for the server certificate "
                        "(repeatable; default: localhost and 127.0.0.1)")
    parser.add_argument("--client", action="append", metavar="NAME",
                        help="a client certificate to make (repeatable; default: client "
                        "and client2, as in the seed)")
    parser.add_argument("--p12-password", default=None, metavar="PW",
                        help="password of the NAME.p12 files (default: 123456, as in the "
                        "seed; keytool needs 6 characters or more)")
    parser.add_argument("--org", default="pkilab", metavar="NAME",
                        help="organization (O=) in every subject (default: pkilab)")
    parser.add_argument("--subject", metavar="SUBJ",
                        help="fields every certificate shares, openssl -subj style without "
                        "the CN, e.g. /C=CN/ST=bj/L=bj/O=alibaba/OU=test (as in the seed)")
    parser.add_argument("--permitted-dns", action="append", default=[], metavar="DOMAIN",
                        help="name constraint on intermediate1 (repeatable): the set may "
                        "vouch only for DOMAIN and names below it (lab.example covers "
                        "www.lab.example). localhost and 127.0.0.1 are then refused unless "
                        "permitted too: a constrained lab set usually adds --permitted-dns "
                        "localhost --permitted-ip 127.0.0.1/32")
    parser.add_argument("--permitted-ip", action="append", default=[], metavar="NET",
                        help="name constraint on intermediate1 (repeatable): IP addresses "
                        "only inside NET, e.g. 10.0.0.0/8 or 127.0.0.1/32 (given alone, it "
                        "leaves DNS names unconstrained)")
    parser.add_argument("--ocsp-url", metavar="URL",
                        help="put this OCSP responder URL (authorityInfoAccess) on the server "
                        "and client certificates, e.g. http://127.0.0.1:8888 (pkilab ocsp)")
    parser.add_argument("--crl-url", metavar="URL",
                        help="put this CRL distribution point on the server and client "
                        "certificates, e.g. http://127.0.0.1:8080/crl.pem")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing set (its files move to DIR/replaced-*/; "
                        "other files in DIR stay)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..certset import (
        DEFAULT_CLIENTS,
        DEFAULT_P12_PASSWORD,
        DEFAULT_SERVER_NAMES,
        build_certificate_set,
        write_certificate_set,
    )
    from ..names import format_subj
    from ..passwords import check_new_password

    names = args.server_name or list(DEFAULT_SERVER_NAMES)
    clients = args.client or list(DEFAULT_CLIENTS)
    password = args.p12_password if args.p12_password is not None else DEFAULT_P12_PASSWORD
    check_new_password(password, "keystore", option="--p12-password")  # before any work
    cs = build_certificate_set(key_kind=args.key, server_names=names, clients=clients,
                               organization=args.org, subject=args.subject,
                               permitted_dns=args.permitted_dns,
                               permitted_ips=args.permitted_ip,
                               ocsp_url=args.ocsp_url, crl_url=args.crl_url)
    written = write_certificate_set(cs, args.directory, p12_password=password,
                                    force=args.force)
    folder = args.directory
    print(f"Wrote {len(written)} files to {folder} ({KEY_KINDS[args.key]} keys):")
    rows = [("root", cs.root.certificate), ("intermediate1", cs.intermediate1.certificate),
            ("intermediate2", cs.intermediate2.certificate),
            ("server", cs.server.certificate)]
    rows += [(name, issued.certificate) for name, issued in cs.clients.items()]
    for stem, cert in rows:
        until = cert.not_valid_after_utc.strftime("%Y-%m-%d")
        print(f"  {stem + '.crt':<20} {format_subj(cert.subject):<45} until {until}")
    print("  fullchain.crt        server.crt + intermediate2.crt + intermediate1.crt")
    permitted = _permitted(cs.intermediate1.certificate)
    if permitted:
        print(f"  intermediate1 may vouch only for: {permitted} (nameConstraints)")
    # a password given through env:/file:/stdin must not end up in a log of the output
    shown = password if password == DEFAULT_P12_PASSWORD else "the one given (--p12-password)"
    print(f"  private keys (*.key, *.p12) are mode 0600; .p12 password: {shown}")
    host = names[0]
    root = os.path.join(folder, "root.crt")
    print("Next:")
    print(f"  pkilab verify {os.path.join(folder, 'fullchain.crt')} --ca {root} --host {host}")
    print(f"  pkilab serve {folder} --mtls required")
    return 0


def _permitted(certificate) -> str:
    """The permitted subtrees of a CA certificate as text ('' when it has none)."""
    from cryptography import x509

    from ..facts import extension

    constraints = extension(certificate, x509.NameConstraints)
    if constraints is None:
        return ""
    return ", ".join(str(entry.value) for entry in constraints.permitted_subtrees or ())
