"""A class of students, each with a client certificate: rosters, bundles, the instructor sheet.

``pkilab class DIR --roster students.csv`` writes::

    DIR/                      a certificate set (pkilab init's files): the class CA,
                              the class server (server.key, fullchain.crt) and the
                              instructor's own client (instructor.key/.crt/.p12)
    DIR/class.json            who is in the class: name, student id, file name,
                              certificate fingerprint, revoked or not (no passwords)
    DIR/students/STEM/        STEM.key STEM.crt STEM.p12 root.crt README.txt
    DIR/bundles/STEM.zip      the same five files: what a student receives
    DIR/instructor-sheet-*.csv  the .p12 passwords of the students made by that run
                              (mode 0600; printed once, never stored anywhere else)

Students live in their own sub-folders, so 500 of them are 500 small folders, not
2,500 files in one (``pkilab init --client`` x 1000 writes 3,009 files side by side).

Names. A certificate's CN is the student's name exactly as the roster spells it
(UTF-8: ``CN=王伟`` stays ``王伟``); its ``UID`` attribute holds the student id (or, when
the roster gives none, the file name), so two students both called 王伟 stay apart.
File names (``STEM``) must be safe on every system, so they are plain ASCII: the
student id when the roster has one (``2026001``), else the name with accents removed and
anything but letters, digits, ``-`` and ``_`` dropped (``José Núñez`` -> ``jose-nunez``),
else -- a name in Chinese characters with no id -- ``student-NNN`` after its row in the
roster. pkilab has no pinyin table, so it does not guess one: give student ids when the
names are Chinese. A clash gets ``-2``, ``-3``.

Re-running with a longer roster adds the new students; the existing ones are never
re-issued (their files stay byte-identical), and a roster row that no longer appears
is kept and reported, not deleted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from .errors import InputError, OverwriteError

#: The file that says who is in the class (written last, atomically).
CLASS_FILE = "class.json"
#: The client certificate that opens the class server's instructor view.
INSTRUCTOR = "instructor"
#: Which roster columns mean what (lower-case header text -> field).
COLUMNS = {"name": "name", "姓名": "name", "student": "name", "email": "email",
           "e-mail": "email", "mail": "email", "邮箱": "email", "id": "student_id",
           "student_id": "student_id", "student id": "student_id", "学号": "student_id"}
#: Largest roster pkilab reads (rows): a lecture hall, not a university.
MAX_STUDENTS = 5000


@dataclass(frozen=True)
class RosterRow:
    """One line of the roster, as given: ``row`` is its 1-based line number."""

    name: str
    email: str = ""
    student_id: str = ""
    row: int = 0


@dataclass
class Student:
    """A student of the class, as ``class.json`` records them."""

    name: str
    stem: str
    uid: str
    email: str
    serial: str
    fingerprint: str
    revoked: str = ""          # the reason, empty while the certificate is good
    revoked_at: str = ""
    revoked_crl: int = 0       # the number of the CRL that first listed it


@dataclass
class ClassRecord:
    """``class.json``: the students and the instructor's certificate fingerprint."""

    students: list[Student] = field(default_factory=list)
    instructor_fingerprint: str = ""
    server_url: str = ""

    def find(self, who: str) -> Student:
        """The student named ``who`` (name, file name or student id)."""
        hits = [s for s in self.students if who in (s.stem, s.uid)]
        hits = hits or [s for s in self.students if s.name == who]
        if len(hits) == 1:
            return hits[0]
        if not hits:
            raise InputError(f"no student {who!r} in this class", "",
                             "give a name, file name or student id from class.json",
                             code="unknown_student")
        raise InputError(f"{len(hits)} students are called {who!r}",
                         "names are not unique in this class: " +
                         ", ".join(s.stem for s in hits),
                         "give the file name or student id instead", code="ambiguous_student")


# ---- the roster --------------------------------------------------------------------------


