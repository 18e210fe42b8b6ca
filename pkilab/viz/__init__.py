"""Pictures drawn from real data: the certificate chain, the TLS handshake, and the
anatomy of a certificate.

Importing this package is cheap: matplotlib is imported only when a ``draw_*``
function runs. Each picture also has a ``*_layout`` function that returns the same
picture as data (boxes, texts, arrows), which the tests measure.

>>> from pkilab.viz import draw_chain                       # doctest: +SKIP
>>> draw_chain(verify_chain(leaf, root, chain))             # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

_EXPORTS = {
    "draw_chain": "chain", "chain_layout": "chain",
    "draw_handshake": "handshake", "handshake_layout": "handshake",
    "draw_handshakes": "handshake", "handshakes_layout": "handshake",
    "draw_anatomy": "anatomy", "anatomy_layout": "anatomy", "certificate_parts": "anatomy",
    "draw_bytemap": "bytemap", "bytemap_layout": "bytemap",
    "draw_timeline": "timeline", "timeline_layout": "timeline",
    "timeline_entries": "timeline",
    "Scene": "_scene", "render": "_scene", "save_png": "_scene",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)


if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from ._scene import Scene, render, save_png  # noqa: F401
    from .anatomy import anatomy_layout, certificate_parts, draw_anatomy  # noqa: F401
    from .bytemap import bytemap_layout, draw_bytemap  # noqa: F401
    from .chain import chain_layout, draw_chain  # noqa: F401
    from .handshake import (  # noqa: F401
        draw_handshake,
        draw_handshakes,
        handshake_layout,
        handshakes_layout,
    )
    from .timeline import draw_timeline, timeline_entries, timeline_layout  # noqa: F401
