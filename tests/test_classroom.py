"""pkilab class: one valid, distinct bundle per student; re-runs add and never re-issue."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import stat
import zipfile

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from pkilab.chain import verify_chain
from pkilab.classroom import (
    ascii_stem,
    load_record,
    make_class,
    plan_students,
    read_roster,
    revoke_student,
)
from pkilab.cli import main
from pkilab.errors import InputError, OverwriteError
from pkilab.facts import key_matches
from pkilab.load import load_certificate, load_private_key

#: 30 rows: Chinese names (two 王伟 with ids, two 李娜 without), Latin names with
#: accents, a duplicate English name, e-mails, ids.
ROSTER_30 = "\n".join(
    ["姓名,邮箱,学号", "王伟,,2026001", "王伟,,2026002", "李娜,,", "李娜,,",
     "张敏,min@example.edu,", "José Núñez,jose@example.edu,", "Alice Smith,,", "Alice Smith,,",
     "Zoë Brontë,,A-17"]
    + [f"Student {n},s{n}@example.edu,{2026100 + n}" for n in range(21)]) + "\n"


def _rows(text: str):
    return read_roster(text.encode())


def _tree_hashes(folder) -> dict[str, str]:
    out = {}
    for sub in ("students", "bundles"):
        for path in sorted((folder / sub).rglob("*")):
            if path.is_file():
                out[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class") / "cls"
    result = make_class(folder, _rows(ROSTER_30), now_label="first")
    return folder, result


def test_thirty_rows_give_thirty_distinct_students(made):
    folder, result = made
    assert len(result.new) == 30 and result.kept == 0 and result.created_set
    stems = [s.stem for s in result.new]
    assert len(set(stems)) == 30
    assert len({s.fingerprint for s in result.new}) == 30
    assert len({s.uid for s in result.new}) == 30
    assert sorted(p.name for p in (folder / "bundles").iterdir()) == sorted(
        f"{s}.zip" for s in stems)


def test_file_names_are_ascii_and_say_where_they_come_from(made):
    _, result = made
    by_row = {(s.name, s.uid): s.stem for s in result.new}
    assert by_row[("王伟", "2026001")] == "2026001"            # the student id
    assert by_row[("Zoë Brontë", "A-17")] == "A-17"
    assert "jose-nunez" in by_row.values()                      # accents removed
    assert {"alice-smith", "alice-smith-2"} <= set(by_row.values())
    li_na = sorted(stem for (name, _), stem in by_row.items() if name == "李娜")
    assert li_na == ["student-004", "student-005"]              # their roster rows
    assert all(stem.isascii() for stem in by_row.values())


def test_every_bundle_is_complete_and_valid(made):
    folder, result = made
    root = load_certificate(folder / "root.crt")
    intermediates = [load_certificate(folder / f"intermediate{n}.crt") for n in (1, 2)]
    passwords = {row[2]: row[3] for row in result.sheet}
    for student in result.new:
        stem = student.stem
        with zipfile.ZipFile(folder / "bundles" / f"{stem}.zip") as archive:
            names = sorted(archive.namelist())
            assert names == sorted(f"{stem}/{n}" for n in (f"{stem}.key", f"{stem}.crt",
                                                           f"{stem}.p12", "root.crt",
                                                           "README.txt"))
            files = {n.split("/", 1)[1]: archive.read(n) for n in names}
        assert files["root.crt"] == (folder / "root.crt").read_bytes()
        cert = x509.load_pem_x509_certificate(files[f"{stem}.crt"])
        assert key_matches(load_private_key(files[f"{stem}.key"]), cert)
        report = verify_chain(cert, [root], intermediates, purpose="client")
        assert report.ok, report.problems
        assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == student.name
        assert cert.subject.get_attributes_for_oid(NameOID.USER_ID)[0].value == student.uid
        password = passwords[f"bundles/{stem}.zip"]
        assert password.encode() not in b"".join(files.values())
        key, p12_cert, _ = pkcs12.load_key_and_certificates(files[f"{stem}.p12"],
                                                            password.encode())
        assert p12_cert == cert and key_matches(key, cert)
        readme = files["README.txt"].decode()
        assert f"--cert {stem}.crt --key {stem}.key" in readme and "导入" in readme


def test_keys_and_p12_are_private(made):
    folder, result = made
    stem = result.new[0].stem
    for name in (f"{stem}.key", f"{stem}.p12"):
        assert stat.S_IMODE(os.stat(folder / "students" / stem / name).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(result.sheet_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(folder / "bundles" / f"{stem}.zip").st_mode) == 0o600


def test_the_sheet_lists_each_password_once_and_the_record_none(made):
    folder, result = made
    rows = list(csv.reader(io.StringIO(result.sheet_path.read_text("utf-8-sig"))))
    assert rows[0] == ["name", "student_id", "bundle", "p12_password"]
    assert len(rows) == 1 + 30 + 1  # the instructor's .p12 too
    record_text = (folder / "class.json").read_text()
    assert not any(row[3] in record_text for row in rows[1:])


def test_rerun_with_31_keeps_the_first_30_byte_identical(tmp_path):
    folder = tmp_path / "cls"
    make_class(folder, _rows(ROSTER_30), now_label="one")
    before = _tree_hashes(folder)
    ca_before = (folder / "root.key").read_bytes()
    result = make_class(folder, _rows(ROSTER_30 + "王芳,,2026999\n"), now_label="two")
    assert [s.name for s in result.new] == ["王芳"] and result.kept == 30
    after = _tree_hashes(folder)
    assert {k: v for k, v in after.items() if k in before} == before
    assert len(after) == len(before) + 6
    assert (folder / "root.key").read_bytes() == ca_before
    again = make_class(folder, _rows(ROSTER_30 + "王芳,,2026999\n"), now_label="three")
    assert again.new == [] and again.sheet_path is None


def test_a_student_left_out_of_the_roster_is_kept_and_noted(tmp_path):
    folder = tmp_path / "cls"
    make_class(folder, _rows("Ann,,1\nBob,,2\n"), now_label="a")
    result = make_class(folder, _rows("Ann,,1\n"), now_label="b")
    assert result.new == [] and any("Bob" in note for note in result.notes)
    assert len(load_record(folder).students) == 2


def test_same_id_twice_is_made_once_and_on_two_names_refused():
    new, notes = plan_students(_rows("Ann,,7\nAnn,,7\n"), [])
    assert len(new) == 1 and "twice" in notes[0]
    with pytest.raises(InputError) as info:
        plan_students(_rows("Ann,,7\nBob,,7\n"), [])
    assert info.value.code == "duplicate_student_id"


@pytest.mark.parametrize(("data", "code"), [
    (b"\xff\xfeA\x00", "roster_not_utf8"),
    (b"name,email\n", "empty_roster"),
    (b"# only a comment\n\n", "empty_roster"),
    (b",a@b.example,1\n", "bad_roster_row"),
    (b"Ann,not-an-email,\n", "bad_roster_row"),
    (b"Ann,,../etc\n", "bad_roster_row"),
    (b"Ann\x1b[31m,,\n", "bad_roster_row"),
])
def test_bad_rosters_have_codes(data, code):
    with pytest.raises(InputError) as info:
        read_roster(data)
    assert info.value.code == code


def test_a_bom_and_english_header_are_read():
    rows = read_roster("\ufeffName,E-mail,Student ID\n王伟,w@example.edu,9\n".encode())
    assert (rows[0].name, rows[0].email, rows[0].student_id) == ("王伟", "w@example.edu", "9")


def test_ascii_stem():
    assert ascii_stem("José Núñez") == "jose-nunez"
    assert ascii_stem("王伟") == ""


def test_revoke_marks_the_student_once(tmp_path):
    folder = tmp_path / "cls"
    make_class(folder, _rows("Ann,,1\nBob,,2\n"), now_label="a")
    student = revoke_student(folder, "Bob")
    assert student.revoked and load_record(folder).find("2").revoked
    with pytest.raises(InputError) as info:
        revoke_student(folder, "2")
    assert info.value.code == "already_revoked"
    with pytest.raises(InputError) as info:
        revoke_student(folder, "Carol")
    assert info.value.code == "unknown_student"


def test_a_folder_an_earlier_run_left_is_not_overwritten(tmp_path):
    folder = tmp_path / "cls"
    make_class(folder, _rows("Ann,,1\n"), now_label="a")
    (folder / "students" / "2").mkdir()
    with pytest.raises(OverwriteError) as info:
        make_class(folder, _rows("Ann,,1\nBob,,2\n"), now_label="b")
    assert info.value.code == "would_overwrite"
    assert len(load_record(folder).students) == 1


def test_cli_makes_a_class_and_revokes(tmp_path, capsys):
    roster = tmp_path / "students.csv"
    roster.write_text("王伟,,2026001\nAnn,,2\n", encoding="utf-8")
    folder = tmp_path / "cls"
    assert main(["class", str(folder), "--roster", str(roster)]) == 0
    out = capsys.readouterr().out
    assert "2 new student(s)" in out and "王伟" in out
    assert main(["class", str(folder), "--revoke", "2026001"]) == 0
    assert main(["class", str(folder), "--revoke", "nobody"]) == 2
    assert "no student" in capsys.readouterr().err
    assert main(["class", str(folder)]) == 2
    assert main(["class", str(folder), "--roster", str(tmp_path / "missing.csv")]) == 2


def test_revoke_refuses_an_unknown_reason(tmp_path):
    folder = tmp_path / "cls"
    make_class(folder, _rows("Ann,,1\n"), now_label="a")
    with pytest.raises(InputError) as info:
        revoke_student(folder, "Ann", "certificateHold")
    assert info.value.code == "unknown_reason"
    assert not load_record(folder).students[0].revoked


def test_revoke_puts_the_student_on_the_sets_crl(tmp_path):
    import shutil
    import subprocess

    from pkilab.load import load_certificates
    from pkilab.revoke import load_crls

    folder = tmp_path / "cls"
    make_class(folder, _rows("Ann,,1\nBob,,2\nCid,,3\n"), now_label="a")
    revoke_student(folder, "2", "keyCompromise")
    revoke_student(folder, "3")
    (crl,) = load_crls(folder / "crl.pem")
    assert (folder / "crl-intermediate1.pem").exists() and (folder / "crl-root.pem").exists()
    assert load_record(folder).find("3").revoked_crl == 2
    root = load_certificate(folder / "root.crt")
    chain = load_certificates(folder / "fullchain.crt")[1:]
    bob = load_certificate(folder / "students" / "2" / "2.crt")
    ann = load_certificate(folder / "students" / "1" / "1.crt")
    bad = verify_chain(bob, [root], chain, purpose="client", crls=[crl])
    assert [p.code for p in bad.problems][:1] == ["revoked"]
    assert verify_chain(ann, [root], chain, purpose="client", crls=[crl]).ok
    if shutil.which("openssl"):
        done = subprocess.run(
            ["openssl", "verify", "-crl_check", "-CAfile", str(folder / "root.crt"),
             "-untrusted", str(folder / "fullchain.crt"), "-CRLfile", str(folder / "crl.pem"),
             str(folder / "students" / "2" / "2.crt")], capture_output=True, text=True,
            timeout=20)
        assert done.returncode != 0 and "certificate revoked" in done.stdout + done.stderr


def test_a_lost_bundle_is_reported_not_reissued(tmp_path):
    folder = tmp_path / "cls"
    make_class(folder, _rows("Ann,,1\n"), now_label="a")
    (folder / "bundles" / "1.zip").unlink()
    result = make_class(folder, _rows("Ann,,1\n"), now_label="b")
    assert result.new == [] and any("1.zip is missing" in note for note in result.notes)
    assert not (folder / "bundles" / "1.zip").exists()
