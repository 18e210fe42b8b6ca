"""Run a real nginx on 127.0.0.1 for a lesson or a test, and always stop it.

    with NginxServer(set_dir, mtls="on") as nginx:
        print(nginx.url)        # https://localhost:PORT/

nginx is optional: :func:`find_nginx` returns None where it is not installed (Debian
puts it in /usr/sbin, which is not on every user's PATH).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from .deploy import client_ca_bundle, nginx_lab_config
from .errors import PkilabError, TLSError


def find_nginx() -> str | None:
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def free_port() -> int:
    # nginx cannot bind port 0 and tell us the port; ask the kernel for a free one.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _missing_nginx() -> PkilabError:
    return PkilabError("nginx is not installed", "",
                       "install it (apt-get install nginx) or skip this step",
                       code="tool_missing")


def nginx_config_test(block: str, folder: str | os.PathLike[str] = ".") -> tuple[bool, str]:
    """Run ``nginx -t`` on a server block (wrapped in a lab nginx.conf, listening on
    127.0.0.1): ``(accepted, nginx's first complaint)``. Raises a pkilab error (code
    ``tool_missing``) where nginx is not installed.

    ``nginx -t`` reads the certificate and key files the block names, so their paths
    must exist on this machine.
    """
    binary = find_nginx()
    if binary is None:
        raise _missing_nginx()
    with tempfile.TemporaryDirectory(prefix="pkilab-nginx-t-") as name:
        work = Path(name)
        (work / "tmp").mkdir()
        conf = work / "nginx.conf"
        conf.write_text(nginx_lab_config(folder, work, port=free_port(), block=block))
        done = subprocess.run([binary, "-t", "-q", "-c", str(conf), "-p", str(work), "-e",
                               str(work / "error.log")], capture_output=True, text=True,
                              timeout=20)
    lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
    # nginx's first complaint is the useful one; its date and process id are noise
    first = next((line for line in lines if "[emerg]" in line), lines[0] if lines else "")
    first = re.sub(r"^.*?\[emerg\] \d+#\d+: ", "", first).replace(str(work) + "/", "")
    return done.returncode == 0, first or "syntax is ok"


def _children(pid: int) -> set[int]:
    """The worker processes of nginx's master (Linux: /proc; elsewhere: unknown)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return set()
    return {int(p) for p in text.split()}


def _write_stapling_file(folder: str | os.PathLike[str]) -> None:
    from .ocsp import stapling_response

    (Path(folder) / "server.ocsp").write_bytes(stapling_response(folder))


def write_crl_chain(folder: str | os.PathLike[str]) -> None:
    """Write ``crl-chain.pem`` for ``ssl_crl`` when the set has CRLs (see
    :func:`pkilab.revoke.crl_chain`); call it again, then :meth:`NginxServer.reload`,
    after a new revocation."""
    from .revoke import crl_chain

    if (Path(folder) / "crl.pem").is_file():
        (Path(folder) / "crl-chain.pem").write_bytes(crl_chain(folder))


class NginxServer:
    """nginx serving a ``pkilab init`` folder; a context manager that always stops it.

    ``allow`` and ``upstream`` are :func:`~pkilab.nginx_server_block`'s; ``block`` serves
    a server block written elsewhere instead (its ``listen`` moves to 127.0.0.1).
    """

    def __init__(self, folder: str | os.PathLike[str], *, mtls: str = "off",
                 verify_depth: int = 3, allow: Sequence[str] | None = None,
                 upstream: str | None = None, block: str | None = None,
                 start_timeout: float = 10, stapling: bool = False) -> None:
        self.folder = Path(folder)
        self.mtls = mtls
        self.verify_depth = verify_depth
        self.allow = allow
        self.upstream = upstream
        self.block = block
        #: staple an OCSP answer about server.crt (written to server.ocsp at each start
        #: and reload)
        self.stapling = stapling
        self.start_timeout = start_timeout
        self.port = 0
        self.config = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: tempfile.TemporaryDirectory[str] | None = None

    @property
    def url(self) -> str:
        return f"https://localhost:{self.port}/"

    def __enter__(self) -> NginxServer:
        binary = find_nginx()
        if binary is None:
            raise _missing_nginx()
        self._workdir = tempfile.TemporaryDirectory(prefix="pkilab-nginx-")
        work = Path(self._workdir.name)
        (work / "tmp").mkdir()
        if self.mtls != "off" and self.block is None:
            (self.folder / "client-ca.crt").write_bytes(client_ca_bundle(self.folder))
            write_crl_chain(self.folder)
        if self.stapling:
            _write_stapling_file(self.folder)
        self.port = free_port()
        self.config = nginx_lab_config(self.folder, work, port=self.port, mtls=self.mtls,
                                       verify_depth=self.verify_depth, allow=self.allow,
                                       upstream=self.upstream, block=self.block,
                                       stapling=self.stapling)
        conf = work / "nginx.conf"
        conf.write_text(self.config)
        self._process = subprocess.Popen(
            [binary, "-c", str(conf), "-p", str(work), "-e", str(work / "error.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            self._wait_until_listening(work)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_until_listening(self, work: Path) -> None:
        deadline = time.monotonic() + self.start_timeout
        assert self._process is not None
        while True:
            with contextlib.suppress(OSError), socket.create_connection(
                    ("127.0.0.1", self.port), timeout=1):
                return
            if self._process.poll() is not None or time.monotonic() > deadline:
                log = (work / "error.log").read_text() if (work / "error.log").exists() else ""
                raise TLSError("nginx did not start", (log.strip().splitlines() or ["?"])[-1],
                               "check the configuration with nginx -t",
                               code="nginx_did_not_start")
            time.sleep(0.05)

    def reload(self, timeout: float = 10) -> None:
        """``nginx -s reload``: re-read the configuration and the files it names.

        nginx reads ``ssl_crl`` (like the certificates) only when it starts or reloads:
        a revocation is invisible to a running nginx until then. This rewrites
        ``crl-chain.pem`` from the set's CRLs, sends SIGHUP to the master, and returns
        once the old workers have gone (their replacements use the new files).
        """
        import signal

        if self._process is None:
            raise TLSError("this nginx is not running", "", "start it first (with ...:)",
                           code="nginx_not_running")
        if self.mtls != "off" and self.block is None:
            write_crl_chain(self.folder)
        if self.stapling:
            _write_stapling_file(self.folder)
        old = _children(self._process.pid)
        self._process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            now = _children(self._process.pid)
            if now and not (now & old):
                return
            time.sleep(0.02)
        raise TLSError("nginx did not reload in time", "its old workers are still running",
                       "check its error.log", code="nginx_reload_timeout")

    def __exit__(self, *exc_info: object) -> None:
        if self._process is not None:
            self._process.terminate()  # SIGTERM: the master stops its worker, then exits
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(5)
            if self._process.stderr:
                self._process.stderr.close()
            self._process = None
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None
