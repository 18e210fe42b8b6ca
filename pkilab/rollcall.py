"""The class server's roll call: who got in, who has not, who tried and was refused, and why.

Pure logic over what the server saw: :meth:`Rollcall.page` is the server's ``page``
hook (called for every GET that came with a client certificate, with the problem the
server's own check found, if any) and :meth:`Rollcall.observe` takes the server's events
(handshake failures). Times come from the caller, so tests need no clock.

What it can and cannot name. A student whose certificate the handshake accepts is
known by the certificate's fingerprint (``class.json``), so the table says who they are
even when the server then refuses them (revoked in ``class.json``, expired, or a
problem ``pkilab verify`` finds). A certificate from another CA fails inside OpenSSL's
handshake, before the server sees whose it is: those attempts are counted by reason,
without a name.

That is why the class server (:meth:`Rollcall.server`) checks revocation itself, from
``class.json``, after the handshake, and does not give OpenSSL the class's ``crl.pem``
(``crl=False``): with the CRL in the handshake a revoked student would be one more
nameless refusal. Both lists hold the same students (``pkilab class --revoke`` writes
both); nginx with ``ssl_crl crl.pem`` refuses them in the handshake.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import os
import threading
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .classroom import ClassRecord, Student

if TYPE_CHECKING:
    from .problems import Problem
    from .tls import HTTPSServer
    from .tls.events import ServerEvent
    from .tls.loop import Peer

#: The problem code of a student revoked in ``class.json``.
REVOKED = "revoked"
#: Paths only the instructor's certificate opens.
INSTRUCTOR_PATHS = ("/instructor", "/instructor.csv", "/instructor.txt")

PageReply = tuple[int, str, str, "str | None"]


@dataclass
class Attendance:
    """One student's line of the table."""

    student: Student
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    connections: int = 0
    refused: str = ""           # the problem code of the last refusal
    refused_words: str = ""
    refused_at: dt.datetime | None = None

    @property
    def status(self) -> str:
        if self.refused and (self.last is None or (self.refused_at or self.last) >= self.last):
            return f"refused ({self.refused})"
        return "connected" if self.first else "not yet"


def explain(code: str, **facts: object) -> tuple[str, str, str]:
    """(what, why, fix) of a refusal, from the workbook's problem table."""
    from .problems import words

    try:
        return words(code, **facts)
    except KeyError:
        return (f"refused ({code})", "", "")


