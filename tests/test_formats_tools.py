"""openssl and keytool read what pkilab writes, and pkilab reads what they write."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from pkilab.certset import build_certificate_set
from pkilab.facts import fingerprint
from pkilab.facts import same_public_key as same_key
from pkilab.files import write_output
from pkilab.formats import identify, load_any
from pkilab.formats.bundle import join_pem
from pkilab.formats.convert import plan
from pkilab.formats.keys import key_bytes

PW = "123456"
needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
needs_keytool = pytest.mark.skipif(shutil.which("keytool") is None, reason="needs keytool")
pytestmark = pytest.mark.tool


def run(*argv: str, cwd: Path) -> str:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"{argv}: {done.stdout}{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def cs():
    return build_certificate_set(seed="test-formats-tools")


@pytest.fixture(scope="module")
def lab(tmp_path_factory, cs):
    """The client's files on disk, plus every format pkilab writes from them."""
    folder = tmp_path_factory.mktemp("formats-tools")
    client = cs.clients["client"]
    files = {
        "client.crt": join_pem([client.certificate]),
        "client.key": key_bytes(client.private_key, "pkcs8"),
        "bundle.pem": join_pem([client.certificate, *client.chain]) +
        key_bytes(client.private_key, "pkcs8"),
        "root.crt": join_pem([cs.root.certificate]),
    }
    for name, data in files.items():
        write_output(folder / name, data, private=name.endswith((".key", ".pem")))
    bundle = load_any(files["bundle.pem"])
    for target, name in [("p12", "client.p12"), ("p12-legacy", "client-legacy.p12"),
                         ("jks", "client.jks"), ("p7b", "chain.p7b")]:
        for output in plan(bundle, target, folder / name, password=PW, name="client"):
            write_output(output.path, output.data, private=output.private)
    root = load_any(files["root.crt"])
    for output in plan(root, "truststore", folder / "truststore.jks", password="changeit"):
        write_output(output.path, output.data)
    cert = load_any(files["client.crt"])
    for output in plan(cert, "der", folder / "client.der"):
        write_output(output.path, output.data)
    key = load_any(files["client.key"])
    for target, name, password in [("sec1", "client-sec1.key", None),
                                   ("pkcs8", "client-enc.key", PW),
                                   ("pkcs8", "client-key.der", None)]:
        for output in plan(key, target, folder / name, password=password):
            write_output(output.path, output.data, private=True)
    return folder


def _openssl_fingerprint(text: str) -> str:
    return text.strip().split("=", 1)[1]


# --- they read what pkilab writes -----------------------------------------------------

@needs_openssl
def test_openssl_reads_der_certificate(cs, lab):
    out = run("openssl", "x509", "-in", "client.der", "-inform", "der", "-noout",
              "-fingerprint", "-sha256", cwd=lab)
    assert _openssl_fingerprint(out) == fingerprint(cs.clients["client"].certificate)


@needs_openssl
@pytest.mark.parametrize("name", ["client.p12", "client-legacy.p12"])
def test_openssl_reads_pkilab_pkcs12_without_legacy_flag(cs, lab, name):
    out = run("openssl", "pkcs12", "-in", name, "-passin", f"pass:{PW}", "-nodes", cwd=lab)
    assert out.count("BEGIN CERTIFICATE") == 3 and "BEGIN PRIVATE KEY" in out
    assert "friendlyName: client" in out
    again = load_any(out.encode())
    assert same_key(again.private_keys[0], cs.clients["client"].private_key)


@needs_openssl
def test_openssl_reads_pkilab_pkcs7(cs, lab):
    out = run("openssl", "pkcs7", "-in", "chain.p7b", "-inform", "der", "-print_certs", cwd=lab)
    assert out.count("BEGIN CERTIFICATE") == 3
    assert "subject=O = pkilab, CN = client" in out


@needs_openssl
@pytest.mark.parametrize("name,extra", [("client-sec1.key", []),
                                        ("client-enc.key", ["-passin", f"pass:{PW}"]),
                                        ("client-key.der", ["-inform", "der"])])
def test_openssl_reads_pkilab_keys(lab, name, extra):
    out = run("openssl", "pkey", "-in", name, *extra, "-pubout", cwd=lab)
    expected = run("openssl", "x509", "-in", "client.crt", "-noout", "-pubkey", cwd=lab)
    assert out == expected


