"""Bytes after a DER structure: one rule (refuse, code trailing_bytes) at every entry point.

Before, ``pkilab convert`` cut them off silently while ``pkilab verify`` refused the
same file; OpenSSL's command line ignores them, cryptography refuses them.
"""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from pkilab import load
from pkilab.cli import main
from pkilab.csr import build_csr
from pkilab.errors import InputError
from pkilab.formats import identify, load_any, pkcs7, pkcs12
from pkilab.formats.keys import key_bytes
from pkilab.pem import encode

EXTRA = b"\n"  # what a text editor adds; the smallest case


def _code(call, *args, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        call(*args, **kwargs)
    return info.value.code


@pytest.fixture(scope="module")
def der_files(certset):
    server = certset.server
    return {
        "certificate": server.certificate.public_bytes(Encoding.DER),
        "key": key_bytes(server.private_key, "pkcs8", der=True),
        "csr": build_csr(server.private_key, "/CN=x.test").public_bytes(Encoding.DER),
        "p12": pkcs12.export(server.private_key, server.certificate, server.chain, "123456"),
        "p7b": pkcs7.export(server.fullchain),
    }


def test_the_loaders_refuse_trailing_bytes(der_files):
    assert _code(load.load_certificates, der_files["certificate"] + EXTRA) == "trailing_bytes"
    assert _code(load.load_private_key, der_files["key"] + EXTRA) == "trailing_bytes"
    assert _code(load.load_csr, der_files["csr"] + EXTRA) == "trailing_bytes"
    # and the same bytes without the extra one load
    assert load.load_certificates(der_files["certificate"])


@pytest.mark.parametrize("kind", ["certificate", "key", "csr", "p12", "p7b"])
def test_identify_names_them_and_load_any_refuses_them(der_files, kind):
    data = der_files[kind] + b"\x00\x00\x00"
    found = identify(data)
    assert found.kind != "unknown" and any("3 extra byte" in w for w in found.warnings)
    assert _code(load_any, data, "123456", name=f"x.{kind}") == "trailing_bytes"
    assert load_any(der_files[kind], "123456").is_empty() is False


def test_a_pem_block_with_trailing_bytes_inside_is_refused_too(certset, der_files):
    text = encode("CERTIFICATE", der_files["certificate"] + b"\x00")
    assert _code(load.load_certificates, text) == "trailing_bytes"
    assert _code(load_any, text) == "trailing_bytes"
    assert any("extra bytes" in w for w in identify(text).warnings)


@pytest.fixture()
def trailing_file(tmp_path, der_files, set_dir):
    path = tmp_path / "server.der"
    path.write_bytes(der_files["certificate"] + EXTRA)
    return path


@pytest.mark.parametrize("command", ["convert", "inspect", "verify"])
def test_every_command_refuses_the_same_file(trailing_file, set_dir, tmp_path, command,
                                             capsys):
    args = {"convert": ["convert", str(trailing_file), str(tmp_path / "out.pem")],
            "inspect": ["inspect", str(trailing_file)],
            "verify": ["verify", str(trailing_file), "--ca", str(set_dir / "root.crt")]}
    assert main(args[command]) == 2
    err = capsys.readouterr().err
    assert "extra byte" in err and "Traceback" not in err
    assert not (tmp_path / "out.pem").exists()
