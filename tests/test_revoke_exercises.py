"""Lesson 08's exercise checks look at real work: the CRL file on disk, a real server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

import pkilab
from pkilab.certset import build_certificate_set, write_certificate_set
from pkilab.exercises import l08


@pytest.fixture
def folder(tmp_path) -> Path:
    cs = build_certificate_set(seed="l08-exercise-tests")
    write_certificate_set(cs, tmp_path / "set")
    new = cs.intermediate2.issue_client("client2")
    (tmp_path / "set" / "client2-new.crt").write_bytes(
        new.certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "set" / "client2-new.key").write_bytes(new.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    pkilab.revoke_certificate(tmp_path / "set", "client2", "keyCompromise")
    return tmp_path / "set"


def test_exercise1_wants_client_on_the_crl_with_a_reason(folder, capsys):
    assert not l08.revoked_client_check(None, folder)
    assert not l08.revoked_client_check(pkilab.revoke_certificate(folder, "client2"), folder)
    assert "'client'" in capsys.readouterr().out
    backup = folder.parent / "crl-before.pem"
    shutil.copy(folder / "crl.pem", backup)
    unspecified = pkilab.revoke_certificate(folder, "client")
    assert not l08.revoked_client_check(unspecified, folder)
    assert "reason" in capsys.readouterr().out
    shutil.copy(backup, folder / "crl.pem")  # start over: client not yet on the list
    done = pkilab.revoke_certificate(folder, "client", "superseded")
    assert l08.revoked_client_check(done, folder)
    # the check reads the file, not the answer: a list replaced behind its back fails
    shutil.copy(backup, folder / "crl.pem")
    assert not l08.revoked_client_check(done, folder)


def test_exercise2_connects_as_the_lost_and_the_new_laptop(folder):
    assert not l08.refusing_server_check(None, folder)
    with pkilab.HTTPSServer(folder, mtls="required", crl=False) as careless:
        assert not l08.refusing_server_check(careless, folder)
    with pkilab.HTTPSServer(folder, mtls="off") as one_way:
        assert not l08.refusing_server_check(one_way, folder)
    stopped = pkilab.HTTPSServer(folder, mtls="required")
    assert not l08.refusing_server_check(stopped, folder)
    with pkilab.HTTPSServer(folder, mtls="required") as locked:
        assert l08.refusing_server_check(locked, folder)
