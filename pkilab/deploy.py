"""Deploying a certificate set: nginx configuration and Kubernetes TLS objects, as text.

The seed deploys with nginx (``ssl_certificate fullchain.crt; ssl_certificate_key
server.key``) and mentions Kubernetes: "base64 the two files into a secret and point the
ingress at it". These functions write exactly that, plus the mutual-TLS settings the
seed leaves out. They only build text; :mod:`pkilab.nginx` runs nginx on loopback.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes

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
                             f"make the set first: pkilab init {path}", code="missing_set_file")
        parts.append(read_input(path / name, what="certificate file"))
    return b"".join(parts)


def nginx_server_block(folder: str | os.PathLike[str], *, port: int = 443,
                       server_name: str = "localhost", mtls: str = "off",
                       listen_address: str | None = None, verify_depth: int = 3,
                       allow: Sequence[str] | None = None,
                       upstream: str | None = None, crl: bool | None = None,
                       stapling: bool | None = None) -> str:
    """The ``server { ... }`` block for the set in ``folder``, one-way or mutual TLS.

    ``crl`` adds ``ssl_crl`` with ``crl-chain.pem`` (every CRL of the set, see
    :func:`pkilab.revoke.crl_chain`; :class:`~pkilab.NginxServer` writes it); by default
    it is there when the folder has a ``crl.pem`` and client certificates are checked.
    nginx reads the file when it starts or reloads, never in between.

    ``stapling`` adds ``ssl_stapling on`` with ``ssl_stapling_file server.ocsp`` (an OCSP
    answer about server.crt, :func:`pkilab.ocsp.stapling_response`; NginxServer writes
    it): nginx sends it in every handshake (``openssl s_client -status`` shows it). By
    default it is there when the folder has a ``server.ocsp``.

    ``mtls`` takes nginx's own words (:mod:`pkilab.modes`): ``"on"`` is the seed's setup
    (no certificate, no page: nginx answers "400 No required SSL certificate was sent");
    ``"optional"`` verifies a certificate that is sent (a bad one gets "400 The SSL
    certificate error") but lets a request without one through (``$ssl_client_verify``
    is ``NONE``); ``"optional_no_ca"`` lets a certificate from *any* CA through, so
    ``$ssl_client_s_dn`` is then whatever the client wrote: never trust it alone.

    ``allow`` turns authentication into authorization: subject DNs as nginx prints
    them (``"CN=client2"``, see :func:`nginx_client_identity`) or SHA-1 fingerprints
    (nginx's ``$ssl_client_fingerprint`` is SHA-1). Only a client whose certificate
    verified (``$ssl_client_verify`` = ``SUCCESS``) *and* is on the list gets the page;
    a verified client that is not on it gets 403, and nginx's 495 (bad certificate) and
    496 (no certificate) become a 403 page naming the reason. The text then starts with
    ``map`` blocks: it belongs in nginx's ``http { }`` context (``conf.d/*.conf`` is
    included there). nginx's ``map`` compares text ignoring case; long DNs may need
    ``map_hash_bucket_size 128;`` in ``http { }`` (nginx says so when it does).

    ``upstream`` (``"http://127.0.0.1:8080"``) proxies to an application and forwards
    the verified identity in ``X-Client-Verify``, ``X-Client-DN`` and
    ``X-Client-Fingerprint``; nginx replaces any copies of those headers the client
    sent, and sends the DN and fingerprint only when the certificate verified.
    """
    mode = nginx_mode(mtls)
    folder = Path(folder).resolve()
    dns, fingerprints = _split_allow(allow, mode)
    tag = re.sub(r"[^0-9A-Za-z]+", "_", f"{server_name}_{port}").strip("_")
    listen = f"{listen_address}:{port}" if listen_address else str(port)
    lines = _authorization_maps(tag, dns, fingerprints) if allow is not None else []
    if upstream is not None and mode != "off":
        lines += _verified_identity_maps(tag)
    lines += [
        "server {",
        f"    listen {listen} ssl;",
        f"    server_name {server_name};",
        f"    ssl_certificate     {folder / 'fullchain.crt'};   # server.crt + intermediates",
        f"    ssl_certificate_key {folder / 'server.key'};",
        "    ssl_protocols TLSv1.2 TLSv1.3;",
    ]
    if stapling or (stapling is None and (folder / "server.ocsp").is_file()):
        lines += ["    ssl_stapling on;",
                  f"    ssl_stapling_file {folder / 'server.ocsp'};   # an OCSP answer, DER"]
    if mode != "off":
        lines += [
            f"    ssl_client_certificate {folder / 'client-ca.crt'};"
            "   # intermediate2 + intermediate1 + root",
            f"    ssl_verify_client {mode};",
            f"    ssl_verify_depth {verify_depth};   # default 1 = one intermediate; ours: two",
        ]
        if crl or (crl is None and (folder / "crl.pem").is_file()):
            lines.append(f"    ssl_crl {folder / 'crl-chain.pem'};"
                         "   # every CA's CRL: nginx checks the whole chain")
    if allow is not None:
        lines += _authorization_checks(tag)
    lines += _location(upstream, tag if mode != "off" else None)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _split_allow(allow: Sequence[str] | None, mode: str) -> tuple[list[str], list[str]]:
    """The allow list as (DNs, SHA-1 fingerprints in nginx's lower-case hex)."""
    if allow is None:
        return [], []
    if mode == "off":
        raise InputError("an allow list needs client certificates", 'mtls="off" asks for none',
                         'pass mtls="on" (or "optional") together with allow=[...]',
                         code="allow_needs_mtls")
    if isinstance(allow, str) or not allow:
        raise InputError("allow must be a non-empty list of DNs or fingerprints",
                         f"it is {allow!r}", 'pass allow=["CN=client2"]',
                         code="bad_allow_list")
    dns, fingerprints = [], []
    for entry in allow:
        text = str(entry).strip()
        hexed = text.replace(":", "").lower()
        if re.fullmatch(r"[0-9a-f]{40}", hexed):
            fingerprints.append(hexed)
        elif re.fullmatch(r"[0-9a-f]{64}", hexed):
            raise InputError(f"{text[:20]}... is a SHA-256 fingerprint",
                             "nginx's $ssl_client_fingerprint is the SHA-1 fingerprint",
                             "use nginx_client_identity(certificate) for the SHA-1 one",
                             code="fingerprint_not_sha1")
        elif "=" in text and '"' not in text and "\\" not in text and "\n" not in text:
            dns.append(text)
        else:
            raise InputError(f"cannot use {text!r} in an allow list",
                             "an entry is a subject DN (CN=...) or a SHA-1 fingerprint",
                             'write it like "CN=client2" or 40 hex digits',
                             code="bad_allow_entry")
    return dns, fingerprints


def _authorization_maps(tag: str, dns: list[str], fingerprints: list[str]) -> list[str]:
    # One map per identity kind, then one that also demands SUCCESS: with
    # optional_no_ca a FAILED certificate claims whatever DN its maker wrote.
    lines, flags = ["# who may in: a verified certificate (SUCCESS) that is on the list"], []
    for kind, variable, values in (("dn", "$ssl_client_s_dn", dns),
                                   ("fp", "$ssl_client_fingerprint", fingerprints)):
        if values:
            flags.append(f"$pkilab_{kind}_ok_{tag}")
            lines += [f"map {variable} $pkilab_{kind}_ok_{tag} {{", "    default 0;",
                      *(f'    "{value}" 1;' for value in values), "}"]
    lines += [f'map "$ssl_client_verify:{"".join(flags)}" $pkilab_allowed_{tag} {{',
              "    default 0;", '    "~^SUCCESS:.*1" 1;', "}"]
    return lines


def _verified_identity_maps(tag: str) -> list[str]:
    # Forward a DN or fingerprint only when nginx verified the certificate: with
    # optional_no_ca a FAILED certificate's DN is whatever its maker wrote.
    lines = []
    for kind, variable in (("dn", "$ssl_client_s_dn"), ("fp", "$ssl_client_fingerprint")):
        lines += [f"map $ssl_client_verify $pkilab_verified_{kind}_{tag} {{",
                  f"    SUCCESS {variable};", '    default "";', "}"]
    return lines


def _authorization_checks(tag: str) -> list[str]:
    return [
        "    # 495: the client certificate failed verification; 496: none was sent",
        f"    error_page 495 496 =403 @refused_{tag};",
        f"    if ($pkilab_allowed_{tag} = 0) {{",
        '        return 403 "403 Forbidden: only allowed, verified client certificates get in'
        " (this one: verify $ssl_client_verify, subject '$ssl_client_s_dn')\\n\";",
        "    }",
        f"    location @refused_{tag} {{",
        "        default_type text/plain;",
        '        return 403 "403 Forbidden: client certificate $ssl_client_verify\\n";',
        "    }",
    ]


def _location(upstream: str | None, tag: str | None) -> list[str]:
    if upstream is None:
        return ["    location / {",
                "        default_type text/plain;",
                '        return 200 "hello $ssl_client_s_dn (verify: $ssl_client_verify)\\n";',
                "    }"]
    lines = ["    location / {", f"        proxy_pass {upstream};"]
    if tag is not None:
        lines += [
            "        # set by nginx; a client's own X-Client-* headers are replaced",
            "        proxy_set_header X-Client-Verify $ssl_client_verify;",
            f"        proxy_set_header X-Client-DN $pkilab_verified_dn_{tag};",
            f"        proxy_set_header X-Client-Fingerprint $pkilab_verified_fp_{tag};",
        ]
    else:
        lines += ["        # no client certificates here: drop any identity a client claims",
                  '        proxy_set_header X-Client-Verify "";',
                  '        proxy_set_header X-Client-DN "";',
                  '        proxy_set_header X-Client-Fingerprint "";']
    return [*lines, "    }"]


def nginx_client_identity(certificate: x509.Certificate) -> tuple[str, str]:
    """``(DN, SHA-1 fingerprint)`` of a client certificate, as nginx's
    ``$ssl_client_s_dn`` and ``$ssl_client_fingerprint`` show them: entries for
    ``nginx_server_block(allow=[...])``.

    The fingerprint names one certificate exactly (a renewed certificate has a new one);
    the DN names whoever the trusted CA gave that name, so it survives renewal but is
    only as unique as the CA keeps it.
    """
    dn = certificate.subject.rfc4514_string()
    sha1 = certificate.fingerprint(hashes.SHA1()).hex()  # SHA-1: what nginx reports
    return dn, sha1


def nginx_lab_config(folder: str | os.PathLike[str], workdir: str | os.PathLike[str], *,
                     port: int, mtls: str = "off", verify_depth: int = 3,
                     allow: Sequence[str] | None = None, upstream: str | None = None,
                     block: str | None = None, stapling: bool | None = None) -> str:
    """A whole nginx.conf that runs in the foreground as any user, on 127.0.0.1 only.

    ``block`` is a server block written elsewhere (a learner's): its ``listen`` lines are
    moved to ``127.0.0.1:port``; otherwise :func:`nginx_server_block` writes one.
    """
    work = Path(workdir).resolve()
    if block is None:
        block = nginx_server_block(folder, port=port, mtls=mtls, listen_address="127.0.0.1",
                                   verify_depth=verify_depth, allow=allow, upstream=upstream,
                                   stapling=stapling)
    else:
        block = re.sub(r"^(\s*)listen\s+[^;]*;", rf"\g<1>listen 127.0.0.1:{port} ssl;", block,
                       flags=re.MULTILINE)
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
        "    map_hash_bucket_size 128;   # room for long DNs in allow lists",
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


def kubernetes_ca_secret(name: str, ca_pem: bytes, *, namespace: str = "default",
                         crl_pem: bytes | None = None) -> str:
    """A Secret holding ``ca.crt``: the CAs an ingress trusts for client certificates.

    ``crl_pem`` adds ``ca.crl`` (for a set: every CA's list, ``pkilab.revoke.crl_chain``),
    which ingress-nginx's ``auth-tls-secret`` hands to nginx's ``ssl_crl``; the
    controller reloads nginx when the Secret changes.
    """
    crl = f"  ca.crl: {_b64(crl_pem)}\n" if crl_pem else ""
    return (f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n"
            f"  namespace: {namespace}\ntype: Opaque\ndata:\n  ca.crt: {_b64(ca_pem)}\n{crl}")


def kubernetes_ingress(name: str, host: str, tls_secret: str, service: str, *,
                       service_port: int = 80, namespace: str = "default",
                       client_ca_secret: str | None = None, verify_depth: int = 3,
                       match_cn: str | None = None, pass_certificate: bool = False) -> str:
    """An ingress-nginx Ingress serving ``host`` with ``tls_secret``.

    ingress-nginx was retired in March 2026: no more releases or security fixes. This
    is for clusters that still run it; new clusters use the Gateway API
    (:func:`gateway_api_gateway`). With ``client_ca_secret`` it requires client
    certificates (mutual TLS) through the ``auth-tls-*`` annotations; ``match_cn`` (a
    regular expression over the subject, e.g. ``"CN=client2"``) is its authorization
    check, and ``pass_certificate`` forwards the client's certificate upstream in the
    ``ssl-client-cert`` header (the controller also sends ``ssl-client-verify`` and
    ``ssl-client-subject-dn``).
    """
    notes: dict[str, str] = {}
    if client_ca_secret:
        prefix = "nginx.ingress.kubernetes.io/auth-tls-"
        notes[prefix + "verify-client"] = "on"
        notes[prefix + "secret"] = f"{namespace}/{client_ca_secret}"
        notes[prefix + "verify-depth"] = str(verify_depth)
        if match_cn:
            notes[prefix + "match-cn"] = match_cn
        if pass_certificate:
            notes[prefix + "pass-certificate-to-upstream"] = "true"
    elif match_cn or pass_certificate:
        raise InputError("match_cn and pass_certificate need client certificates", "",
                         "pass client_ca_secret=... too", code="allow_needs_mtls")
    metadata: dict = {"name": name, "namespace": namespace}
    if notes:
        metadata["annotations"] = notes
    return to_yaml({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": metadata,
        "spec": {"ingressClassName": "nginx",
                 "tls": [{"hosts": [host], "secretName": tls_secret}],
                 "rules": [{"host": host, "http": {"paths": [_backend_path(service,
                                                                          service_port)]}}]},
    })


def _backend_path(service: str, port: int) -> dict:
    return {"path": "/", "pathType": "Prefix",
            "backend": {"service": {"name": service, "port": {"number": port}}}}


#: The Gateway API version the builders below follow (standard channel
#: ``gateway.networking.k8s.io/v1``; client-certificate validation,
#: ``spec.tls.frontend``, is in its experimental channel as of v1.4).
GATEWAY_API_VERSION = "v1.4"


def kubernetes_ca_configmap(name: str, ca_pem: bytes, *, namespace: str = "default") -> str:
    """A ConfigMap with ``ca.crt``: what a Gateway's client-certificate validation reads
    (a CA certificate is public: it needs no Secret)."""
    return to_yaml({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": name, "namespace": namespace},
                    "data": {"ca.crt": ca_pem.decode("ascii")}})


def gateway_api_gateway(name: str, host: str, tls_secret: str, *,
                        gateway_class: str = "example", namespace: str = "default",
                        port: int = 443, client_ca_configmap: str | None = None,
                        allow_without_certificate: bool = False) -> str:
    """A Gateway API ``Gateway`` with an HTTPS listener for ``host`` that terminates TLS
    with ``tls_secret`` (a ``kubernetes.io/tls`` Secret: full chain + key).

    With ``client_ca_configmap`` it validates client certificates against that
    ConfigMap's ``ca.crt`` (GEP-91, ``spec.tls.frontend.default.validation``):
    ``AllowValidOnly`` refuses clients without a valid certificate;
    ``allow_without_certificate`` writes ``AllowInsecureFallback`` (the application must
    then decide). Written for :data:`GATEWAY_API_VERSION`; implementations differ in
    which parts they support and in the chain depth they accept (read their docs).
    """
    spec: dict = {
        "gatewayClassName": gateway_class,
        "listeners": [{
            "name": "https", "protocol": "HTTPS", "port": port, "hostname": host,
            "tls": {"mode": "Terminate",
                    "certificateRefs": [{"kind": "Secret", "name": tls_secret}]},
            "allowedRoutes": {"namespaces": {"from": "Same"}},
        }],
    }
    if client_ca_configmap:
        spec["tls"] = {"frontend": {"default": {"validation": {
            "caCertificateRefs": [{"kind": "ConfigMap", "group": "",
                                   "name": client_ca_configmap}],
            "mode": "AllowInsecureFallback" if allow_without_certificate
            else "AllowValidOnly"}}}}
    return to_yaml({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
                    "metadata": {"name": name, "namespace": namespace}, "spec": spec})


def gateway_api_httproute(name: str, gateway: str, host: str, service: str, *,
                          service_port: int = 80, namespace: str = "default") -> str:
    """An ``HTTPRoute`` sending ``host`` on ``gateway`` to ``service``."""
    return to_yaml({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"parentRefs": [{"name": gateway}], "hostnames": [host],
                 "rules": [{"backendRefs": [{"name": service, "port": service_port}]}]},
    })


