"""The README demo: one service layer, six callers, one SQLite file.

    python -m demo [--db PATH]

The dependencies of ``demo/deps.py`` (settings -> yield DB connection ->
repository -> bearer-token user, pagination) are used from

  a. a FastAPI route, called in-process through ``TestClient``;
  b. a plain script function (``with_fastapi_depends``);
  c. a queue worker processing three jobs, one of which fails;
  d. Django views of ``example_django`` (Django's test client);
  e. Flask routes of ``example_flask`` (Flask's test client);
  f. a ``flask`` CLI command of ``example_flask``.

Each part prints what happened; the run ends by reading the database file
directly and exits non-zero if anything differs from what FastAPI would do.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sqlite3
import sys
import warnings
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException

from fastapi_everywhere import configure, with_fastapi_depends, with_fastapi_lifecycle

from .deps import DB_PATH_ENV, CurrentUser, Note, Repo, bearer_headers

_failures: list[str] = []
_checks = 0


def expect(label: str, got: Any, want: Any) -> None:
    global _checks
    _checks += 1
    if got == want:
        print(f"  ok   {label}")
    else:
        _failures.append(label)
        print(f"  FAIL {label}: got {got!r}, want {want!r}")


def section(title: str) -> None:
    print(f"\n== {title}")


# -- a. a FastAPI route ------------------------------------------------------


def run_fastapi_route(app: Any) -> None:
    section("a. FastAPI route (TestClient, in-process)")
    with warnings.catch_warnings():
        # Starlette >= 1.x would rather have httpx2 behind its TestClient.
        warnings.filterwarnings("ignore", message="Using `httpx` with")
        from fastapi.testclient import TestClient

    with TestClient(app) as client:
        print("> POST /notes as alice")
        r = client.post(
            "/notes", json={"text": "buy milk"}, headers=bearer_headers("alice-token")
        )
        expect("POST /notes -> 201", r.status_code, 201)
        expect("note author", r.json().get("author", r.json()), "alice")

        print("> GET /notes as alice")
        r = client.get("/notes", headers=bearer_headers("alice-token"))
        expect("GET /notes -> 200", r.status_code, 200)
        texts = [n["text"] for n in r.json()] if r.status_code == 200 else r.json()
        expect("alice's notes", texts, ["buy milk"])

        print("> POST /notes with an unknown token")
        r = client.post(
            "/notes", json={"text": "nope"}, headers=bearer_headers("stolen")
        )
        expect("unknown token -> 401", r.status_code, 401)


# -- b. a plain script function ---------------------------------------------


@with_fastapi_depends
async def add_note(text: str, *, user: CurrentUser, repo: Repo) -> Note:
    return repo.add(user, text)


@with_fastapi_depends
async def add_note_then_crash(text: str, *, user: CurrentUser, repo: Repo) -> None:
    repo.add(user, text)
    raise RuntimeError("crashed after writing")


async def script() -> None:
    print("> add_note('write the README') as bob")
    note = await add_note(
        "write the README", _scope={"headers": bearer_headers("bob-token")}
    )
    expect(
        "script returns bob's note",
        (note.author, note.text),
        ("bob", "write the README"),
    )

    print("> add_note_then_crash('half-written') as bob")
    try:
        await add_note_then_crash(
            "half-written", _scope={"headers": bearer_headers("bob-token")}
        )
    except RuntimeError as exc:
        expect("the caller sees the error", str(exc), "crashed after writing")
    else:
        expect("the caller sees the error", "no error", "RuntimeError")

    print("> add_note('nope') with an unknown token")
    try:
        await add_note("nope", _scope={"headers": bearer_headers("stolen")})
    except HTTPException as exc:
        expect("HTTPException 401, as in the route", exc.status_code, 401)
    else:
        expect("HTTPException 401, as in the route", "no error", 401)


# -- c. a queue worker -------------------------------------------------------


@dataclass(frozen=True)
class Job:
    token: str
    text: str
    crash: bool = False


@with_fastapi_depends
def handle_job(job: Job, *, user: CurrentUser, repo: Repo) -> Note:
    # A sync handler: it runs in a worker thread, like a sync FastAPI route.
    note = repo.add(user, job.text)
    if job.crash:
        raise RuntimeError(f"job {job.text!r} crashed")
    return note


async def worker(queue: asyncio.Queue[Job | None]) -> tuple[int, int]:
    done = failed = 0
    while (job := await queue.get()) is not None:
        print(f"> job {done + failed + 1}: {job.text!r}")
        try:
            # A real worker would carry the request's headers in the message.
            note = await handle_job(job, _scope={"headers": bearer_headers(job.token)})
        except Exception as exc:
            failed += 1
            print(f"  job failed: {exc}")
        else:
            done += 1
            print(f"  job done: note #{note.id} by {note.author}")
    return done, failed


async def run_worker(app: Any) -> None:
    queue: asyncio.Queue[Job | None] = asyncio.Queue()
    for job in (
        Job("alice-token", "ship v0.1"),
        Job("bob-token", "water the plants"),
        Job("bob-token", "this job crashes", crash=True),
    ):
        queue.put_nowait(job)
    queue.put_nowait(None)
    done, failed = await with_fastapi_lifecycle(worker, app=app)(queue)
    expect("worker: 2 jobs done, 1 failed", (done, failed), (2, 1))


# -- the whole run -----------------------------------------------------------


def notes_in(db_path: str) -> dict[str, list[str]]:
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT author, text FROM notes ORDER BY id").fetchall()
    finally:
        conn.close()
    out: dict[str, list[str]] = {}
    for author, text in rows:
        out.setdefault(author, []).append(text)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__)
    parser.add_argument("--db", default="demo.db", help="SQLite file (recreated)")
    args = parser.parse_args(argv)

    db_path = os.path.abspath(args.db)
    if os.path.exists(db_path):
        os.remove(db_path)
    os.environ[DB_PATH_ENV] = db_path
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("  %(message)s"))
    demo_log = logging.getLogger("demo")
    demo_log.addHandler(handler)
    demo_log.setLevel(logging.INFO)
    print(f"database: {db_path}")

    from .app import app  # after the settings are in the environment

    configure(app=app)

    run_fastapi_route(app)

    section("b. plain script function (with_fastapi_depends + lifespan)")
    asyncio.run(with_fastapi_lifecycle(script, app=app)())

    section("c. queue worker, 3 jobs (with_fastapi_depends + lifespan)")
    asyncio.run(run_worker(app))

    # The same deps in the two host frameworks (imported late: the demo's
    # first half needs neither installed).
    from example_django.demo import run_demo as run_django_demo
    from example_flask.demo import run_demo as run_flask_demo

    run_django_demo(expect, section)
    run_flask_demo(expect, section)

    section("database file, read directly")
    notes = notes_in(db_path)
    for author, texts in sorted(notes.items()):
        print(f"  {author}: {texts}")
    expect(
        "committed notes only, crashed ones rolled back",
        notes,
        {
            "alice": ["buy milk", "ship v0.1", "from Django", "from flask"],
            "bob": ["write the README", "water the plants", "from the cli"],
        },
    )

    if _failures:
        print(f"\ndemo: {len(_failures)} of {_checks} checks FAILED: {_failures}")
        return 1
    print(f"\ndemo: all {_checks} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
