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
    "audit": "doctor",
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
    from .csr import build_csr, check_csr  # noqa: F401
    from .doctor import audit  # noqa: F401
    from .errors import (  # noqa: F401
        InputError,
        OverwriteError,
        PkilabError,
        PolicyError,
        TLSError,
        VerificationError,
    )
    from .inspect import describe, show, summary  # noqa: F401
    from .keys import KEY_KINDS, derive_key, describe_key, generate_key  # noqa: F401
    from .load import load_certificate, load_certificates, load_csr, load_private_key  # noqa: F401
    from .names import build_name, format_subj, parse_subj  # noqa: F401
    from .tls import HTTPSServer, TLSConnectionError, request  # noqa: F401
    from .trace import Trace, record  # noqa: F401
