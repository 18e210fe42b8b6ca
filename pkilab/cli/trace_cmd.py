"""pkilab trace DIR: one handshake and request, annotated, checked, and saved for Wireshark."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "trace", help="capture one handshake + request of a set: annotate, check, pcapng",
        description="Start a lab server for DIR (as pkilab serve), make one request with "
        "DIR/client.crt, print every handshake message and the recomputed Finished and "
        "CertificateVerify checks, and write what Wireshark needs: --pcap FILE.pcapng (the "
        "real TLS bytes in made-up TCP/IP packets, the key log embedded) and --keylog "
        "FILE.keys (NSS key log: tshark -r FILE.pcapng -o tls.keylog_file:FILE.keys). Both "
        "files are private (0600): they decrypt the connection.")
    parser.add_argument("directory", metavar="DIR", help="folder written by pkilab init")
    parser.add_argument("--mtls", choices=("off", "required", "on"), default="required",
                        help="client certificates (default: required)")
    parser.add_argument("--client", default="client", metavar="NAME",
                        help="which client of the set connects (default: client)")
    parser.add_argument("--tls-version", choices=("1.2", "1.3"), default=None)
    parser.add_argument("--pcap", metavar="FILE", help="write a pcapng capture")
    parser.add_argument("--keylog", metavar="FILE", help="write the NSS key log")
    parser.add_argument("--force", action="store_true", help="replace existing files")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..capture.checks import all_checks
    from ..capture.export import capture_set, write_files
    from ..capture.report import message_table

    conn = capture_set(args.directory, mtls=args.mtls, client=args.client,
                       tls_version=args.tls_version)
    print(message_table(conn))
    checks = all_checks(conn)
    for check in checks:
        print(check.line())
    for path in write_files(conn, args.pcap, args.keylog, overwrite=args.force):
        print(f"wrote {path}")
    if args.pcap:
        keys = args.keylog or "FILE.keys"
        print(f"open it: wireshark {args.pcap}   or: tshark -r {args.pcap} "
              f"-o tls.keylog_file:{keys} -Y http")
    return 0 if all(c.ok for c in checks) else 1
