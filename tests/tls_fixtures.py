"""Certificate material shared by the TLS, trace and serve tests (imported, not a conftest).

Sets are built once per test session (EC keys: about a millisecond each).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading

from pkilab.ca import IssuedCertificate
from pkilab.certset import CertificateSet, build_certificate_set

PAST = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)


@functools.cache
def lab_set() -> CertificateSet:
    """The set the servers serve: root -> intermediate1 -> intermediate2 -> server, clients."""
    return build_certificate_set(seed="tests-tls")


@functools.cache
def foreign_set() -> CertificateSet:
    """Another CA with the *same names* (O=pkilab): only the keys differ."""
    return build_certificate_set(seed="tests-tls-foreign")


@functools.cache
def expired_client() -> IssuedCertificate:
    """A client certificate from the right CA that expired on 2020-01-02."""
    return lab_set().intermediate2.issue_client("old-client", not_before=PAST, days=1)


@functools.cache
def expired_server() -> IssuedCertificate:
    return lab_set().intermediate2.issue_server(["localhost"], not_before=PAST, days=1)


def root():
    return lab_set().root.certificate


def client(name: str = "client") -> IssuedCertificate:
    return lab_set().clients[name]


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def pkilab_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("pkilab-https")]
