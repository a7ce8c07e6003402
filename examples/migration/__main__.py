"""Serve the mixed app with uvicorn, call every side, print what they answer.

``python -m examples.migration`` (from the repository root). Uses a fresh
SQLite file in a temporary directory; the server is always stopped.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Any


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _call(base: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base + path,
        data=data,
        method=method,
        headers={"x-user": "ann", "content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def main() -> int:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "MIGRATION_EXAMPLE_DB": os.path.join(tmp, "notes.db")}
        log = open(os.path.join(tmp, "server.log"), "w+b")  # noqa: SIM115
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "examples.migration.api:api",
             "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        print(log.read().decode(errors="replace"))
                        return 1
                    time.sleep(0.1)
            for method, path, body in [
                ("POST", "/flask/notes", {"text": "written by the Flask app"}),
                ("GET", "/flask/notes", None),  # moved to FastAPI
                ("GET", "/flask/notes/1", None),
                ("GET", "/django/notes/1", None),  # an async Django view
                ("GET", "/django/mine", None),  # moved to FastAPI
                ("GET", "/django/stats", None),
            ]:
                status, answer = _call(base, method, path, body)
                print(f"{method:4} {path:18} {status} {json.dumps(answer)}")
            _, document = _call(base, "GET", "/openapi.json")
            print("OpenAPI paths:", ", ".join(sorted(document["paths"])))
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
            log.seek(0)
            output = log.read().decode(errors="replace")
            log.close()
        print(
            "uvicorn:",
            "; ".join(
                line
                for line in output.splitlines()
                if "lifespan" in line.lower() or "Application" in line
            ),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
