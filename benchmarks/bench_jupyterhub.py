"""A class on one host: a local JupyterHub, several users each running a lesson at once.

Issue 13: a class of 100 on one server is a JupyterHub. This starts a real JupyterHub on
127.0.0.1 (DummyAuthenticator, SimpleLocalProcessSpawner: every user a process of this
OS user with a home folder of their own under a temporary folder), creates N users,
starts their servers, and has each of them run the same lessons at the same time through
the Hub's proxy, cell by cell over the kernel websocket, as JupyterLab does. It checks
that no cell fails (so no port or file collides between users: every server a lesson
starts binds port 0, nginx included, and each user's files go to their own
``_lab/``), and prints the time each user took against one user alone.

Needs, beside the project's venv: ``pip install jupyterhub`` (into that venv) and
``npm install -g configurable-http-proxy``.

    .venv/bin/python benchmarks/bench_jupyterhub.py [--users 4] [--lessons 05,06,07]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = uuid.uuid4().hex
CELL_TIMEOUT = 300  # seconds; only a guard against a hang


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def hub_config(work: Path, port: int) -> str:
    bin_dir = Path(sys.executable).parent
    args = ["--allow-root"] if os.geteuid() == 0 else []
    return f"""
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {_free_port()}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{_free_port()}"
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(work / "home" / "{username}")!r}
c.Spawner.cmd = [{str(bin_dir / "jupyterhub-singleuser")!r}]
c.Spawner.args = {args!r}
c.Spawner.environment = {{"PATH": {os.environ["PATH"] + ":/usr/sbin"!r}}}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.JupyterHub.db_url = "sqlite:///{work / "hub.sqlite"}"
c.JupyterHub.cookie_secret_file = {str(work / "cookie_secret")!r}
c.JupyterHub.pid_file = {str(work / "hub.pid")!r}
c.JupyterHub.services = [{{"name": "bench", "api_token": {TOKEN!r}}}]
c.JupyterHub.load_roles = [{{"name": "bench", "services": ["bench"],
    "scopes": ["admin:users", "admin:servers", "access:servers", "read:users"]}}]
"""


async def _request(method: str, url: str, body: object = None) -> dict:
    from tornado.httpclient import AsyncHTTPClient, HTTPRequest

    request = HTTPRequest(url, method=method, headers={"Authorization": f"token {TOKEN}"},
                          body=None if body is None else json.dumps(body),
                          allow_nonstandard_methods=True, request_timeout=120)
    reply = await AsyncHTTPClient().fetch(request)
    return json.loads(reply.body) if reply.body else {}


async def start_user(base: str, name: str) -> None:
    await _request("POST", f"{base}/hub/api/users/{name}")
    await _request("POST", f"{base}/hub/api/users/{name}/server", {})
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        user = await _request("GET", f"{base}/hub/api/users/{name}")
        if user.get("servers", {}).get("", {}).get("ready"):
            return
        await asyncio.sleep(0.5)
    raise RuntimeError(f"{name}'s server did not start")


async def _execute(ws, session: str, code: str) -> list[str]:
    """Run one cell; the errors it printed (an error message, or a failed reply)."""
    from tornado.escape import json_decode

    msg_id = uuid.uuid4().hex
    await ws.write_message(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": session,
                   "username": "bench", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
    errors: list[str] = []
    idle = replied = False
    while not (idle and replied):
        raw = await asyncio.wait_for(ws.read_message(), CELL_TIMEOUT)
        if raw is None:
            raise RuntimeError("the kernel's websocket closed")
        message = json_decode(raw)
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = message["header"]["msg_type"]
        if kind == "error":
            errors.append(f"{message['content']['ename']}: {message['content']['evalue']}")
        elif kind == "execute_reply":
            replied = True
        elif kind == "status" and message["content"]["execution_state"] == "idle":
            idle = True
    return errors


async def run_lesson(base: str, name: str, lesson: Path) -> tuple[float, list[str]]:
    """(seconds, errors) for user ``name`` running every code cell of ``lesson``."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    notebook = json.loads(lesson.read_text())
    api = f"{base}/user/{name}/api"
    await _request("PUT", f"{api}/contents/{lesson.name}",
                   {"type": "notebook", "format": "json", "content": notebook})
    session = await _request("POST", f"{api}/sessions",
                             {"path": lesson.name, "type": "notebook", "name": lesson.name,
                              "kernel": {"name": "python3"}})
    kernel = session["kernel"]["id"]
    ws_url = api.replace("http://", "ws://") + f"/kernels/{kernel}/channels"
    ws = await websocket_connect(HTTPRequest(ws_url, headers={
        "Authorization": f"token {TOKEN}"}))
    started = time.perf_counter()
    errors: list[str] = []
    try:
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                errors += await _execute(ws, uuid.uuid4().hex, "".join(cell["source"]))
    finally:
        elapsed = time.perf_counter() - started
        ws.close()
        await _request("DELETE", f"{api}/sessions/{session['id']}")
    return elapsed, errors