class Rollcall:
    """The live table of one class; thread-safe (the server's thread writes it)."""

    def __init__(self, record: ClassRecord, issuer: str = "the class CA") -> None:
        self.record = record
        self.rows = {s.fingerprint: Attendance(s) for s in record.students}
        self.unnamed: Counter[str] = Counter()
        self.strangers: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.changes = 0
        #: who signs the class's certificates (intermediate2), for the revocation words
        self.issuer = issuer

    def server(self, directory: str | os.PathLike[str], **options: Any) -> HTTPSServer:
        """The class server for ``directory``: mutual TLS required, this roll call as its
        page, revocation from ``class.json`` (see the module docstring). ``options`` go
        to :class:`~pkilab.tls.HTTPSServer` (``port``, ``host``, ``name``, ...)."""
        from pathlib import Path

        from .load import load_certificate
        from .names import short_name
        from .tls import HTTPSServer

        self.issuer = short_name(load_certificate(Path(directory) / "intermediate2.crt").subject)
        options.setdefault("max_connections", 2048)
        return HTTPSServer(directory, mtls="required", page=self.page, crl=False, **options)

    def update(self, record: ClassRecord) -> None:
        """Take a newer ``class.json``: students added since, and revocations, count at
        once (the class server reads it again when it changes)."""
        with self._lock:
            self.record = record
            for student in record.students:
                row = self.rows.get(student.fingerprint)
                if row is None:
                    self.rows[student.fingerprint] = Attendance(student)
                else:
                    row.student = student
            self.changes += 1

    # ---- what the server tells us -----------------------------------------------------

    def page(self, path: str, peer: Peer, problem: Problem | None,
             now: dt.datetime | None = None) -> PageReply | None:
        """The server's answer for one request with a client certificate (None: the
        server's own answer)."""
        from .facts import fingerprint

        now = now or dt.datetime.now(dt.timezone.utc)
        assert peer.certificate is not None
        print_ = fingerprint(peer.certificate)
        if print_ == self.record.instructor_fingerprint and problem is None:
            return self._instructor(path)
        row = self.rows.get(print_)
        with self._lock:
            self.changes += 1
            if row is None:
                self.strangers["a certificate of this CA that is not in class.json"
                               if problem is None else problem.code] += 1
                return None if problem is not None else _page(
                    403, "403: this certificate is not one of this class's students\n")
            if row.student.revoked:
                s = row.student
                return self._refuse(row, REVOKED, now, name=s.name, reason=s.revoked,
                                    date=s.revoked_at.replace("T", " "), serial=s.serial,
                                    issuer=self.issuer, number=s.revoked_crl)
            if problem is not None:
                row.refused, row.refused_at = problem.code, now
                row.refused_words = problem.what
                return None
            row.first = row.first or now
            row.last, row.connections = now, row.connections + 1
        if path.startswith("/instructor"):
            return _page(403, "403: only the instructor's certificate opens this page\n")
        return _page(200, greeting(row))

    def observe(self, event: ServerEvent) -> None:
        """A server event: handshake failures are counted by reason (no name known)."""
        if event.kind != "handshake-failed":
            return
        with self._lock:
            self.changes += 1
            self.unnamed[event.detail or "handshake failed"] += 1

    def _refuse(self, row: Attendance, code: str, now: dt.datetime, **facts: object
                ) -> PageReply:
        what, why, fix = explain(code, **facts)
        row.refused, row.refused_words, row.refused_at = code, what, now
        from .tls import http

        return (400, http.bad_certificate_page(code, what, why, fix), "text/html", code)

    def _instructor(self, path: str) -> PageReply:
        if path == "/instructor.csv":
            return (200, self.csv(), "text/csv; charset=utf-8", None)
        if path == "/instructor.txt":
            return _page(200, self.text())
        if path == "/instructor":
            return (200, self.html(), "text/html; charset=utf-8", None)
        return _page(200, "Hello, instructor. Your view: /instructor (also .csv, .txt)\n")

    # ---- the table --------------------------------------------------------------------

    def table(self) -> list[dict[str, str]]:
        """One row per student, in roster order: the CSV's and the pages' data."""
        with self._lock:
            rows = list(self.rows.values())
        return [{"name": r.student.name, "student_id": r.student.uid, "file": r.student.stem,
                 "status": r.status, "first_seen": _time(r.first), "last_seen": _time(r.last),
                 "connections": str(r.connections),
                 "refused_because": r.refused_words} for r in rows]

    def summary(self) -> str:
        table = self.table()
        counts = Counter(row["status"].split(" ")[0] for row in table)
        unnamed = sum(self.unnamed.values())
        return (f"{counts['connected']} connected, {counts['not']} not yet, "
                f"{counts['refused']} refused, {unnamed} unnamed attempt(s) refused "
                "in the handshake")

    def csv(self) -> str:
        out = io.StringIO()
        fields = ["name", "student_id", "file", "status", "first_seen", "last_seen",
                  "connections", "refused_because"]
        writer = csv.DictWriter(out, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.table())
        return out.getvalue()

    def text(self) -> str:
        lines = [self.summary()]
        for row in self.table():
            why = f"  {row['refused_because']}" if row["refused_because"] else ""
            lines.append(f"  {row['status']:<22} {row['name']} ({row['file']})  "
                         f"first {row['first_seen'] or '-'}  last {row['last_seen'] or '-'}"
                         f"{why}")
        for reason, count in sorted(self.unnamed.items()):
            lines.append(f"  {count} x refused in the handshake (name unknown): {reason}")
        for reason, count in sorted(self.strangers.items()):
            lines.append(f"  {count} x {reason}")
        return "\n".join(lines) + "\n"

    def html(self) -> str:
        head = "".join(f"<th>{h}</th>" for h in ("name", "id", "status", "first seen",
                                                 "last seen", "connections", "why refused"))
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(row[k])}</td>" for k in
                             ("name", "student_id", "status", "first_seen", "last_seen",
                              "connections", "refused_because")) + "</tr>"
            for row in self.table())
        unnamed = "".join(f"<li>{count} x {html.escape(reason)}</li>"
                          for reason, count in sorted(self.unnamed.items()))
        return (f"<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=5>"
                f"<title>Roll call</title><h1>Roll call</h1><p>{html.escape(self.summary())}"
                f"</p><table border=1><tr>{head}</tr>{body}</table>"
                f"<h2>Refused in the handshake (name unknown)</h2><ul>{unnamed}</ul>"
                "<p><a href=/instructor.csv>CSV</a></p>")


def greeting(row: Attendance) -> str:
    s = row.student
    return (f"Hello, {s.name} ({s.uid})! You are in: the server verified your certificate.\n"
            f"First seen {_time(row.first)}, last seen {_time(row.last)}, "
            f"{row.connections} connection(s).\n")


def _page(status: int, body: str) -> PageReply:
    return (status, body, "text/plain; charset=utf-8", None)


def _time(value: dt.datetime | None) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%H:%M:%S") if value else ""
