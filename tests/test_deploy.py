"""nginx and Kubernetes configuration from a set, and a real nginx serving it."""

import base64
import http.server
import json
import shutil
import subprocess
import threading

import pytest

from pkilab.certset import build_certificate_set, write_certificate_set
from pkilab.deploy import (
    GATEWAY_API_VERSION,
    cert_manager_ca_issuer,
    cert_manager_certificate,
    client_ca_bundle,
    gateway_api_gateway,
    gateway_api_httproute,
    kubernetes_ca_configmap,
    kubernetes_ca_secret,
    kubernetes_ingress,
    kubernetes_tls_secret,
    nginx_client_identity,
    nginx_lab_config,
    nginx_server_block,
    to_yaml,
)
from pkilab.errors import InputError
from pkilab.nginx import NginxServer, find_nginx, nginx_config_test

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
    with pytest.raises(InputError) as info:
        client_ca_bundle(tmp_path)
    assert info.value.code == "missing_set_file"
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


# ---- authorization: who may in, not only who you are --------------------------------


def test_allow_block_checks_the_verify_result_and_the_list(set_dir, certset):
    dn, sha1 = nginx_client_identity(certset.clients["client2"].certificate)
    assert dn == "CN=client2,O=pkilab" and len(sha1) == 40
    block = nginx_server_block(set_dir, mtls="optional_no_ca", allow=[dn, sha1.upper()])
    assert f'"{dn}" 1;' in block and f'"{sha1}" 1;' in block
    assert 'map "$ssl_client_verify:$pkilab_dn_ok_localhost_443$pkilab_fp_ok_localhost_443"' \
        in block and '"~^SUCCESS:.*1" 1;' in block
    assert block.index("map ") < block.index("server {")
    assert "error_page 495 496 =403" in block
    assert "if ($pkilab_allowed_localhost_443 = 0)" in block


@pytest.mark.parametrize("allow, mtls, code", [
    (["CN=client"], "off", "allow_needs_mtls"),
    ("CN=client", "on", "bad_allow_list"),
    ([], "on", "bad_allow_list"),
    (["client"], "on", "bad_allow_entry"),
    (['CN=x" 1; } server {'], "on", "bad_allow_entry"),
    (["ab" * 32], "on", "fingerprint_not_sha1"),
])
def test_allow_list_mistakes_have_codes(set_dir, allow, mtls, code):
    with pytest.raises(InputError) as info:
        nginx_server_block(set_dir, mtls=mtls, allow=allow)
    assert info.value.code == code


def test_upstream_forwards_only_a_verified_identity(set_dir):
    block = nginx_server_block(set_dir, mtls="optional_no_ca", upstream="http://127.0.0.1:9")
    assert "proxy_pass http://127.0.0.1:9;" in block
    assert "SUCCESS $ssl_client_s_dn;" in block and 'default "";' in block
    assert "proxy_set_header X-Client-DN $pkilab_verified_dn_localhost_443;" in block
    plain = nginx_server_block(set_dir, upstream="http://127.0.0.1:9")
    assert 'proxy_set_header X-Client-DN "";' in plain and "map " not in plain


def test_ingress_authorization_annotations():
    yaml = pytest.importorskip("yaml")
    ingress = yaml.safe_load(kubernetes_ingress(
        "lab", "lab.example", "lab-tls", "web", client_ca_secret="ca", match_cn="CN=client2",
        pass_certificate=True))
    notes = ingress["metadata"]["annotations"]
    prefix = "nginx.ingress.kubernetes.io/auth-tls-"
    assert notes[prefix + "match-cn"] == "CN=client2"
    assert notes[prefix + "pass-certificate-to-upstream"] == "true"
    assert notes[prefix + "verify-depth"] == "3"
    with pytest.raises(InputError) as info:
        kubernetes_ingress("lab", "lab.example", "lab-tls", "web", match_cn="CN=client2")
    assert info.value.code == "allow_needs_mtls"


