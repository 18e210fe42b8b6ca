"""Read what old tools wrote without library warnings leaking to the learner.

Two cases, each silenced only around pkilab's own reading and only that warning:
certificates with a non-positive serial number, and PKCS#7 bundles whose SET OF is
not sorted (see :func:`quiet_set_ordering`).


RFC 5280 requires serial numbers above zero, but old tools (and hand-made test
certificates) wrote negative ones. ``cryptography`` still reads them and prints a
``CryptographyDeprecationWarning`` to stderr each time the certificate is parsed or
its serial is read. pkilab reports the fact itself, as a note, so the warning is
silenced while pkilab reads files -- and only that warning.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

from cryptography import x509

_SERIAL_WARNING = r"Parsed a serial number which wasn't positive"


@contextlib.contextmanager
def quiet_serials() -> Iterator[None]:
    """Silence cryptography's "serial number wasn't positive" warning inside the block."""
    from cryptography.utils import CryptographyDeprecationWarning

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_SERIAL_WARNING,
                                category=CryptographyDeprecationWarning)
        yield


def serial_problem(certificate: x509.Certificate) -> str | None:
    """A note for a serial number RFC 5280 forbids (zero or negative), else None."""
    with quiet_serials():
        serial = certificate.serial_number
    if serial > 0:
        return None
    what = "negative" if serial < 0 else "zero"
    return (f"serial number is {what} ({serial}): RFC 5280 requires a positive one; "
            "newer versions of cryptography (and so pkilab) may refuse this certificate")


# cryptography 4x+ reads a PKCS#7 whose SET OF certificates is not sorted (what
# `openssl crl2pkcs7` writes: it keeps the order it was given) by falling back to BER,
# and says so with a UserWarning naming InvalidSetOrdering. pkilab explains the order
# itself (pkilab.formats.pkcs7.order_note), so the learner sees no library warning.
_SET_ORDER_WARNING = r"PKCS#7 certificates could not be parsed as DER"


@contextlib.contextmanager
def quiet_set_ordering() -> Iterator[None]:
    """Silence cryptography's "falling back to parsing as BER" PKCS#7 warning."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_SET_ORDER_WARNING, category=UserWarning)
        yield
