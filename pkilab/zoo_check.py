"""``pkilab zoo --check``: what Python's ssl, curl and openssl each do with every zoo case.

Each client runs as a learner would run it, trusting the zoo root and nothing else
(``--cacert root.crt``, ``cafile=root.crt``), with its own defaults otherwise. Two
cases add what they are about: ``revoked`` gives each client the zoo's CRL (curl
``--crlfile``, openssl ``-crl_check``, ssl ``VERIFY_CRL_CHECK_LEAF``), and
``client-cert-wrong-ca`` presents ``wrong-ca-client.crt``. openssl ``s_client`` checks
the chain (``-verify_return_error``) and the host (``-verify_hostname``), which it does
not by default, and reads on after sending its request (``-ign_eof``): otherwise it may
hang up before a TLS 1.3 server's "certificate required" alert arrives.

The verdicts are pure functions of what each client returned (:func:`curl_verdict`,
:func:`openssl_verdict`), testable without running them.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .zoo import Zoo, ZooCase

#: The clients, in table order.
CLIENTS = ("python-ssl", "curl", "openssl")
TIMEOUT = 10


@dataclass(frozen=True)
class Verdict:
    """What one client did with one case: ``accepted`` or ``refused``, and why."""

    accepted: bool
    words: str = ""

    def __str__(self) -> str:
        return "accepted" if self.accepted else f"refused: {self.words}"


# ---- Python's ssl ------------------------------------------------------------------------


def python_ssl(case: ZooCase, folder: Path) -> Verdict:
    """One GET with ``ssl.create_default_context(cafile=root.crt)``."""
    context = ssl.create_default_context(cafile=str(folder / "root.crt"))
    if case.name == "revoked":
        context.load_verify_locations(cafile=str(folder / "zoo.crl"))
        context.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    if case.name == "client-cert-wrong-ca":
        context.load_cert_chain(folder / "wrong-ca-client.crt", folder / "wrong-ca-client.key")
    try:
        with socket.create_connection(("127.0.0.1", case.port), timeout=TIMEOUT) as raw, \
                context.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            reply = tls.recv(100)
    except ssl.SSLCertVerificationError as exc:
        return Verdict(False, exc.verify_message or str(exc.reason))
    except ssl.SSLError as exc:
        return Verdict(False, _ssl_words(exc))
    except OSError as exc:
        return Verdict(False, exc.strerror or type(exc).__name__)
    if reply.startswith(b"HTTP/1.1 200"):
        return Verdict(True)
    return Verdict(False, "the server closed without answering")


def _ssl_words(exc: ssl.SSLError) -> str:
    reason = (exc.reason or "").lower().replace("_", " ")
    if reason.startswith("tlsv13 alert ") or reason.startswith("sslv3 alert "):
        return "the server's alert: " + reason.split("alert ", 1)[1]
    return reason or str(exc)


# ---- curl -------------------------------------------------------------------------------


def curl_command(case: ZooCase, folder: Path) -> list[str]:
    command = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time",
               str(TIMEOUT), "--cacert", str(folder / "root.crt")]
    if case.name == "revoked":
        command += ["--crlfile", str(folder / "zoo.crl")]
    if case.name == "client-cert-wrong-ca":
        command += ["--cert", str(folder / "wrong-ca-client.crt"),
                    "--key", str(folder / "wrong-ca-client.key")]
    return [*command, case.url]


def curl_verdict(returncode: int, stdout: str, stderr: str) -> Verdict:
    """curl's exit status and messages, in plain words."""
    if returncode == 0 and stdout.strip() == "200":
        return Verdict(True)
    line = next((ln for ln in stderr.splitlines() if ln.startswith("curl: (")), stderr.strip())
    words = line.split(") ", 1)[1] if ") " in line else line
    words = words.removeprefix("SSL certificate problem: ")
    return Verdict(False, words or f"exit status {returncode}")


def run_curl(case: ZooCase, folder: Path) -> Verdict:
    done = subprocess.run(curl_command(case, folder), capture_output=True, text=True,
                          timeout=TIMEOUT + 5, check=False)
    return curl_verdict(done.returncode, done.stdout, done.stderr)


# ---- openssl s_client --------------------------------------------------------------------


def openssl_command(case: ZooCase, folder: Path) -> list[str]:
    command = ["openssl", "s_client", "-connect", f"127.0.0.1:{case.port}", "-servername",
               "localhost", "-verify_hostname", "localhost", "-verify_return_error",
               "-CAfile", str(folder / "root.crt"), "-brief", "-ign_eof"]
    if case.name == "revoked":
        command += ["-crl_check", "-CRL", str(folder / "zoo.crl")]
    if case.name == "client-cert-wrong-ca":
        command += ["-cert", str(folder / "wrong-ca-client.crt"),
                    "-key", str(folder / "wrong-ca-client.key")]
    return command