@needs_keytool
@pytest.mark.parametrize("name,storepass,entry", [
    ("client.jks", PW, "PrivateKeyEntry"),
    ("client.p12", PW, "PrivateKeyEntry"),
    ("client-legacy.p12", PW, "PrivateKeyEntry"),
    ("truststore.jks", "changeit", "trustedCertEntry"),
])
def test_keytool_lists_one_entry(lab, name, storepass, entry):
    out = run("keytool", "-list", "-v", "-keystore", name, "-storepass", storepass, cwd=lab)
    assert "Your keystore contains 1 entry" in out
    assert entry in out
    if entry == "PrivateKeyEntry":
        assert "Certificate chain length: 3" in out and "Alias name: client" in out


@needs_keytool
def test_keytool_lists_zero_entries_in_passwordless_p12(cs, tmp_path):
    """The trap pkilab warns about is real: no password, 0 entries."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    client = cs.clients["client"]
    (tmp_path / "nopw.p12").write_bytes(pkcs12.serialize_key_and_certificates(
        b"client", client.private_key, client.certificate, None,
        serialization.NoEncryption()))
    out = run("keytool", "-list", "-keystore", "nopw.p12", "-storepass", "", cwd=tmp_path)
    assert "contains 0 entries" in out
    contents = load_any((tmp_path / "nopw.p12").read_bytes(), name="nopw.p12")
    assert any("0 entries" in w for w in contents.warnings)


# --- pkilab reads what they write -----------------------------------------------------

@pytest.fixture(scope="module")
def keytool_stores(tmp_path_factory):
    """One keytool-generated key pair as JKS, then converted by keytool to PKCS#12."""
    if shutil.which("keytool") is None:
        pytest.skip("needs keytool")
    folder = tmp_path_factory.mktemp("keytool")
    run("keytool", "-genkeypair", "-alias", "java", "-keyalg", "EC", "-groupname",
        "secp256r1", "-dname", "CN=java.test", "-validity", "30", "-storetype", "JKS",
        "-keystore", "java.jks", "-storepass", PW, "-keypass", PW, cwd=folder)
    run("keytool", "-importkeystore", "-srckeystore", "java.jks", "-srcstorepass", PW,
        "-destkeystore", "java.p12", "-deststoretype", "PKCS12", "-deststorepass", PW,
        cwd=folder)
    run("keytool", "-exportcert", "-alias", "java", "-keystore", "java.jks", "-storepass", PW,
        "-file", "java.der", cwd=folder)
    return folder


@needs_keytool
@pytest.mark.parametrize("name,kind", [("java.jks", "jks"), ("java.p12", "pkcs12")])
def test_pkilab_reads_keytool_stores(keytool_stores, name, kind):
    data = (keytool_stores / name).read_bytes()
    assert identify(data).kind == kind
    contents = load_any(data, PW, name)
    assert contents.certificates[0].subject.rfc4514_string() == "CN=java.test"
    assert contents.friendly_names[0] == "java"
    exported = (keytool_stores / "java.der").read_bytes()
    assert contents.certificates[0].public_bytes(serialization.Encoding.DER) == exported
    key = contents.private_keys[0]
    assert key.public_key() == contents.certificates[0].public_key()


@needs_keytool
@pytest.mark.parametrize("store_type", ["JKS", "JCEKS"])
def test_pkilab_reads_keytool_truststore(cs, lab, tmp_path, store_type):
    run("keytool", "-importcert", "-noprompt", "-alias", "labroot", "-file",
        str(lab / "root.crt"), "-storetype", store_type, "-keystore", "trust.store",
        "-storepass", "changeit", cwd=tmp_path)
    data = (tmp_path / "trust.store").read_bytes()
    assert identify(data).kind == store_type.lower()
    contents = load_any(data, "changeit")
    assert contents.certificates == [cs.root.certificate]
    assert contents.friendly_names == ["labroot"]


