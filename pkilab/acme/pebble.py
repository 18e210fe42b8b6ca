"""Run Let's Encrypt's ACME test server ``pebble`` on 127.0.0.1, and always stop it.

    with PebbleServer() as pebble:
        issue = pebble.issue(["www.pkilab.test"])

Debian's ``pebble`` package ships the server and ``pebble-challtestsrv`` but not the
listener certificate its example configuration names, and that example listens on every
interface. Here pkilab makes the listener certificate (a throw-away root that only the
ACME client trusts), every port is on 127.0.0.1, and ``pebble-challtestsrv`` runs as
pebble's DNS server only, answering 127.0.0.1 for every name: that is what lets pebble
validate ``www.pkilab.test`` against the notebook's own HTTP-01 server.

Set for lessons and tests: ``PEBBLE_VA_NOSLEEP=1`` (no random wait before validating),
``PEBBLE_WFE_NONCEREJECT=0`` (pebble otherwise refuses 5 % of good nonces on purpose),
``PEBBLE_AUTHZREUSE=0`` (every order gets fresh authorizations).

Limits: pebble keeps everything in memory and makes a new root and intermediate on
every start (fetch them from the management port: :meth:`PebbleServer.root`); it runs on
the real clock even under ``faketime`` (Go does not read the time through libc).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ..ca import CertificateAuthority
from ..errors import InputError, PkilabError, TLSError
from ..files import write_output
from ..keys import PrivateKey

if TYPE_CHECKING:
    from .flow import AcmeIssue

_TOOLS = ("pebble", "pebble-challtestsrv")


def find_pebble() -> str | None:
    """The ``pebble`` binary, or None where it (or ``pebble-challtestsrv``) is missing."""
    found = [shutil.which(t) for t in _TOOLS]
    return found[0] if all(found) else None


def _free_port() -> int:
    # pebble cannot bind port 0 and report it; ask the kernel for a free one
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _pem(*certificates: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def _key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


class PebbleServer:
    """pebble (and its fake DNS) on 127.0.0.1; a context manager that always stops them.

    ``folder``: where the configuration, the listener certificate and pebble's log go
    (``FOLDER/pebble/``, visible in JupyterLab); a temporary folder when None.
    ``validity_days``: the lifetime of the certificates pebble issues (pebble's own
    default is five years). ``blocked``: names pebble refuses to issue for (its
    ``domainBlocklist``, a CA's "high-risk names" list in miniature).

    After the ``with`` line: :attr:`directory_url` (the only URL an ACME client is
    given), :attr:`http_port` (where pebble fetches HTTP-01 tokens), :attr:`listener_root`
    (whom the client trusts for HTTPS to pebble; not the root of what pebble issues).
    """

    def __init__(self, folder: str | os.PathLike[str] | None = None, *,
                 validity_days: int | None = None, blocked: Sequence[str] = (),
                 start_timeout: float = 15) -> None:
        if validity_days is not None and (not isinstance(validity_days, int)
                                          or validity_days < 1):
            raise InputError(f"validity_days={validity_days!r} is not a number of days", "",
                             "pass a whole number of days, 1 or more",
                             code="bad_validity_days")
        self.folder = None if folder is None else Path(folder)
        self.validity_days = validity_days
        self.blocked = list(blocked)
        self.start_timeout = start_timeout
        self.acme_port = self.management_port = self.http_port = self.dns_port = 0
        self.listener_root: x509.Certificate | None = None
        self.config: dict[str, Any] = {}
        self.workdir: Path | None = None
        self._temp: tempfile.TemporaryDirectory[str] | None = None
        self._processes: list[subprocess.Popen[bytes]] = []

    # ---- URLs -------------------------------------------------------------------------

    @property
    def directory_url(self) -> str:
        return f"https://localhost:{self.acme_port}/dir"

    @property
    def management_url(self) -> str:
        return f"https://localhost:{self.management_port}"

    @property
    def listener_root_file(self) -> Path:
        return self._work() / "listener-root.crt"

    def _work(self) -> Path:
        if self.workdir is None:
            raise PkilabError("pebble is not running", "", "use PebbleServer in a with block",
                              code="server_not_running")
        return self.workdir

    # ---- start and stop ---------------------------------------------------------------

    def __enter__(self) -> PebbleServer:
        if self._processes:
            raise PkilabError("this pebble is already running", "starting it again would "
                              "leave the first one behind", "stop() it first, or use a new "
                              "PebbleServer", code="already_running")
        binary = find_pebble()
        if binary is None:
            raise PkilabError("pebble is not installed", "the lesson's ACME server is "
                              "Debian's pebble package (pebble and pebble-challtestsrv)",
                              "install it (apt-get install pebble) or skip this step",
                              code="tool_missing")
        if self.folder is None:
            self._temp = tempfile.TemporaryDirectory(prefix="pkilab-pebble-")
            self.workdir = Path(self._temp.name)
        else:
            self.workdir = self.folder / "pebble"
            self.workdir.mkdir(parents=True, exist_ok=True)
        try:
            self._write_configuration()
            self._start(binary)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def start(self) -> PebbleServer:
        """Start outside a ``with`` block; :meth:`stop` it (a later cell, say)."""
        return self.__enter__()

    def stop(self) -> None:
        self.__exit__(None, None, None)

    def _write_configuration(self) -> None:
        work = self._work()
        listener_ca = CertificateAuthority.create_root("/O=pkilab/CN=pebble listener root")
        listener = listener_ca.issue_server(["localhost", "127.0.0.1"])
        assert listener.private_key is not None
        self.listener_root = listener_ca.certificate
        write_output(work / "listener.crt", _pem(*listener.fullchain), overwrite=True)
        write_output(work / "listener.key", _key_pem(listener.private_key), private=True,
                     overwrite=True)
        write_output(self.listener_root_file, _pem(listener_ca.certificate), overwrite=True)
        self.acme_port, self.management_port, self.http_port, self.dns_port = (
            _free_port() for _ in range(4))
        pebble: dict[str, Any] = {
            "listenAddress": f"127.0.0.1:{self.acme_port}",
            "managementListenAddress": f"127.0.0.1:{self.management_port}",
            "certificate": str(work / "listener.crt"),
            "privateKey": str(work / "listener.key"),
            "httpPort": self.http_port,
            "tlsPort": _free_port(),
            "ocspResponderURL": "",
            "externalAccountBindingRequired": False,
            "domainBlocklist": self.blocked,
        }
        if self.validity_days is not None:
            pebble["certificateValidityPeriod"] = self.validity_days * 86400
        self.config = {"pebble": pebble}
        write_output(work / "config.json", json.dumps(self.config, indent=2).encode(),
                     overwrite=True)

    def _start(self, binary: str) -> None:
        work = self._work()
        management = _free_port()
        # DNS only: every other listener of challtestsrv is switched off ("")
        dns = [shutil.which("pebble-challtestsrv") or "pebble-challtestsrv",
               "-dns01", f"127.0.0.1:{self.dns_port}", "-http01", "", "-https01", "",
               "-tlsalpn01", "", "-management", f"127.0.0.1:{management}",
               "-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""]
        env = dict(os.environ, PEBBLE_VA_NOSLEEP="1", PEBBLE_WFE_NONCEREJECT="0",
                   PEBBLE_AUTHZREUSE="0")
        for argv, log in ((dns, "dns.log"),
                          ([binary, "-config", str(work / "config.json"), "-dnsserver",
                            f"127.0.0.1:{self.dns_port}"], "pebble.log")):
            with open(work / log, "wb") as out:
                self._processes.append(subprocess.Popen(
                    argv, env=env, stdout=out, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL))
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while True:
            with contextlib.suppress(OSError, urllib.error.URLError):
                self._get(self.directory_url)
                return
            gone = [p for p in self._processes if p.poll() is not None]
            if gone or time.monotonic() > deadline:
                raise TLSError("pebble did not start", self._last_log_line(),
                               f"read {self._work() / 'pebble.log'}",
                               code="pebble_did_not_start")
            time.sleep(0.05)

    def _last_log_line(self) -> str:
        for name in ("pebble.log", "dns.log"):
            path = self._work() / name
            lines = path.read_text(errors="replace").strip().splitlines() \
                if path.exists() else []
            if lines:
                return lines[-1]
        return "it printed nothing"

    def __exit__(self, *exc_info: object) -> None:
        for process in self._processes:
            process.terminate()
        for process in self._processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        self._processes = []
        if self._temp is not None:
            self._temp.cleanup()
            self._temp = None
        self.workdir = None

    # ---- what pebble offers -----------------------------------------------------------

    def _get(self, url: str) -> bytes:
        context = ssl.create_default_context(cafile=str(self.listener_root_file))
        with urllib.request.urlopen(url, context=context, timeout=10) as reply:
            return reply.read()

    def _management(self, path: str) -> x509.Certificate:
        try:
            return x509.load_pem_x509_certificate(self._get(self.management_url + path))
        except (OSError, ValueError) as exc:
            raise TLSError(f"pebble's management port did not give {path}", str(exc),
                           "is pebble still running?", code="pebble_unreachable") from None

    def root(self) -> x509.Certificate:
        """pebble's current root (``/roots/0``): the anchor of what it issues. Random on
        every start, and not in any trust store."""
        return self._management("/roots/0")

    def intermediate(self) -> x509.Certificate:
        """pebble's current intermediate (``/intermediates/0``), which signs the leaves."""
        return self._management("/intermediates/0")

    def issue(self, names_or_csr: Sequence[str] | x509.CertificateSigningRequest, *,
              key: PrivateKey | None = None, email: str | None = None) -> AcmeIssue:
        """One whole ACME issuance against this pebble (see :func:`pkilab.acme_issue`),
        answering HTTP-01 with a fresh :class:`HTTP01Server` on :attr:`http_port`; the
        result carries pebble's root."""
        from .challenge import HTTP01Server
        from .flow import acme_issue

        with HTTP01Server(self.http_port) as tokens:
            issued = acme_issue(self.directory_url, names_or_csr, key=key, email=email,
                                ca=self.listener_root_file, challenge_server=tokens)
        issued.root = self.root()
        return issued
