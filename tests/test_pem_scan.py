"""pkilab.pem: the one PEM scanner (blocks, line numbers, stray BEGIN lines, the cap),
and the inputs that used to take minutes, fed through the real command line."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import given, settings
from hypothesis import strategies as st

from pkilab import load, pem
from pkilab.errors import InputError
from pkilab.formats import identify, load_any


@pytest.fixture(scope="module")
def chain_pem(certset) -> bytes:
    return b"".join(c.public_bytes(Encoding.PEM) for c in certset.server.fullchain)


def test_blocks_labels_and_line_numbers(certset, chain_pem):
    key = certset.server.private_key
    from pkilab.formats.keys import key_bytes

    data = b"text before\n" + chain_pem + key_bytes(key, "pkcs8")
    blocks = pem.find_blocks(data)
    assert [b.label for b in blocks] == ["CERTIFICATE"] * 3 + ["PRIVATE KEY"]
    lines = data.split(b"\n")
    for block in blocks:
        assert lines[block.line - 1].startswith(b"-----BEGIN " + block.label.encode())
    assert blocks[0].der == certset.server.certificate.public_bytes(Encoding.DER)
    assert all(b.closed and not b.problem for b in blocks)
    assert load.pem_labels(data) == ["CERTIFICATE"] * 3 + ["PRIVATE KEY"]


def test_stray_begin_is_one_damaged_block_and_the_rest_still_reads(certset, chain_pem):
    data = b"-----BEGIN CERTIFICATE-----\nAAAA\n" + chain_pem
    blocks = pem.find_blocks(data)
    assert len(blocks) == 4
    assert not blocks[0].closed and "END line is missing" in blocks[0].problem
    assert blocks[1].line == 3 and not blocks[1].problem
    with pytest.raises(InputError) as info:
        load.certificates_from_bytes(data)
    assert info.value.code == "damaged_certificate" and "line 1" in info.value.what


def test_mismatched_end_label_and_cut_file(certset):
    text = certset.server.certificate.public_bytes(Encoding.PEM)
    swapped = text.replace(b"END CERTIFICATE", b"END PRIVATE KEY")
    (block,) = pem.find_blocks(swapped)
    assert "ends with END PRIVATE KEY" in block.problem
    (cut,) = pem.find_blocks(text[:-40])
    assert not cut.closed and "cut short" in cut.problem
    assert load.pem_labels(text[:-40]) == []


def test_an_end_without_begin_is_ignored(certset):
    text = b"-----END CERTIFICATE-----\n" + certset.root.certificate.public_bytes(Encoding.PEM)
    assert [b.label for b in pem.find_blocks(text)] == ["CERTIFICATE"]


def test_the_cap_is_a_clear_error_everywhere():
    data = b"-----BEGIN CERTIFICATE-----\n" * (pem.MAX_BLOCKS + 1)
    with pytest.raises(InputError) as info:
        pem.find_blocks(data)
    assert info.value.code == "too_many_blocks"
    assert len(pem.find_blocks(data, limit=None)) == pem.MAX_BLOCKS + 1
    with pytest.raises(InputError) as info:
        load.certificates_from_bytes(data)
    assert info.value.code == "too_many_blocks"
    assert identify(data).kind == "too-many-blocks"
    with pytest.raises(InputError) as info:
        load_any(data, name="big.pem")
    assert info.value.code == "too_many_blocks" and "big.pem" in info.value.what
    # exactly at the cap is still read
    assert len(pem.find_blocks(b"-----BEGIN X-----\n" * pem.MAX_BLOCKS)) == pem.MAX_BLOCKS


def test_key_and_csr_loaders_use_the_scanner(certset, chain_pem):
    from pkilab.csr import build_csr
    from pkilab.formats.keys import key_bytes

    key = certset.server.private_key
    mixed = chain_pem + key_bytes(key, "pkcs8")
    assert load.load_private_key(mixed).public_key() == key.public_key()
    csr = build_csr(key, "/CN=example.test").public_bytes(Encoding.PEM)
    assert load.load_csr(chain_pem + csr).subject.rfc4514_string() == "CN=example.test"
    with pytest.raises(InputError) as info:
        load.load_private_key(chain_pem)
    assert info.value.code == "not_a_key"
    with pytest.raises(InputError) as info:
        load.load_csr(chain_pem)
    assert info.value.code == "not_a_csr"


# --- the issue's inputs, through the command line, guarded by a timeout only ------------

_RUN = textwrap.dedent("""
    import sys
    from pkilab.cli import main
    sys.exit(main(sys.argv[1:]))
