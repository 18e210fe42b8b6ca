"""The explorers' logic: plain functions over real certificate sets and files."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives import hashes

from pkilab.certset import build_certificate_set, write_certificate_set
from pkilab.errors import InputError
from pkilab.explore import break_chain, build_certificate, check_time, explore_file, list_files


@pytest.fixture(scope="module")
def cs():
    return build_certificate_set(seed="tests-explore")


def fingerprints(cs) -> list[bytes]:
    return [c.fingerprint(hashes.SHA256()) for c in (
        cs.root.certificate, cs.intermediate1.certificate, cs.intermediate2.certificate,
        cs.server.certificate)]


def test_check_time_is_fixed_for_a_lesson_set(cs):
    assert check_time(cs) == dt.datetime(2026, 1, 31, tzinfo=dt.timezone.utc)


def test_unbroken_chain_verifies(cs):
    report = break_chain(cs)
    assert report.ok and len(report.chain) == 4 and report.host == "localhost"


@pytest.mark.parametrize(("change", "code", "position"), [
    ({"remove_intermediate": True}, "missing_intermediate", 0),
    ({"remove_intermediate": "intermediate2"}, "missing_intermediate", 0),
    ({"expire": "server"}, "expired", 0),
    ({"expire": "leaf"}, "expired", 0),
    ({"expire": "intermediate2"}, "expired", 1),
    ({"expire": "intermediate1"}, "expired", 2),
    ({"expire": "root"}, "expired", 3),
    ({"host": "example.com"}, "wrong_host", 0),
    ({"drop_ca_flag": True}, "not_a_ca", 1),
    ({"drop_ca_flag": "intermediate1"}, "not_a_ca", 2),
])
def test_each_break_gives_its_own_problem(cs, change, code, position):
    before = fingerprints(cs)
    report = break_chain(cs, **change)
    assert report.codes == [code]
    assert report.problems[0].position == position
    assert fingerprints(cs) == before  # the set itself is never changed


def test_removing_the_upper_intermediate_stops_the_chain_early(cs):
    report = break_chain(cs, remove_intermediate="intermediate1")
    assert not report.ok and len(report.chain) == 2  # server, intermediate2: then nothing


def test_breaks_combine(cs):
    report = break_chain(cs, expire="server", host="example.com", drop_ca_flag=True)
    assert sorted(report.codes) == ["expired", "not_a_ca", "wrong_host"]


def test_unknown_choices_are_refused(cs):
    with pytest.raises(InputError) as info:
        break_chain(cs, expire="middle")
    assert info.value.code == "unknown_choice"
    with pytest.raises(InputError):
        break_chain(cs, remove_intermediate="root")


def test_built_leaf_verifies_and_is_repeatable():
    built = build_certificate()
    assert built.report.ok and built.verdict.startswith("✔")
    assert "subject:   /O=pkilab explorer/CN=localhost" in built.summary
    assert build_certificate().certificate == built.certificate  # same seed, same bytes


@pytest.mark.parametrize(("settings", "code"), [
    ({"days": 10}, "expired"),
    ({"names": "example.com", "host": "localhost"}, "wrong_host"),
    ({"is_ca": True, "path_length": 0, "cas_below": 1}, "path_length"),
])
def test_built_certificate_failures_are_explained(settings, code):
    built = build_certificate(**settings)
    assert built.report.codes == [code]
    assert built.verdict.startswith("✘ does not verify: ")
    assert built.report.problems[0].what in built.text()


def test_built_ca_is_verified_as_the_issuer_of_a_server_certificate():
    built = build_certificate(is_ca=True, path_length=1, cas_below=1, common_name="Lab CA")
    assert built.report.ok and len(built.chain) == 3
    assert "CA:TRUE, pathlen:1" in built.summary
    assert "1 CA between them" in built.text()


def test_ed25519_certificate_builds_and_verifies():
    built = build_certificate(key_kind="ed25519")
    assert built.report.ok and "Ed25519" in built.summary


def test_builder_refuses_what_cannot_be_a_certificate():
    with pytest.raises(InputError) as info:
        build_certificate(names=" , ")
    assert info.value.code == "no_names"
    with pytest.raises(InputError):
        build_certificate(days=0)


@pytest.fixture(scope="module")
def folder(tmp_path_factory, cs):
    path = tmp_path_factory.mktemp("explore")
    write_certificate_set(cs, path)
    (path / "page.crt").write_bytes(b"<html><body>404 Not Found</body></html>")
    return path


def test_list_files_is_sorted_and_skips_hidden(folder):
    (folder / ".hidden").write_text("x")
    names = list_files(folder)
    assert names == sorted(names) and ".hidden" not in names and "root.crt" in names
    with pytest.raises(InputError):
        list_files(folder / "root.crt")


def test_explore_a_full_chain(folder):
    view = explore_file(folder / "fullchain.crt")
    assert view.kind == "pem-bundle" and view.error is None and len(view.certificates) == 3
    assert view.views["objects"].count("certificate ") == 3
    assert view.views["as PEM"].count("-----BEGIN CERTIFICATE-----") == 3
    assert view.views["as DER (hex)"].splitlines()[1].startswith("30 82 ")
    assert view.views["openssl"].startswith("$ openssl")


def test_explore_a_p12_needs_its_password(folder):
    locked = explore_file(folder / "client.p12")
    assert locked.kind == "pkcs12" and locked.error and "password" in locked.error
    assert locked.certificates == []
    opened = explore_file(folder / "client.p12", "123456")
    assert opened.error is None and len(opened.certificates) == 3
    assert "private key: EC P-256" in opened.views["objects"]
    assert "PRIVATE KEY" not in opened.views["as PEM"]  # keys stay out of the PEM view


def test_explore_something_that_is_not_a_certificate(folder):
    view = explore_file(folder / "page.crt")
    assert view.kind == "html" and view.error and view.certificates == []
    assert "html" in view.views["what it is"].lower()


def test_first_file_prefers_a_certificate():
    from pkilab.explore import first_file

    assert first_file(["anatomy.png", "client.p12", "server.crt"]) == "server.crt"
    assert first_file(["anatomy.png", "other.pem"]) == "other.pem"
    assert first_file(["anatomy.png"]) == "anatomy.png"
    assert first_file([]) is None
