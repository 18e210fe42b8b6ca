"""The pkilab command as a user runs it: real processes, real files, exit codes."""

import os
import stat
import subprocess
import sys

import pytest

PKILAB = [sys.executable, "-m", "pkilab"]


def pkilab(*args, cwd=None):
    return subprocess.run([*PKILAB, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=60)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli") / "set"
    done = pkilab("init", folder, "--client", "alice", "--client", "bob")
    assert done.returncode == 0, done.stderr
    return folder, done


def test_init_writes_the_seed_names(made):
    folder, done = made
    expected = {"root.key", "root.crt", "intermediate1.key", "intermediate1.crt",
                "intermediate2.key", "intermediate2.crt", "server.key", "server.crt",
                "fullchain.crt", "alice.key", "alice.crt", "alice.p12", "bob.key", "bob.crt",
                "bob.p12"}
    assert {p.name for p in folder.iterdir()} == expected
    assert stat.S_IMODE(os.stat(folder / "root.key").st_mode) == 0o600
    assert "pkilab verify" in done.stdout


def test_init_refuses_to_replace_a_ca_key(made):
    folder, _ = made
    before = (folder / "root.key").read_bytes()
    again = pkilab("init", folder)
    assert again.returncode == 2
    assert "already holds a certificate set" in again.stderr
    assert "Traceback" not in again.stderr
    assert (folder / "root.key").read_bytes() == before


def test_verify_ok_and_failures(made):
    folder, _ = made
    ok = pkilab("verify", folder / "fullchain.crt", "--ca", folder / "root.crt",
                "--host", "localhost")
    assert ok.returncode == 0 and ok.stdout.startswith("OK")
    assert "3. root" in ok.stdout
    wrong_host = pkilab("verify", folder / "fullchain.crt", "--ca", folder / "root.crt",
                        "--host", "example.com")
    assert wrong_host.returncode == 1 and "not valid for 'example.com'" in wrong_host.stdout
    client = pkilab("verify", folder / "alice.crt", "--ca", folder / "root.crt",
                    "--untrusted", folder / "fullchain.crt", "--purpose", "client")
    assert client.returncode == 0, client.stdout
    as_server = pkilab("verify", folder / "alice.crt", "--ca", folder / "root.crt",
                       "--untrusted", folder / "intermediate2.crt", "--untrusted",
                       folder / "intermediate1.crt")
    assert as_server.returncode == 1 and "not meant for a TLS server" in as_server.stdout
    verbose = pkilab("verify", "-v", folder / "server.crt", "--ca", folder / "root.crt")
    assert verbose.returncode == 1
    assert "0. leaf: /O=pkilab/CN=localhost" in verbose.stdout
    assert "[ok ] purpose: serverAuth" in verbose.stdout
    assert "why:" in verbose.stdout


def test_inspect_a_certificate(made):
    folder, _ = made
    done = pkilab("inspect", folder / "server.crt")
    assert done.returncode == 0
    assert "subjectAltName: DNS:localhost, IP:127.0.0.1" in done.stdout
    assert "SHA-256:" in done.stdout


@pytest.mark.parametrize("args, message", [
    (["verify", "missing.crt", "--ca", "missing.crt"], "does not exist"),
    (["inspect", "garbage.bin"], "garbage.bin"),
    (["init", "x", "--server-name", ""], "empty"),
    (["verify", "server.key", "--ca", "root.crt"], "holds no certificate"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_exits_2_without_traceback(made, args, message):
    folder, _ = made
    (folder.parent / "garbage.bin").write_bytes(os.urandom(64))
    cwd = folder if args[0] == "verify" else folder.parent
    done = pkilab(*args, cwd=cwd)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) <= 3


def test_mismatched_key_and_certificate_is_refused(made, tmp_path):
    from pkilab.ca import CertificateAuthority
    from pkilab.errors import InputError
    from pkilab.load import load_certificate, load_private_key

    folder, _ = made
    with pytest.raises(InputError) as info:
        CertificateAuthority.from_pair(load_certificate(folder / "root.crt"),
                                       load_private_key(folder / "server.key"))
    assert info.value.code in ("key_mismatch", "bad_input")  # ca.py: key_mismatch after merge


def test_shared_subject_like_the_seed(tmp_path):
    done = pkilab("init", tmp_path / "s", "--subject", "/C=cn/ST=bj/L=bj/O=alibaba/OU=test")
    assert done.returncode == 0, done.stderr
    assert "/C=CN/ST=bj/L=bj/O=alibaba/OU=test/CN=alibaba Root CA" in done.stdout
    assert "/C=CN/ST=bj/L=bj/O=alibaba/OU=test/CN=client " in done.stdout


@pytest.mark.parametrize("subj, message", [
    ("/C=China/O=x", "two-letter"),
    ("C=CN/O=x", "does not start with '/'"),
    ("/O=x/CN=root", "has a CN"),
])
def test_wrong_subj_exits_2(tmp_path, subj, message):
    done = pkilab("init", tmp_path / "s", "--subject", subj)
    assert done.returncode == 2 and message in done.stderr
    assert not (tmp_path / "s").exists()


def test_key_that_does_not_match_exits_2(made):
    folder, _ = made
    done = pkilab("verify", folder / "server.crt", "--ca", folder / "root.crt", "--untrusted",
                  folder / "fullchain.crt", "--key", folder / "alice.key")
    assert done.returncode == 2
    assert "does not belong" in done.stderr and "Traceback" not in done.stderr
    good = pkilab("verify", folder / "server.crt", "--ca", folder / "root.crt", "--untrusted",
                  folder / "fullchain.crt", "--key", folder / "server.key")
    assert good.returncode == 0


def test_doctor_on_a_set_shows_only_the_expected_localhost_finding(made):
    pytest.importorskip("pkilint")
    folder, _ = made
    done = pkilab("doctor", folder)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[expected] pkix.invalid_domain_name_syntax" in done.stdout
    assert "[error]" not in done.stdout and "[warning]" not in done.stdout
    # fullchain.crt repeats certificates: each is audited once
    assert done.stdout.count("/O=pkilab/CN=localhost:") == 1


def test_doctor_flags_a_v1_certificate(tmp_path):
    pytest.importorskip("pkilint")
    from cryptography.hazmat.primitives import serialization

    from pkilab.ca import CertificateAuthority
    from pkilab.keys import generate_key
    from pkilab.legacy import make_v1_certificate

    root = CertificateAuthority.create_root("/CN=root")
    v1 = make_v1_certificate("/CN=server.example.com", generate_key().public_key(),
                             "/CN=root", root.private_key)
    (tmp_path / "server.crt").write_bytes(v1.public_bytes(serialization.Encoding.PEM))
    done = pkilab("doctor", tmp_path / "server.crt")
    assert done.returncode == 1
    assert "pkix.certificate_version_is_not_v3" in done.stdout
    missing = pkilab("doctor", tmp_path / "nothing-here")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
