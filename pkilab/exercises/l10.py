"""Lesson 10 (the classroom): the checks open the learner's real bundle and ask the server.

Exercise 1 takes what ``make_class`` returned when the learner added a late student: it
opens that student's zip, verifies the certificate against the class root, and checks
that every earlier student's files are still byte-identical. Exercise 2 reads the
class server's answer to the learner's request and finds that student in the roll call,
recorded as connected.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path
from typing import Any

from ..i18n import ui
from ..lesson import Verdict, feedback


def snapshot(folder: str | Path) -> dict[str, str]:
    """SHA-256 of every file under ``students/`` and ``bundles/``: to compare later."""
    root = Path(folder)
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for sub in ("students", "bundles") for p in sorted((root / sub).rglob("*"))
            if p.is_file()}


def _late_problem(result: Any, folder: Path, before: dict[str, str]) -> str | None:
    from ..chain import verify_chain
    from ..classroom import ClassResult
    from ..load import load_certificate

    if result is None:
        return "late is still None: keep what make_class(...) returned"
    if not isinstance(result, ClassResult) or Path(result.folder) != Path(folder):
        return "late should be what make_class(klass, ...) returned for the lesson's class"
    if len(result.new) != 1:
        return ui("that run made {count} new students; add exactly one to the roster").format(
            count=len(result.new))
    stem = result.new[0].stem
    bundle = folder / "bundles" / f"{stem}.zip"
    if not bundle.exists():
        return ui("there is no bundle {name}").format(name=bundle.name)
    with zipfile.ZipFile(bundle) as archive:
        from cryptography import x509

        cert = x509.load_pem_x509_certificate(archive.read(f"{stem}/{stem}.crt"))
    report = verify_chain(cert, [load_certificate(folder / "root.crt")],
                          [load_certificate(folder / f"intermediate{n}.crt") for n in (1, 2)],
                          purpose="client")
    if not report.ok:
        return ui("the new certificate does not verify: {what}").format(
            what=report.problems[0].what)
    changed = [name for name, digest in before.items()
               if snapshot(folder).get(name) != digest]
    if changed:
        return ui("earlier students' files changed: {names}").format(names=changed[:3])
    return None


def late_student_check(result: Any, folder: str | Path, before: dict[str, str]) -> Verdict:
    """Exercise 1: one new student, a valid bundle, and nobody else re-issued."""
    return feedback(lambda: _late_problem(result, Path(folder), before),
                    "Correct! One new bundle, and the other students' files did not change.")


def _got_in_problem(rollcall: Any, reply: Any) -> str | None:
    from ..rollcall import Rollcall
    from ..tls import RequestResult

    if not isinstance(rollcall, Rollcall):
        return "pass the lesson's roll call, rollcall"
    if reply is None:
        return "mei_reply is still None: keep what request(server.url, ...) returned"
    if not isinstance(reply, RequestResult):
        return "mei_reply should be what request(...) returned"
    if reply.status != 200:
        return ui("the server answered {status}: does the roll call know her yet? "
                  "(rollcall.update(load_class(klass)))").format(status=reply.status)
    row = next((r for r in rollcall.table()
                if reply.body.startswith(f"Hello, {r['name']} ({r['student_id']})!")), None)
    if row is None or row["status"] != "connected":
        return "the roll call has no connection from the student in that answer"
    return None


def got_in_check(rollcall: Any, reply: Any) -> Verdict:
    """Exercise 2: the late student's own connection was greeted and is in the roll call."""
    return feedback(lambda: _got_in_problem(rollcall, reply),
                    "Correct! The server knows the late student by name.")
