"""Lesson 00's appendix for readers in China: its statements about the tools here stay
true (notebooks/CLAIMS.md names these tests)."""

from __future__ import annotations

import shutil
import ssl
import subprocess

import pytest
from cryptography.hazmat.primitives.asymmetric import ec


def _openssl(*args: str) -> str:
    done = subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=30)
    return done.stdout + done.stderr


@pytest.mark.tool
@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_openssl_has_sm2_and_sm3_but_no_sm_cipher_suites_for_tls():
    assert "SM2" in _openssl("list", "-public-key-algorithms")
    assert "SM3" in _openssl("list", "-digest-algorithms")
    suites = _openssl("ciphers", "-v", "ALL:COMPLEMENTOFALL")
    assert suites.strip() and "SM4" not in suites and "SM3" not in suites


def test_python_ssl_offers_no_sm_cipher_suites():
    names = [c["name"] for c in ssl.create_default_context().get_ciphers()]
    assert names and not [n for n in names if "SM4" in n or "SM3" in n]


def test_cryptography_has_no_sm2_curve():
    """No SM2 curve to make a key (and so a certificate) with."""
    assert not [name for name in dir(ec) if "SM2" in name.upper()]
