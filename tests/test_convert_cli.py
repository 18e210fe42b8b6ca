"""``pkilab convert``: exit codes, file modes, never losing a file, errors without tracebacks."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from pkilab.certset import build_certificate_set, write_certificate_set
from pkilab.cli import main
from pkilab.facts import same_public_key as same_key
from pkilab.formats import identify, load_any
from pkilab.formats.bundle import join_pem

PW = "123456"


@pytest.fixture(scope="module")
def cs():
    return build_certificate_set(seed="test-convert-cli")


@pytest.fixture()
def folder(tmp_path, cs):
    write_certificate_set(cs, tmp_path, p12_password=PW)
    return tmp_path


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_certificate_to_der_and_back(folder, capsys):
    assert main(["convert", str(folder / "server.crt"), str(folder / "server.der")]) == 0
    assert "DER certificate" in capsys.readouterr().out
    assert identify((folder / "server.der").read_bytes()).kind == "der-certificate"
    assert _mode(folder / "server.der") == 0o644
    assert main(["convert", str(folder / "server.der"), str(folder / "again.crt")]) == 0
    assert (folder / "again.crt").read_bytes() == (folder / "server.crt").read_bytes()


def test_p12_from_key_and_chain_options_is_private(folder, cs, capsys):
    code = main(["convert", str(folder / "client.crt"), str(folder / "out.p12"),
                 "--key", str(folder / "client.key"), "--chain",
                 str(folder / "intermediate2.crt"), "--chain",
                 str(folder / "intermediate1.crt"), "--password", PW, "--name", "alice"])
    assert code == 0, capsys.readouterr().err
    assert _mode(folder / "out.p12") == 0o600
    contents = load_any((folder / "out.p12").read_bytes(), PW)
    client = cs.clients["client"]
    assert contents.certificates == [client.certificate, *client.chain]
    assert same_key(contents.private_keys[0], client.private_key)
    assert contents.friendly_names[0] == "alice"


def test_p12_to_pem_and_jks_with_in_password(folder, cs):
    assert main(["convert", str(folder / "client.p12"), str(folder / "client.pem"),
                 "--in-password", PW]) == 0
    assert _mode(folder / "client.pem") == 0o600  # holds the key
    assert identify((folder / "client.pem").read_bytes()).labels == [
        "CERTIFICATE"] * 3 + ["PRIVATE KEY"]
    assert main(["convert", str(folder / "client.pem"), str(folder / "client.jks"),
                 "--password", PW]) == 0
    assert load_any((folder / "client.jks").read_bytes(), PW).certificates[0] == \
        cs.clients["client"].certificate


def test_key_conversions(folder):
    assert main(["convert", str(folder / "server.key"), str(folder / "server-ec.key"),
                 "--to", "sec1"]) == 0
    assert identify((folder / "server-ec.key").read_bytes()).kind == "pem-sec1-key"
    assert _mode(folder / "server-ec.key") == 0o600
    assert main(["convert", str(folder / "server-ec.key"), str(folder / "enc.key"), "--to",
                 "pkcs8", "--password", PW]) == 0
    assert identify((folder / "enc.key").read_bytes()).needs_password


def test_split_and_truststore(folder):
    assert main(["convert", str(folder / "fullchain.crt"), str(folder / "part.crt"),
                 "--to", "split"]) == 0
    assert sorted(p.name for p in folder.glob("part-*.crt")) == [
        "part-1.crt", "part-2.crt", "part-3.crt"]
    assert main(["convert", str(folder / "root.crt"), str(folder / "truststore.jks"),
                 "--password", "changeit"]) == 0
    assert load_any((folder / "truststore.jks").read_bytes(), "changeit").notes == [
        "entry 'pkilab root ca': trusted certificate"]


def test_existing_output_is_refused_unless_force(folder, capsys):
    target = folder / "server.der"
    target.write_bytes(b"keep me")
    assert main(["convert", str(folder / "server.crt"), str(target)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert target.read_bytes() == b"keep me"
    assert main(["convert", str(folder / "server.crt"), str(target), "--force"]) == 0
    assert target.read_bytes() != b"keep me"


def test_input_is_never_overwritten_even_with_force(folder, capsys):
    before = (folder / "server.crt").read_bytes()
    assert main(["convert", str(folder / "server.crt"), str(folder / "server.crt"),
                 "--force"]) == 2
    assert "also an input" in capsys.readouterr().err
    assert (folder / "server.crt").read_bytes() == before


@pytest.mark.parametrize("argv_tail,words", [
    (["client.p12", "x.pem", "--in-password", "wrong!"], "password is wrong"),
    (["client.p12", "x.pem"], "no password was given"),
    (["nothere.crt", "x.der"], "does not exist"),
    (["server.crt", "x.weird"], "--to"),
    (["server.crt", "x.p12", "--password", PW], "no private key"),
    (["server.crt", "x.p12", "--key", "client.key", "--password", PW], "does not match"),
    (["client.crt", "x.p12", "--key", "client.key", "--password", "1234"], "6"),
    (["random.bin", "x.pem"], "random.bin"),
])
def test_errors_exit_2_with_a_clear_message(folder, capsys, argv_tail, words):
    (folder / "random.bin").write_bytes(os.urandom(200))
    argv = ["convert"] + [str(folder / a) if i < 2 or a.endswith((".key", ".crt")) else a
                          for i, a in enumerate(argv_tail)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert not (folder / "x.pem").exists() and not (folder / "x.p12").exists()


def test_warnings_go_to_stderr(folder, cs, capsys):
    upside_down = join_pem(list(reversed(cs.server.fullchain)))
    (folder / "upside.crt").write_bytes(upside_down)
    assert main(["convert", str(folder / "upside.crt"), str(folder / "fixed.p7b")]) == 0
    assert "upside down" in capsys.readouterr().err


def test_help_documents_targets_and_key_option(capsys):
    with pytest.raises(SystemExit) as done:
        main(["convert", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for word in ("--key", "--chain", "p12-legacy", "truststore", "0600", "--force"):
        assert word in out


def test_bad_usage_exits_2_without_traceback(folder):
    done = subprocess.run([sys.executable, "-m", "pkilab", "convert", str(folder / "client.p12"),
                           str(folder / "x.pem"), "--in-password", "nope!!"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "client.p12" in done.stderr
    done = subprocess.run([sys.executable, "-m", "pkilab", "convert", "--to", "gif", "a", "b"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "invalid choice" in done.stderr


def test_password_is_tried_on_an_input_that_needs_one(folder, cs):
    """The seed's habit: one password for everything. --password opens client.p12 too."""
    assert main(["convert", str(folder / "client.p12"), str(folder / "same.jks"),
                 "--password", PW]) == 0
    assert load_any((folder / "same.jks").read_bytes(), PW).certificates[0] == \
        cs.clients["client"].certificate
    # ... but is not applied to a plain input (it only protects the output)
    assert main(["convert", str(folder / "server.key"), str(folder / "enc.key"),
                 "--password", PW]) == 0
    assert identify((folder / "enc.key").read_bytes()).kind == "pem-encrypted-pkcs8-key"


