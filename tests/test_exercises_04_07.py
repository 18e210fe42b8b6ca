"""Exercises of lessons 04-07: each solution passes, and the cheats found in issue 8 fail.

Real files, real handshakes on 127.0.0.1, and a real nginx where it is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives import serialization

from pkilab import HTTPSServer, build_certificate_set, identify, record, request
from pkilab.certset import write_certificate_set
from pkilab.cli import main as pkilab_main
from pkilab.deploy import client_ca_bundle, nginx_client_identity, nginx_server_block
from pkilab.exercises import l04, l05, l06, l07
from pkilab.nginx import find_nginx

needs_nginx = pytest.mark.skipif(find_nginx() is None, reason="nginx is not installed")


@pytest.fixture(scope="module")
def lesson_set():
    return build_certificate_set(seed="exercise tests")


@pytest.fixture(scope="module")
def folder(tmp_path_factory, lesson_set):
    path = tmp_path_factory.mktemp("lesson")
    write_certificate_set(lesson_set, path, p12_password="123456")
    (path / "client-ca.crt").write_bytes(client_ca_bundle(path))
    return path


def passes(verdict, capsys):
    out = capsys.readouterr().out.splitlines()[-1]  # the verdict is the last line printed
    assert bool(verdict), out
    assert out.startswith("✅")
    return out


def fails(verdict, capsys):
    out = capsys.readouterr().out.splitlines()[-1]
    assert not verdict, out
    assert out.startswith("❌ Not yet")
    return out


# ---- 04 -------------------------------------------------------------------------------

def test_04_identify_solution_and_wrong_answer(folder, capsys):
    mystery = folder / "mystery"
    mystery.mkdir(exist_ok=True)
    (mystery / "a.crt").write_bytes((folder / "root.crt").read_bytes())
    (mystery / "b.jks").write_bytes(b"<html><body>404</body></html>\n")
    answers = {name: identify((mystery / name).read_bytes()).kind for name in ("a.crt", "b.jks")}
    passes(l04.identified_check(mystery, answers), capsys)
    out = fails(l04.identified_check(mystery, {**answers, "b.jks": "jks"}), capsys)
    assert "b.jks" in out and "a.crt" not in out.split("wrong")[-1]
    fails(l04.identified_check(mystery, {"a.crt": None, "b.jks": None}), capsys)


def write_pair(folder, stem, issued):
    """What the lesson's learner writes: the certificate and its key as PEM files."""
    (folder / f"{stem}.crt").write_bytes(issued.certificate.public_bytes(
        serialization.Encoding.PEM))
    (folder / f"{stem}.key").write_bytes(issued.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))


def write_p12(folder, source_crt, source_key, password, *chain):
    target = folder / "exercise.p12"
    target.unlink(missing_ok=True)
    args = ["convert", str(source_crt), str(target), "--key", str(source_key)]
    for part in chain:
        args += ["--chain", str(part)]
    assert pkilab_main([*args, "--password", password]) == 0


def test_04_own_p12_solution_passes(folder, lesson_set, capsys):
    carol = lesson_set.intermediate2.issue_client("carol")
    write_pair(folder, "carol", carol)
    write_p12(folder, folder / "carol.crt", folder / "carol.key", "carol-secret",
              folder / "intermediate2.crt", folder / "intermediate1.crt")
    passes(l04.own_p12_check(folder, "carol-secret", lesson_set), capsys)
    fails(l04.own_p12_check(folder, "wrong-password", lesson_set), capsys)


def test_04_own_p12_cheats_fail(folder, lesson_set, capsys):
    # the cheat from issue 8: copy the lesson's client2.p12
    shutil.copy(folder / "client2.p12", folder / "exercise.p12")
    out = fails(l04.own_p12_check(folder, "123456", lesson_set), capsys)
    assert "issue a new one" in out
    # carol's certificate from another CA
    stranger = build_certificate_set(seed="exercise tests stranger").intermediate2 \
        .issue_client("carol")
    write_pair(folder, "s", stranger)
    write_p12(folder, folder / "s.crt", folder / "s.key", "carol-secret")
    assert "intermediate2" in fails(l04.own_p12_check(folder, "carol-secret", lesson_set),
                                    capsys)
    # no chain: Java would not see where it comes from
    carol = lesson_set.intermediate2.issue_client("carol")
    write_pair(folder, "c", carol)
    write_p12(folder, folder / "c.crt", folder / "c.key", "carol-secret")
    assert "chain" in fails(l04.own_p12_check(folder, "carol-secret", lesson_set), capsys)
    (folder / "exercise.p12").unlink()
    fails(l04.own_p12_check(folder, "carol-secret", lesson_set), capsys)


