"""example_flask under a real gunicorn: --preload, 2 workers, 4 threads each.

A bounded loopback load (320 requests over 8 client threads, a new
connection each) then SIGTERM; the workers' own log (see
``flask_server_api.py``) must show the lifespan started once per worker pid,
never in the master, shut down once per worker at exit, and one ``yield``
teardown per request.
"""

from __future__ import annotations

import functools
import http.client
import json
import os
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from _server import Server, free_port, listening

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
THREADS, PER_THREAD = 8, 40


def _request(
    port: int, method: str, path: str, token: str, body: Any = None
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Authorization": f"Bearer {token}"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: Any) -> Any:
    tmp = tmp_path_factory.mktemp("gunicorn")
    log = tmp / "events.log"
    port = free_port()
    env = dict(
        os.environ,
        FASTAPI_EVERYWHERE_DEMO_DB=str(tmp / "server.db"),
        FLASK_FASTAPI_EVERYWHERE_APP="flask_server_api:app",
        FE_FLASK_SERVER_LOG=str(log),
        PYTHONPATH=os.pathsep.join([str(REPO), str(HERE)]),
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = Server(
        [
            str(gunicorn),
            "--preload",
            "-w",
            "2",
            "--threads",
            "4",
            "-b",
            f"127.0.0.1:{port}",
            "--graceful-timeout",
            "20",
            "example_flask:create_app()",
        ],
        cwd=REPO,
        env=env,
        log=tmp / "server.log",
    )

    try:
        server.wait_ready(functools.partial(listening, port))
    except RuntimeError as e:
        pytest.fail(str(e))
    try:
        yield server, port, log
    finally:
        if server.proc.poll() is None:
            server.kill()


def _load(port: int) -> Counter[tuple[str, int]]:
    def client(i: int) -> list[tuple[str, int]]:
        token = ("alice-token", "bob-token")[i % 2]
        out = []
        for j in range(PER_THREAD):
            kind = ("post", "list", "me", "export")[j % 4]
            if kind == "post":
                status, _ = _request(
                    port, "POST", "/notes", token, {"text": f"t{i}-{j}"}
                )
            elif kind == "list":
                status, _ = _request(port, "GET", "/notes?limit=5", token)
            elif kind == "me":
                status, _ = _request(port, "GET", "/notes/me", token)  # async route
            else:
                status, _ = _request(port, "GET", "/notes/export", token)  # streamed
            out.append((kind, status))
        return out

    with ThreadPoolExecutor(THREADS) as pool:
        return Counter(
            item for chunk in pool.map(client, range(THREADS)) for item in chunk
        )


def test_gunicorn_preload_two_workers(server: Any) -> None:
    running, port, log = server
    proc = running.proc
    statuses = _load(port)
    n = THREADS * PER_THREAD
    per_kind = n // 4
    assert statuses == Counter(
        {
            ("post", 201): per_kind,
            ("list", 200): per_kind,
            ("me", 200): per_kind,
            ("export", 200): per_kind,
        }
    )
    output = running.stop(timeout=60)
    assert proc.returncode == 0, output
    assert "Traceback" not in output, output

    events = [line.split() for line in log.read_text().splitlines()]
    by_kind: dict[str, Counter[int]] = {}
    for kind, pid in events:
        by_kind.setdefault(kind, Counter())[int(pid)] += 1
    started, stopped = by_kind["startup"], by_kind["shutdown"]
    assert proc.pid not in started  # --preload: the master never runs the lifespan
    assert set(started.values()) == {1} and started == stopped  # once per worker
    assert 1 <= len(started) <= 2, started
    assert set(by_kind["teardown"]) <= set(started)
    assert sum(by_kind["teardown"].values()) == n  # exactly one per request
    print("worker pids, requests torn down:", dict(by_kind["teardown"]))
