"""The same certificate set as `pkilab init DIR`, made with trustme and written to disk.

root -> intermediate1 -> intermediate2 -> server (localhost, 127.0.0.1), client and
client2 (each with a .p12, password 123456), fullchain.crt. trustme's default key type
is ECDSA P-256, the same as pkilab's default.

usage: python benchmarks/trustme_set.py DIR
"""

import sys
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    load_pem_private_key,
    pkcs12,
)


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    root = trustme.CA(organization_name="pkilab")
    intermediate1 = root.create_child_ca()
    intermediate2 = intermediate1.create_child_ca()
    for name, ca in (("root", root), ("intermediate1", intermediate1),
                     ("intermediate2", intermediate2)):
        ca.cert_pem.write_to_path(str(folder / f"{name}.crt"))
        ca.private_key_pem.write_to_path(str(folder / f"{name}.key"))
    server = intermediate2.issue_cert("localhost", "127.0.0.1")
    server.private_key_pem.write_to_path(str(folder / "server.key"))
    server.cert_chain_pems[0].write_to_path(str(folder / "server.crt"))
    # cert_chain_pems: leaf, intermediate2, intermediate1 (no root) = fullchain.crt
    (folder / "fullchain.crt").write_bytes(b"".join(b.bytes() for b in server.cert_chain_pems))
    for name in ("client", "client2"):
        leaf = intermediate2.issue_cert(common_name=name)
        leaf.private_key_pem.write_to_path(str(folder / f"{name}.key"))
        leaf.cert_chain_pems[0].write_to_path(str(folder / f"{name}.crt"))
        certificates = [x509.load_pem_x509_certificate(b.bytes()) for b in leaf.cert_chain_pems]
        key = load_pem_private_key(leaf.private_key_pem.bytes(), None)
        (folder / f"{name}.p12").write_bytes(pkcs12.serialize_key_and_certificates(
            name.encode(), key, certificates[0], certificates[1:],
            BestAvailableEncryption(b"123456")))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
