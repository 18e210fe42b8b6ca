"""``pkilab inspect``: exit 0 for notes (a missing password), 1 for problems of the file."""

from __future__ import annotations

import base64
import shutil
import subprocess
import sys
import warnings

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from pkilab.certset import build_certificate_set, write_certificate_set
from pkilab.cli import main
from pkilab.formats import jks
from pkilab.formats.bundle import join_pem
from pkilab.formats.keys import key_bytes

PW = "123456"


@pytest.fixture(scope="module")
def cs():
    return build_certificate_set(seed="test-inspect-cli")


@pytest.fixture()
def folder(tmp_path, cs):
    write_certificate_set(cs, tmp_path, p12_password=PW)
    client = cs.clients["client"]
    (tmp_path / "client.jks").write_bytes(jks.export_keystore(
        client.private_key, client.certificate, client.chain, PW))
    (tmp_path / "enc.key").write_bytes(key_bytes(client.private_key, "pkcs8-encrypted",
                                                 password=PW))
    return tmp_path


def _inspect(capsys, *argv) -> tuple[int, str]:
    code = main(["inspect", *map(str, argv)])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("name", ["client.p12", "client.jks", "enc.key"])
def test_missing_password_is_a_note_and_exits_0(folder, capsys, name):
    code, out = _inspect(capsys, folder / name)
    assert code == 0, out
    assert "warning:" not in out
    assert any(line.startswith("note:") and "--password" in line for line in out.splitlines())
    code, out = _inspect(capsys, folder / name, "--password", PW)
    assert code == 0 and "private key" in out.lower()


def test_wrong_password_still_exits_2(folder, capsys):
    assert main(["inspect", str(folder / "client.p12"), "--password", "654321"]) == 2
    assert "password is wrong" in capsys.readouterr().err


def test_problems_of_the_file_exit_1(folder, cs, capsys):
    upside_down = folder / "upside.crt"
    upside_down.write_bytes(join_pem(list(reversed(cs.server.fullchain))))
    mismatch = folder / "mismatch.pem"
    mismatch.write_bytes(join_pem([cs.server.certificate]) +
                         key_bytes(cs.clients["client"].private_key, "pkcs8"))
    bare = folder / "bare.p12"
    client = cs.clients["client"]
    bare.write_bytes(pkcs12.serialize_key_and_certificates(
        b"client", client.private_key, client.certificate, None,
        serialization.NoEncryption()))
    for path, words in ((upside_down, "upside down"), (mismatch, "does not match"),
                        (bare, "no password")):
        code, out = _inspect(capsys, path)
        assert code == 1, out
        assert words in out


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_rc2_pkcs12_without_password_still_exits_1(folder, capsys):
    out = folder / "legacy.p12"
    done = subprocess.run(["openssl", "pkcs12", "-export", "-legacy", "-in",
                           str(folder / "client.crt"), "-inkey", str(folder / "client.key"),
                           "-out", str(out), "-passout", f"pass:{PW}"],
                          capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        pytest.skip(f"this openssl cannot write RC2 PKCS#12: {done.stderr[:80]}")
    code, text = _inspect(capsys, out)
    assert code == 1
    assert "warning:" in text and "RC2" in text and "--password" in text


def test_help_says_which_cases_exit_1(capsys):
    with pytest.raises(SystemExit):
        main(["inspect", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for words in ("missing password is a note", "does not match", "wrong order",
                  "without a password", "RC2", "key password", "password is wrong"):
        assert words in text, words


def _negative_serial_pem(cert) -> bytes:
    data = cert.public_bytes(serialization.Encoding.DER)
    serial = cert.serial_number
    content = serial.to_bytes((serial.bit_length() + 8) // 8, "big")
    field = bytes([0x02, len(content)]) + content
    data = data.replace(field, bytes([0x02, len(content), 0xFB]) + content[1:])
    return (b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(data) +
            b"-----END CERTIFICATE-----\n")


def test_negative_serial_is_a_note_without_library_warning(cs, tmp_path, capsys):
    path = tmp_path / "neg.crt"
    path.write_bytes(_negative_serial_pem(cs.server.certificate))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, out = _inspect(capsys, path)
        assert main(["convert", str(path), str(tmp_path / "neg.der")]) == 0
    assert code == 0
    assert "note: the certificate: serial number is negative" in out
    assert [str(w.message) for w in caught] == []


def test_negative_serial_prints_nothing_on_stderr(cs, tmp_path):
    path = tmp_path / "neg.crt"
    path.write_bytes(_negative_serial_pem(cs.server.certificate))
    done = subprocess.run([sys.executable, "-m", "pkilab", "inspect", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "RFC 5280" in done.stdout