def cert_manager_ca_issuer(name: str, ca_secret: str, *, namespace: str = "default") -> str:
    """A cert-manager ``Issuer`` of type CA: it signs with the CA certificate and key in
    ``ca_secret`` (a ``kubernetes.io/tls`` Secret, e.g. intermediate2's). The CA key
    then lives in the cluster: give it its own intermediate, never the root's key."""
    return to_yaml({"apiVersion": "cert-manager.io/v1", "kind": "Issuer",
                    "metadata": {"name": name, "namespace": namespace},
                    "spec": {"ca": {"secretName": ca_secret}}})


def cert_manager_certificate(name: str, secret_name: str, dns_names: Sequence[str],
                             issuer: str, *, namespace: str = "default",
                             usages: Sequence[str] = ("server auth",),
                             duration: str = "2160h", renew_before: str = "720h",
                             common_name: str | None = None) -> str:
    """A cert-manager ``Certificate``: cert-manager makes the key, asks ``issuer`` to
    sign, stores the result in ``secret_name`` (``tls.crt`` full chain, ``tls.key``,
    ``ca.crt``) and renews it ``renew_before`` its end (default: 90 days, renewed 30
    days before). ``usages=("client auth",)`` makes a client certificate."""
    if isinstance(dns_names, str) or (not dns_names and not common_name):
        raise InputError("a Certificate needs a list of names", f"got {dns_names!r}",
                         'pass dns_names=["api.example.com"]', code="bad_names")
    spec: dict = {"secretName": secret_name, "duration": duration,
                  "renewBefore": renew_before,
                  "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
                  "usages": list(usages),
                  "issuerRef": {"name": issuer, "kind": "Issuer", "group": "cert-manager.io"}}
    if common_name:
        spec["commonName"] = common_name
    if dns_names:
        spec["dnsNames"] = list(dns_names)
    return to_yaml({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
                    "metadata": {"name": name, "namespace": namespace}, "spec": spec})