def test_gateway_api_objects(set_dir):
    yaml = pytest.importorskip("yaml")
    assert GATEWAY_API_VERSION.startswith("v1.")
    gateway = yaml.safe_load(gateway_api_gateway("lab", "lab.example", "lab-tls",
                                                 client_ca_configmap="lab-client-ca"))
    assert gateway["apiVersion"] == "gateway.networking.k8s.io/v1"
    listener = gateway["spec"]["listeners"][0]
    assert listener["protocol"] == "HTTPS" and listener["hostname"] == "lab.example"
    assert listener["tls"] == {"mode": "Terminate",
                               "certificateRefs": [{"kind": "Secret", "name": "lab-tls"}]}
    validation = gateway["spec"]["tls"]["frontend"]["default"]["validation"]
    assert validation["caCertificateRefs"] == [{"kind": "ConfigMap", "group": "",
                                                "name": "lab-client-ca"}]
    assert validation["mode"] == "AllowValidOnly"
    fallback = yaml.safe_load(gateway_api_gateway("lab", "h", "s", client_ca_configmap="c",
                                                  allow_without_certificate=True))
    assert fallback["spec"]["tls"]["frontend"]["default"]["validation"]["mode"] == \
        "AllowInsecureFallback"
    assert "tls" not in yaml.safe_load(gateway_api_gateway("lab", "h", "s"))["spec"]
    route = yaml.safe_load(gateway_api_httproute("lab", "lab", "lab.example", "web"))
    assert route["kind"] == "HTTPRoute" and route["spec"]["parentRefs"] == [{"name": "lab"}]
    assert route["spec"]["rules"][0]["backendRefs"] == [{"name": "web", "port": 80}]
    bundle = client_ca_bundle(set_dir)
    configmap = yaml.safe_load(kubernetes_ca_configmap("lab-client-ca", bundle))
    assert configmap["kind"] == "ConfigMap" and configmap["data"]["ca.crt"] == bundle.decode()


def test_cert_manager_objects():
    yaml = pytest.importorskip("yaml")
    issuer = yaml.safe_load(cert_manager_ca_issuer("lab-ca", "intermediate2-tls"))
    assert issuer["apiVersion"] == "cert-manager.io/v1" and issuer["kind"] == "Issuer"
    assert issuer["spec"] == {"ca": {"secretName": "intermediate2-tls"}}
    cert = yaml.safe_load(cert_manager_certificate("api", "api-tls", ["api.example"], "lab-ca"))
    spec = cert["spec"]
    assert spec["secretName"] == "api-tls" and spec["dnsNames"] == ["api.example"]
    assert spec["issuerRef"] == {"name": "lab-ca", "kind": "Issuer", "group": "cert-manager.io"}
    assert spec["usages"] == ["server auth"] and spec["renewBefore"] == "720h"
    client = yaml.safe_load(cert_manager_certificate("alice", "alice-tls", [], "lab-ca",
                                                     usages=["client auth"],
                                                     common_name="alice"))
    assert client["spec"]["commonName"] == "alice" and "dnsNames" not in client["spec"]
    with pytest.raises(InputError) as info:
        cert_manager_certificate("x", "x", "api.example", "lab-ca")
    assert info.value.code == "bad_names"


@pytest.mark.parametrize("value", ["on", "yes", "0123", "a: b", "x\ny", "x\ny\n", " x\n", "",
                                   "- x", "#x", "true", "~", "2160h", "CN=a,O=b"])
def test_to_yaml_keeps_text_as_text(value):
    yaml = pytest.importorskip("yaml")
    assert yaml.safe_load(to_yaml({"k": value, "n": 3, "b": True, "l": [value]})) == \
        {"k": value, "n": 3, "b": True, "l": [value]}


@pytest.fixture(scope="module")
def foreign_dir(tmp_path_factory):
    """Another CA's set with the same names: its client2 claims CN=client2,O=pkilab too."""
    folder = tmp_path_factory.mktemp("foreign")
    write_certificate_set(build_certificate_set(), folder)
    return folder


def curl_status(url, folder, client_dir=None, name=None, *extra):
    cert = ["--cert", str(client_dir / f"{name}.crt"), "--key", str(client_dir / f"{name}.key")] \
        if client_dir else []
    done = curl(url, folder, *cert, "-w", "\n%{http_code}", *extra)
    body, _, status = done.stdout.rpartition("\n")
    return int(status or 0), body


@needs_nginx
@pytest.mark.parametrize("mode", ["on", "optional_no_ca"])
def test_real_nginx_allow_list(set_dir, foreign_dir, certset, mode):
    dn, _ = nginx_client_identity(certset.clients["client2"].certificate)
    with NginxServer(set_dir, mtls=mode, allow=[dn]) as nginx:
        assert curl_status(nginx.url, set_dir, set_dir, "client2")[0] == 200
        status, body = curl_status(nginx.url, set_dir, set_dir, "client")
        assert status == 403 and "verify SUCCESS" in body   # valid, but not on the list
        status, body = curl_status(nginx.url, set_dir, foreign_dir, "client2")
        assert status == 403 and "FAILED" in body            # same DN, foreign CA
        assert curl_status(nginx.url, set_dir)[0] == 403       # no certificate


@needs_nginx
def test_real_nginx_allow_by_fingerprint(set_dir, certset):
    _, sha1 = nginx_client_identity(certset.clients["client"].certificate)
    with NginxServer(set_dir, mtls="on", allow=[sha1]) as nginx:
        assert curl_status(nginx.url, set_dir, set_dir, "client")[0] == 200
        assert curl_status(nginx.url, set_dir, set_dir, "client2")[0] == 403


