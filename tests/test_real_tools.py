"""Everything ``pkilab init`` writes, checked by the real tools people will use it with.

``openssl verify -x509_strict`` (with purpose, host name and IP checks), curl in a real
mutual-TLS handshake (PEM files and the .p12), keytool, nginx with the seed's three
curl cases, and Python's ``ssl`` with ``VERIFY_X509_STRICT``. Each tool's test is
skipped where the tool is missing; CI installs them all (.ci/run).

The set is made the way a learner makes it: ``python -m pkilab init DIR`` in a
subprocess, once per key kind.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

KINDS = ("ec", "ec384", "rsa2048", "ed25519")
P12_PASSWORD = "123456"  # pkilab init's default, the seed's example

OPENSSL = shutil.which("openssl")
CURL = shutil.which("curl")
KEYTOOL = shutil.which("keytool")
# Debian puts nginx in /usr/sbin, which is not on every user's PATH.
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")

pytestmark = pytest.mark.tool

needs = {name: pytest.mark.skipif(path is None, reason=f"{name} is not installed")
         for name, path in (("openssl", OPENSSL), ("curl", CURL), ("keytool", KEYTOOL),
                            ("nginx", NGINX))}


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    """Run a tool; never hangs a test run."""
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, **kwargs)


@pytest.fixture(scope="module", params=KINDS)
def made(request, tmp_path_factory) -> Path:
    """A folder written by ``python -m pkilab init DIR --key KIND`` (one per key kind)."""
    folder = tmp_path_factory.mktemp(f"init-{request.param}") / "set"
    result = run([sys.executable, "-m", "pkilab", "init", str(folder), "--key", request.param])
    assert result.returncode == 0, result.stderr
    return folder


def test_init_writes_the_seed_file_names(made):
    names = {p.name for p in made.iterdir()}
    assert names == {"root.key", "root.crt", "intermediate1.key", "intermediate1.crt",
                     "intermediate2.key", "intermediate2.crt", "server.key", "server.crt",
                     "fullchain.crt", "client.key", "client.crt", "client.p12",
                     "client2.key", "client2.crt", "client2.p12"}


# ---- openssl verify -x509_strict -------------------------------------------------------------

def openssl_verify(folder: Path, leaf: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return run([OPENSSL, "verify", "-x509_strict", *flags, "-CAfile", "root.crt",
                "-untrusted", "intermediate2.crt", "-untrusted", "intermediate1.crt", leaf],
               cwd=folder)


@needs["openssl"]
def test_openssl_strict_accepts_the_server_for_its_name_and_ip(made):
    for flags in (("-verify_hostname", "localhost"), ("-verify_ip", "127.0.0.1")):
        result = openssl_verify(made, "server.crt", "-purpose", "sslserver", *flags)
        assert (result.returncode, result.stdout.strip()) == (0, "server.crt: OK"), \
            result.stderr
    # The same flags do refuse what is wrong, so the OKs above mean something.
    wrong = openssl_verify(made, "server.crt", "-purpose", "sslserver",
                           "-verify_hostname", "wrong.example")
    assert wrong.returncode != 0 and "hostname mismatch" in wrong.stderr


@needs["openssl"]
@pytest.mark.parametrize("client", ["client.crt", "client2.crt"])
def test_openssl_strict_accepts_the_clients(made, client):
    result = openssl_verify(made, client, "-purpose", "sslclient")
    assert (result.returncode, result.stdout.strip()) == (0, f"{client}: OK"), result.stderr
    as_server = openssl_verify(made, client, "-purpose", "sslserver")
    assert as_server.returncode != 0 and "unsuitable certificate purpose" in as_server.stderr


@needs["openssl"]
def test_openssl_strict_accepts_the_intermediates_as_cas(made):
    first = run([OPENSSL, "verify", "-x509_strict", "-CAfile", "root.crt",
                 "intermediate1.crt"], cwd=made)
    second = run([OPENSSL, "verify", "-x509_strict", "-CAfile", "root.crt",
                  "-untrusted", "intermediate1.crt", "intermediate2.crt"], cwd=made)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr


# ---- a tiny mutual-TLS server ---------------------------------------------------------------

def client_ca_bundle(folder: Path) -> Path:
    """root + intermediates: what a server needs to verify clients that send only their
    leaf (curl --cert client.crt does); the chain still has to end at the root."""
    bundle = folder.parent / "client-ca.crt"
    bundle.write_bytes(b"".join((folder / n).read_bytes()
                                for n in ("root.crt", "intermediate1.crt", "intermediate2.crt")))
    return bundle


class MutualTLSServer:
    """HTTPS on 127.0.0.1 (port 0) in a thread, client certificate required.

    Serves ``fullchain.crt`` + ``server.key``; answers ``hello CN`` with the client's
    common name and records each client's CN (or the handshake error). Quiet, bounded,
    always stopped by the ``with`` block.
    """

    def __init__(self, folder: Path, *, strict: bool = True) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(folder / "fullchain.crt", folder / "server.key")
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(cafile=client_ca_bundle(folder))
        if strict:
            context.verify_flags |= ssl.VERIFY_X509_STRICT
        self.context = context
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.clients: list[str] = []
        self.errors: list[Exception] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> MutualTLSServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(10)
        self.listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                try:
                    self._answer(conn)
                except Exception as exc:  # recorded for the test to show, never raised here
                    self.errors.append(exc)

    def _answer(self, conn: socket.socket) -> None:
        with self.context.wrap_socket(conn, server_side=True) as tls:
            subject = dict(item for rdn in tls.getpeercert()["subject"] for item in rdn)
            self.clients.append(subject["commonName"])
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = tls.recv(4096)
                if not chunk:
                    break
                request += chunk
            body = f"hello {subject['commonName']}\n".encode()
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                        + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)


def curl(port: int, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # --resolve pins localhost to 127.0.0.1: curl may try ::1 first, where nothing listens.
    return run([CURL, "-sS", "--max-time", "10", "--resolve", f"localhost:{port}:127.0.0.1",
                "--cacert", "root.crt", "-w", "\n%{http_code}", *args,
                f"https://localhost:{port}/"], cwd=folder)


@needs["curl"]
def test_curl_mutual_tls_with_pem_files_and_p12(made):
    with MutualTLSServer(made) as server:
        pem = curl(server.port, made, "--cert", "client.crt", "--key", "client.key")
        p12 = curl(server.port, made, "--cert", f"client2.p12:{P12_PASSWORD}",
                   "--cert-type", "P12")
        anonymous = curl(server.port, made)
    assert (pem.returncode, pem.stdout) == (0, "hello client\n\n200"), pem.stderr
    assert (p12.returncode, p12.stdout) == (0, "hello client2\n\n200"), p12.stderr
    # Without a certificate the handshake fails (curl 35 or 56, depending on when the
    # TLS 1.3 alert arrives), and the server saw only the two good clients.
    assert anonymous.returncode != 0
    assert server.clients == ["client", "client2"]


# ---- Python ssl, strict -----------------------------------------------------------------------

@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_python_ssl_strict_mutual_handshake(made, host):
    client_context = ssl.create_default_context(cafile=str(made / "root.crt"))
    client_context.verify_flags |= ssl.VERIFY_X509_STRICT
    client_context.load_cert_chain(made / "client.crt", made / "client.key")
    with MutualTLSServer(made, strict=True) as server, \
            socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw, \
            client_context.wrap_socket(raw, server_hostname=host) as tls:
        names = [value for kind, value in tls.getpeercert()["subjectAltName"]]
        tls.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        answer = b""
        while chunk := tls.recv(4096):
            answer += chunk
    assert answer.endswith(b"hello client\n")
    assert names == ["localhost", "127.0.0.1"]
    assert server.context.verify_flags & ssl.VERIFY_X509_STRICT
    assert server.errors == []


# ---- keytool ---------------------------------------------------------------------------------

@needs["keytool"]
def test_keytool_lists_one_private_key_entry_with_its_chain(made):
    # -J flags: a quicker JVM start (client compiler only), about 0.5 s saved per run
    result = run([KEYTOOL, "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-list", "-v",
                  "-keystore", "client.p12", "-storetype", "PKCS12", "-storepass", P12_PASSWORD],
                 cwd=made)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Your keystore contains 1 entry" in result.stdout
    assert "Entry type: PrivateKeyEntry" in result.stdout
    # client, intermediate2, intermediate1 (the root stays out, as in fullchain.crt)
    assert "Certificate chain length: 3" in result.stdout


# ---- nginx: the seed's three curl cases ---------------------------------------------------------

def free_port() -> int:
    # nginx cannot listen on port 0 and report back; ask the OS for a free port instead.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def nginx_conf(workdir: Path, folder: Path, port: int, verify_depth: int | None) -> Path:
    temp = workdir / "tmp"
    temp.mkdir(exist_ok=True)
    depth = f"ssl_verify_depth {verify_depth};" if verify_depth else ""
    conf = workdir / "nginx.conf"
    conf.write_text(f"""
