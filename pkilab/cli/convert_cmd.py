"""``pkilab convert IN OUT``: change a certificate, key or keystore from one format to another."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..errors import InputError, OverwriteError
from ..files import check_output, read_input, write_output
from ..formats import identify, load_any
from ..formats.convert import TARGETS, plan, target_for

_EPILOG = """\
targets (--to; the default comes from OUT's extension):
  pem         everything as PEM text (certificates, then the key as PKCS#8)
  der         one object as DER (.der, .cer)
  pkcs8       the private key as PKCS#8; encrypted when --password is given
  pkcs1       an RSA key as PKCS#1 (BEGIN RSA PRIVATE KEY)
  sec1        an EC key as SEC1 (BEGIN EC PRIVATE KEY)
  p12         PKCS#12 with key + certificate + chain, AES-256 (.p12, .pfx)
  p12-legacy  PKCS#12 with 3DES/SHA-1, for old Java, macOS and Windows
  p7b         the certificates as PKCS#7 (.p7b; PEM when OUT ends in .pem)
  jks         Java keystore: one private-key entry with its chain (.jks)
  truststore  Java truststore: each certificate trusted (truststore.jks)
  split       one file per certificate: OUT-1.crt (leaf), OUT-2.crt, ...

keystores need a key and its certificate: give a PEM file holding both, or add
--key KEY_FILE (and --chain CHAIN_FILE for the intermediates). Passwords for keystores
must be 6+ characters (keytool's minimum), encrypted keys 4+ (what openssl asks for),
both at most 1023 bytes. PW may be the password, pass:TEXT, env:VAR, file:PATH (first
line) or stdin / - (a line of standard input): the last three keep it out of 'ps'.
Keys, .p12 and .jks are written with mode 0600. The input is never replaced, nor a
pipe or device; an existing OUT only with --force.

examples:
  pkilab convert server.crt server.der
  pkilab convert client.crt client.p12 --key client.key --chain intermediate2.crt --password 123456
  pkilab convert client.p12 client.pem --in-password 123456
  pkilab convert server.key server-rsa.key --to pkcs1
  pkilab convert root.crt truststore.jks --password changeit
  pkilab convert fullchain.crt part.crt --to split

exit codes: 0 written, 2 bad usage or unreadable input.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "convert", help="convert certificates, keys and keystores between formats",
        description="Convert a certificate, key, CSR, bundle or keystore to another format.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", metavar="IN", help="file to read (any format pkilab knows)")
    parser.add_argument("output", metavar="OUT", help="file to write")
    parser.add_argument("--to", choices=TARGETS, help="output format (default: from OUT)")
    parser.add_argument("--password", metavar="PW",
                        help="password for the output (p12, jks, encrypted key); also tried "
                             "on the input when --in-password is not given (pkcs1/sec1 "
                             "outputs then ignore it: they cannot be encrypted)")
    parser.add_argument("--in-password", metavar="PW", help="password of the input")
    parser.add_argument("--key", metavar="FILE", help="private key to add (for p12/jks)")
    parser.add_argument("--chain", metavar="FILE", action="append", default=[],
                        help="certificates to add after the input's (repeatable)")
    parser.add_argument("--name", metavar="ALIAS",
                        help="PKCS#12 friendly name / JKS alias (default: the certificate's "
                             "common name)")
    parser.add_argument("--only", choices=("certs", "key"),
                        help="take only the certificates or only the key from IN")
    parser.add_argument("--force", action="store_true", help="replace an existing OUT")
    parser.set_defaults(run=run)


def _same_file(a: Path, b: Path) -> bool:
    """True when ``b`` is ``a`` under another name (same inode: a link, ./x, a symlink)."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


#: Targets that cannot be encrypted: a --password that only opened the input is not
#: passed on to them (the others encrypt with it, as --help says).
_NEVER_ENCRYPTED = {"pkcs1": "PKCS#1", "sec1": "SEC1"}


def _read(path: str, password: str | None, fallback: str | None, what: str,
          used: list[str] | None = None):
    """Load a file; ``fallback`` (the output's --password) is tried only on inputs that
    need a password, so a plain input is never "opened" with it. When it is, ``path``
    is added to ``used``."""
    data = read_input(path, what=what)
    if password is None and fallback is not None and identify(data, path).needs_password:
        password = fallback
        if used is not None:
            used.append(path)
    return load_any(data, password, name=path)


#: Targets whose password is a keystore's (keytool's rule); the others encrypt a key.
_KEYSTORES = ("p12", "p12-legacy", "jks", "truststore")


def _check_new_password(password: str | None, target: str, writes_key: bool) -> None:
    """The one password rule (pkilab.passwords) for what this output will be locked with."""
    from ..passwords import check_new_password

    if password is None or target in _NEVER_ENCRYPTED:
        return  # none given (plan says if one is needed), or refused by the key writer
    if target in _KEYSTORES:
        check_new_password(password, "keystore")
    elif writes_key:  # pem, der, pkcs8: the password encrypts the key
        check_new_password(password, "key")


def _check_outputs(paths: list[Path], inputs: list[Path], force: bool) -> None:
    """All checks before writing any file: nothing is half done."""
    for path in paths:
        check_output(path)  # a FIFO or a device is never replaced, even with --force
        for source in inputs:
            if _same_file(source, path):
                raise InputError(f"{str(path)!r} is also an input",
                                 "converting never replaces its input, even with --force",
                                 "choose another output name", code="output_is_input")
    existing = [p for p in paths if os.path.lexists(p)]
    if existing and not force:
        raise OverwriteError(f"{str(existing[0])!r} already exists",
                             "pkilab never replaces a file silently",
                             "choose another name, remove it, or pass --force",
                             code="output_exists")


def run(args: argparse.Namespace) -> int:
    from ..formats._quiet import quiet_serials

    with quiet_serials():  # a negative serial number must not print a library warning
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    target = args.to or target_for(args.output)
    inputs = [Path(args.input)] + ([Path(args.key)] if args.key else []) + [
        Path(c) for c in args.chain]
    opened_with_password: list[str] = []  # inputs --password opened (no --in-password)
    contents = _read(args.input, args.in_password, args.password, "input file",
                     opened_with_password)
    if args.key:
        if contents.private_keys:
            raise InputError(f"{args.input!r} already holds a private key",
                             "--key would add a second one", "leave --key out",
                             code="second_private_key")
        key_file = _read(args.key, args.in_password, args.password, "key file",
                         opened_with_password)
        if not key_file.private_keys:
            raise InputError(f"{args.key!r} holds no private key",
                             f"it is {key_file.identified.description}",
                             "pass the .key file to --key", code="no_private_key")
        for key in key_file.private_keys:
            contents.add_key(key)
    for chain_file in args.chain:
        extra = _read(chain_file, args.in_password, None, "chain file")
        if not extra.certificates:
            raise InputError(f"{chain_file!r} holds no certificates",
                             f"it is {extra.identified.description}",
                             "pass intermediate certificates to --chain",
                             code="no_certificates")
        for cert in extra.certificates:
            if cert not in contents.certificates:
                contents.add_certificate(cert)
    for warning in contents.warnings:
        sys.stderr.write(f"pkilab: warning: {warning}\n")
    out_password = args.password
    if opened_with_password and target in _NEVER_ENCRYPTED:
        # e.g. convert client.p12 client.key --password 123456 --to pkcs1: the password
        # was needed to open the .p12, and PKCS#1 has no encrypted form to use it for
        out_password = None
        sys.stderr.write(f"pkilab: note: --password opened {opened_with_password[0]!r}; "
                         f"{_NEVER_ENCRYPTED[target]} is written without a password "
                         "(only PKCS#8 can be encrypted: --to pkcs8)\n")
    _check_new_password(out_password, target,
                        bool(contents.private_keys) and args.only != "certs")
    outputs = plan(contents, target, args.output, password=out_password, name=args.name,
                   only=args.only)
    _check_outputs([o.path for o in outputs], inputs, args.force)
    for output in outputs:
        write_output(output.path, output.data, private=output.private, overwrite=args.force)
        mode = " (mode 0600)" if output.private else ""
        print(f"wrote {output.path}{mode}: {output.summary}")
    return 0
