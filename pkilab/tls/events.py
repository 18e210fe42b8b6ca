"""What the lab server records instead of printing: small events, and a log that prints."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServerEvent:
    """One thing that happened on the server, for a later cell to show.

    ``kind``: ``"request"`` (a reply was sent; see ``status``), ``"handshake-failed"``,
    ``"not-tls"`` (plain HTTP or garbage on the TLS port), ``"timeout"`` (a client
    stalled), ``"closed"`` (the client left without a request), ``"busy"`` (the server
    was full and closed a connection that had not finished its handshake), ``"error"``.
    ``client`` is the client certificate's CN, if any. ``problem`` is the code of the
    check that refused a client certificate the handshake let through (see
    :func:`pkilab.chain.verify_chain`), for a ``request`` answered 400.
    """

    kind: str
    status: int | None = None
    client: str | None = None
    tls_version: str | None = None
    detail: str = ""
    problem: str | None = None

    def __str__(self) -> str:
        parts = [self.kind]
        if self.status is not None:
            parts.append(str(self.status))
        if self.tls_version:
            parts.append(self.tls_version)
        if self.kind == "request":
            parts.append(f"client={self.client}" if self.client else "no client certificate")
        if self.detail:
            parts.append(self.detail)
        return "  ".join(parts)


class EventLog(list):
    """A list of :class:`ServerEvent` that prints as a table."""

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self) or "(no events)"

    def _repr_html_(self) -> str:
        from html import escape

        rows = "".join(
            f"<tr><td>{escape(e.kind)}</td><td>{e.status or ''}</td>"
            f"<td>{escape(e.tls_version or '')}</td><td>{escape(e.client or '')}</td>"
            f"<td>{escape(e.detail)}</td></tr>" for e in self)
        return ("<table><tr><th>event</th><th>status</th><th>TLS</th><th>client</th>"
                f"<th>detail</th></tr>{rows}</table>")