""")


def _pkilab(*args: str) -> subprocess.CompletedProcess[str]:
    # a generous timeout guards against a hang; no timing is asserted
    return subprocess.run([sys.executable, "-c", _RUN, *args], capture_output=True,
                          text=True, timeout=60)


def _ends_as_pkilab(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr
    assert result.returncode in (0, 1, 2)
    if result.returncode == 2:
        assert result.stderr.startswith("pkilab: ")


@pytest.fixture(scope="module")
def big_inputs(tmp_path_factory, certset):
    from pkilab.ca import CertificateAuthority

    folder = tmp_path_factory.mktemp("big")
    (folder / "stray.pem").write_bytes(b"-----BEGIN CERTIFICATE-----\n" * 5000)
    root = CertificateAuthority.create_root("/CN=big root", seed="big")
    ca = root.issue_intermediate("/CN=big intermediate")
    distinct = [ca.issue_server([f"h{i}.test"]).certificate.public_bytes(Encoding.PEM)
                for i in range(100)]
    (folder / "bundle.pem").write_bytes(b"".join(distinct[i % 100] for i in range(10000)))
    (folder / "root.crt").write_bytes(root.certificate.public_bytes(Encoding.PEM))
    return folder


@pytest.mark.parametrize("name", ["stray.pem", "bundle.pem"])
@pytest.mark.parametrize("command", ["verify", "inspect"])
def test_huge_pem_inputs_end_promptly_with_a_pkilab_answer(big_inputs, name, command):
    path = str(big_inputs / name)
    args = [command, path] + (["--ca", str(big_inputs / "root.crt")]
                              if command == "verify" else [])
    result = _pkilab(*args)
    _ends_as_pkilab(result)
    # the one too_many_blocks error (its code is checked in-process above)
    assert result.returncode == 2 and f"more than {pem.MAX_BLOCKS} PEM blocks" in result.stderr


_PIECES = [b"-----BEGIN CERTIFICATE-----\n", b"-----END CERTIFICATE-----\n",
           b"-----BEGIN PRIVATE KEY-----\n", b"-----END PRIVATE KEY-----\n",
           b"MIIB\n", b"\n", b"-----", b"!!\n", b"Proc-Type: 4,ENCRYPTED\n"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60))
def test_any_arrangement_of_markers_gives_blocks_not_exceptions(pieces):
    data = b"".join(pieces)
    blocks = pem.find_blocks(data)
    assert len(blocks) <= data.count(b"-----BEGIN ")
    lines = [block.line for block in blocks]
    assert lines == sorted(lines) and all(1 <= n <= data.count(b"\n") + 1 for n in lines)
    for block in blocks:
        assert bool(block.problem) != bool(block.der)  # damaged, or decoded: never both
        assert b"-----BEGIN " in data.split(b"\n")[block.line - 1]


def test_serve_with_stray_begin_lines_in_its_fullchain_refuses_at_once(tmp_path):
    # issue 9 §3: this server never started; now it refuses with the one error
    from pkilab.certset import build_certificate_set, write_certificate_set

    folder = tmp_path / "set"
    write_certificate_set(build_certificate_set(seed="stray-serve"), folder)
    with (folder / "fullchain.crt").open("ab") as handle:
        handle.write(b"-----BEGIN CERTIFICATE-----\n" * 3000)
    result = _pkilab("serve", str(folder), "--port", "0")
    _ends_as_pkilab(result)
    assert result.returncode == 2 and f"more than {pem.MAX_BLOCKS} PEM blocks" in result.stderr