def read_roster(data: bytes) -> list[RosterRow]:
    """The rows of a roster CSV (UTF-8, with or without a BOM or a header line).

    Without a header the columns are name, e-mail, student id. A header may name them in
    English or Chinese (``姓名, 邮箱, 学号``). Blank lines and lines starting with ``#``
    are skipped. Codes: ``roster_not_utf8``, ``empty_roster``, ``roster_too_large``,
    ``bad_roster_row``.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("the roster is not UTF-8 text", f"byte {exc.start} does not decode",
                         "save it as 'CSV UTF-8' (Excel) or UTF-8 (any editor)",
                         code="roster_not_utf8") from None
    lines = [(n, r) for n, r in enumerate(csv.reader(io.StringIO(text)), 1)
             if r and any(c.strip() for c in r) and not r[0].lstrip().startswith("#")]
    if lines and _is_header(lines[0][1]):
        fields = [COLUMNS.get(c.strip().lower(), "") for c in lines[0][1]]
        lines = lines[1:]
    else:
        fields = ["name", "email", "student_id"]
    if not lines:
        raise InputError("the roster has no students", "", "one student per line: "
                         "name[,e-mail[,student id]]", code="empty_roster")
    if len(lines) > MAX_STUDENTS:
        raise InputError(f"the roster has {len(lines)} rows", f"pkilab reads at most "
                         f"{MAX_STUDENTS}", "split the class", code="roster_too_large")
    return [_row(number, cells, fields) for number, cells in lines]


def _is_header(cells: Sequence[str]) -> bool:
    return any(c.strip().lower() in COLUMNS for c in cells) and \
        COLUMNS.get(cells[0].strip().lower(), "") != "" and "@" not in "".join(cells)


def _row(number: int, cells: Sequence[str], fields: Sequence[str]) -> RosterRow:
    from .names import check_text

    values = {f: c.strip() for f, c in zip(fields, cells, strict=False) if f}
    name = " ".join(values.get("name", "").split())
    if not name:
        raise InputError(f"roster line {number} has no name", f"it reads {list(cells)!r}",
                         "put the student's name in the first column", code="bad_roster_row")
    try:
        check_text(name, "a student name")
    except InputError as exc:
        raise InputError(f"roster line {number}: {exc.what}", exc.why, exc.fix,
                         code="bad_roster_row") from None
    sid = values.get("student_id", "")
    if sid and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", sid):
        raise InputError(f"roster line {number}: student id {sid!r} is not plain",
                         "ids become file names and certificate fields",
                         "use letters, digits, '.', '_' and '-'", code="bad_roster_row")
    email = values.get("email", "")
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise InputError(f"roster line {number}: {email!r} is not an e-mail address", "",
                         "leave the column empty or give name@example.edu",
                         code="bad_roster_row")
    return RosterRow(name, email, sid, number)


def ascii_stem(name: str) -> str:
    """``name`` as a safe ASCII file name, or "" when nothing ASCII is left (Chinese)."""
    flat = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9_]+", "-", flat.lower()).strip("-_")[:48]


def plan_students(rows: Sequence[RosterRow], known: Sequence[Student]
                  ) -> tuple[list[tuple[RosterRow, str, str]], list[str]]:
    """Which rows are new students, with their (stem, uid); and notes for the instructor.

    A row is the same student as a known one when its student id matches, or -- without
    an id -- when it is the n-th row of that name and the class already has n of them.
    The same id twice in the roster is one student listed twice (noted, made once);
    the same id on two different names is an error (code ``duplicate_student_id``).
    """
    taken_stems = {s.stem for s in known} | {INSTRUCTOR}
    by_uid = {s.uid: s for s in known}
    seen_ids: dict[str, RosterRow] = {}
    name_count: dict[str, int] = {}
    known_by_name: dict[str, int] = {}
    for s in known:
        if s.uid == s.stem:  # made without a student id
            known_by_name[s.name] = known_by_name.get(s.name, 0) + 1
    new, notes = [], []
    for row in rows:
        if row.student_id:
            first = seen_ids.get(row.student_id)
            if first is not None:
                if first.name != row.name:
                    raise InputError(
                        f"student id {row.student_id} is on two names",
                        f"line {first.row} says {first.name!r}, line {row.row} {row.name!r}",
                        "fix the roster: each student id belongs to one student",
                        code="duplicate_student_id")
                notes.append(f"line {row.row}: {row.name} ({row.student_id}) is listed "
                             f"twice (first on line {first.row}); made once")
                continue
            seen_ids[row.student_id] = row
            if row.student_id in by_uid:
                continue
        else:
            name_count[row.name] = name_count.get(row.name, 0) + 1
            if name_count[row.name] <= known_by_name.get(row.name, 0):
                continue
        stem = _free_stem(row, taken_stems)
        taken_stems.add(stem)
        new.append((row, stem, row.student_id or stem))
    return new, notes


def _free_stem(row: RosterRow, taken: set[str]) -> str:
    base = row.student_id or ascii_stem(row.name) or f"student-{row.row:03d}"
    stem, n = base, 1
    while stem in taken:
        n += 1
        stem = f"{base}-{n}"
    return stem


# ---- one student's files -----------------------------------------------------------------


def student_subject(row: RosterRow, uid: str, organization: str) -> x509.Name:
    """``CN=<name as given>, UID=<student id>, O=<organization>``."""
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
                      x509.NameAttribute(NameOID.USER_ID, uid),
                      x509.NameAttribute(NameOID.COMMON_NAME, row.name[:64])])


def new_password() -> str:
    """A random .p12 password a student can type: 10 characters, no look-alikes."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


