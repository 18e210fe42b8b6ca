"""``pkilab serve DIR --mtls required --class`` as a real process: greets, warns, exports."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

from pkilab.classroom import make_class, read_roster
from pkilab.tls import request


def _serve(*args: str):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "pkilab", "serve", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    header = []
    for line in proc.stdout:
        header.append(line)
        if line.startswith("Press Ctrl-C"):
            break
    found = re.search(r"https://localhost:\d+/", "".join(header))
    assert found, "".join(header) + proc.stderr.read()
    return proc, header, found.group(0)


def test_class_server_process(tmp_path):
    folder = tmp_path / "cls"
    make_class(folder, read_roster("王伟,,1\nAnn,,2\n".encode()), now_label="t")
    proc, header, url = _serve(str(folder), "--mtls", "required", "--class",
                               "--host", "0.0.0.0")
    try:
        assert any(line.startswith("Warning: listening on 0.0.0.0") for line in header)
        base = folder / "students" / "1" / "1"
        reply = request(url, ca=folder / "root.crt", cert=f"{base}.crt", key=f"{base}.key")
        assert reply.status == 200 and "Hello, 王伟 (1)!" in reply.body
        # a revocation while the class runs reaches the server through class.json
        assert subprocess.run([sys.executable, "-m", "pkilab", "class", str(folder),
                               "--revoke", "2", "--reason", "keyCompromise"],
                              capture_output=True, timeout=30).returncode == 0
        ann = folder / "students" / "2" / "2"
        deadline, status = time.monotonic() + 10, None
        while time.monotonic() < deadline and status != 400:
            time.sleep(0.3)  # the server looks at class.json once a second
            status = request(url, ca=folder / "root.crt", cert=f"{ann}.crt",
                             key=f"{ann}.key").status
        assert status == 400
    finally:
        proc.send_signal(signal.SIGINT)
        out, _err = proc.communicate(timeout=15)
    assert proc.returncode == 0
    assert "class.json changed" in out
    table = (folder / "rollcall.csv").read_text("utf-8-sig").splitlines()
    assert table[0].startswith("name,student_id,file,status")
    assert any(row.startswith("王伟,1,1,connected") for row in table)
    assert any(row.startswith("Ann,2,2,refused (revoked)") for row in table)
