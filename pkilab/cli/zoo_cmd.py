"""pkilab zoo DIR: one loopback HTTPS endpoint per certificate failure, made fresh at start."""

from __future__ import annotations

import argparse
import contextlib
import signal
import threading


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "zoo", help="a failure zoo: one HTTPS endpoint per broken certificate, on loopback",
        description="Make a new zoo CA and one endpoint per case (good, expired, "
        "not-yet-valid, wrong-host, self-signed, untrusted-root, incomplete-chain, "
        "reversed-chain, revoked, sha1-signature, rsa-1024, client-cert-required, "
        "client-cert-wrong-ca, tls-1.0-only), each on its own port of 127.0.0.1; print one "
        "line per case: NAME URL what a correct client should do. DIR receives root.crt, "
        "zoo.crl and client certificates to try them with. With --check, run every case "
        "with Python's ssl, curl and openssl (those installed), print the table and stop.")
    parser.add_argument("directory", metavar="DIR", nargs="?", default="zoo",
                        help="folder for the zoo's client files (default: ./zoo)")
    parser.add_argument("--port", type=int, default=0, metavar="P",
                        help="first port: the cases take P, P+1, ... (default: free ports)")
    parser.add_argument("--check", action="store_true",
                        help="run each case with each client, print the table, and stop")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..zoo import Zoo

    with Zoo(args.directory, port=args.port) as zoo:
        print(f"pkilab zoo: trust {zoo.directory / 'root.crt'} and only the intended "
              "failure remains")
        for line in zoo.lines():
            print(line)
        if args.check:
            from ..zoo_check import available_clients, check_zoo, table

            clients = available_clients()
            print()
            print(table(check_zoo(zoo, clients), clients), flush=True)
            return 0
        print(f"Try: curl --cacert {zoo.directory / 'root.crt'} {zoo.cases[1].url}")
        print("Press Ctrl-C to stop.", flush=True)
        _wait()
    return 0


def _wait() -> None:
    stop = threading.Event()
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