async def class_run(base: str, users: list[str], lessons: list[Path]) -> dict:
    async def one(name: str) -> tuple[float, list[str]]:
        total, errors = 0.0, []
        for lesson in lessons:
            seconds, found = await run_lesson(base, name, lesson)
            total += seconds
            errors += [f"{lesson.stem}: {e}" for e in found]
        return total, errors

    results = await asyncio.gather(*(one(name) for name in users))
    return dict(zip(users, results, strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--lessons", default="05,06,07",
                        help="lesson numbers, comma-separated (default: the TLS lessons)")
    args = parser.parse_args(argv)
    if shutil.which("configurable-http-proxy") is None:
        print("needs configurable-http-proxy: npm install -g configurable-http-proxy")
        return 2
    lessons = [next((ROOT / "notebooks").glob(f"{n.strip()}-*.ipynb"))
               for n in args.lessons.split(",")]
    work = Path(tempfile.mkdtemp(prefix="pkilab-hub-"))
    port = _free_port()
    (work / "jupyterhub_config.py").write_text(hub_config(work, port))
    log = (work / "hub.log").open("wb")
    hub = subprocess.Popen([str(Path(sys.executable).parent / "jupyterhub"), "-f",
                            str(work / "jupyterhub_config.py")], cwd=work, stdout=log,
                           stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        return asyncio.run(_bench(base, args.users, lessons, work))
    finally:
        hub.terminate()
        try:
            hub.wait(timeout=60)
        except subprocess.TimeoutExpired:
            hub.kill()
        log.close()
        print(f"(hub log and user homes in {work})")


async def _wait_for_hub(base: str) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            await _request("GET", f"{base}/hub/api/")
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


async def _bench(base: str, count: int, lessons: list[Path], work: Path) -> int:
    await _wait_for_hub(base)
    names = ["solo"] + [f"student{i}" for i in range(1, count + 1)]
    started = time.perf_counter()
    await asyncio.gather(*(start_user(base, name) for name in names))
    print(f"{len(names)} single-user servers started in {time.perf_counter() - started:.1f}s")
    print("lessons:", ", ".join(p.stem for p in lessons), "| nginx for lesson 07:",
          shutil.which("nginx", path=os.environ["PATH"] + ":/usr/sbin") or "missing (skipped)")
    alone = await class_run(base, names[:1], lessons)
    started = time.perf_counter()
    together = await class_run(base, names[1:], lessons)
    wall = time.perf_counter() - started
    solo_seconds, solo_errors = alone["solo"]
    print(f"one user alone:          {solo_seconds:6.1f}s")
    for name, (seconds, _) in together.items():
        print(f"{name} (with {count - 1} others): {seconds:6.1f}s")
    print(f"{count} users at once, wall:  {wall:6.1f}s  ({wall / solo_seconds:.1f}x one "
          f"alone, on {os.cpu_count()} CPUs)")
    failures = solo_errors + [e for _, errors in together.values() for e in errors]
    own_lab = all((work / "home" / name / "_lab").is_dir() for name in names)
    for failure in failures[:10]:
        print("  error:", failure)
    ok = not failures and own_lab
    print(f"{'PASS' if ok else 'FAIL'}  {count} users ran {len(lessons)} lesson(s) at once "
          f"without an error; each wrote its own _lab/: {own_lab}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