# ---- 05 -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def one_way(lesson_set):
    with HTTPSServer(lesson_set) as server:
        yield server


def test_05_key_share(one_way, lesson_set, capsys):
    tls12 = record(one_way.url, ca=lesson_set.root.certificate, tls_version="1.2")
    passes(l05.key_share_check("ServerKeyExchange", tls12), capsys)
    assert "does not carry" in fails(l05.key_share_check("ServerHelloDone", tls12), capsys)
    assert "no 'ClientKeyExchange'" in fails(l05.key_share_check("ClientKeyExchange", tls12),
                                             capsys)
    fails(l05.key_share_check(None, tls12), capsys)


def test_05_second_site_solution_passes(lesson_set, capsys):
    api = lesson_set.intermediate2.issue_server(["api.localhost"])
    with HTTPSServer(api) as server:
        result = request(server.url, ca=lesson_set.root.certificate, host="api.localhost")
        passes(l05.second_site_check(server, result, lesson_set), capsys)
        # the check's own request does not count as the learner's next time
        server.clear_events()
        fails(l05.second_site_check(server, result, lesson_set), capsys)


def test_05_second_site_cheats_fail(one_way, lesson_set, capsys):
    fake = SimpleNamespace(status=200, verified=True, chain_source="verified",
                           server_chain=[lesson_set.root.certificate])
    fails(l05.second_site_check(None, fake, lesson_set), capsys)
    # a real server and a real request, but for localhost instead of api.localhost
    result = request(one_way.url, ca=lesson_set.root.certificate)
    fails(l05.second_site_check(one_way, result, lesson_set), capsys)
    # the right certificate, but served after the server stopped
    api = lesson_set.intermediate2.issue_server(["api.localhost"])
    with HTTPSServer(api) as server:
        result = request(server.url, ca=lesson_set.root.certificate, host="api.localhost")
    assert "stopped" in fails(l05.second_site_check(server, result, lesson_set), capsys)


def test_05_eavesdropper(one_way, lesson_set, capsys):
    wire12 = record(one_way.url, ca=lesson_set.root.certificate, tls_version="1.2",
                    source="records")
    passes(l05.eavesdropper_check(True, wire12), capsys)
    fails(l05.eavesdropper_check(False, wire12), capsys)
    fails(l05.eavesdropper_check(True, None), capsys)
    wire13 = record(one_way.url, ca=lesson_set.root.certificate, tls_version="1.3",
                    source="records")
    fails(l05.eavesdropper_check(False, wire13), capsys)


# ---- 06 -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mutual(lesson_set):
    with HTTPSServer(lesson_set, mtls="required") as server:
        yield server


def test_06_new_client_solution_passes(mutual, lesson_set, capsys):
    alice = lesson_set.intermediate2.issue_client("alice")
    reply = request(mutual.url, ca=lesson_set.root.certificate, cert=alice)
    passes(l06.new_client_check(mutual, alice, reply, lesson_set), capsys)


def test_06_new_client_cheats_fail(mutual, lesson_set, capsys):
    # the cheat from issue 8: a namespace with the right fields, no server involved
    fake = SimpleNamespace(status=200, body="Hello, alice!", sent_certificate=True)
    fails(l06.new_client_check(mutual, fake, fake, lesson_set), capsys)
    # a real alice from another CA cannot be used against the server
    stranger = build_certificate_set(seed="exercise tests stranger").intermediate2 \
        .issue_client("alice")
    fails(l06.new_client_check(mutual, stranger, fake, lesson_set), capsys)
    # the real certificate, but a made-up reply and no request of the learner's own
    bob_server_events = HTTPSServer(lesson_set, mtls="required")
    with bob_server_events as fresh:
        alice = lesson_set.intermediate2.issue_client("alice")
        out = fails(l06.new_client_check(fresh, alice, fake, lesson_set), capsys)
        assert "request(...)" in out or "no record" in out


def test_06_allow_list(folder, capsys):
    passes(l06.allow_list_check(["client2"], folder), capsys)
    assert "client gets 200" in fails(l06.allow_list_check(["client", "client2"], folder),
                                      capsys)
    fails(l06.allow_list_check("client2", folder), capsys)


