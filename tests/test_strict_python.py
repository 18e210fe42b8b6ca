"""pkilab's certificates under the strict checks Python 3.13 turns on by itself.

Python 3.13's ``ssl.create_default_context()`` sets ``VERIFY_X509_STRICT`` (and
``VERIFY_X509_PARTIAL_CHAIN``): OpenSSL then refuses, among others, CA certificates
without subjectKeyIdentifier and certificates without authorityKeyIdentifier — what
the seed's openssl recipe makes. Here a real Python 3.13 (and 3.10, with the flag set
by hand) connects as a client, using only the standard library, to a mutual-TLS
server in this test process that serves a pkilab set. Skipped where that Python is not
installed (pyenv on the dev machines and CI).

A control shows the strict default really bites: a server certificate without
authorityKeyIdentifier is refused by 3.13's default context.
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# Runs in the other interpreter: standard library only, prints one JSON line.
CLIENT_SCRIPT = r"""
import json, socket, ssl, sys
port, folder, host, strict = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
context = ssl.create_default_context(cafile=folder + "/root.crt")
default_strict = bool(context.verify_flags & ssl.VERIFY_X509_STRICT)
if strict == "set":
    context.verify_flags |= ssl.VERIFY_X509_STRICT
context.load_cert_chain(folder + "/client.crt", folder + "/client.key")
out = {"python": list(sys.version_info[:2]), "default_strict": default_strict,
       "strict": bool(context.verify_flags & ssl.VERIFY_X509_STRICT)}
try:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            out["tls"] = tls.version()
            tls.sendall(b"GET / HTTP/1.1\r\nHost: " + host.encode() + b"\r\n\r\n")
            answer = b""
            while True:
                chunk = tls.recv(4096)
                if not chunk:
                    break
                answer += chunk
            out["answer"] = answer.decode().split("\r\n\r\n", 1)[-1]
except ssl.SSLError as exc:
    out["error"] = exc.reason or str(exc)
    out["message"] = str(exc)
print(json.dumps(out))
"""


def find_python(version: str) -> str | None:
    """An interpreter of ``version`` ("3.13"): pyenv's, or one on PATH."""
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    found = sorted(glob.glob(os.path.join(root, "versions", f"{version}.*", "bin", "python")))
    return found[-1] if found else shutil.which(f"python{version}")


PYTHON_313 = find_python("3.13")
PYTHON_310 = find_python("3.10")


class OneShotServer:
    """Serve one mutual-TLS connection on 127.0.0.1:0 in a thread; strict on our side too."""

    def __init__(self, chain: Path, key: Path, client_cas: bytes) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(chain, key)
        self.context.verify_mode = ssl.CERT_REQUIRED
        self.context.verify_flags |= ssl.VERIFY_X509_STRICT
        self.context.load_verify_locations(cadata=client_cas.decode())
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(20)
        self.port = self.listener.getsockname()[1]
        self.client: str | None = None
        self.error: Exception | None = None
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> OneShotServer:
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.listener.close()  # unblocks accept() if nobody came
        self.thread.join(20)

    def _serve(self) -> None:
        try:
            conn, _ = self.listener.accept()
            with conn, self.context.wrap_socket(conn, server_side=True) as tls:
                tls.settimeout(10)
                subject = dict(i for rdn in tls.getpeercert()["subject"] for i in rdn)
                self.client = subject["commonName"]
                tls.recv(4096)
                tls.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello "
                            + self.client.encode())
        except Exception as exc:  # recorded for the test; a refused handshake lands here
            self.error = exc


def client_cas(folder: Path) -> bytes:
    # Clients send only their leaf: the server needs the intermediates to reach the root.
    return b"".join((folder / n).read_bytes()
                    for n in ("root.crt", "intermediate1.crt", "intermediate2.crt"))


def run_client(python: str, folder: Path, port: int, host: str, strict: str) -> dict:
    script = folder.parent / "strict_client.py"
    script.write_text(CLIENT_SCRIPT)
    result = subprocess.run([python, "-I", str(script), str(port), str(folder), host, strict],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.skipif(PYTHON_313 is None, reason="Python 3.13 is not installed")
@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_python_313_default_context_verifies_a_pkilab_set(set_dir, host):
    with OneShotServer(set_dir / "fullchain.crt", set_dir / "server.key",
                       client_cas(set_dir)) as server:
        out = run_client(PYTHON_313, set_dir, server.port, host, strict="default")
    assert out["python"] == [3, 13]
    assert out["default_strict"] is True  # 3.13 turns it on by itself
    assert out.get("error") is None, out
    assert out["answer"] == "hello client"
    assert server.client == "client" and server.error is None


@pytest.mark.skipif(PYTHON_310 is None, reason="Python 3.10 is not installed")
def test_python_310_with_strict_flag_set_verifies_a_pkilab_set(set_dir):
    with OneShotServer(set_dir / "fullchain.crt", set_dir / "server.key",
                       client_cas(set_dir)) as server:
        out = run_client(PYTHON_310, set_dir, server.port, "localhost", strict="set")
    assert out["python"] == [3, 10]
    assert (out["default_strict"], out["strict"]) == (False, True)
    assert out.get("error") is None, out
    assert out["answer"] == "hello client"


def server_without_aki(folder: Path, out: Path) -> tuple[Path, Path]:
    """A server certificate from intermediate2 that lacks authorityKeyIdentifier, as
    `openssl x509 -req` without -extfile would make (but v3, so only AKI is missing)."""
    issuer = x509.load_pem_x509_certificate((folder / "intermediate2.crt").read_bytes())
    issuer_key = serialization.load_pem_private_key(
        (folder / "intermediate2.key").read_bytes(), None)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(issuer.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(issuer_key, hashes.SHA256()))
    out.mkdir(exist_ok=True)
    chain = out / "chain.crt"
    chain.write_bytes(certificate.public_bytes(serialization.Encoding.PEM)
                      + (folder / "intermediate2.crt").read_bytes()
                      + (folder / "intermediate1.crt").read_bytes())
    key_path = out / "server.key"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return chain, key_path


@pytest.mark.skipif(PYTHON_313 is None, reason="Python 3.13 is not installed")
def test_python_313_default_refuses_a_certificate_without_aki(set_dir, tmp_path):
    chain, key = server_without_aki(set_dir, tmp_path / "no-aki")
    with OneShotServer(chain, key, client_cas(set_dir)) as server:
        out = run_client(PYTHON_313, set_dir, server.port, "localhost", strict="default")
    assert out.get("error") == "CERTIFICATE_VERIFY_FAILED", out
    assert "Missing Authority Key Identifier" in out["message"]


@pytest.mark.skipif(ssl.OPENSSL_VERSION_INFO < (3, 0), reason="OpenSSL 1.1 strict mode "
                    "does not check key identifiers")
def test_strict_flag_in_this_python_refuses_a_certificate_without_aki(set_dir, tmp_path):
    chain, key = server_without_aki(set_dir, tmp_path / "no-aki")
    context = ssl.create_default_context(cafile=str(set_dir / "root.crt"))
    context.verify_flags |= ssl.VERIFY_X509_STRICT
    context.load_cert_chain(set_dir / "client.crt", set_dir / "client.key")
    with OneShotServer(chain, key, client_cas(set_dir)) as server, \
            socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw, \
            pytest.raises(ssl.SSLCertVerificationError, match="Missing Authority Key"):
        context.wrap_socket(raw, server_hostname="localhost")
