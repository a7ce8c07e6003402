"""The gradual-migration shapes, served: one lifespan per process, one loop.

* FastAPI-first (``mixed_app.py``): Flask (a2wsgi) and Django (its ASGI and
  its WSGI application) mounted under the FastAPI app;
* Django-first (``legacy_django.py``): a FastAPI app inside the Django
  project's ASGI application;
* Flask-first (``legacy_flask.py``): a FastAPI app inside the Flask app,
  which a WSGI server serves.

Each runs in a process of its own (they configure Django), under real
servers and under the test clients. Every side must see the lifespan
started once per process and shut down once, one pool, used on the loop
that opened it; under an ASGI server no loop thread of the library's.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tests"))

from _server import Server, free_port, listening  # noqa: E402

MIXED = (
    "/api/info",
    "/flask/info",
    "/flask-starlette/info",
    "/django/info",
    "/django/ainfo",
    "/django-wsgi/info",
    "/django-wsgi/ainfo",
)
LEGACY = ("/info", "/ainfo", "/api/info")

UVICORN = ["uvicorn", "--host", "127.0.0.1", "--port", "{port}"]
GUNICORN_UVICORN = ["gunicorn", "-w", "2", "-k", "uvicorn.workers.UvicornWorker"]
GUNICORN_SYNC = ["gunicorn", "-w", "2", "--threads", "4"]

# name: (app, server argv, workers, paths, loop threads of ours per process)
SERVED = {
    "fastapi-first, uvicorn": ("mixed_app:api", UVICORN, 1, MIXED, 0),
    "fastapi-first, gunicorn + uvicorn workers": (
        "mixed_app:api",
        [*GUNICORN_UVICORN, "-b", "127.0.0.1:{port}"],
        2,
        MIXED,
        0,
    ),
    "django-first, uvicorn": ("legacy_django:application", UVICORN, 1, LEGACY, 0),
    # A WSGI server has no loop: both sides share the library's loop thread.
    "flask-first, gunicorn": (
        "legacy_flask:flask_app",
        [*GUNICORN_SYNC, "-b", "127.0.0.1:{port}"],
        2,
        LEGACY,
        1,
    ),
}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), str(ROOT / "src")])
    return env


def _check(infos: list[dict[str, Any]], workers: int, loop_threads: int) -> None:
    by_pid = collections.defaultdict(list)
    for info in infos:
        by_pid[info["pid"]].append(info)
    assert 1 <= len(by_pid) <= workers, by_pid.keys()
    for pid, seen in by_pid.items():
        assert {i["starts"] for i in seen} == {1}, (pid, seen)  # started once
        assert len({i["pool"] for i in seen}) == 1, (pid, seen)  # one pool
        assert all(i["on_pool_loop"] for i in seen), (pid, seen)  # on its loop
        assert {i["loop_threads"] for i in seen} == {loop_threads}, (pid, seen)


def _pids(output: str, event: str) -> list[str]:
    return [line.split()[-1] for line in output.splitlines() if event in line]


@pytest.mark.parametrize("name", list(SERVED))
def test_served(name: str, tmp_path: Path) -> None:
    app, argv, workers, paths, loop_threads = SERVED[name]
    port = free_port()
    bin_dir = Path(sys.executable).parent
    command = [str(bin_dir / argv[0]), *(a.format(port=port) for a in argv[1:])]
    server = Server([*command, app], cwd=HERE, env=_env(), log=tmp_path / "server.log")
    # An ASGI server starts each worker's lifespan before it serves.
    expected_starts = 0 if loop_threads else workers
    infos: list[dict[str, Any]] = []
    try:
        server.wait_ready(
            lambda: (
                listening(port)
                and server.output().count("lifespan-start") >= expected_starts
            ),
            timeout=60,
        )
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for _ in range(4 * workers):
                for path in paths:
                    response = client.get(path)
                    assert response.status_code == 200, (path, response.text)
                    infos.append(response.json())
    finally:
        output = server.stop(timeout=60)
    _check(infos, workers, loop_threads)
    starts, stops = _pids(output, "lifespan-start"), _pids(output, "lifespan-stop")
    # Once per process, and shut down once when the server stops.
    assert len(starts) == len(set(starts)) >= len({i["pid"] for i in infos}), output
    if not loop_threads:
        assert len(starts) == workers, output
    assert sorted(stops) == sorted(starts), output
    assert "Traceback" not in output, output


CLIENTS = {
    "fastapi-first": (
        "from fastapi.testclient import TestClient; import mixed_app as m\n"
        "client = TestClient(m.api)",
        MIXED,
        0,
    ),
    "django-first": (
        "from fastapi.testclient import TestClient; import legacy_django as m\n"
        "client = TestClient(m.application)",
        LEGACY,
        0,
    ),
    "flask-first": (
        "import contextlib, legacy_flask as m\n"
        "client = contextlib.nullcontext(m.flask_app.test_client())",
        LEGACY,
        1,
    ),
}


@pytest.mark.parametrize("name", list(CLIENTS))
def test_under_the_test_client(name: str) -> None:
    setup, paths, loop_threads = CLIENTS[name]
    script = (
        f"import json\n{setup}\n"
        "with client as c:\n"
        f"    out = [json.loads(c.get(p).text) for p in {paths!r} for _ in range(3)]\n"
        "import shared\nprint(json.dumps({'infos': out, 'starts': len(shared.STARTS)}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=HERE,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    result = json.loads(next(line for line in lines if line.startswith("{")))
    _check(result["infos"], 1, loop_threads)
    assert result["starts"] == 1
    assert done.stdout.count("lifespan-start") == 1, done.stdout
