"""The lab server and revocation: real handshakes on 127.0.0.1 with a CRL loaded in ssl."""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from pathlib import Path

import pytest

import pkilab
from pkilab.certset import build_certificate_set, write_certificate_set
from pkilab.errors import PkilabError


@pytest.fixture
def folder(tmp_path) -> Path:
    write_certificate_set(build_certificate_set(), tmp_path / "set")
    return tmp_path / "set"


def _status(url: str, folder: Path, client: str):
    try:
        return pkilab.request(url, ca=folder / "root.crt", cert=folder / f"{client}.crt",
                              key=folder / f"{client}.key", timeout=5).status
    except PkilabError as exc:
        return exc.code, getattr(exc, "kind", None), exc.why


def test_serve_uses_crl_pem_and_refuses_the_revoked_client(folder):
    pkilab.revoke_certificate(folder, "client2", "keyCompromise")
    with pkilab.HTTPSServer(folder, mtls="required") as server:
        assert _status(server.url, folder, "client") == 200
        code, _kind, why = _status(server.url, folder, "client2")
        assert code == "client_certificate_rejected" and "revoked" in why
        server.wait_idle()
        failed = [e for e in server.events if e.kind == "handshake-failed"]
    assert failed and failed[0].problem == "revoked"
    today = dt.datetime.now(dt.timezone.utc)
    assert "client2 revoked on" in failed[0].detail and "(keyCompromise)" in failed[0].detail
    assert f"{today:%Y-%m-%d}" in failed[0].detail or \
        f"{today - dt.timedelta(days=1):%Y-%m-%d}" in failed[0].detail


def test_a_crl_written_later_needs_a_new_server(folder):
    with pkilab.HTTPSServer(folder, mtls="required") as server:
        pkilab.revoke_certificate(folder, "client2")
        assert _status(server.url, folder, "client2") == 200  # the old context has no CRL
    with pkilab.HTTPSServer(folder, mtls="required") as server:
        assert _status(server.url, folder, "client2")[0] == "client_certificate_rejected"


def test_crl_false_turns_the_check_off(folder):
    pkilab.revoke_certificate(folder, "client2")
    with pkilab.HTTPSServer(folder, mtls="required", crl=False) as server:
        assert _status(server.url, folder, "client2") == 200


def test_python_ssl_verify_crl_check_leaf_is_the_mechanism(folder):
    """Plain ssl, no pkilab server: the CRL in the store plus the flag refuse client2."""
    pkilab.revoke_certificate(folder, "client2", "keyCompromise")
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(folder / "fullchain.crt", folder / "server.key")
    server_ctx.verify_mode = ssl.CERT_REQUIRED
    for name in ("root.crt", "intermediate1.crt", "intermediate2.crt", "crl.pem"):
        server_ctx.load_verify_locations(cafile=folder / name)
    server_ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    assert server_ctx.cert_store_stats()["crl"] == 1

    def handshake(client: str) -> str:
        import socket

        listener = socket.create_server(("127.0.0.1", 0))
        outcome: list[str] = []

        def serve() -> None:
            conn, _ = listener.accept()
            conn.settimeout(5)
            try:
                with server_ctx.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)
                    outcome.append("ok")
            except ssl.SSLError as exc:
                outcome.append(exc.verify_message or exc.reason)

        thread = threading.Thread(target=serve)
        thread.start()
        client_ctx = ssl.create_default_context(cafile=folder / "root.crt")
        client_ctx.load_cert_chain(folder / f"{client}.crt", folder / f"{client}.key")
        with socket.create_connection(listener.getsockname(), timeout=5) as raw, \
                client_ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            try:
                tls.sendall(b"x")
                tls.recv(1)
            except (ssl.SSLError, OSError):
                pass
        thread.join(5)
        listener.close()
        return outcome[0]

    assert handshake("client") == "ok"
    assert handshake("client2") == "certificate revoked"


def test_python_ssl_cadata_takes_no_crl(folder):
    """Why pkilab writes the CRL to a temporary file: cadata= holds certificates only."""
    pkilab.revoke_certificate(folder, "client2")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with pytest.raises(ssl.SSLError):
        context.load_verify_locations(cadata=(folder / "crl.pem").read_text())
    context.load_verify_locations(cafile=folder / "crl.pem")
    assert context.cert_store_stats()["crl"] == 1


def test_pkilab_serve_says_it_checks_the_crl_and_why_it_refused(folder):
    import signal
    import subprocess
    import sys

    pkilab.revoke_certificate(folder, "client2", "keyCompromise")
    proc = subprocess.Popen([sys.executable, "-m", "pkilab", "serve", str(folder), "--mtls",
                             "required"], stdout=subprocess.PIPE, text=True)
    header = []
    try:
        for line in proc.stdout:  # type: ignore[union-attr]
            header.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        url = next(w for line in header for w in line.split() if w.startswith("https://"))
        assert _status(url, folder, "client") == 200
        assert _status(url, folder, "client2")[0] == \
            "client_certificate_rejected"
    finally:
        proc.send_signal(signal.SIGINT)
        out = proc.communicate(timeout=10)[0]
    text = "".join(header)
    assert "Revocation:" in text and "VERIFY_CRL_CHECK_LEAF" in text and "client2" in text
    assert "certificate revoked: the CRL lists client2 revoked on" in out