def student_files(issued, stem: str, password: str, root: x509.Certificate,
                  readme: str) -> dict[str, tuple[bytes, bool]]:
    """File name -> (bytes, is_private) of one student's folder."""
    from .certset import client_p12

    key = issued.private_key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption())
    pem = serialization.Encoding.PEM
    return {f"{stem}.key": (key, True),
            f"{stem}.crt": (issued.certificate.public_bytes(pem), False),
            f"{stem}.p12": (client_p12(issued, stem, password), True),
            "root.crt": (root.public_bytes(pem), False),
            "README.txt": (readme.encode(), False)}


def bundle_zip(stem: str, files: dict[str, tuple[bytes, bool]]) -> bytes:
    """The student's zip: their folder's files under ``STEM/``, with fixed dates."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (data, private) in files.items():
            info = zipfile.ZipInfo(f"{stem}/{name}", date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = (0o600 if private else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


def readme_text(name: str, stem: str, url: str) -> str:
    """The one-page README of a bundle, in English and Chinese."""
    curl = f"curl --cacert root.crt --cert {stem}.crt --key {stem}.key {url}"
    return f"""Your certificate for the mTLS lab / 双向认证 (mTLS) 实验的证书
====================================================================

Hello {name}. This folder holds:
  {stem}.key   your private key -- never share it
  {stem}.crt   your client certificate (its CN is your name)
  {stem}.p12   key + certificate in one file, for a browser; the password is on
               the instructor's sheet (it is not in this folder)
  root.crt     the class root CA: it tells you the server is the real one

1. From a terminal, in this folder:
     {curl}
   The server greets you by name: "Hello, {name} (...)!".