class _EchoHeaders(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture()
def echo_upstream():
    backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EchoHeaders)
    thread = threading.Thread(target=backend.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{backend.server_address[1]}"
    backend.shutdown()
    backend.server_close()
    thread.join(5)


@needs_nginx
def test_real_nginx_forwards_the_verified_dn_and_drops_forged_headers(set_dir, foreign_dir,
                                                                      echo_upstream):
    forged = ["-H", "X-Client-DN: CN=admin", "-H", "X-Client-Verify: SUCCESS"]
    with NginxServer(set_dir, mtls="optional_no_ca", upstream=echo_upstream) as nginx:
        status, body = curl_status(nginx.url, set_dir, set_dir, "client", *forged)
        seen = json.loads(body)
        assert status == 200 and seen["x-client-dn"] == "CN=client,O=pkilab"
        assert seen["x-client-verify"] == "SUCCESS" and len(seen["x-client-fingerprint"]) == 40
        status, body = curl_status(nginx.url, set_dir, foreign_dir, "client", *forged)
        seen = json.loads(body)
        assert seen["x-client-verify"].startswith("FAILED")
        assert "x-client-dn" not in seen and "x-client-fingerprint" not in seen
        seen = json.loads(curl_status(nginx.url, set_dir, None, None, *forged)[1])
        assert seen["x-client-verify"] == "NONE" and "x-client-dn" not in seen


@needs_nginx
def test_nginx_config_test_accepts_a_block_and_refuses_a_broken_one(set_dir):
    (set_dir / "client-ca.crt").write_bytes(client_ca_bundle(set_dir))
    ok, _ = nginx_config_test(nginx_server_block(set_dir, mtls="optional"), set_dir)
    assert ok
    ok, message = nginx_config_test("server { ssl_verify_client sometimes; }\n", set_dir)
    assert not ok and "invalid value" in message and "nginx.conf:" in message
    ok, message = nginx_config_test(nginx_server_block(set_dir / "nowhere"), set_dir)
    assert not ok


@pytest.fixture(scope="module")
def expired_client(set_dir, certset):
    import datetime as dt

    from cryptography.hazmat.primitives import serialization

    old = certset.intermediate2.issue_client(
        "old-laptop", not_before=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc), days=1)
    (set_dir / "old-laptop.crt").write_bytes(old.certificate.public_bytes(
        serialization.Encoding.PEM))
    (set_dir / "old-laptop.key").write_bytes(old.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return set_dir


#: lesson 06's table of nginx's ssl_verify_client words, as measured here:
#: (no certificate, another CA's, an expired one, a valid one) -> status, verify result
NGINX_MODES_TABLE = {
    "on": ((400, None), (400, None), (400, None), (200, "SUCCESS")),
    "optional": ((200, "NONE"), (400, None), (400, None), (200, "SUCCESS")),
    "optional_no_ca": ((200, "NONE"), (200, "FAILED:"), (400, None), (200, "SUCCESS")),
}


@needs_nginx
@pytest.mark.parametrize("mode", sorted(NGINX_MODES_TABLE))
def test_real_nginx_modes_table_of_lesson_06(set_dir, foreign_dir, expired_client, mode):
    with NginxServer(set_dir, mtls=mode) as nginx:
        got = [curl_status(nginx.url, set_dir),
               curl_status(nginx.url, set_dir, foreign_dir, "client"),
               curl_status(nginx.url, set_dir, set_dir, "old-laptop"),
               curl_status(nginx.url, set_dir, set_dir, "client")]
    for (status, body), (want_status, want_verify) in zip(got, NGINX_MODES_TABLE[mode],
                                                          strict=True):
        assert status == want_status, (mode, status, body)
        if want_verify:
            assert f"(verify: {want_verify}" in body
        elif status == 400:
            assert "400" in body


@needs_nginx
@pytest.mark.parametrize("depth, status", [(1, 400), (2, 200)])
def test_real_nginx_root_only_ca_file_still_needs_depth(set_dir, certset, depth, status):
    """Lesson 06: the client sends its chain, nginx holds only root.crt: depth still counts."""
    from pkilab.tls import request

    block = nginx_server_block(set_dir, mtls="on", verify_depth=depth).replace(
        str(set_dir.resolve() / "client-ca.crt"), str(set_dir.resolve() / "root.crt"))
    with NginxServer(set_dir, block=block) as nginx:
        reply = request(nginx.url, ca=set_dir / "root.crt", cert=certset.clients["client"])
    assert reply.status == status and reply.sent_certificate
