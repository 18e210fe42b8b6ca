"""pkilab serve DIR: serve the set ``pkilab init DIR`` wrote over HTTPS, until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import signal
import sys
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..tls import HTTPSServer


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "serve", help="an HTTPS server for a certificate set (one-way or mutual TLS)",
        description="Serve DIR/fullchain.crt and DIR/server.key on 127.0.0.1, print the URL "
        "and the curl commands to try, and log each connection until Ctrl-C. With --mtls "
        "the server also asks for a client certificate issued by DIR/root.crt, the only "
        "trust anchor (DIR/intermediate1.crt and intermediate2.crt, which must chain to it, "
        "build the path; other .crt files in DIR are ignored and never trusted), and checks "
        "it as pkilab verify --purpose client does: a certificate that fails gets "
        "400 The SSL certificate error, with the reason.")
    parser.add_argument("directory", metavar="DIR", help="folder written by pkilab init")
    parser.add_argument("--mtls", choices=("off", "required", "on", "optional"), default="off",
                        help="client certificates: off (one-way TLS, default), required "
                        "(handshake fails without one), on (HTTP 400 without one, like "
                        "nginx's ssl_verify_client on; 'optional' is the old name)")
    parser.add_argument("--port", type=int, default=0, metavar="N",
                        help="port to listen on (default: 0 = any free port)")
    parser.add_argument("--allow", action="append", metavar="NAME",
                        help="only this client (certificate CN) gets the page; others get "
                        "403 (repeatable; needs --mtls)")
    parser.add_argument("--tls-version", choices=("1.2", "1.3"), default=None,
                        help="speak only this TLS version (default: 1.2 and 1.3)")
    parser.add_argument("--leaf-only", action="store_true",
                        help="send server.crt without its intermediates (a classic mistake, "
                        "on purpose)")
    parser.add_argument("--class", dest="class_", action="store_true",
                        help="a class server for a folder made by pkilab class: greets each "
                        "student by name and keeps the roll call (the instructor's "
                        "certificate opens /instructor; the table is also printed here and "
                        "written to DIR/rollcall.csv)")
    parser.add_argument("--host", default="127.0.0.1", metavar="ADDR",
                        help="address to listen on (default: 127.0.0.1, this machine only; "
                        "0.0.0.0 lets a classroom reach it, with a warning)")
    parser.set_defaults(run=run)


def curl_commands(url: str, folder: str, clients: list[str], mtls: str) -> list[str]:
    """The seed's curl cases for this server, with --cacert (never -k)."""
    def path(name: str) -> str:
        return shlex.quote(os.path.join(folder, name))

    base = f"curl --cacert {path('root.crt')}"
    lines = [f"{base} {url}"]
    if mtls != "off":
        lines = [f"{base} --cert {path(c + '.crt')} --key {path(c + '.key')} {url}"
                 for c in clients] + lines
    return lines


_MODES = {"off": "one-way TLS", "required": "mutual TLS, client certificate required",
          "on": "mutual TLS, nginx's 'ssl_verify_client on' (400 page without a certificate)",
          "optional": "mutual TLS, nginx's 'ssl_verify_client on' (400 page without a "
                      "certificate; --mtls optional is now called --mtls on)"}


def run(args: argparse.Namespace) -> int:
    from ..certset import load_certificate_set
    from ..tls import HTTPSServer

    if args.class_:
        from .class_cmd import serve_class

        return serve_class(args)
    warn_host(args.host)
    loaded = load_certificate_set(args.directory)  # InputError (exit 2) for a bad folder
    server = HTTPSServer(args.directory, mtls=args.mtls, allow=args.allow, port=args.port,
                         host=args.host,
                         tls_version=args.tls_version,
                         chain="leaf" if args.leaf_only else "full")
    stop = threading.Event()

    def on_signal(_signum: int, _frame: object) -> None:
        stop.set()

    # Ctrl-C and kill both end the loop below; SIGINT is handled here too because a
    # server started in the background of a script inherits "ignore SIGINT".
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError):  # not the main thread (a test): no signals
            previous[signum] = signal.signal(signum, on_signal)
    with server:
        _print_header(server, args, loaded.clients)
        try:
            _wait_for_stop(server, stop)
        except KeyboardInterrupt:
            pass
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
    for event in server.take_events():  # what happened since the last look
        print(f"  {event}")
    print("Stopped.", flush=True)
    sys.stdout.flush()
    return 0


def warn_host(host: str) -> None:
    """Say so when the server will be reachable from other machines."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"Warning: listening on {host}: other machines on this network can connect "
              "(pkilab serve is a lab server; stop it when the class ends)", flush=True)


def _print_header(server: HTTPSServer, args: argparse.Namespace, clients: list[str]) -> None:
    print(f"Serving {args.directory} at {server.url} ({_MODES[args.mtls]})")
    if args.mtls != "off":
        print("Trusted for client certificates: root.crt only (intermediate1.crt and "
              "intermediate2.crt build the path)")
    if server.crls:
        print(f"Revocation: {args.directory}/crl.pem, checked in the handshake "
              f"(VERIFY_CRL_CHECK_LEAF); {server.revoked_text}. After pkilab revoke, restart "
              "this server to load the new list")
    for name in server.ignored:
        print(f"Ignored {name}: not part of the set, so not trusted")
    if args.allow:
        print(f"Allowed clients: {', '.join(args.allow)} (others get 403)")
    print("Try:")
    for line in curl_commands(server.url, args.directory, clients, args.mtls):
        print(f"  {line}")
    print("Press Ctrl-C to stop.", flush=True)


def _wait_for_stop(server: HTTPSServer, stop: threading.Event) -> None:
    """Print each event as it happens, until Ctrl-C or a kill."""
    while not stop.wait(0.2):
        for event in server.take_events():
            print(f"  {event}", flush=True)
