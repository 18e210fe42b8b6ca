"""OCSP: pkilab's answers, its loopback responder, and OpenSSL's client and responder."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

import pkilab
from pkilab.certset import build_certificate_set, write_certificate_set
from pkilab.errors import InputError
from pkilab.load import load_certificate
from pkilab.ocsp import OCSPResponder, ocsp_answer, ocsp_status, openssl_index, set_authorities

OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")


@pytest.fixture
def folder(tmp_path) -> Path:
    write_certificate_set(build_certificate_set(), tmp_path / "set")
    pkilab.revoke_certificate(tmp_path / "set", "client2", "keyCompromise")
    return tmp_path / "set"


def _cert(folder: Path, name: str):
    return load_certificate(folder / f"{name}.crt")


def _request(cert, issuer, nonce: bytes | None = None) -> bytes:
    from cryptography import x509

    builder = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1())
    if nonce:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.build().public_bytes(serialization.Encoding.DER)


def _answer(folder: Path, der: bytes) -> ocsp.OCSPResponse:
    return ocsp.load_der_ocsp_response(ocsp_answer(der, set_authorities(folder)))


def test_answers_good_revoked_and_unknown(folder):
    from pkilab.ocsp import _check_signature

    issuer = _cert(folder, "intermediate2")
    revoked = _answer(folder, _request(_cert(folder, "client2"), issuer))
    assert revoked.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert revoked.revocation_reason is not None
    assert revoked.revocation_reason.name == "key_compromise"
    _check_signature(revoked, issuer)  # signed by the issuer itself
    with pytest.raises(InputError):
        _check_signature(revoked, _cert(folder, "intermediate1"))
    good = _answer(folder, _request(_cert(folder, "client"), issuer))
    assert good.certificate_status == ocsp.OCSPCertStatus.GOOD
    asked = ocsp.load_der_ocsp_request(_request(_cert(folder, "client"), issuer))
    never_issued = ocsp.OCSPRequestBuilder().add_certificate_by_hash(
        asked.issuer_name_hash, asked.issuer_key_hash, 12345, hashes.SHA1()).build()
    answer = _answer(folder, never_issued.public_bytes(serialization.Encoding.DER))
    assert answer.certificate_status == ocsp.OCSPCertStatus.UNKNOWN
    stranger = build_certificate_set(seed="stranger")
    other = _request(stranger.clients["client"].certificate, stranger.intermediate2.certificate)
    assert _answer(folder, other).response_status == ocsp.OCSPResponseStatus.UNAUTHORIZED
    assert _answer(folder, b"\x30\x03junk").response_status == \
        ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_the_nonce_is_echoed(folder):
    response = _answer(folder, _request(_cert(folder, "client"), _cert(folder, "intermediate2"),
                                        nonce=b"0123456789abcdef"))
    from cryptography import x509

    nonce = response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    assert nonce == b"0123456789abcdef"


def test_the_responder_sees_a_revocation_at_once(folder):
    issuer = _cert(folder, "intermediate2")
    with OCSPResponder(folder) as responder:
        assert ocsp_status(_cert(folder, "client"), issuer, responder.url) == "good"
        pkilab.revoke_certificate(folder, "client", "superseded")
        assert ocsp_status(_cert(folder, "client"), issuer, responder.url) == "revoked"
        assert [e.status for e in responder.events] == ["good", "revoked"]


def test_the_responder_listens_on_loopback_only(folder):
    with pytest.raises(InputError) as info:
        OCSPResponder(folder, host="0.0.0.0")
    assert info.value.code == "not_loopback"


def _openssl_ask(folder: Path, name: str, url: str, issuer: str = "intermediate2") -> str:
    result = subprocess.run(
        [OPENSSL, "ocsp", "-issuer", str(folder / f"{issuer}.crt"),
         "-cert", str(folder / f"{name}.crt"), "-url", url,
         "-CAfile", str(folder / "root.crt"), "-verify_other", str(folder / "intermediate1.crt")],
        capture_output=True, text=True, timeout=30)
    assert "Response verify OK" in result.stderr + result.stdout, result.stderr
    return result.stdout


@needs_openssl
def test_openssl_ocsp_against_pkilab(folder):
    with OCSPResponder(folder) as responder:
        revoked = _openssl_ask(folder, "client2", responder.url)
        assert f"{folder / 'client2.crt'}: revoked" in revoked and "keyCompromise" in revoked
        assert f"{folder / 'client.crt'}: good" in _openssl_ask(folder, "client", responder.url)
        assert ": good" in _openssl_ask(folder, "intermediate2", responder.url, "intermediate1")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_listening(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the responder did not start")


@needs_openssl
def test_openssl_own_responder_agrees_with_pkilab(folder):
    authority = set_authorities(folder).authorities[0]
    (folder / "index.txt").write_text(openssl_index(authority))
    port = _free_port()
    responder = subprocess.Popen(
        [OPENSSL, "ocsp", "-index", str(folder / "index.txt"), "-port", str(port),
         "-rsigner", str(folder / "intermediate2.crt"), "-rkey", str(folder / "intermediate2.key"),
         "-CA", str(folder / "intermediate2.crt"), "-nrequest", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        # it says when it listens; a probe connection would use up one of its -nrequest
        for line in responder.stderr:  # type: ignore[union-attr]
            if "waiting for OCSP client connections" in line:
                break
        url = f"http://127.0.0.1:{port}"
        theirs = [_openssl_ask(folder, name, url) for name in ("client2", "client")]
    finally:
        responder.kill()
        responder.wait(5)
    with OCSPResponder(folder) as ours:
        mine = [_openssl_ask(folder, name, ours.url) for name in ("client2", "client")]

    def verdicts(outputs: list[str]) -> list[str]:
        return [out.splitlines()[0].split(": ")[-1] for out in outputs]

    assert verdicts(theirs) == verdicts(mine) == ["revoked", "good"]
    assert "keyCompromise" in theirs[0] and "keyCompromise" in mine[0]


@needs_openssl
def test_cli_ocsp_answers_openssl(folder):
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "pkilab", "ocsp", str(folder), "--port",
                                str(port)], stdout=subprocess.PIPE, text=True)
    try:
        _wait_listening(port, process)
        out = _openssl_ask(folder, "client2", f"http://127.0.0.1:{port}")
        assert ": revoked" in out
    finally:
        process.send_signal(signal.SIGTERM)
        printed = process.communicate(timeout=10)[0]
    assert process.returncode == 0 and "OCSP responder for" in printed and "revoked" in printed


# ---- OCSP stapling with nginx: the server sends the answer in its handshake ------------------

def _stapled_status(folder: Path, port: int) -> str:
    done = subprocess.run([OPENSSL, "s_client", "-connect", f"127.0.0.1:{port}", "-status",
                           "-servername", "localhost", "-CAfile", str(folder / "root.crt")],
                          input="", capture_output=True, text=True, timeout=30)
    lines = [line.strip() for line in done.stdout.splitlines()]
    if "OCSP response: no response sent" in lines:
        return "none"
    return next(line.split(": ", 1)[1] for line in lines if line.startswith("Cert Status"))


@needs_openssl
def test_nginx_staples_the_answer_and_a_reload_refreshes_it(folder):
    from pkilab.nginx import find_nginx

    if find_nginx() is None:
        pytest.skip("nginx is not installed")
    with pkilab.NginxServer(folder) as plain:
        assert "ssl_stapling" not in plain.config
        assert _stapled_status(folder, plain.port) == "none"
    with pkilab.NginxServer(folder, stapling=True) as nginx:
        assert "ssl_stapling_file" in nginx.config
        assert _stapled_status(folder, nginx.port) == "good"
        pkilab.revoke_certificate(folder, "server", "superseded")
        nginx.reload()
        assert _stapled_status(folder, nginx.port) == "revoked"
