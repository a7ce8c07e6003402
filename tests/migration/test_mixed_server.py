"""The gradual-migration shape: Flask and Django mounted under FastAPI, served.

``mixed_app.py`` is the app (its own process: it configures Django). Served
by uvicorn, and by gunicorn with uvicorn workers, and run under FastAPI's
``TestClient``, every side must see one lifespan started once per process,
one pool, used on the server's loop that opened it, and no loop thread of
the library's.
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

PATHS = (
    "/api/info",
    "/flask/info",
    "/django/info",
    "/django/ainfo",
    "/django-wsgi/info",
    "/django-wsgi/ainfo",
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), str(ROOT / "src")])
    return env


def _check(infos: list[dict[str, Any]], workers: int) -> None:
    by_pid = collections.defaultdict(list)
    for info in infos:
        by_pid[info["pid"]].append(info)
    assert 1 <= len(by_pid) <= workers, by_pid.keys()
    for pid, seen in by_pid.items():
        assert {i["starts"] for i in seen} == {1}, (pid, seen)  # once, by the server
        assert len({i["pool"] for i in seen}) == 1, (pid, seen)  # one pool
        assert all(i["on_pool_loop"] for i in seen), (pid, seen)  # its loop
        assert {i["loop_threads"] for i in seen} == {0}, (pid, seen)


def test_mixed_app_under_testclient() -> None:
    script = (
        "import json, mixed_app\n"
        "from fastapi.testclient import TestClient\n"
        "with TestClient(mixed_app.api) as client:\n"
        f"    out = [client.get(p).json() for p in {PATHS!r} for _ in range(3)]\n"
        "print(json.dumps({'infos': out, 'starts': len(mixed_app.STARTS)}))\n"
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
    result = json.loads(done.stdout.strip().splitlines()[-1])
    _check(result["infos"], workers=1)
    assert result["starts"] == 1
    assert done.stdout.count("lifespan-stop") == 1, done.stdout


SERVERS = {
    "uvicorn": (["uvicorn", "--host", "127.0.0.1", "--port", "{port}"], 1),
    "gunicorn -k uvicorn -w 2": (
        [
            "gunicorn",
            "-w",
            "2",
            "-k",
            "uvicorn.workers.UvicornWorker",
            "-b",
            "127.0.0.1:{port}",
        ],
        2,
    ),
}


@pytest.mark.parametrize("name", list(SERVERS))
def test_mixed_app_under_a_real_server(name: str, tmp_path: Path) -> None:
    argv, workers = SERVERS[name]
    port = free_port()
    bin_dir = Path(sys.executable).parent
    command = [str(bin_dir / argv[0]), *(a.format(port=port) for a in argv[1:])]
    server = Server(
        [*command, "mixed_app:api"], cwd=HERE, env=_env(), log=tmp_path / "server.log"
    )
    infos: list[dict[str, Any]] = []
    try:
        server.wait_ready(lambda: listening(port), timeout=60)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for _ in range(4 * workers):
                for path in PATHS:
                    response = client.get(path)
                    assert response.status_code == 200, (path, response.text)
                    infos.append(response.json())
    finally:
        output = server.stop(timeout=60)
    _check(infos, workers=workers)
    starts = [
        line.split()[-1] for line in output.splitlines() if "lifespan-start" in line
    ]
    stops = [
        line.split()[-1] for line in output.splitlines() if "lifespan-stop" in line
    ]
    # Once per worker process, started and shut down by the server.
    assert len(starts) == len(set(starts)) == workers, output
    assert sorted(stops) == sorted(starts), output
    assert "Traceback" not in output, output
