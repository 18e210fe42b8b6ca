"""Shell completion: the generated scripts load in the real shells and complete pkilab."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from pkilab.cli import SUBCOMMANDS, build_parser, main
from pkilab.cli.completion_cmd import commands, script


@pytest.fixture(scope="module")
def scripts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("completion")
    for shell in ("bash", "zsh", "fish"):
        (folder / f"pkilab.{shell}").write_text(script(shell))
    return folder


def bash_complete(scripts, *words: str) -> list[str]:
    """What `_pkilab` offers with the cursor on the last of ``words``."""
    array = " ".join(f"'{w}'" for w in ("pkilab", *words))
    done = subprocess.run(
        ["bash", "--norc", "-c", f"source {scripts / 'pkilab.bash'} && "
         f"COMP_WORDS=({array}) && COMP_CWORD={len(words)} && _pkilab && "
         'printf "%s\\n" "${COMPREPLY[@]}"'],
        capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line]


def test_the_model_follows_the_parser():
    top, subs = commands(build_parser())
    assert [s.name for s in subs] == list(SUBCOMMANDS)
    verify = next(s for s in subs if s.name == "verify")
    purpose = next(o for o in verify.options if "--purpose" in o.flags)
    assert purpose.takes_value and purpose.choices == ["server", "client"]
    assert any("--version" in o.flags and not o.takes_value for o in top.options)


def test_bash_registers_the_function(scripts):
    done = subprocess.run(["bash", "--norc", "-c",
                           f"source {scripts / 'pkilab.bash'} && complete -p pkilab"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "complete -o default -F _pkilab pkilab"


def test_bash_completes_subcommands_options_and_choices(scripts):
    assert bash_complete(scripts, "ver") == ["verify"]
    assert set(bash_complete(scripts, "")) >= set(SUBCOMMANDS)
    assert bash_complete(scripts, "verify", "--pur") == ["--purpose"]
    assert bash_complete(scripts, "verify", "cert.crt", "--purpose", "") == ["server", "client"]
    assert bash_complete(scripts, "convert", "--to", "p1") == ["p12", "p12-legacy"]
    assert bash_complete(scripts, "completion", "f") == ["fish"]
    # an option's free value (a host name) and file arguments are left to the shell
    assert bash_complete(scripts, "verify", "--host", "") == []
    assert bash_complete(scripts, "inspect", "") == []


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_loads_the_script(scripts):
    # bashcompinit calls the function with sh emulation (arrays from 0), as here; its
    # compgen leaves matching the typed prefix to zsh's completer, so it offers them all
    done = subprocess.run(
        ["zsh", "-f", "-c", f"source {scripts / 'pkilab.zsh'} && "
         "emulate sh -c 'COMP_WORDS=(pkilab ver); COMP_CWORD=1; _pkilab; "
         "echo ${COMPREPLY[@]}; COMP_WORDS=(pkilab verify --purpose \"\"); COMP_CWORD=3; "
         "_pkilab; echo ${COMPREPLY[@]}'"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    commands_line, purposes = done.stdout.splitlines()
    assert set(commands_line.split()) >= set(SUBCOMMANDS)
    assert purposes.split() == ["server", "client"]


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completes(scripts):
    done = subprocess.run(
        ["fish", "--no-config", "-c", f"source {scripts / 'pkilab.fish'}; "
         "complete -C 'pkilab ver'; complete -C 'pkilab verify --purpose '"],
        capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    offered = [line.split("\t")[0] for line in done.stdout.splitlines()]
    assert offered == ["verify", "client", "server"]


def test_the_command_prints_the_script(capsys):
    assert main(["completion", "bash"]) == 0
    assert "complete -o default -F _pkilab pkilab" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        main(["completion", "tcsh"])
    assert exit_info.value.code == 2


def test_version_names_cryptography_and_both_openssls():
    import ssl

    import cryptography

    done = subprocess.run([sys.executable, "-m", "pkilab", "--version"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("pkilab ")
    assert lines[1].startswith(f"cryptography {cryptography.__version__} (OpenSSL ")
    assert lines[2] == f"ssl module {ssl.OPENSSL_VERSION}"
