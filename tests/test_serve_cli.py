"""pkilab serve: exit codes, and the seed's three curl cases against the real command."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys

import pytest
from tls_fixtures import lab_set

from pkilab.certset import write_certificate_set
from pkilab.cli import main
from pkilab.cli.serve_cmd import curl_commands
from pkilab.tls import NO_CERT_TEXT, TLSConnectionError, request


@pytest.fixture(scope="module")
def set_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve") / "lab"
    write_certificate_set(lab_set(), folder)
    return folder


def test_bad_folder_exits_2(tmp_path, capsys):
    assert main(["serve", str(tmp_path / "nothing")]) == 2
    assert "pkilab init" in capsys.readouterr().err


def test_incomplete_folder_exits_2(tmp_path, capsys):
    (tmp_path / "root.crt").write_text("x")
    assert main(["serve", str(tmp_path)]) == 2
    assert "missing" in capsys.readouterr().err


def test_allow_without_mtls_exits_2(set_folder, capsys):
    assert main(["serve", str(set_folder), "--allow", "client"]) == 2
    assert "mutual TLS" in capsys.readouterr().err


def test_curl_commands_never_use_k():
    lines = curl_commands("https://localhost:8443/", "lab", ["client", "client2"], "required")
    assert lines == [
        "curl --cacert lab/root.crt --cert lab/client.crt --key lab/client.key "
        "https://localhost:8443/",
        "curl --cacert lab/root.crt --cert lab/client2.crt --key lab/client2.key "
        "https://localhost:8443/",
        "curl --cacert lab/root.crt https://localhost:8443/"]
    assert not any(" -k" in line for line in lines)


class Served:
    """``pkilab serve`` as a child process; reads the URL it prints."""

    def __init__(self, *args: str) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen([sys.executable, "-m", "pkilab", "serve", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=env)
        self.header = []
        for line in self.proc.stdout:
            self.header.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        found = re.search(r"https://localhost:\d+/", "".join(self.header))
        assert found, "".join(self.header) + self.proc.stderr.read()
        self.url = found.group(0)

    def stop(self) -> tuple[int, str]:
        self.proc.send_signal(signal.SIGINT)
        out, _err = self.proc.communicate(timeout=10)
        return self.proc.returncode, out


def test_serve_runs_until_ctrl_c(set_folder):
    served = Served(str(set_folder), "--mtls", "required", "--allow", "client")
    try:
        assert any("--cacert" in line and "--cert" in line for line in served.header)
        ok = request(served.url, ca=set_folder / "root.crt", cert=set_folder / "client.crt",
                     key=set_folder / "client.key")
        denied = request(served.url, ca=set_folder / "root.crt",
                         cert=set_folder / "client2.crt", key=set_folder / "client2.key")
        with pytest.raises(TLSConnectionError):
            request(served.url, ca=set_folder / "root.crt", tls_version="1.2")
    finally:
        code, out = served.stop()
    assert (ok.status, denied.status) == (200, 403)
    assert code == 0
    assert "Stopped." in out
    assert "request  200" in out and "handshake-failed" in out


@pytest.mark.tool
@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_seeds_three_curl_cases(set_folder):
    # nginx's ssl_verify_client answers 400 without a certificate: --mtls optional
    served = Served(str(set_folder), "--mtls", "on")
    try:
        def curl(*extra: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                ["curl", "-sS", "--max-time", "10", "--cacert", str(set_folder / "root.crt"),
                 "-w", "\n%{http_code}", *extra, served.url],
                capture_output=True, text=True, timeout=20)

        first = curl("--cert", str(set_folder / "client.crt"),
                     "--key", str(set_folder / "client.key"))
        second = curl("--cert", str(set_folder / "client2.crt"),
                      "--key", str(set_folder / "client2.key"))
        third = curl()
    finally:
        code, _out = served.stop()
    assert first.returncode == 0 and first.stdout.endswith("\n200"), first.stderr
    assert "Hello, client!" in first.stdout
    assert second.returncode == 0 and "Hello, client2!" in second.stdout
    assert third.returncode == 0 and third.stdout.endswith("\n400")
    assert NO_CERT_TEXT in third.stdout
    assert code == 0


@pytest.mark.tool
@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_without_certificate_against_required_mode_fails(set_folder):
    served = Served(str(set_folder), "--mtls", "required")
    try:
        result = subprocess.run(["curl", "-sS", "--max-time", "10", "--cacert",
                                 str(set_folder / "root.crt"), served.url],
                                capture_output=True, text=True, timeout=20)
    finally:
        code, _ = served.stop()
    assert result.returncode != 0  # 56 (alert at the first read, TLS 1.3) or 35
    assert code == 0
