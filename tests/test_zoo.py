"""The failure zoo: every case does what its line says, for Python's ssl and for curl."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from pkilab.cli import main
from pkilab.errors import InputError
from pkilab.load import load_certificates
from pkilab.tls import request
from pkilab.zoo import CASES, Zoo, build_zoo
from pkilab.zoo_check import (
    check_zoo,
    curl_verdict,
    openssl_verdict,
    plain,
    python_ssl,
    run_curl,
    table,
)


@pytest.fixture(scope="module")
def zoo(tmp_path_factory):
    with Zoo(tmp_path_factory.mktemp("zoo")) as running:
        yield running


def _served(zoo, name):
    case = zoo.case(name)
    if case.available:
        pytest.skip(f"{name}: {case.available}")
    return case


@pytest.mark.parametrize("name", list(CASES))
def test_python_ssl_does_what_the_line_says(zoo, name):
    case = _served(zoo, name)
    verdict = python_ssl(case, zoo.directory)
    assert verdict.accepted == (case.expectation.outcome == "accept"), verdict


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
@pytest.mark.parametrize("name", list(CASES))
def test_curl_does_what_the_line_says(zoo, name):
    case = _served(zoo, name)
    verdict = run_curl(case, zoo.directory)
    assert verdict.accepted == (case.expectation.outcome == "accept"), verdict


def test_without_the_crl_the_revoked_case_is_accepted(zoo):
    """What the revoked line says: a client that checks no CRL does not notice."""
    case = zoo.case("revoked")
    reply = request(case.url, ca=zoo.directory / "root.crt")
    assert reply.status == 200


def test_the_mtls_cases_answer_the_zoo_client(zoo):
    for name in ("client-cert-required", "client-cert-wrong-ca"):
        reply = request(zoo.case(name).url, ca=zoo.directory / "root.crt",
                        cert=zoo.directory / "client.crt", key=zoo.directory / "client.key")
        assert reply.status == 200


def test_reasons_are_the_intended_ones(zoo):
    words = {case.name: plain(python_ssl(case, zoo.directory).words)
             for case in zoo.cases if not case.available}
    assert words["expired"] == "expired"
    assert words["wrong-host"] == "wrong host name"
    assert words["self-signed"] == "self-signed"
    assert words["incomplete-chain"] == "no path to a trusted root"
    assert words["revoked"] == "revoked (on the CRL)"
    assert words["sha1-signature"] == "SHA-1 signature too weak"
    assert words["rsa-1024"] == "key too small"


def test_the_table_has_a_line_per_case_and_no_surprises(zoo):
    clients = ["python-ssl"]
    text = table(check_zoo(zoo, clients), clients)
    assert len(text.splitlines()) == len(CASES) + 2
    assert "!" not in "".join(text.splitlines()[1:-1])


def test_certificates_are_dated_from_the_start():
    now = dt.datetime(2036, 6, 1, tzinfo=dt.timezone.utc)
    material = build_zoo(now)
    by_name = {case.name: case.chain[0] for case in material.cases}
    assert by_name["good"].not_valid_before_utc <= now < by_name["good"].not_valid_after_utc
    assert by_name["expired"].not_valid_after_utc < now
    assert by_name["not-yet-valid"].not_valid_before_utc > now
    assert len(load_certificates(material.files["client.crt"][0])) == 2


def test_fixed_ports_follow_the_case_order(tmp_path):
    with pytest.raises(InputError) as info:
        Zoo(tmp_path, port=65530)
    assert info.value.code == "bad_port"


def test_verdict_parsers():
    assert curl_verdict(0, "200", "").accepted
    refused = curl_verdict(60, "000", "curl: (60) SSL certificate problem: certificate has "
                           "expired\nMore details here")
    assert not refused.accepted and refused.words == "certificate has expired"
    assert openssl_verdict(0, "HTTP/1.1 200 OK\n").accepted
    assert openssl_verdict(1, "verify error:num=10:certificate has expired\n").words == \
        "certificate has expired"


def test_cli_check_prints_the_table(tmp_path, capsys):
    assert main(["zoo", str(tmp_path), "--check"]) == 0
    out = capsys.readouterr().out
    for name in CASES:
        assert name in out
    assert "python-ssl" in out


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_curl_without_a_crl_accepts_the_revoked_case(zoo):
    import subprocess

    case = zoo.case("revoked")
    done = subprocess.run(["curl", "-sS", "--cacert", str(zoo.directory / "root.crt"),
                           case.url], capture_output=True, text=True, timeout=20)
    assert done.returncode == 0 and "handshake succeeded" in done.stdout


def _s_client(case, folder, *flags):
    import subprocess

    argv = ["openssl", "s_client", "-connect", f"127.0.0.1:{case.port}", "-servername",
            "localhost", "-CAfile", str(folder / "root.crt"), "-ign_eof", *flags]
    done = subprocess.run(argv, input="GET / HTTP/1.1\r\nHost: localhost\r\n"
                          "Connection: close\r\n\r\n", capture_output=True, text=True,
                          timeout=20)
    return done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_s_client_checks_the_host_only_when_asked(zoo):
    case = zoo.case("wrong-host")
    assert "HTTP/1.1 200" in _s_client(case, zoo.directory, "-verify_return_error")
    assert "HTTP/1.1 200" not in _s_client(case, zoo.directory, "-verify_return_error",
                                           "-verify_hostname", "localhost")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_s_client_carries_on_after_a_bad_chain_unless_told(zoo):
    case = zoo.case("expired")
    output = _s_client(case, zoo.directory)
    assert "certificate has expired" in output and "HTTP/1.1 200" in output
    assert "HTTP/1.1 200" not in _s_client(case, zoo.directory, "-verify_return_error")


def test_zoo_table_leaves_out_clients_that_are_not_installed(zoo, monkeypatch):
    import pkilab.zoo_check as zoo_check

    monkeypatch.setattr(zoo_check, "available_clients", lambda: ["python-ssl"])
    assert zoo_check.zoo_table(zoo, ["curl", "openssl"]) == \
        "(curl, openssl not installed here: left out)"
    text = zoo_check.zoo_table(zoo, ["python-ssl", "curl"])
    assert text.startswith("(curl not installed here") and "python-ssl" in text


def test_cli_zoo_serves_until_ctrl_c(tmp_path):
    import os
    import re
    import signal
    import subprocess
    import sys

    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "pkilab", "zoo", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        good = next(ln for ln in lines if ln.startswith("good "))
        url = re.search(r"https://localhost:\d+/", good).group(0)
        assert request(url, ca=tmp_path / "root.crt").status == 200
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=15)
    assert proc.returncode == 0
    assert sum(1 for ln in lines if re.match(r"\S+ +https://localhost:\d+/ ", ln)) >= 13
