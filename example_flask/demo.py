"""The Flask part of the README demo (``make demo`` calls :func:`run_demo`).

Runs the example's routes in-process through Flask's test client, on the
SQLite file named by ``FASTAPI_EVERYWHERE_DEMO_DB``, and checks each result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from demo.deps import bearer_headers

from . import create_app


def run_demo(
    expect: Callable[[str, Any, Any], None], section: Callable[[str], None]
) -> None:
    """Exercise the example's sync, async and streamed routes and its errors."""
    section("e. Flask routes (test client, FastAPIDepends + with_fastapi_depends)")
    app = create_app({"TESTING": True})
    client = app.test_client()
    alice = bearer_headers("alice-token")

    print("> POST /notes as alice (Body(), injected Response, BackgroundTasks)")
    with client.post("/notes", json={"text": "from flask"}, headers=alice) as r:
        expect("POST /notes -> 201", r.status_code, 201)
        expect(
            "Location set on the injected Response",
            r.headers.get("Location"),
            f"/notes/{r.get_json().get('id')}",
        )
    print("> GET /notes?limit=1 as alice (Pagination Query params)")
    r = client.get("/notes?offset=0&limit=1", headers=alice)
    expect("one page of alice's notes", len(r.get_json()), 1)
    print("> GET /notes?limit=0 (fails Query(ge=1))")
    r = client.get("/notes?limit=0", headers=alice)
    expect(
        "bad limit -> FastAPI's 422",
        (r.status_code, r.get_json()["detail"][0]["loc"]),
        (422, ["query", "limit"]),
    )
    print("> GET /notes/me as alice (async route, async dependency)")
    r = client.get("/notes/me", headers=alice)
    expect("async route", r.get_json(), {"name": "alice", "loud": "ALICE"})
    print("> GET /notes with an unknown token")
    r = client.get("/notes", headers=bearer_headers("stolen"))
    expect(
        "unknown token -> 401 + WWW-Authenticate",
        (r.status_code, r.headers.get("WWW-Authenticate")),
        (401, "Bearer"),
    )
    print("> GET /notes/export as alice (streamed)")
    with client.get("/notes/export", headers=alice) as r:
        lines = r.get_data(as_text=True).splitlines()
    expect("streamed CSV ends with the note", lines[-1].endswith(",from flask"), True)

    section("f. flask CLI command (flask --app example_flask notes bob --add ...)")
    result = app.test_cli_runner().invoke(
        args=["notes", "bob", "--add", "from the cli"]
    )
    expect("command exit code", result.exit_code, 0)
    expect("command lists bob's new note", "from the cli" in result.output, True)