@needs_openssl
@pytest.mark.parametrize("legacy", [False, True])
def test_pkilab_reads_openssl_pkcs12_export(cs, lab, tmp_path, legacy):
    out = tmp_path / "seed.p12"
    argv = ["openssl", "pkcs12", "-export", "-in", str(lab / "client.crt"), "-inkey",
            str(lab / "client.key"), "-out", str(out), "-passout", f"pass:{PW}",
            "-name", "client"]
    run(*(argv + (["-legacy"] if legacy else [])), cwd=tmp_path)
    data = out.read_bytes()
    found = identify(data)
    assert found.kind == "pkcs12"
    assert ("RC2-40" in found.description) is legacy
    assert any("-legacy" in w for w in found.warnings) is legacy
    contents = load_any(data, PW, "seed.p12")
    assert contents.certificates == [cs.clients["client"].certificate]
    assert same_key(contents.private_keys[0], cs.clients["client"].private_key)
    if legacy:  # OpenSSL 3 itself needs -legacy for the file it wrote
        done = subprocess.run(["openssl", "pkcs12", "-in", str(out), "-passin", f"pass:{PW}",
                               "-nodes"], capture_output=True, text=True, timeout=30)
        assert done.returncode != 0 and "unsupported" in done.stderr.lower()
        # ... and pkilab's re-export is readable without it
        modern = plan(contents, "p12", tmp_path / "modern.p12", password=PW)[0]
        (tmp_path / "modern.p12").write_bytes(modern.data)
        run("openssl", "pkcs12", "-in", "modern.p12", "-passin", f"pass:{PW}", "-nodes",
            cwd=tmp_path)


@needs_openssl
def test_pkilab_reads_openssl_keys(tmp_path):
    run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-out", "pkcs8.key", cwd=tmp_path)
    run("openssl", "pkey", "-in", "pkcs8.key", "-traditional", "-out", "sec1.key", cwd=tmp_path)
    run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-out", "ecparam.key",
        cwd=tmp_path)
    run("openssl", "pkcs8", "-topk8", "-in", "pkcs8.key", "-passout", f"pass:{PW}",
        "-out", "enc.key", cwd=tmp_path)
    first = load_any((tmp_path / "pkcs8.key").read_bytes()).private_keys[0]
    assert identify((tmp_path / "sec1.key").read_bytes()).kind == "pem-sec1-key"
    assert same_key(load_any((tmp_path / "sec1.key").read_bytes()).private_keys[0], first)
    assert same_key(load_any((tmp_path / "enc.key").read_bytes(), PW).private_keys[0], first)
    # `openssl ecparam -genkey` writes EC PARAMETERS before the key: both blocks are listed
    found = identify((tmp_path / "ecparam.key").read_bytes())
    assert found.labels == ["EC PARAMETERS", "EC PRIVATE KEY"]
    assert len(load_any((tmp_path / "ecparam.key").read_bytes()).private_keys) == 1


@needs_openssl
def test_openssl_crl2pkcs7_keeps_the_order_and_reads_without_a_warning(cs, lab, tmp_path,
                                                                        capsys):
    import warnings

    from pkilab.cli import main
    from pkilab.formats import pkcs7

    client = cs.clients["client"]
    chain = [client.certificate, *client.chain, cs.root.certificate]
    (tmp_path / "chain.pem").write_bytes(join_pem(chain))
    run("openssl", "crl2pkcs7", "-nocrl", "-certfile", "chain.pem", "-outform", "DER",
        "-out", "openssl.p7b", cwd=tmp_path)
    data = (tmp_path / "openssl.p7b").read_bytes()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        stored = pkcs7.read(data)
        contents = load_any(data, name="openssl.p7b")
        assert main(["inspect", str(tmp_path / "openssl.p7b")]) == 0
    assert [str(w.message) for w in seen] == []  # cryptography's InvalidSetOrdering warning
    assert "Warning" not in capsys.readouterr().err
    assert stored == chain  # openssl kept the order it was given: not a sorted SET OF
    assert contents.certificates == chain
    assert any("crl2pkcs7" in n and "leaf -> root" in n for n in contents.notes)
    # pkilab's own .p7b is strict DER: sorted by encoding, and says so
    ours = load_any((lab / "chain.p7b").read_bytes())
    assert ours.certificates[0] == client.certificate
    assert any("sorted by encoding" in n for n in ours.notes)
