"""nginx and Kubernetes configuration from a set, and a real nginx serving it."""

import base64
import shutil
import subprocess

import pytest

from pkilab.deploy import (
    client_ca_bundle,
    kubernetes_ca_secret,
    kubernetes_ingress,
    kubernetes_tls_secret,
    nginx_lab_config,
    nginx_server_block,
)
from pkilab.errors import InputError
from pkilab.nginx import NginxServer, find_nginx

CURL = shutil.which("curl")


def test_server_block_one_way_is_the_seeds(set_dir):
    block = nginx_server_block(set_dir, server_name="example.com")
    assert "listen 443 ssl;" in block and "server_name example.com;" in block
    assert f"ssl_certificate     {set_dir.resolve() / 'fullchain.crt'};" in block
    assert "ssl_verify_client" not in block


@pytest.mark.parametrize("mode, verify", [("on", "on"), ("optional", "optional"),
                                          ("optional_no_ca", "optional_no_ca")])
def test_server_block_mutual(set_dir, mode, verify):
    block = nginx_server_block(set_dir, mtls=mode)
    assert f"ssl_verify_client {verify};" in block
    assert "ssl_verify_depth 3;" in block and "client-ca.crt" in block


def test_bad_mode_and_missing_files(tmp_path, set_dir):
    with pytest.raises(InputError) as info:
        nginx_server_block(set_dir, mtls="sometimes")
    assert info.value.code == "unknown_mode"
    with pytest.raises(InputError, match="missing"):
        client_ca_bundle(tmp_path)
    bundle = client_ca_bundle(set_dir)
    assert bundle.count(b"BEGIN CERTIFICATE") == 3


def test_kubernetes_objects_hold_the_files(set_dir):
    yaml = pytest.importorskip("yaml")
    fullchain = (set_dir / "fullchain.crt").read_bytes()
    key = (set_dir / "server.key").read_bytes()
    secret = yaml.safe_load(kubernetes_tls_secret("lab-tls", fullchain, key))
    assert secret["type"] == "kubernetes.io/tls"
    assert base64.b64decode(secret["data"]["tls.crt"]) == fullchain
    assert base64.b64decode(secret["data"]["tls.key"]) == key
    ca = yaml.safe_load(kubernetes_ca_secret("lab-ca", client_ca_bundle(set_dir)))
    assert base64.b64decode(ca["data"]["ca.crt"]).count(b"BEGIN CERTIFICATE") == 3
    ingress = yaml.safe_load(kubernetes_ingress("lab", "lab.example", "lab-tls", "web",
                                                client_ca_secret="lab-ca"))
    notes = ingress["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/auth-tls-verify-client"] == "on"
    assert notes["nginx.ingress.kubernetes.io/auth-tls-secret"] == "default/lab-ca"
    assert ingress["spec"]["tls"][0]["hosts"] == ["lab.example"]
    plain = yaml.safe_load(kubernetes_ingress("lab", "lab.example", "lab-tls", "web"))
    assert "annotations" not in plain["metadata"]


needs_nginx = pytest.mark.skipif(find_nginx() is None or CURL is None,
                                 reason="nginx and curl are needed")


def curl(url, folder, *extra):
    return subprocess.run([CURL, "-sS", "--cacert", str(folder / "root.crt"), *extra, url],
                          capture_output=True, text=True, timeout=20)


@needs_nginx
def test_lab_config_passes_nginx_t(set_dir, tmp_path):
    (tmp_path / "tmp").mkdir()
    (set_dir / "client-ca.crt").write_bytes(client_ca_bundle(set_dir))
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_lab_config(set_dir, tmp_path, port=1, mtls="on"))
    done = subprocess.run([find_nginx(), "-t", "-c", str(conf), "-p", str(tmp_path), "-e",
                           str(tmp_path / "error.log")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr


@needs_nginx
def test_real_nginx_the_seeds_three_curl_cases(set_dir):
    with NginxServer(set_dir, mtls="on") as nginx:
        for client in ("client", "client2"):
            done = curl(nginx.url, set_dir, "--cert", str(set_dir / f"{client}.crt"),
                        "--key", str(set_dir / f"{client}.key"))
            assert done.returncode == 0, done.stderr
            assert f"CN={client}" in done.stdout and "verify: SUCCESS" in done.stdout
        refused = curl(nginx.url, set_dir)
        assert "400 No required SSL certificate was sent" in refused.stdout


@needs_nginx
def test_real_nginx_one_way_and_shallow_depth(set_dir):
    with NginxServer(set_dir) as nginx:
        done = curl(nginx.url, set_dir)
        assert done.returncode == 0 and "verify: NONE" in done.stdout
    with NginxServer(set_dir, mtls="on", verify_depth=1) as nginx:
        done = curl(nginx.url, set_dir, "--cert", str(set_dir / "client.crt"), "--key",
                    str(set_dir / "client.key"))
        assert "400" in done.stdout and "certificate" in done.stdout.lower()
