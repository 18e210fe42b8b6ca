"""nginx with ssl_crl: the seed's three curl cases, a fourth for the revoked client2, and
the reload nginx needs before it sees a new CRL. Real nginx and curl where installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import pkilab
from pkilab.certset import build_certificate_set, write_certificate_set
from pkilab.deploy import client_ca_bundle, nginx_server_block
from pkilab.nginx import find_nginx

CURL = shutil.which("curl")
pytestmark = pytest.mark.skipif(find_nginx() is None or CURL is None,
                                reason="needs nginx and curl")


@pytest.fixture
def folder(tmp_path) -> Path:
    write_certificate_set(build_certificate_set(), tmp_path / "set")
    return tmp_path / "set"


def curl(url: str, folder: Path, client: str | None = None) -> tuple[str, str]:
    cmd = [CURL, "-s", "--max-time", "10", "-w", "\n%{http_code}", "--cacert",
           str(folder / "root.crt")]
    if client:
        cmd += ["--cert", str(folder / f"{client}.crt"), "--key", str(folder / f"{client}.key")]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=30).stdout
    body, _, status = out.rpartition("\n")
    return status, body


def test_ssl_crl_is_in_the_block_only_when_the_set_has_a_crl(folder):
    directive = "\n    ssl_crl "
    assert directive not in nginx_server_block(folder, mtls="on")
    pkilab.revoke_certificate(folder, "client2")
    assert directive in nginx_server_block(folder, mtls="on")
    assert directive not in nginx_server_block(folder, mtls="off")
    assert directive not in nginx_server_block(folder, mtls="on", crl=False)


def test_nginx_refuses_the_revoked_client_and_serves_the_others(folder):
    pkilab.revoke_certificate(folder, "client2", "keyCompromise")
    with pkilab.NginxServer(folder, mtls="on") as nginx:
        assert "ssl_crl" in nginx.config
        no_cert = curl(nginx.url, folder)
        assert no_cert[0] == "400" and "No required SSL certificate was sent" in no_cert[1]
        assert curl(nginx.url, folder, "client")[0] == "200"
        revoked = curl(nginx.url, folder, "client2")
        assert revoked[0] == "400" and "The SSL certificate error" in revoked[1]


def test_nginx_sees_a_new_crl_only_after_a_reload(folder):
    pkilab.revoke_certificate(folder, "client", "superseded")
    with pkilab.NginxServer(folder, mtls="on") as nginx:
        assert curl(nginx.url, folder, "client2")[0] == "200"
        pkilab.revoke_certificate(folder, "client2", "keyCompromise")
        assert curl(nginx.url, folder, "client2")[0] == "200"  # still the old list
        nginx.reload()
        assert curl(nginx.url, folder, "client2")[0] == "400"


def test_nginx_with_only_the_leaf_crl_refuses_everyone(folder):
    """Why crl-chain.pem holds every CA's list: nginx checks the whole chain."""
    pkilab.revoke_certificate(folder, "client2")
    (folder / "client-ca.crt").write_bytes(client_ca_bundle(folder))
    block = nginx_server_block(folder, mtls="on").replace(
        str(folder / "crl-chain.pem"), str(folder / "crl.pem"))
    assert str(folder / "crl.pem") in block
    with pkilab.NginxServer(folder, block=block) as nginx:
        assert curl(nginx.url, folder, "client")[0] == "400"

