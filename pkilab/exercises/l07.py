"""Lesson 07 (deployment): the checks run the learner's nginx configuration.

Where nginx is installed, a learner's server block must pass ``nginx -t`` and is then
served on 127.0.0.1 and tried with real clients: no certificate, the lesson's client,
and a stranger from another CA with the same names. Without nginx the block's text is
checked instead (and the check says so). The quiz answer is compared as a hash.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

from ..errors import PkilabError
from ..i18n import ui
from ..lesson import Verdict, check
from . import not_yet as _not_yet


def _directives(block: str) -> dict[str, list[str]]:
    """Every ``name value;`` directive of the text, comments removed."""
    found: dict[str, list[str]] = {}
    for line in block.splitlines():
        code = line.split("#", 1)[0].strip()
        match = re.fullmatch(r"([a-z_]+)\s+([^;{}]*);", code)
        if match:
            found.setdefault(match.group(1), []).append(match.group(2).strip())
    return found


def _server_block_text(block: Any, folder: Path) -> dict[str, list[str]]:
    if not isinstance(block, str) or not block.strip():
        raise _not_yet("the block is still empty")
    if not re.search(r"^\s*server\s*\{", block, re.MULTILINE):
        raise _not_yet("that is not a server { ... } block")
    found = _directives(block)
    for name in ("listen", "ssl_certificate", "ssl_certificate_key", "ssl_client_certificate"):
        if name not in found:
            raise _not_yet(ui("the block has no {name} line").format(name=name))
    for name in ("ssl_certificate", "ssl_certificate_key", "ssl_client_certificate"):
        path = Path(found[name][0])
        if not path.exists() or path.resolve().parent != folder.resolve():
            raise _not_yet(ui("{name} should name a file of this lesson's folder, not "
                              "{path}").format(name=name, path=path))
    return found


def _client_statuses(url: str, folder: Path) -> dict[str, int | str]:
    """HTTP status (or "refused") for: no certificate, client, client2, a stranger."""
    from ..certset import build_certificate_set
    from ..tls import request

    stranger = build_certificate_set(seed="lesson-07 stranger").clients["client2"]
    tries: dict[str, Any] = {"none": None, "client": "client", "client2": "client2",
                             "stranger": stranger}
    out: dict[str, int | str] = {}
    for label, who in tries.items():
        cert = {"cert": folder / f"{who}.crt", "key": folder / f"{who}.key"} \
            if isinstance(who, str) else ({"cert": who} if who is not None else {})
        try:
            out[label] = request(url, ca=folder / "root.crt", timeout=10, **cert).status
        except PkilabError:
            out[label] = "refused"
    return out


def _served(block: str, folder: Path) -> dict[str, int | str] | None:
    """Statuses from a real nginx serving ``block``; None where nginx is missing."""
    from ..nginx import NginxServer, find_nginx, nginx_config_test

    if find_nginx() is None:
        return None
    ok, message = nginx_config_test(block, folder)
    if not ok:
        raise _not_yet(ui("nginx -t refuses the block: {message}").format(message=message))
    with NginxServer(folder, block=block) as nginx:
        return _client_statuses(nginx.url, folder)


def _optional_block(block: Any, folder: Path) -> bool:
    found = _server_block_text(block, folder)
    if found.get("ssl_verify_client") != ["optional"]:
        value = " ".join(found.get("ssl_verify_client", ["off"]))
        # say what the chosen word gets wrong, without naming the right one
        why = {"on": ui("it refuses requests without a certificate"),
               "optional_no_ca": ui("it lets a certificate from any CA through unverified"),
               "off": ui("it does not ask for a certificate")}.get(
                   value, ui("nginx's setting that asks, verifies and lets the rest through "
                             "is another word"))
        raise _not_yet(ui("ssl_verify_client is {value}: {why}").format(value=value, why=why))
    statuses = _served(block, folder)
    if statuses is None:
        print("(nginx is not installed here: only the block's text was checked)")
        return True
    want = {"none": 200, "client": 200, "client2": 200, "stranger": 400}
    wrong = {k: v for k, v in statuses.items() if v != want[k]}
    if wrong:
        raise _not_yet(ui("served by nginx, the answers were {statuses}; wanted {want}").format(
            statuses=statuses, want=want))
    return True


def optional_block_check(block: Any, folder: str | os.PathLike[str]) -> Verdict:
    """Exercise 1: a server block for ``folder`` in which nginx asks for a client
    certificate, verifies one that is sent, and lets requests without one through."""
    return check(lambda: _optional_block(block, Path(folder)),
                 "nginx_server_block(lab, mtls=...) with nginx's word for it",
                 "nginx asks, verifies what it gets, and lets the rest decide later.")


def _allow_block(block: Any, folder: Path, allowed: str, refused: str) -> bool:
    found = _server_block_text(block, folder)
    if found.get("ssl_verify_client", ["off"])[0] == "off":
        raise _not_yet("the block does not ask for client certificates")
    statuses = _served(block, folder)
    if statuses is None:
        print("(nginx is not installed here: only the block's text was checked)")
        if "$ssl_client_verify" not in block:
            raise _not_yet("the block never looks at $ssl_client_verify")
        return True
    if statuses[allowed] != 200:
        raise _not_yet(ui("{who} gets {status}, not 200").format(who=allowed,
                                                                  status=statuses[allowed]))
    if statuses[refused] != 403:
        raise _not_yet(ui("{who} gets {status}: a valid client that is not allowed should "
                          "get 403").format(who=refused, status=statuses[refused]))
    for label, who in (("stranger", ui("a stranger from another CA")),
                       ("none", ui("a request without a certificate"))):
        if statuses[label] == 200:
            raise _not_yet(ui("{who} gets in").format(who=who))
    return True


def allow_block_check(block: Any, folder: str | os.PathLike[str], allowed: str = "client2",
                      refused: str = "client") -> Verdict:
    """Exercise 2: nginx lets ``allowed`` in, answers 403 to ``refused`` (valid, but not on
    the list) and never lets a stranger or a client without a certificate through."""
    return check(lambda: _allow_block(block, Path(folder), allowed, refused),
                 "nginx_server_block(lab, mtls=..., allow=[...]) with client2's identity "
                 "(nginx_client_identity)",
                 ui("only {who} gets the page: authenticated and authorized.").format(
                     who=allowed))


# sha256 of the right letter: the answer stays out of the notebook
_RIGHT_CURL = "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d"


def right_curl_check(right: Any) -> Verdict:
    """Exercise 3: the curl command that sends a client certificate *and* checks the server."""
    def ok() -> bool:
        if right not in ("a", "b", "c"):
            raise _not_yet('right should be "a", "b" or "c"')
        if hashlib.sha256(right.encode()).hexdigest() != _RIGHT_CURL:
            raise _not_yet(ui("{right} either sends no client certificate or does not check "
                              "the server").format(right=right))
        return True
    return check(ok, "one sends no client certificate, one does not check the server",
                 "it sends client.crt and checks the server against root.crt.")
