"""Deploying a certificate set: nginx configuration and Kubernetes TLS objects, as text.

The seed deploys with nginx (``ssl_certificate fullchain.crt; ssl_certificate_key
server.key``) and mentions Kubernetes: "base64 the two files into a secret and point the
ingress at it". These functions write exactly that, plus the mutual-TLS settings the
seed leaves out. They only build text; :mod:`pkilab.nginx` runs nginx on loopback.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from .errors import InputError
from .files import read_input
from .modes import nginx_mode


def client_ca_bundle(folder: str | os.PathLike[str]) -> bytes:
    """The CA certificates nginx needs to verify the set's client certificates.

    Clients usually send only their own certificate (``curl --cert client.crt``), so
    nginx must hold every CA from the client's issuer up to the root:
    intermediate2, intermediate1, root — and look that deep. ``ssl_verify_depth`` counts
    the intermediates allowed between the client and the root: nginx's default of 1
    accepts a client of intermediate1 but refuses ours, issued by intermediate2 (two
    intermediates need depth 2; pkilab writes 3 to leave room for one more).
    """
    path = Path(folder)
    parts = []
    for name in ("intermediate2.crt", "intermediate1.crt", "root.crt"):
        if not (path / name).exists():
            raise InputError(f"{str(path / name)!r} is missing", "",
                             f"make the set first: pkilab init {path}")
        parts.append(read_input(path / name, what="certificate file"))
    return b"".join(parts)


def nginx_server_block(folder: str | os.PathLike[str], *, port: int = 443,
                       server_name: str = "localhost", mtls: str = "off",
                       listen_address: str | None = None, verify_depth: int = 3) -> str:
    """The ``server { ... }`` block for the set in ``folder``, one-way or mutual TLS.

    ``mtls="required"`` is the seed's setup (``ssl_verify_client on``): no certificate,
    no page — nginx answers "400 No required SSL certificate was sent". ``"optional"``
    writes nginx's ``ssl_verify_client optional``: a certificate that is sent is still
    verified (a bad one gets "400 The SSL certificate error"), but a request without one
    goes through and the application decides (``$ssl_client_verify`` is ``NONE``).
    (pkilab's own ``HTTPSServer(mtls="optional")`` is stricter: see lesson 06.)
    """
    mode = nginx_mode(mtls)
    verify = None if mode == "off" else mode
    folder = Path(folder).resolve()
    listen = f"{listen_address}:{port}" if listen_address else str(port)
    lines = [
        "server {",
        f"    listen {listen} ssl;",
        f"    server_name {server_name};",
        f"    ssl_certificate     {folder / 'fullchain.crt'};   # server.crt + intermediates",
        f"    ssl_certificate_key {folder / 'server.key'};",
        "    ssl_protocols TLSv1.2 TLSv1.3;",
    ]
    if verify:
        lines += [
            f"    ssl_client_certificate {folder / 'client-ca.crt'};"
            "   # intermediate2 + intermediate1 + root",
            f"    ssl_verify_client {verify};",
            f"    ssl_verify_depth {verify_depth};   # default 1 = one intermediate; ours: two",
        ]
    lines += [
        "    location / {",
        "        default_type text/plain;",
        '        return 200 "hello $ssl_client_s_dn (verify: $ssl_client_verify)\\n";',
        "    }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def nginx_lab_config(folder: str | os.PathLike[str], workdir: str | os.PathLike[str], *,
                     port: int, mtls: str = "off", verify_depth: int = 3) -> str:
    """A whole nginx.conf that runs in the foreground as any user, on 127.0.0.1 only."""
    work = Path(workdir).resolve()
    block = nginx_server_block(folder, port=port, mtls=mtls, listen_address="127.0.0.1",
                               verify_depth=verify_depth)
    temp = work / "tmp"
    indented = "\n".join("    " + line if line else line for line in block.splitlines())
    return "\n".join([
        "daemon off;",
        "worker_processes 1;",
        f"pid {work / 'nginx.pid'};",
        f"error_log {work / 'error.log'} warn;",
        "events { worker_connections 64; }",
        "http {",
        "    access_log off;",
        f"    client_body_temp_path {temp}; proxy_temp_path {temp};",
        f"    fastcgi_temp_path {temp}; uwsgi_temp_path {temp}; scgi_temp_path {temp};",
        indented,
        "}",
        "",
    ])


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def kubernetes_tls_secret(name: str, fullchain_pem: bytes, key_pem: bytes, *,
                          namespace: str = "default") -> str:
    """A ``kubernetes.io/tls`` Secret: the seed's "base64 the two files into a secret".

    ``tls.crt`` must be the full chain (server first), not server.crt alone.
    """
    return (f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n"
            f"  namespace: {namespace}\ntype: kubernetes.io/tls\ndata:\n"
            f"  tls.crt: {_b64(fullchain_pem)}\n  tls.key: {_b64(key_pem)}\n")


def kubernetes_ca_secret(name: str, ca_pem: bytes, *, namespace: str = "default") -> str:
    """A Secret holding ``ca.crt``: the CAs an ingress trusts for client certificates."""
    return (f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n"
            f"  namespace: {namespace}\ntype: Opaque\ndata:\n  ca.crt: {_b64(ca_pem)}\n")


def kubernetes_ingress(name: str, host: str, tls_secret: str, service: str, *,
                       service_port: int = 80, namespace: str = "default",
                       client_ca_secret: str | None = None, verify_depth: int = 3) -> str:
    """An ingress-nginx Ingress serving ``host`` with ``tls_secret``.

    With ``client_ca_secret`` it requires client certificates (mutual TLS) through
    ingress-nginx's ``auth-tls-*`` annotations.
    """
    annotations = ""
    if client_ca_secret:
        annotations = (
            "  annotations:\n"
            '    nginx.ingress.kubernetes.io/auth-tls-verify-client: "on"\n'
            f'    nginx.ingress.kubernetes.io/auth-tls-secret: "{namespace}/{client_ca_secret}"\n'
            f'    nginx.ingress.kubernetes.io/auth-tls-verify-depth: "{verify_depth}"\n')
    return (f"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\n"
            f"  namespace: {namespace}\n{annotations}spec:\n  ingressClassName: nginx\n"
            f"  tls:\n    - hosts: [{host}]\n      secretName: {tls_secret}\n"
            f"  rules:\n    - host: {host}\n      http:\n        paths:\n"
            f"          - path: /\n            pathType: Prefix\n            backend:\n"
            f"              service:\n                name: {service}\n"
            f"                port:\n                  number: {service_port}\n")
