"""nbval on a machine without the optional tools: tagged cells run, but are not compared.

A lesson cell whose output depends on openssl, curl, keytool or nginx carries the tag
``needs-openssl`` (``needs-curl``, ...). Its stored output was made where the tool
exists, so where the tool is missing the cell still runs (later cells may use its
variables, and it must not raise) but its output is not compared, and pytest reports the
cell as skipped with the reason, e.g. ``needs nginx, not installed``.
"""

from __future__ import annotations

import shutil

import pytest

TOOL_TAGS = {"needs-openssl": "openssl", "needs-curl": "curl", "needs-keytool": "keytool",
             "needs-nginx": "nginx", "needs-pebble": "pebble", "needs-tshark": "tshark"}


def tool_installed(tool: str) -> bool:
    """Found the way pkilab finds it: on the PATH, and nginx also in /usr/sbin."""
    if shutil.which(tool):
        return True
    return tool == "nginx" and shutil.which("nginx", path="/usr/sbin:/usr/local/sbin") is not None


def missing_tools(tags: list[str]) -> list[str]:
    """The tools a cell's tags ask for that this machine does not have."""
    return [TOOL_TAGS[t] for t in tags if t in TOOL_TAGS and not tool_installed(TOOL_TAGS[t])]


def _run_then_skip(item, reason: str):
    run = item.runtest

    def runtest() -> None:
        run()  # a cell that raises still fails: only the comparison is left out
        pytest.skip(reason)

    return runtest


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        cell = getattr(item, "cell", None)
        options = getattr(item, "options", None)
        if cell is None or options is None:  # not an nbval cell
            continue
        missing = missing_tools(cell.metadata.get("tags", []))
        if missing:
            options["check"] = False
            item.runtest = _run_then_skip(
                item, "needs " + ", ".join(missing) + ", not installed")