# ---- a small YAML writer: mappings, lists and scalars, enough for Kubernetes objects ----

_PLAIN = re.compile(r"[A-Za-z_./][A-Za-z0-9_./-]*\Z")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text)  # a JSON string is a valid YAML double-quoted scalar


def to_yaml(obj: object, indent: int = 0) -> str:
    """``obj`` (dicts, lists, text, numbers) as block YAML; multi-line text (PEM) as a
    literal block. Keys keep their order."""
    return "\n".join(_yaml_lines(obj, indent)) + "\n"


def _yaml_lines(obj: object, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            head = f"{pad}{_scalar(key)}:"
            lines += _yaml_child(head, value, indent)
    elif isinstance(obj, list):
        for item in obj:
            child = _yaml_lines(item, indent + 2)
            lines.append(f"{pad}- {child[0].lstrip()}")
            lines += child[1:]
    else:
        lines.append(pad + _scalar(obj))
    return lines


def _yaml_child(head: str, value: object, indent: int) -> list[str]:
    if isinstance(value, str) and "\n" in value and not value.startswith((" ", "\n")) \
            and not value.endswith("\n\n"):
        chomp = "|" if value.endswith("\n") else "|-"  # keep the final newline, or none
        return [f"{head} {chomp}", *(" " * (indent + 2) + line if line else ""
                                     for line in value.splitlines())]
    if isinstance(value, (dict, list)) and value:
        return [head, *_yaml_lines(value, indent + 2)]
    if isinstance(value, (dict, list)):
        return [f"{head} {'{}' if isinstance(value, dict) else '[]'}"]
    return [f"{head} {_scalar(value)}"]