def openssl_verdict(returncode: int, output: str) -> Verdict:
    """s_client's status and output, in plain words (it prints errors on stderr)."""
    lowered = output.lower()
    if returncode == 0 and "http/1.1 200" in lowered:
        return Verdict(True)
    for marker in ("verify error:", "verification error:"):
        if marker in lowered:
            rest = output[lowered.index(marker) + len(marker):].splitlines()[0]
            return Verdict(False, rest.split(":", 1)[-1].strip())
    for line in output.splitlines():
        if ":error:" in line:
            return Verdict(False, line.rsplit(":", 1)[-1].strip().replace("_", " ").lower()
                           or line[-80:])
    return Verdict(False, "the connection ended without an answer")


def run_openssl(case: ZooCase, folder: Path) -> Verdict:
    request = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    done = subprocess.run(openssl_command(case, folder), input=request, capture_output=True,
                          text=True, timeout=TIMEOUT + 5, check=False)
    return openssl_verdict(done.returncode, done.stdout + "\n" + done.stderr)


# ---- plain words -------------------------------------------------------------------------

#: (a piece of what a client said, lower-case) -> the same in plain words. First match wins.
PLAIN_WORDS = (
    ("revoked", "revoked (on the CRL)"),
    ("expired", "expired"),
    ("not yet valid", "not valid yet"),
    ("hostname mismatch", "wrong host name"),
    ("no alternative certificate subject name", "wrong host name"),
    ("self-signed", "self-signed"),
    ("self signed", "self-signed"),
    ("unable to get local issuer", "no path to a trusted root"),
    ("digest algorithm too weak", "SHA-1 signature too weak"),
    ("md too weak", "SHA-1 signature too weak"),
    ("key too weak", "key too small"),
    ("key too small", "key too small"),
    ("certificate required", "server wants a client certificate"),
    ("alert number 116", "server wants a client certificate"),
    ("alert unknown ca", "the server does not know our CA"),
    ("alert number 48", "the server does not know our CA"),
    ("protocol version", "no TLS version in common"),
    ("unsupported protocol", "no TLS version in common"),
    ("no protocols available", "no TLS version in common"),
    ("legacy sigalg", "no TLS version in common"),
    ("alert number 70", "no TLS version in common"),
    ("wrong version number", "no TLS version in common"),
)


def plain(words: str) -> str:
    """What a client said, in the zoo's plain words (unchanged when none fits)."""
    lowered = words.lower()
    return next((plain for piece, plain in PLAIN_WORDS if piece in lowered), words)


# ---- the table ---------------------------------------------------------------------------


def available_clients() -> list[str]:
    """Python's ssl always; curl and openssl when they are on PATH."""
    return ["python-ssl", *(c for c in ("curl", "openssl") if shutil.which(c))]


_RUNNERS = {"python-ssl": python_ssl, "curl": run_curl, "openssl": run_openssl}


def check_zoo(zoo: Zoo, clients: list[str] | None = None
              ) -> list[tuple[ZooCase, dict[str, Verdict]]]:
    """Every case run by every client (the zoo must be running)."""
    clients = clients or available_clients()
    out = []
    for case in zoo.cases:
        if case.available:
            out.append((case, {}))
            continue
        out.append((case, {client: _RUNNERS[client](case, zoo.directory)
                           for client in clients}))
    return out


def zoo_table(zoo: Zoo, clients: list[str] | None = None) -> str:
    """Run every case with ``clients`` (default: those installed) and format the table."""
    installed = available_clients()
    wanted = clients or installed
    missing = [c for c in wanted if c not in installed]
    clients = [c for c in wanted if c in installed]
    note = f"({', '.join(missing)} not installed here: left out)\n" if missing else ""
    if not clients:
        return note.strip()
    return note + table(check_zoo(zoo, clients), clients)


def table(results: list[tuple[ZooCase, dict[str, Verdict]]], clients: list[str]) -> str:
    """One line per case: what a correct client does, then what each client did."""
    width = 48 if len(clients) < 3 else 44
    lines = [f"{'case':<21} {'should':<7} " + "  ".join(f"{c:<{width}}" for c in clients)]
    for case, verdicts in results:
        if not verdicts:
            lines.append(f"{case.name:<21} {'-':<7} not served here: {case.available}")
            continue
        cells = []
        for client in clients:
            verdict = verdicts[client]
            agrees = verdict.accepted == (case.expectation.outcome == "accept")
            shown = "accepted" if verdict.accepted else f"refused: {plain(verdict.words)}"
            cells.append(f"{'' if agrees else '!'}{shown}"[:width].ljust(width))
        lines.append(f"{case.name:<21} {case.expectation.outcome:<7} " + "  ".join(cells))
    lines.append("(! marks a client that did not do what a correct client should)")
    return "\n".join(lines)
