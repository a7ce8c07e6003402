"""example_django under real servers: gunicorn (WSGI, pre-fork) and uvicorn (ASGI).

Bounded loopback load over 8 client threads, then SIGTERM; the workers'
own records must show zero errors, one lifespan start-up and shutdown per
worker pid, and every ``get_db`` torn down exactly once per request.
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from _server import Server, free_port

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
REQUESTS = 240


def _serve(argv: list[str], tmp: Path) -> tuple[Server, str, Path]:
    events = tmp / "events.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE), str(ROOT / "src")]),
        "DJANGO_SETTINGS_MODULE": "example_django.settings",
        "EXAMPLE_DJANGO_DB": str(tmp / "django.db"),
        "FASTAPI_EVERYWHERE_DEMO_DB": str(tmp / "notes.db"),
        "EXAMPLE_DJANGO_FASTAPI_APP": "server_app:app",
        "EVENTS": str(events),
    }
    subprocess.run(
        [sys.executable, str(ROOT / "example_django" / "manage.py"), "migrate", "-v0"],
        env=env,
        check=True,
        cwd=tmp,
    )
    port = free_port()
    server = Server(
        [sys.executable, "-m", *[a.format(port=port) for a in argv]],
        cwd=tmp,
        env=env,
        log=tmp / "server.log",
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            httpx.get(base + "/notes/", timeout=1)
        except httpx.TransportError:
            return False
        return True

    server.wait_ready(up)
    return server, base, events


def _load(base: str) -> list[int]:
    users = ["alice", "bob"]

    def one(i: int) -> int:
        user = users[i % 2]
        headers = {"Authorization": f"Bearer {user}-token"}
        with httpx.Client(base_url=base, timeout=30) as c:
            if i % 4 == 0:
                r = c.post("/notes/", json={"text": f"n{i}"}, headers=headers)
                assert r.status_code == 201 and r.json()["author"] == user, r.text
            elif i % 4 == 1:
                r = c.get("/notes/?limit=100", headers=headers)
                assert r.status_code == 200 and all(
                    n["author"] == user for n in r.json()
                ), r.text
            elif i % 4 == 2:
                r = c.get("/notes/export.csv", headers=headers)
                assert r.status_code == 200 and r.text.startswith("id,author,text"), (
                    r.text
                )
            else:
                r = c.get("/notes/999999/", headers=headers)  # the async view: 404
                assert r.status_code == 404 and r.json() == {
                    "detail": "Note not found"
                }, r.text
            return r.status_code

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(REQUESTS)))


def _check(events: Path, output: str, workers: int) -> None:
    lines = [line.split() for line in events.read_text().splitlines()]
    count = collections.Counter((event, pid) for event, pid in lines)
    pids = {pid for _, pid in lines}
    starts = {pid for (event, pid) in count if event == "startup"}
    assert len(starts) == workers, (count, output)
    for pid in starts:
        assert count["startup", pid] == 1 and count["shutdown", pid] == 1, (
            count,
            output,
        )
    opens = sum(n for (event, _), n in count.items() if event == "db-open")
    closes = sum(n for (event, _), n in count.items() if event == "db-close")
    assert opens == closes >= REQUESTS, (opens, closes)  # + the start-up probe
    assert pids == starts
    assert "Traceback" not in output and "Internal Server Error" not in output, output


SERVERS = {
    # WSGI, pre-fork: the lifespan must start in each worker, not the master.
    "gunicorn --preload -w 2 --threads 4": (
        [
            "gunicorn",
            "--preload",
            "-w",
            "2",
            "--threads",
            "4",
            "-b",
            "127.0.0.1:{port}",
            "example_django.wsgi:application",
        ],
        2,
    ),
    # ASGI: async middleware chain, the async view on the shared loop.
    "uvicorn": (
        [
            "uvicorn",
            "--port",
            "{port}",
            "--host",
            "127.0.0.1",
            "--lifespan",
            "on",
            "example_django.asgi:application",
        ],
        1,
    ),
}


@pytest.mark.parametrize("server", list(SERVERS))
def test_example_under_a_real_server(server: str, tmp_path: Path) -> None:
    argv, workers = SERVERS[server]
    server, base, events = _serve(argv, tmp_path)
    try:
        statuses = _load(base)
    finally:
        output = server.stop(timeout=30)
    assert collections.Counter(statuses) == {201: 60, 200: 120, 404: 60}
    _check(events, output, workers=workers)
