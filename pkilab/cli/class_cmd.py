"""pkilab class DIR --roster students.csv: a certificate and a bundle for every student."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "class", help="a class CA, and a client certificate and zip bundle per student",
        description="Read a roster (CSV: name[,e-mail[,student id]], UTF-8) and write, in "
        "DIR, a class certificate set (with an 'instructor' client), and for each student "
        "DIR/students/STEM/ and DIR/bundles/STEM.zip with STEM.key, STEM.crt, STEM.p12, "
        "root.crt and a README (English and Chinese). Each .p12 gets a random password, "
        "printed once here and written to DIR/instructor-sheet-*.csv (mode 0600), never "
        "into a bundle. Running again with a longer roster adds the new students and "
        "leaves the others untouched.")
    parser.add_argument("directory", metavar="DIR", help="the class folder")
    parser.add_argument("--roster", metavar="CSV", help="the students (UTF-8 CSV)")
    parser.add_argument("--revoke", metavar="NAME",
                        help="revoke one student (name, file name or student id)")
    parser.add_argument("--reason", default="unspecified",
                        choices=("unspecified", "keyCompromise", "superseded",
                                 "cessationOfOperation", "affiliationChanged",
                                 "privilegeWithdrawn"),
                        help="why, for --revoke (RFC 5280 5.3.1; keyCompromise for a lost "
                        "laptop; default: unspecified)")
    parser.add_argument("--server-name", action="append", metavar="NAME",
                        help="name or IP address of the class server (repeatable; default: "
                        "localhost and 127.0.0.1; add the classroom machine's address)")
    parser.add_argument("--url", metavar="URL",
                        help="the URL the READMEs tell students to open (default: "
                        "https://FIRST-SERVER-NAME:8443/)")
    parser.add_argument("--org", default="pkilab class", metavar="NAME",
                        help="organization (O=) in every certificate")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError

    if bool(args.roster) == bool(args.revoke):
        raise InputError("give either --roster CSV or --revoke NAME", "",
                         "pkilab class DIR --roster students.csv", code="bad_usage")
    if args.revoke:
        return _revoke(args)
    return _make(args)


def _make(args: argparse.Namespace) -> int:
    from ..certset import DEFAULT_SERVER_NAMES, check_server_name
    from ..classroom import make_class, read_roster
    from ..files import read_input

    names = [check_server_name(n) for n in (args.server_name or DEFAULT_SERVER_NAMES)]
    rows = read_roster(read_input(args.roster, what="roster"))
    result = make_class(args.directory, rows, server_names=names, url=args.url,
                        organization=args.org)
    if result.created_set:
        print(f"Made the class CA set in {args.directory} (serve it: pkilab serve "
              f"{args.directory} --mtls required --class)")
    print(f"{len(result.new)} new student(s), {result.kept} kept unchanged")
    for note in result.notes:
        print(f"note: {note}")
    if result.sheet:
        print("Passwords of the .p12 files (shown once; hand each to its student):")
        width = max(_width(name) for name, *_ in result.sheet)
        for name, sid, bundle, password in result.sheet:
            pad = " " * (width - _width(name))
            print(f"  {name}{pad}  {sid or '-':<12} {password}  {bundle}")
        print(f"Instructor sheet: {result.sheet_path} (mode 0600)")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from ..classroom import revoke_student

    student = revoke_student(args.directory, args.revoke, args.reason)
    print(f"Revoked {student.name} ({student.stem}, serial {student.serial}): the class "
          "server now refuses this certificate")
    return 0


def _width(text: str) -> int:
    """Terminal columns of ``text``: Chinese characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def serve_class(args: argparse.Namespace) -> int:
    """``pkilab serve DIR --class``: the class server with its roll call, until Ctrl-C."""
    from pathlib import Path

    from ..classroom import CLASS_FILE, load_record
    from ..errors import InputError
    from ..rollcall import Rollcall
    from .serve_cmd import warn_host

    folder = Path(args.directory)
    if not (folder / CLASS_FILE).exists():
        raise InputError(f"{str(folder)!r} is not a class folder", f"it has no {CLASS_FILE}",
                         f"make the class first: pkilab class {folder} --roster students.csv",
                         code="not_a_class")
    if args.mtls != "required":
        raise InputError("the class server needs --mtls required",
                         "it knows students by their client certificates",
                         f"pkilab serve {folder} --mtls required --class", code="bad_usage")
    warn_host(args.host)
    rollcall = Rollcall(load_record(folder))
    server = rollcall.server(folder, port=args.port, host=args.host,
                             tls_version=args.tls_version)
    with server:
        print(f"Class server for {len(rollcall.rows)} students at {server.url}")
        print(f"Instructor view: {server.url}instructor (open it with instructor.p12; "
              f"CSV: {server.url}instructor.csv)")
        print(f"Students: curl --cacert root.crt --cert NAME.crt --key NAME.key {server.url}")
        print("Press Ctrl-C to stop.", flush=True)
        _watch(server, rollcall, folder)
    print(rollcall.text(), end="")
    print(f"Roll call written to {folder / 'rollcall.csv'}. Stopped.", flush=True)
    return 0


def _watch(server, rollcall, folder) -> None:
    """Print what happens and keep DIR/rollcall.csv current, until Ctrl-C or a kill."""
    import contextlib
    import signal
    import threading

    from ..classroom import CLASS_FILE, load_record
    from ..files import write_output

    stop = threading.Event()
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    seen, stamp = -1, (folder / CLASS_FILE).stat().st_mtime_ns

    def export() -> None:
        write_output(folder / "rollcall.csv", rollcall.csv().encode("utf-8-sig"),
                     overwrite=True)

    try:
        while True:
            now_stamp = (folder / CLASS_FILE).stat().st_mtime_ns
            if now_stamp != stamp:  # pkilab class --roster / --revoke while serving
                stamp = now_stamp
                rollcall.update(load_record(folder))
                print("  class.json changed: roll call updated", flush=True)
            for event in server.take_events():
                rollcall.observe(event)
                print(f"  {event}", flush=True)
            if rollcall.changes != seen:
                seen = rollcall.changes
                export()
                print(f"  roll call: {rollcall.summary()}", flush=True)
            if stop.wait(1.0):
                break
    except KeyboardInterrupt:
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for event in server.take_events():
            rollcall.observe(event)
        export()  # what happened in the last second too
