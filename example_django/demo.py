"""The Django part of the README demo: example_django's views, in-process.

``run_demo(expect, section)`` migrates a Django database next to the demo's
notes database (``FASTAPI_EVERYWHERE_DEMO_DB``), then calls the example's
views through Django's test client, printing what happened.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any


def run_demo(
    expect: Callable[[str, Any, Any], None], section: Callable[[str], None]
) -> None:
    notes_db = os.environ.get("FASTAPI_EVERYWHERE_DEMO_DB", "demo.db")
    os.environ.setdefault(
        "EXAMPLE_DJANGO_DB", os.path.splitext(notes_db)[0] + "-django.db"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_django.settings")
    import django
    from django.core.management import call_command
    from django.test import Client

    django.setup()
    call_command("migrate", verbosity=0)
    client = Client(raise_request_exception=False)
    alice = {"Authorization": "Bearer alice-token"}

    section("d. Django views (example_django: the same deps, Django's test client)")
    print("> POST /notes/ as alice (class-based view, pydantic Body)")
    r = client.post(
        "/notes/",
        data={"text": "from Django"},
        content_type="application/json",
        headers=alice,
    )
    expect("POST /notes/ -> 201", r.status_code, 201)
    note = r.json() if r.status_code == 201 else {}
    print("> GET /notes/?limit=1 as alice (Pagination Query params, Response header)")
    r = client.get("/notes/?limit=1", headers=alice)
    expect("GET /notes/ -> 200, one note", (r.status_code, len(r.json())), (200, 1))
    print("> GET /notes/<id>/ (async view)")
    r = client.get(f"/notes/{note.get('id', 0)}/", headers=alice)
    expect("async view returns the note", r.json(), note)
    print("> GET /notes/export.csv (streamed; the DB closes after the last row)")
    r = client.get("/notes/export.csv", headers=alice)
    expect(
        "CSV export lists it",
        "from Django" in b"".join(r.streaming_content).decode(),
        True,
    )
    print("> GET /notes/?limit=0 and an unknown token")
    expect(
        "bad page -> FastAPI's 422",
        client.get("/notes/?limit=0", headers=alice).status_code,
        422,
    )
    r = client.get("/notes/", headers={"Authorization": "Bearer stolen"})
    expect(
        "unknown token -> 401 + WWW-Authenticate",
        (r.status_code, r.get("WWW-Authenticate")),
        (401, "Bearer"),
    )
    print("> GET /activity/ (written by an ORM dependency inside ATOMIC_REQUESTS)")
    r = client.get("/activity/", headers=alice)
    expect(
        "activity log (the rejected requests rolled back)",
        r.json()[-3:],
        ["POST /notes/", "GET /notes/", f"GET /notes/{note.get('id', 0)}/"],
    )