daemon off;
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{ worker_connections 16; }}
http {{
    access_log off;
    client_body_temp_path {temp}; proxy_temp_path {temp}; fastcgi_temp_path {temp};
    uwsgi_temp_path {temp}; scgi_temp_path {temp};
    server {{
        listen 127.0.0.1:{port} ssl;
        server_name localhost;
        ssl_certificate {folder}/fullchain.crt;
        ssl_certificate_key {folder}/server.key;
        # Our clients are issued by intermediate2: nginx must know the whole chain up to
        # the root, and look that deep (ssl_verify_depth defaults to 1).
        ssl_client_certificate {client_ca_bundle(folder)};
        ssl_verify_client on;
        {depth}
        location / {{ default_type text/plain; return 200 "hello $ssl_client_s_dn\\n"; }}
    }}
}}
""")
    return conf


@contextlib.contextmanager
def running_nginx(conf: Path, port: int):
    workdir = conf.parent
    process = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(workdir), "-e",
                                str(workdir / "error.log")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port),
                                                                         timeout=1):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                log = (workdir / "error.log").read_text() if (workdir / "error.log").exists() \
                    else ""
                pytest.fail(f"nginx did not start: {process.stderr.read().decode()} {log}")
            time.sleep(0.05)
        yield process
    finally:
        process.terminate()  # SIGTERM: the master stops its worker and exits
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        process.stderr.close()


@needs["nginx"]
@needs["curl"]
@pytest.mark.parametrize("kind", ["ec", "rsa2048"])
def test_nginx_mutual_tls_the_seeds_three_cases(tmp_path, kind):
    folder = tmp_path / "set"
    made_here = run([sys.executable, "-m", "pkilab", "init", str(folder), "--key", kind])
    assert made_here.returncode == 0, made_here.stderr
    port = free_port()
    conf = nginx_conf(tmp_path, folder, port, verify_depth=3)
    checked = run([NGINX, "-t", "-c", str(conf), "-p", str(tmp_path), "-e",
                   str(tmp_path / "error.log")])
    assert checked.returncode == 0 and "test is successful" in checked.stderr, checked.stderr
    with running_nginx(conf, port):
        one = curl(port, folder, "--cert", "client.crt", "--key", "client.key")
        two = curl(port, folder, "--cert", "client2.crt", "--key", "client2.key")
        none = curl(port, folder)
    assert (one.returncode, one.stdout) == (0, "hello CN=client,O=pkilab\n\n200"), one.stderr
    assert (two.returncode, two.stdout) == (0, "hello CN=client2,O=pkilab\n\n200"), two.stderr
    assert none.returncode == 0 and none.stdout.endswith("\n400")
    assert "No required SSL certificate was sent" in none.stdout


@needs["nginx"]
@needs["curl"]
def test_nginx_default_verify_depth_refuses_clients_of_an_intermediate(tmp_path):
    """Why the config above says ssl_verify_depth 3: with nginx's default of 1, a client
    certificate two intermediates below the root is refused."""
    folder = tmp_path / "set"
    assert run([sys.executable, "-m", "pkilab", "init", str(folder)]).returncode == 0
    port = free_port()
    with running_nginx(nginx_conf(tmp_path, folder, port, verify_depth=None), port):
        refused = curl(port, folder, "--cert", "client.crt", "--key", "client.key")
    assert refused.stdout.endswith("\n400")
    assert re.search(r"The SSL certificate error", refused.stdout)
