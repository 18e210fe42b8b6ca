"""pkilab ocsp DIR --port P: an OCSP responder for the set on 127.0.0.1, until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import signal
import threading


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "ocsp", help="an OCSP responder for a certificate set, on 127.0.0.1",
        description="Answer OCSP requests (RFC 6960, GET and POST) about the set's "
        "certificates: good, revoked (from the CA's CRL file, read again for every "
        "request) or unknown; each CA signs the answers about what it issued. Runs until "
        "Ctrl-C, printing one line per answer.")
    parser.add_argument("directory", metavar="DIR", help="folder written by pkilab init")
    parser.add_argument("--port", type=int, default=0, metavar="N",
                        help="port on 127.0.0.1 (default: 0 = any free port)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..ocsp import OCSPResponder

    if not 0 <= args.port <= 65535:
        raise InputError(f"--port {args.port} is not a port", "ports are 0 to 65535",
                         "pass --port 0 for any free port", code="bad_port")
    responder = OCSPResponder(args.directory, port=args.port)
    stop = threading.Event()
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError):  # not the main thread: no signals
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    try:
        with _started(responder) as url:
            print(f"OCSP responder for {args.directory} at {url}")
            print("Try:")
            def path(name: str) -> str:
                return shlex.quote(os.path.join(args.directory, name))

            for client in ("client", "client2"):
                print(f"  openssl ocsp -issuer {path('intermediate2.crt')} -cert "
                      f"{path(client + '.crt')} -url {url} -CAfile {path('root.crt')} "
                      f"-verify_other {path('intermediate1.crt')}")
            print("Press Ctrl-C to stop.", flush=True)
            shown = 0
            while True:
                stopping = stop.wait(0.2)
                for event in responder.events[shown:]:
                    print(f"  {event}", flush=True)
                shown = len(responder.events)
                if stopping:
                    break
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    print("Stopped.", flush=True)
    return 0


@contextlib.contextmanager
def _started(responder):
    from ..errors import InputError

    try:
        responder.start()
    except OSError as exc:
        raise InputError(f"cannot listen on 127.0.0.1:{responder._port}",
                         exc.strerror or str(exc), "pick another --port, or 0",
                         code="port_in_use") from None
    try:
        yield responder.url
    finally:
        responder.stop()