2. In a browser: import {stem}.p12 (Firefox: Settings > Privacy & Security >
   Certificates > View Certificates > Your Certificates > Import; Chrome/Edge on
   Windows: double-click {stem}.p12; macOS: open it in Keychain Access), then import
   root.crt as an authority (Firefox: Authorities > Import, "trust to identify
   websites"), and open {url}

你好，{name}。这个文件夹里有：
  {stem}.key   你的私钥 (private key)，不要交给任何人
  {stem}.crt   你的客户端证书，CN 是你的名字
  {stem}.p12   私钥和证书合在一个文件里，给浏览器用；密码在老师的名单上（不在本文件夹）
  root.crt     本课程的根证书 (root CA)：用它确认服务器是真的

1. 在终端里进入这个文件夹，运行：
     {curl}
   服务器会按名字问候你："Hello, {name} (...)!"。

2. 在浏览器里：导入 {stem}.p12（Firefox：设置 > 隐私与安全 > 证书 > 查看证书 >
   您的证书 > 导入；Windows 上的 Chrome/Edge：双击 {stem}.p12；macOS：用“钥匙串访问”
   打开），再把 root.crt 作为证书颁发机构导入（Firefox：证书颁发机构 > 导入，勾选
   “信任由此证书颁发机构来标识网站”），然后打开 {url}
"""


# ---- class.json --------------------------------------------------------------------------


def load_record(folder: Path) -> ClassRecord:
    """``DIR/class.json`` (an empty record when the class is new)."""
    from .files import read_input

    path = folder / CLASS_FILE
    if not path.exists():
        return ClassRecord()
    try:
        data = json.loads(read_input(path, what="class file"))
        return ClassRecord([Student(**s) for s in data["students"]],
                           data.get("instructor_fingerprint", ""),
                           data.get("server_url", ""))
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{str(path)!r} is damaged", f"it does not read as a class "
                         f"({str(exc)[:60]})", "restore it from a copy; pkilab never "
                         "rewrites a class it cannot read", code="bad_class_file") from None


def load_class(directory: str | os.PathLike[str]) -> ClassRecord:
    """The class in ``directory`` (what ``class.json`` says), for the roll call."""
    folder = Path(directory)
    if not (folder / CLASS_FILE).exists():
        raise InputError(f"{str(folder)!r} is not a class folder", f"it has no {CLASS_FILE}",
                         f"make the class first: pkilab class {folder} --roster students.csv",
                         code="not_a_class")
    return load_record(folder)


def record_bytes(record: ClassRecord) -> bytes:
    data = {"students": [asdict(s) for s in record.students],
            "instructor_fingerprint": record.instructor_fingerprint,
            "server_url": record.server_url}
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode()


def save_record(folder: Path, record: ClassRecord) -> None:
    from .files import write_output

    write_output(folder / CLASS_FILE, record_bytes(record), overwrite=True)


def sheet_csv(rows: Iterable[tuple[str, str, str, str]]) -> bytes:
    """The instructor sheet: name, student id, bundle, .p12 password."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "student_id", "bundle", "p12_password"])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def fresh_folder(path: Path) -> None:
    """Refuse to mix a new student into a folder some earlier run left behind."""
    if os.path.lexists(path):
        raise OverwriteError(f"{str(path)!r} exists but class.json does not list it",
                             "an earlier run stopped before it recorded this student",
                             f"move {path.name} aside (it was never handed out), then run "
                             "again", code="would_overwrite")


# ---- making and changing a class ---------------------------------------------------------


@dataclass
class ClassResult:
    """What one ``pkilab class`` run did: the sheet rows hold this run's passwords."""

    folder: Path
    created_set: bool
    new: list[Student]
    kept: int
    sheet: list[tuple[str, str, str, str]]
    sheet_path: Path | None
    notes: list[str]


def make_class(directory: str | os.PathLike[str], rows: Sequence[RosterRow], *,
               server_names: Sequence[str] = ("localhost", "127.0.0.1"),
               url: str | None = None, organization: str = "pkilab class",
               now_label: str | None = None) -> ClassResult:
    """Make (or extend) the class in ``directory`` from roster ``rows``.

    The class CA set is written the first time only; after that it is loaded and only
    students the record does not know yet are issued. Keys and .p12 files are 0600;
    each student folder appears whole (written aside, then renamed); ``class.json`` is
    replaced atomically at the end, so a run that dies part-way leaves folders it did
    not record, which the next run refuses to overwrite (code ``would_overwrite``).
    """
    folder = Path(directory)
    record = load_record(folder)
    cs, created, sheet = _class_set(folder, server_names, organization, record)
    if created or not record.server_url:
        record.server_url = url or f"https://{server_names[0]}:8443/"
    new_rows, notes = plan_students(rows, record.students)
    notes += _absent(rows, record.students)
    notes += [f"{s.name} ({s.stem}): bundles/{s.stem}.zip is missing; not re-issued (a "
              "certificate is never replaced silently: revoke it and add the student "
              "under a new id)" for s in record.students
              if not (folder / "bundles" / f"{s.stem}.zip").exists()]
    root = cs.root.certificate
    made: list[Student] = []
    for row, stem, uid in new_rows:
        student, password = _issue_student(folder, cs, row, stem, uid, root, organization,
                                           record.server_url)
        made.append(student)
        sheet.append((row.name, row.student_id, f"bundles/{stem}.zip", password))
    record.students.extend(made)
    sheet_path = None
    if sheet:
        label = now_label or _utc_label()
        sheet_path = folder / f"instructor-sheet-{label}.csv"
        from .files import write_output

        write_output(sheet_path, sheet_csv(sheet), private=True)
    save_record(folder, record)
    return ClassResult(folder, created, made, len(record.students) - len(made), sheet,
                       sheet_path, notes)


def _class_set(folder: Path, server_names: Sequence[str], organization: str,
               record: ClassRecord):
    from .certset import build_certificate_set, load_certificate_set, write_certificate_set
    from .facts import fingerprint

    if (folder / "root.crt").exists():
        cs = load_certificate_set(folder).certificate_set()
        if not record.instructor_fingerprint and INSTRUCTOR in cs.clients:
            record.instructor_fingerprint = fingerprint(cs.clients[INSTRUCTOR].certificate)
        return cs, False, []
    if record.students:
        raise InputError(f"{str(folder)!r} lists students but has no root.crt",
                         "the class CA is gone, so nothing can be added to this class",
                         "restore root.crt and the other CA files from a copy",
                         code="incomplete_set")
    cs = build_certificate_set(server_names=server_names, clients=[INSTRUCTOR],
                               organization=organization)
    password = new_password()
    write_certificate_set(cs, folder, p12_password=password)
    record.instructor_fingerprint = fingerprint(cs.clients[INSTRUCTOR].certificate)
    return cs, True, [("(instructor)", "", f"{INSTRUCTOR}.p12", password)]


def _issue_student(folder: Path, cs, row: RosterRow, stem: str, uid: str,
                   root: x509.Certificate, organization: str, url: str
                   ) -> tuple[Student, str]:
    from .facts import fingerprint
    from .files import write_output

    issued = cs.intermediate2.issue_client(
        stem, subject=student_subject(row, uid, organization),
        emails=[row.email or f"{stem}@pkilab.test"])
    password = new_password()
    files = student_files(issued, stem, password, root, readme_text(row.name, stem, url))
    final = folder / "students" / stem
    bundle = folder / "bundles" / f"{stem}.zip"
    fresh_folder(final)
    fresh_folder(bundle)
    partial = folder / "students" / f".partial-{stem}"
    if os.path.lexists(partial):
        import shutil

        shutil.rmtree(partial)  # never recorded, never handed out: a dead run's leftovers
    _write_new_folder(partial, files)
    os.rename(partial, final)  # the folder appears whole, or not at all
    write_output(bundle, bundle_zip(stem, files), private=True)
    cert = issued.certificate
    return Student(row.name, stem, uid, row.email, format(cert.serial_number, "x"),
                   fingerprint(cert)), password


def _write_new_folder(folder: Path, files: dict[str, tuple[bytes, bool]]) -> None:
    """Files into a folder this run has just made for itself (so no one else writes
    there: each file is created exclusively, without write_output's temporary copy)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    os.mkdir(folder, 0o700)
    for name, (data, private) in files.items():
        mode = 0o600 if private else 0o644
        fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)  # exactly, whatever the umask
            handle.write(data)
    os.chmod(folder, 0o755)


def _absent(rows: Sequence[RosterRow], known: Sequence[Student]) -> list[str]:
    listed_ids = {r.student_id for r in rows if r.student_id}
    listed_names = {r.name for r in rows}
    gone = [s for s in known if (s.uid not in listed_ids if s.uid != s.stem
                                 else s.name not in listed_names)]
    return [f"{s.name} ({s.stem}) is no longer in the roster: kept (revoke with "
            f"--revoke {s.stem})" for s in gone]


def _utc_label() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def revoke_student(directory: str | os.PathLike[str], who: str,
                   reason: str = "unspecified") -> Student:
    """Revoke ``who``: their certificate goes on ``DIR/crl.pem`` (the set's CRL, for nginx
    and openssl) and ``class.json`` marks them revoked (the class server refuses them by
    name, with the reason).

    Revoking twice is an error (code ``already_revoked``): it would hide a typo.
    """
    from .crl import reason_flag

    reason_flag(reason)  # code unknown_reason for anything RFC 5280 / pkilab does not use
    folder = Path(directory)
    record = load_record(folder)
    student = record.find(who)
    if student.revoked:
        raise InputError(f"{student.name} ({student.stem}) is already revoked",
                         f"since {student.revoked_at}, reason {student.revoked}", "",
                         code="already_revoked")
    when = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    student.revoked, student.revoked_at = reason, when.isoformat()
    # first the CRL, then the record says so
    student.revoked_crl = _crl_revoke(folder, student, reason, when)
    save_record(folder, record)
    return student


def _crl_revoke(folder: Path, student: Student, reason: str, when: dt.datetime) -> int:
    """Add the student's certificate to ``DIR/crl.pem``, intermediate2's CRL (what nginx's
    ``ssl_crl`` and ``openssl verify -crl_check`` read), under the set's lock.

    :func:`pkilab.revoke.revoke_certificate` names only the set's own top-level files,
    and students live in sub-folders, so the entry is added here with the same
    primitives (:mod:`pkilab.crl`): the old entries kept, the CRL number one up. The list
    is valid :data:`pkilab.crl.CRL_DAYS` days: ``pkilab revoke DIR --refresh`` renews it.
    """
    from . import crl as crls
    from .files import read_input, write_output
    from .load import load_certificate, load_private_key
    from .revoke import CRL_FILES, _publish_empty_lists_above
    from .staging import locked

    certificate = load_certificate(folder / "students" / student.stem / f"{student.stem}.crt")
    issuer = load_certificate(folder / "intermediate2.crt")
    path = folder / CRL_FILES["intermediate2"]
    with locked(folder):
        old = crls.parse_crls(read_input(path, what="CRL"))[0] if path.exists() else None
        if old is not None and not crls.signed_by(old, issuer):
            raise InputError(f"{path.name} was not signed by this class's CA", "adding to "
                             "it would make its entries look like this CA's word",
                             f"move {path.name} away and revoke again",
                             code="crl_bad_signature")
        if old is not None and crls.revocation_of(old, certificate) is not None:
            return crls.crl_number(old) or 0
        entries = [*(crls.revocations(old) if old is not None else []),
                   crls.Revocation(certificate.serial_number, when, reason)]
        number = (crls.crl_number(old) or 0) + 1 if old is not None else 1
        new = crls.build_crl(issuer, load_private_key(folder / "intermediate2.key"), entries,
                             number=number, this_update=when)
        write_output(path, crls.crl_pem(new), overwrite=True)
        # nginx checks every CA of the chain (CRL_CHECK_ALL): the CAs above publish too
        _publish_empty_lists_above(folder, "intermediate2", when, crls.CRL_DAYS)
    return number
