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
    # one connection byte by byte (issue 11)
    "capture_connection": "capture", "annotate_capture": "capture",
    "handshake_checks": "capture", "capture_table": "capture", "explain_message": "capture",
    "write_capture_files": "capture", "capture_certificate_set": "capture",
    "hkdf_expand_label": "capture", "transcript_hash": "capture",
    "finished_verify_data": "capture", "traffic_keys": "capture",
    "certificate_verify_input": "capture", "verify_signature": "capture",
    "early_secret": "capture", "serve_names": "capture",
    "rsa_premaster_secret": "capture", "tls12_master_secret": "capture",
    "capture_trace": "capture",
    # deployment
    "client_ca_bundle": "deploy", "nginx_server_block": "deploy",
    "kubernetes_tls_secret": "deploy", "kubernetes_ca_secret": "deploy",
    "kubernetes_ingress": "deploy", "NginxServer": "nginx", "find_nginx": "nginx",
    "nginx_client_identity": "deploy", "kubernetes_ca_configmap": "deploy",
    "gateway_api_gateway": "deploy", "gateway_api_httproute": "deploy",
    "cert_manager_ca_issuer": "deploy", "cert_manager_certificate": "deploy",
    "nginx_config_test": "nginx",
    # ACME (lesson 09)
    "PebbleServer": "acme", "find_pebble": "acme", "acme_issue": "acme", "AcmeIssue": "acme",
    "HTTP01Server": "acme", "show_messages": "acme", "decode_jws": "acme",
    "key_authorization": "acme",
    # revocation
    "revoke_certificate": "revoke", "refresh_crl": "revoke", "refresh_crls": "revoke",
    "load_crls": "revoke", "OCSPResponder": "ocsp", "ocsp_status": "ocsp",
    "build_crl": "crl", "revocations": "crl", "crl_number": "crl",
    # the reader's language (issue 12)
    "set_language": "i18n",
    # the classroom
    "make_class": "classroom", "read_roster": "classroom", "revoke_student": "classroom",
    "load_class": "classroom", "Rollcall": "rollcall", "Zoo": "zoo",
    "check_zoo": "zoo_check", "zoo_table": "zoo_check",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)


if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from .acme import (  # noqa: F401
        AcmeIssue,
        HTTP01Server,
        PebbleServer,
        acme_issue,
        decode_jws,
        find_pebble,
        key_authorization,
        show_messages,
    )
    from .ca import CertificateAuthority, IssuedCertificate  # noqa: F401
    from .capture import (  # noqa: F401
        annotate_capture,
        capture_certificate_set,
        capture_connection,
        capture_table,
        capture_trace,
        certificate_verify_input,
        early_secret,
        explain_message,
        finished_verify_data,
        handshake_checks,
        hkdf_expand_label,
        rsa_premaster_secret,
        serve_names,
        tls12_master_secret,
        traffic_keys,
        transcript_hash,
        verify_signature,
        write_capture_files,
    )
    from .certset import (  # noqa: F401
        CertificateSet,
        build_certificate_set,
        load_certificate_set,
        write_certificate_set,
    )
    from .chain import ChainReport, order_chain, verify_chain  # noqa: F401
    from .classroom import load_class, make_class, read_roster, revoke_student  # noqa: F401
    from .crl import build_crl, crl_number, revocations  # noqa: F401
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
    from .i18n import set_language  # noqa: F401
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
    from .ocsp import OCSPResponder, ocsp_status  # noqa: F401
    from .revoke import (  # noqa: F401
        load_crls,
        refresh_crl,
        refresh_crls,
        revoke_certificate,
    )
    from .rollcall import Rollcall  # noqa: F401
    from .tls import HTTPSServer, TLSConnectionError, request  # noqa: F401
    from .trace import Trace, compare_traces, record  # noqa: F401
    from .zoo import Zoo  # noqa: F401
    from .zoo_check import check_zoo, zoo_table  # noqa: F401
