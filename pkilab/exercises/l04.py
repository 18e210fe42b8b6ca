"""Lesson 04 (formats): the checks look at the learner's files and answers.

Exercise 1 compares each answer with what :func:`pkilab.identify` says about the file
itself. Exercise 2 opens the learner's ``exercise.p12`` with the learner's password and
asks of its contents: a certificate for ``carol`` that the lesson's intermediate2 really
signed, the matching key, the chain, and (where keytool exists) one key entry for Java.
A copy of a ``.p12`` the lesson already wrote holds someone else's certificate and fails.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..facts import fingerprint, key_matches, signed_by
from ..formats import identify, load_any
from ..i18n import ui
from ..lesson import Verdict, check, have
from ..names import common_name
from . import not_yet as _not_yet


def _identified(mystery: Path, answers: Mapping[str, Any]) -> bool:
    if not isinstance(answers, Mapping):
        raise _not_yet("answers must stay a dict: file name -> kind")
    wrong = [name for name in sorted(answers)
             if answers[name] != identify((mystery / name).read_bytes()).kind]
    if wrong:
        raise _not_yet(ui("still wrong or missing: {files}").format(files=", ".join(wrong)))
    return True


def identified_check(mystery: str | os.PathLike[str], answers: Mapping[str, Any]) -> Verdict:
    """Exercise 1: every ``answers[name]`` is the kind ``identify`` finds in that file."""
    return check(lambda: _identified(Path(mystery), answers),
                 "look at each file with identify((mystery / name).read_bytes()).kind",
                 "all five identified from their bytes.")


def _own_p12(folder: Path, password: Any, certificate_set: Any, name: str) -> bool:
    path = folder / "exercise.p12"
    if not path.exists():
        raise _not_yet(ui("there is no {file} in the lesson folder yet").format(file=path.name))
    if not isinstance(password, str) or len(password) < 6:
        raise _not_yet("set p12_password to the password you used: 6 or more characters "
                       "(keytool refuses shorter ones)")
    inside = load_any(path.read_bytes(), password, name=path.name)
    if len(inside.private_keys) != 1 or not inside.certificates:
        raise _not_yet(ui("{file} should hold one key and its certificate").format(
            file=path.name))
    leaf = inside.certificates[0]
    lesson_files = {fingerprint(c.certificate) for c in certificate_set.clients.values()}
    if fingerprint(leaf) in lesson_files or common_name(leaf.subject) != name:
        raise _not_yet(ui("the certificate is {found!r}: issue a new one for {name!r}").format(
            found=common_name(leaf.subject), name=name))
    if not signed_by(leaf, certificate_set.intermediate2.certificate):
        raise _not_yet(ui("{name}'s certificate was not signed by this lesson's "
                          "intermediate2").format(name=name))
    if not key_matches(inside.private_keys[0], leaf):
        raise _not_yet("the key in the file does not belong to the certificate")
    if len(inside.certificates) < 3:
        raise _not_yet("add the chain (--chain intermediate2.crt --chain intermediate1.crt) "
                       "so Java sees where the certificate comes from")
    if have("keytool"):
        done = subprocess.run(["keytool", "-list", "-keystore", str(path), "-storepass",
                               password], capture_output=True, text=True, timeout=60)
        if "contains 1 entry" not in done.stdout:
            raise _not_yet("keytool does not list exactly one entry: "
                           + (done.stdout + done.stderr).strip().splitlines()[-1])
    return True


def own_p12_check(folder: str | os.PathLike[str], password: Any, certificate_set: Any,
                  name: str = "carol") -> Verdict:
    """Exercise 2: ``folder/exercise.p12`` holds a new certificate for ``name`` from the
    set's intermediate2, its key and chain, behind ``password``."""
    return check(lambda: _own_p12(Path(folder), password, certificate_set, name),
                 "issue, write, then pkilab convert ... --key ... --chain ... --password ...",
                 ui("exercise.p12 holds {name}'s key and certificate, and Java can use "
                    "it.").format(name=name))
