"""The class server: real handshakes on loopback; the roll call names who got in and who not."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from pkilab.certset import build_certificate_set
from pkilab.classroom import load_record, make_class, read_roster, revoke_student
from pkilab.cli import main
from pkilab.rollcall import REVOKED, Rollcall
from pkilab.tls import HTTPSServer, TLSConnectionError, request
from pkilab.tls.events import ServerEvent

ROSTER = "王伟,,2026001\nAnn Lee,,2026002\nBob Ray,,2026003\n"


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rollcall") / "cls"
    make_class(folder, read_roster(ROSTER.encode()), now_label="t")
    revoke_student(folder, "2026002", "keyCompromise")
    return folder


def _student(folder, stem):
    base = folder / "students" / stem / stem
    return {"cert": f"{base}.crt", "key": f"{base}.key"}


@pytest.fixture()
def served(klass):
    rollcall = Rollcall(load_record(klass))
    with rollcall.server(klass) as server:
        yield klass, rollcall, server


def test_good_student_is_greeted_and_recorded(served):
    folder, rollcall, server = served
    reply = request(server.url, ca=folder / "root.crt", **_student(folder, "2026001"))
    assert reply.status == 200 and "Hello, 王伟 (2026001)!" in reply.body
    request(server.url, ca=folder / "root.crt", **_student(folder, "2026001"))
    row = next(r for r in rollcall.table() if r["student_id"] == "2026001")
    assert row["status"] == "connected" and row["connections"] == "2"
    assert row["first_seen"] and row["last_seen"]


def test_revoked_student_is_refused_with_the_reason(served):
    folder, rollcall, server = served
    reply = request(server.url, ca=folder / "root.crt", **_student(folder, "2026002"))
    assert reply.status == 400
    assert reply.headers.get("x-pkilab-problem", reply.headers.get("X-Pkilab-Problem")) \
        == REVOKED
    assert "keyCompromise" in reply.body
    row = next(r for r in rollcall.table() if r["student_id"] == "2026002")
    assert row["status"] == f"refused ({REVOKED})" and "revoked" in row["refused_because"]


def test_instructor_view_lists_both_and_only_the_instructor_opens_it(served):
    folder, _, server = served
    for stem in ("2026001", "2026002"):
        request(server.url, ca=folder / "root.crt", **_student(folder, stem))
    view = request(server.url + "instructor.txt", ca=folder / "root.crt",
                   cert=folder / "instructor.crt", key=folder / "instructor.key")
    assert view.status == 200
    lines = view.body.splitlines()
    assert any("connected" in ln and "王伟" in ln for ln in lines)
    assert any("refused (revoked)" in ln and "Ann Lee" in ln for ln in lines)
    assert any("not yet" in ln and "Bob Ray" in ln for ln in lines)
    page = request(server.url + "instructor", ca=folder / "root.crt",
                   cert=folder / "instructor.crt", key=folder / "instructor.key")
    assert "<table" in page.body and "Ann Lee" in page.body
    table = request(server.url + "instructor.csv", ca=folder / "root.crt",
                    cert=folder / "instructor.crt", key=folder / "instructor.key").body
    assert table.splitlines()[0].startswith("name,student_id,file,status")
    assert len(table.splitlines()) == 4
    denied = request(server.url + "instructor.csv", ca=folder / "root.crt",
                     **_student(folder, "2026001"))
    assert denied.status == 403 and "Ann Lee" not in denied.body


def test_a_certificate_from_another_ca_is_counted_without_a_name(served):
    folder, rollcall, server = served
    other = build_certificate_set(clients=["王伟"])
    with pytest.raises(TLSConnectionError):
        request(server.url, ca=folder / "root.crt", cert=other.clients["王伟"])
    server.wait_idle()
    for event in server.take_events():
        rollcall.observe(event)
    assert sum(rollcall.unnamed.values()) == 1
    assert "unable to get local issuer" in next(iter(rollcall.unnamed))
    assert all(r["status"] == "not yet" for r in rollcall.table())


def test_a_class_at_once(klass):
    """30 students, 3 connections each, all at the same moment: every one is recorded."""
    folder = klass
    more = make_class(folder.parent / "big", read_roster(
        "".join(f"S{n},,{n}\n" for n in range(30)).encode()), now_label="x")
    big = Rollcall(load_record(more.folder))
    errors: list[BaseException] = []
    with big.server(more.folder) as server2:
        def student(stem: str) -> None:
            try:
                for _ in range(3):
                    assert request(server2.url, ca=more.folder / "root.crt", timeout=30,
                                   **_student(more.folder, stem)).status == 200
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=student, args=(s.stem,)) for s in more.new]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert not errors
    assert all(r["connections"] == "3" for r in big.table())


def test_pure_logic_times_come_from_the_caller(klass):
    from pkilab.facts import fingerprint
    from pkilab.load import load_certificate
    from pkilab.tls.loop import Peer

    rollcall = Rollcall(load_record(klass))
    cert = load_certificate(klass / "students" / "2026003" / "2026003.crt")
    t1 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)
    t2 = t1 + dt.timedelta(minutes=5)
    peer = Peer(cert, [cert], "TLS 1.3")
    assert rollcall.page("/", peer, None, now=t1)[0] == 200
    assert rollcall.page("/", peer, None, now=t2)[0] == 200
    row = next(r for r in rollcall.table() if r["file"] == "2026003")
    assert (row["first_seen"], row["last_seen"]) == ("09:00:00", "09:05:00")
    assert fingerprint(cert) in rollcall.rows
    rollcall.observe(ServerEvent("request", status=200))
    assert not rollcall.unnamed


def test_serve_class_refuses_a_plain_set_and_wrong_mode(klass, set_dir, capsys):
    assert main(["serve", str(set_dir), "--mtls", "required", "--class"]) == 2
    assert "pkilab class" in capsys.readouterr().err
    assert main(["serve", str(klass), "--class"]) == 2


def test_without_the_roll_call_the_crl_refuses_in_the_handshake(klass):
    """The plain server reads the class's crl.pem: the revoked student cannot even finish
    the handshake (and the server cannot say who it was)."""
    with HTTPSServer(klass, mtls="required") as server:
        with pytest.raises(TLSConnectionError):
            request(server.url, ca=klass / "root.crt", **_student(klass, "2026002"))
        assert request(server.url, ca=klass / "root.crt",
                       **_student(klass, "2026001")).status == 200
        server.wait_idle()
        refused = [e for e in server.events if e.kind == "handshake-failed"]
    assert refused and refused[0].problem == "revoked" and refused[0].client is None
