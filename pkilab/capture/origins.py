"""What the learner calls each certificate and CA name of a set: ``server.crt``, ...

Keys are DER bytes (a whole certificate, or a subject name as CertificateRequest's
certificate_authorities carries it), so a lookup is exact: no name matching by text.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import serialization


def _der(cert: Any) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def set_names(cs: Any) -> dict[bytes, str]:
    """``{DER: "server.crt"}`` for every certificate of a CertificateSet, and
    ``{subject DER: "root.crt's subject"}`` for each of its CAs."""
    out: dict[bytes, str] = {}
    for file, ca in (("root.crt", cs.root), ("intermediate1.crt", cs.intermediate1),
                     ("intermediate2.crt", cs.intermediate2)):
        out[_der(ca.certificate)] = f"your {file}"
        out[ca.certificate.subject.public_bytes()] = f"the subject of your {file}"
    out[_der(cs.server.certificate)] = "your server.crt"
    for name, issued in cs.clients.items():
        out[_der(issued.certificate)] = f"your {name}.crt"
    return out
