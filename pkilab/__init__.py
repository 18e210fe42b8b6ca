"""pkilab: the workbook's helper package for certificates, chains and (mutual) TLS.

Importing ``pkilab`` is cheap: the names below are loaded on first use, and nothing
here imports matplotlib or ipywidgets (only :mod:`pkilab.viz` and
:mod:`pkilab.widgets` do, when called).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "PkilabError": "errors", "InputError": "errors", "PolicyError": "errors",
    "OverwriteError": "errors", "VerificationError": "errors", "TLSError": "errors",
    "generate_key": "keys", "derive_key": "keys", "describe_key": "keys", "KEY_KINDS": "keys",
    "build_name": "names", "parse_subj": "names", "format_subj": "names",
    "CertificateAuthority": "ca", "IssuedCertificate": "ca",
    "build_csr": "csr", "check_csr": "csr",
    "verify_chain": "chain", "order_chain": "chain", "ChainReport": "chain",
    "summary": "inspect", "show": "inspect", "describe": "inspect",
    "build_certificate_set": "certset", "write_certificate_set": "certset",
    "load_certificate_set": "certset", "CertificateSet": "certset",
    "load_certificates": "load", "load_certificate": "load", "load_private_key": "load",
    "load_csr": "load",
    "HTTPSServer": "tls", "request": "tls", "TLSConnectionError": "tls",
    "record": "trace", "Trace": "trace",
    "audit": "doctor", "audit_many": "doctor",
    # certificate facts the lessons show
    "signed_by": "facts", "fingerprint": "facts", "same_public_key": "facts",
    "requested_names": "csr", "pem_labels": "load", "common_name": "names",
    "short_name": "names", "make_v1_certificate": "legacy",
    "make_cn_only_server_certificate": "legacy",
    # formats
    "identify": "formats", "load_any": "formats",
    # handshakes
    "compare_traces": "trace",
    # deployment
    "client_ca_bundle": "deploy", "nginx_server_block": "deploy",
    "kubernetes_tls_secret": "deploy", "kubernetes_ca_secret": "deploy",
    "kubernetes_ingress": "deploy", "NginxServer": "nginx", "find_nginx": "nginx",
    "nginx_client_identity": "deploy", "kubernetes_ca_configmap": "deploy",
    "gateway_api_gateway": "deploy", "gateway_api_httproute": "deploy",
    "cert_manager_ca_issuer": "deploy", "cert_manager_certificate": "deploy",
    "nginx_config_test": "nginx",
    # the classroom
    "make_class": "classroom", "read_roster": "classroom", "revoke_student": "classroom",
    "load_class": "classroom", "Rollcall": "rollcall", "Zoo": "zoo",
    "check_zoo": "zoo_check", "zoo_table": "zoo_check",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)


if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from .ca import CertificateAuthority, IssuedCertificate  # noqa: F401
    from .certset import (  # noqa: F401
        CertificateSet,
        build_certificate_set,
        load_certificate_set,
        write_certificate_set,
    )
    from .chain import ChainReport, order_chain, verify_chain  # noqa: F401
    from .classroom import load_class, make_class, read_roster, revoke_student  # noqa: F401
    from .csr import build_csr, check_csr, requested_names  # noqa: F401
    from .deploy import (  # noqa: F401
        cert_manager_ca_issuer,
        cert_manager_certificate,
        client_ca_bundle,
        gateway_api_gateway,
        gateway_api_httproute,
        kubernetes_ca_configmap,
        kubernetes_ca_secret,
        kubernetes_ingress,
        kubernetes_tls_secret,
        nginx_client_identity,
        nginx_server_block,
    )
    from .doctor import audit, audit_many  # noqa: F401
    from .errors import (  # noqa: F401
        InputError,
        OverwriteError,
        PkilabError,
        PolicyError,
        TLSError,
        VerificationError,
    )
    from .facts import fingerprint, same_public_key, signed_by  # noqa: F401
    from .formats import identify, load_any  # noqa: F401
    from .inspect import describe, show, summary  # noqa: F401
    from .keys import (  # noqa: F401
        KEY_KINDS,
        derive_key,
        describe_key,
        generate_key,
    )
    from .legacy import make_cn_only_server_certificate, make_v1_certificate  # noqa: F401
    from .load import (  # noqa: F401
        load_certificate,
        load_certificates,
        load_csr,
        load_private_key,
        pem_labels,
    )
    from .names import build_name, common_name, format_subj, parse_subj, short_name  # noqa: F401
    from .nginx import NginxServer, find_nginx, nginx_config_test  # noqa: F401
    from .rollcall import Rollcall  # noqa: F401
    from .tls import HTTPSServer, TLSConnectionError, request  # noqa: F401
    from .trace import Trace, compare_traces, record  # noqa: F401
    from .zoo import Zoo  # noqa: F401
    from .zoo_check import check_zoo, zoo_table  # noqa: F401
