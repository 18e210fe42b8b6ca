"""Shared fixtures: certificate sets in memory and on disk."""

from __future__ import annotations

import pytest

from pkilab.certset import CertificateSet, build_certificate_set, write_certificate_set


@pytest.fixture(scope="session")
def certset() -> CertificateSet:
    """A random EC set (root -> intermediate1 -> intermediate2 -> server, client, client2)."""
    return build_certificate_set()


@pytest.fixture(scope="session")
def set_dir(tmp_path_factory, certset):
    """The same set written to disk under the seed's file names."""
    folder = tmp_path_factory.mktemp("set")
    write_certificate_set(certset, folder)
    return folder
