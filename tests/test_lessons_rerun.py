"""Re-running is safe: every lesson, executed twice in one kernel with each cell run twice
in a row, raises nothing and leaves no extra listening socket or thread behind.

The lesson is built from its source (notebooks/src) and run with nbclient in a real
kernel. Between the two runs the test reads the kernel process's own listening TCP
sockets (/proc/<pid>/net/tcp{,6} state 0A, matched to the socket inodes in
/proc/<pid>/fd) and its thread count (/proc/<pid>/status).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SOURCES = sorted((NOTEBOOKS / "src").glob("*.py"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]
nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")

_spec = importlib.util.spec_from_file_location("build", NOTEBOOKS / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

LISTEN = "0A"


def listening_sockets(pid: int) -> set[int]:
    """Inodes of the TCP sockets process ``pid`` holds that are in the LISTEN state."""
    listening = set()
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == LISTEN:
                listening.add(int(fields[9]))
    owned = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed while we looked
            continue
        if target.startswith("socket:["):
            owned.add(int(target[8:-1]))
    return listening & owned


def thread_count(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    raise AssertionError("no thread count in /proc status")


def settled(pid: int, listeners: int, threads: int, wait: float = 10.0) -> tuple[int, int]:
    """Counts once they are no higher than the given ones, or after ``wait`` seconds:
    a server thread that was told to stop may need a moment to finish (a guard against
    hangs, not a timing claim)."""
    deadline = time.monotonic() + wait
    while True:
        now = len(listening_sockets(pid)), thread_count(pid)
        if (now[0] <= listeners and now[1] <= threads) or time.monotonic() > deadline:
            return now
        time.sleep(0.2)


def _code_cells(source: Path) -> list:
    nb = build.to_notebook(build.parse_percent(source.read_text(encoding="utf-8")))
    return [c for c in nb.cells if c.cell_type == "code"]


def _kernel_pid(client) -> int:
    cell = client.nb.cells[0]
    client.execute_cell(cell, 0)
    return int("".join(o["text"] for o in cell.outputs if o.get("name") == "stdout"))


def _run_twice_each(client, lesson: str, run: int) -> None:
    """One pass over the lesson, each cell executed twice in a row."""
    from nbclient.exceptions import CellExecutionError

    for index in range(1, len(client.nb.cells)):
        for again in range(2):
            try:
                client.execute_cell(client.nb.cells[index], index)
            except CellExecutionError as error:
                first_line = client.nb.cells[index].source.splitlines()[0]
                pytest.fail(f"{lesson}: code cell {index - 1} ({first_line!r}) raised "
                            f"{error.ename}: {error.evalue} (pass {run}, "
                            f"{'second' if again else 'first'} run of the cell)")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_lesson_runs_twice_in_one_kernel(source):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import os; print(os.getpid())"),
                *_code_cells(source)]
    client = nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    with client.setup_kernel():
        pid = _kernel_pid(client)
        _run_twice_each(client, source.stem, 1)
        first = settled(pid, 0, 0, wait=0)
        _run_twice_each(client, source.stem, 2)
        second = settled(pid, *first)
    assert second[0] <= first[0], (
        f"{source.stem}: {second[0] - first[0]} more listening socket(s) after the second run")
    assert second[1] <= first[1], (
        f"{source.stem}: {second[1] - first[1]} more thread(s) after the second run")


def test_listening_sockets_are_seen():
    """The probe itself works: a socket this process listens on is found, then gone."""
    import socket

    pid = os.getpid()
    before = listening_sockets(pid)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert len(listening_sockets(pid) - before) == 1
    assert listening_sockets(pid) <= before
