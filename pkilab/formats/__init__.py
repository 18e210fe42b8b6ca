"""File formats: "what is this file?", loading anything, and every conversion.

- :func:`identify` -- pure "what is this blob?" (PEM blocks, DER, PKCS#12, PKCS#7,
  JKS, or what else it might be).
- :func:`load_any` -- every certificate, key, CSR and CRL in a file, with warnings.
- :func:`.convert.plan` -- the dispatcher behind ``pkilab convert``: which files to write.
- modules per format: :mod:`.keys` (PKCS#1/PKCS#8/SEC1), :mod:`.pkcs12`,
  :mod:`.pkcs7`, :mod:`.jks`, :mod:`.bundle` (ordering, split, join).
"""

from __future__ import annotations

from .contents import Contents, load_any
from .identify import Identified, identify

__all__ = ["Contents", "Identified", "identify", "load_any"]