def test_password_that_opened_the_input_is_not_forced_on_pkcs1_or_sec1(folder, tmp_path,
                                                                      capsys):
    """convert client.p12 client.key --password 123456 --to sec1|pkcs1: the password was
    needed to open the .p12; the unencryptable output simply does not use it."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    from pkilab.formats import pkcs12

    assert main(["convert", str(folder / "client.p12"), str(folder / "client-ec.key"),
                 "--password", PW, "--to", "sec1"]) == 0
    assert identify((folder / "client-ec.key").read_bytes()).kind == "pem-sec1-key"
    assert "--password opened" in capsys.readouterr().err
    # the same with an RSA key and PKCS#1, the reviewer's case
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rsa-client")])
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    (tmp_path / "rsa.p12").write_bytes(pkcs12.export(key, cert, [], PW))
    assert main(["convert", str(tmp_path / "rsa.p12"), str(tmp_path / "rsa.key"),
                 "--password", PW, "--to", "pkcs1"]) == 0
    assert identify((tmp_path / "rsa.key").read_bytes()).kind == "pem-pkcs1-key"
    assert _mode(tmp_path / "rsa.key") == 0o600
    # with --in-password for the input, --password is clearly meant for the output: refused,
    # and the message says where the input's password goes
    capsys.readouterr()
    assert main(["convert", str(tmp_path / "rsa.p12"), str(tmp_path / "rsa2.key"),
                 "--in-password", PW, "--password", PW, "--to", "pkcs1"]) == 2
    assert "--in-password" in capsys.readouterr().err
    # a password-less input: --password can only be for the output
    assert main(["convert", str(tmp_path / "rsa.key"), str(tmp_path / "rsa3.key"),
                 "--password", PW, "--to", "pkcs1"]) == 2
    assert "--in-password" in capsys.readouterr().err
    assert not (tmp_path / "rsa2.key").exists() and not (tmp_path / "rsa3.key").exists()


def test_password_that_opened_the_input_still_encrypts_pkcs8(folder):
    """Formats that can be encrypted keep the documented behaviour: --password protects
    the output as well."""
    assert main(["convert", str(folder / "client.p12"), str(folder / "client8.key"),
                 "--password", PW, "--to", "pkcs8"]) == 0
    assert identify((folder / "client8.key").read_bytes()).kind == "pem-encrypted-pkcs8-key"


def test_short_key_password_exits_2(folder, capsys):
    assert main(["convert", str(folder / "server.key"), str(folder / "enc.key"),
                 "--password", "abc"]) == 2
    err = capsys.readouterr().err
    assert "at least 4" in err and "Traceback" not in err
    assert not (folder / "enc.key").exists()
    assert main(["convert", str(folder / "server.key"), str(folder / "enc.key"),
                 "--password", "abcd"]) == 0