def test_06_mutual_messages(lesson_set, mutual, one_way, capsys):
    plain = record(one_way.url, ca=lesson_set.root.certificate, tls_version="1.3")
    both = record(mutual.url, ca=lesson_set.root.certificate,
                  cert=lesson_set.clients["client"], tls_version="1.3")
    extra = set(both.names) - set(plain.names)
    passes(l06.mutual_messages_check(extra, plain, both), capsys)
    assert "1 more" in fails(l06.mutual_messages_check(set(list(extra)[:2]), plain, both),
                             capsys)
    fails(l06.mutual_messages_check(extra | {"client: ClientHello"}, plain, both), capsys)
    fails(l06.mutual_messages_check(None, plain, both), capsys)


# ---- 07 -------------------------------------------------------------------------------

def test_07_optional_block_text_cheats_fail(folder, capsys):
    # the cheat from issue 8: the bare directive
    fails(l07.optional_block_check("ssl_verify_client optional;", folder), capsys)
    fails(l07.optional_block_check(None, folder), capsys)
    elsewhere = nginx_server_block("/etc/nginx/ssl", mtls="optional")
    fails(l07.optional_block_check(elsewhere, folder), capsys)
    commented = nginx_server_block(folder, mtls="on").replace(
        "ssl_verify_client on;", "ssl_verify_client on;  # ssl_verify_client optional;")
    fails(l07.optional_block_check(commented, folder), capsys)


@needs_nginx
def test_07_optional_block_served_by_nginx(folder, capsys):
    passes(l07.optional_block_check(nginx_server_block(folder, mtls="optional"), folder),
           capsys)
    # optional_no_ca lets the stranger through: refused by the real nginx run
    sneaky = nginx_server_block(folder, mtls="optional_no_ca").replace(
        "ssl_verify_client optional_no_ca;", "ssl_verify_client optional;\n"
        "    ssl_verify_client optional_no_ca;")
    fails(l07.optional_block_check(sneaky, folder), capsys)


@needs_nginx
def test_07_allow_block(folder, lesson_set, capsys):
    dn, sha1 = nginx_client_identity(lesson_set.clients["client2"].certificate)
    passes(l07.allow_block_check(nginx_server_block(folder, mtls="on", allow=[dn]), folder),
           capsys)
    passes(l07.allow_block_check(nginx_server_block(folder, mtls="optional_no_ca",
                                                    allow=[sha1]), folder), capsys)
    # authentication only: client gets 200 too
    assert "403" in fails(l07.allow_block_check(nginx_server_block(folder, mtls="on"),
                                                folder), capsys)
    # optional_no_ca without a verify check lets the stranger with client2's DN in
    naive = nginx_server_block(folder, mtls="optional_no_ca").replace(
        "    location / {", '    if ($ssl_client_s_dn != "CN=client2,O=pkilab") '
        "{ return 403; }\n    location / {")
    assert "stranger" in fails(l07.allow_block_check(naive, folder), capsys)


def test_07_allow_block_text_without_a_server_block(folder, capsys):
    fails(l07.allow_block_check("$ssl_client_verify", folder), capsys)


def test_07_right_curl(capsys):
    passes(l07.right_curl_check("b"), capsys)
    fails(l07.right_curl_check("a"), capsys)
    fails(l07.right_curl_check("B"), capsys)


def test_checks_never_print_a_traceback(folder, lesson_set, capsys):
    for verdict in (l04.own_p12_check(folder / "nowhere", object(), lesson_set),
                    l05.eavesdropper_check(object(), object()),
                    l06.allow_list_check(42, folder),
                    l07.optional_block_check(42, folder)):
        assert not verdict
    assert "Traceback" not in capsys.readouterr().out


def test_keytool_sees_the_solution(folder, lesson_set, capsys):
    if shutil.which("keytool") is None:
        pytest.skip("keytool is not installed")
    carol = lesson_set.intermediate2.issue_client("carol")
    write_pair(folder, "carol", carol)
    write_p12(folder, folder / "carol.crt", folder / "carol.key", "carol-secret",
              folder / "intermediate2.crt", folder / "intermediate1.crt")
    done = subprocess.run(["keytool", "-list", "-keystore", str(folder / "exercise.p12"),
                           "-storepass", "carol-secret"], capture_output=True, text=True,
                          timeout=60)
    assert "contains 1 entry" in done.stdout
    passes(l04.own_p12_check(folder, "carol-secret", lesson_set), capsys)
