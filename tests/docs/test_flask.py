"""docs/flask.md: every example, run against a real Flask app."""

from __future__ import annotations

from collections.abc import Iterator

import docs_src.flask.app as page_app
import docs_src.flask.errors as errors
import docs_src.flask.helpers as helpers
import pytest
from flask import Flask

from fastapi_everywhere._engine._compat import TEARDOWN_BEFORE_BACKGROUND

BEARER = {"Authorization": "Bearer alice-token"}


@pytest.fixture
def app() -> Iterator[Flask]:
    flask_app = page_app.create_app()
    yield flask_app
    flask_app.extensions["fastapi_everywhere"].close_lifespan()


def test_app_factory(app: Flask, capsys: pytest.CaptureFixture[str]) -> None:
    state = app.extensions["fastapi_everywhere"]
    assert app.config["FASTAPI_EVERYWHERE_APP"] == "docs_src.flask.api:app"
    assert "lifespan" not in capsys.readouterr().out  # init_app starts nothing
    with pytest.raises(RuntimeError, match="register it once per app"):
        page_app.fastapi_depends.init_app(app)
    app.test_client().get("/notes", headers=BEARER)
    assert "lifespan: startup" in capsys.readouterr().out
    state.close_lifespan()
    assert "lifespan: shutdown" in capsys.readouterr().out


def test_deps_are_plain_fastapi_dependencies() -> None:
    from docs_src.flask.deps import Pagination, current_user

    assert current_user("Bearer bob-token") == "bob"
    assert Pagination(offset=1, limit=1).slice(["a", "b", "c"]) == ["b"]


def test_routes_are_the_page_views(app: Flask) -> None:
    from docs_src.flask.commands import notes_cli
    from docs_src.flask.routes import create_note, get_note, list_notes
    from docs_src.flask.routes_async import search_notes
    from docs_src.flask.routes_class import NotesView

    views = app.view_functions
    assert views["notes.list_notes"] is list_notes
    assert views["notes.create_note"] is create_note
    assert views["notes.get_note"] is get_note
    assert views["search.search_notes"] is search_notes
    assert views["helpers.count"] is helpers.count
    assert views["mv_notes"].view_class is NotesView
    assert app.cli.commands["notes"] is notes_cli


def test_routes_list(app: Flask, capsys: pytest.CaptureFixture[str]) -> None:
    client = app.test_client()
    r = client.get("/notes?limit=2", headers=BEARER)
    assert r.status_code == 200
    assert r.get_json() == ["buy milk", "call bob"]
    assert r.headers["X-Total-Count"] == "3"
    assert "repo: committed" in capsys.readouterr().out
    r = client.get("/notes")
    assert r.status_code == 401
    assert r.get_json() == {"detail": "Not authenticated"}
    assert r.headers["WWW-Authenticate"] == "Bearer"


def test_routes_create(app: Flask, capsys: pytest.CaptureFixture[str]) -> None:
    client = app.test_client()
    with client.post("/notes", json={"text": "read a book"}, headers=BEARER) as r:
        assert r.status_code == 201
        assert r.get_json() == {"text": "read a book"}
        during = capsys.readouterr().out
        assert "background:" not in during
    out = during + capsys.readouterr().out
    assert "background: alice added 'read a book'" in out
    # The installed FastAPI's order: background tasks, then the yield
    # dependency's exit since 0.120; the reverse before.
    first, then = ("background:", "repo: committed")
    if TEARDOWN_BEFORE_BACKGROUND:
        first, then = then, first
    assert out.index(first) < out.index(then)
    bad = client.post("/notes", json={"text": ""}, headers=BEARER)
    assert bad.status_code == 422
    assert bad.get_json()["detail"][0]["loc"] == ["body", "text"]


def test_routes_path(app: Flask, capsys: pytest.CaptureFixture[str]) -> None:
    client = app.test_client()
    assert client.get("/notes/2", headers=BEARER).get_json() == {
        "index": 2,
        "text": "call bob",
    }
    r = client.get("/notes/0", headers=BEARER)
    assert r.status_code == 422
    assert r.get_json()["detail"][0]["loc"] == ["path", "index"]
    r = client.get("/notes/9", headers=BEARER)
    assert r.status_code == 404
    assert r.get_json() == {"detail": "Note not found"}
    assert "repo: rolled back (HTTPException(" in capsys.readouterr().out


def test_routes_class(app: Flask) -> None:
    r = app.test_client().get("/mv/notes", headers=BEARER)
    assert r.get_json() == {"user": "alice", "count": 3}


def test_routes_async(app: Flask) -> None:
    client = app.test_client()
    r = client.get("/search?q=bob", headers=BEARER)
    assert r.get_json() == {"q": "bob", "found": ["call bob"]}
    assert client.get("/search", headers=BEARER).status_code == 422


def test_helpers_resolve(app: Flask) -> None:
    assert app.test_client().get("/count", headers=BEARER).get_json() == {"count": 3}
    with app.app_context(), pytest.raises(RuntimeError, match="no Flask request"):
        helpers.note_count()


def test_commands(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["notes", "add", "bob", "fix the roof"])
    assert result.exit_code == 0, result.output
    # The lifespan started for the command and shut down after it; the
    # repository's teardown ran when the command returned.
    assert result.output.splitlines() == [
        "lifespan: startup",
        "bob has 1 notes",
        "repo: committed",
        "lifespan: shutdown",
    ]


def test_errors_handler() -> None:
    app = page_app.create_app(
        FASTAPI_EVERYWHERE_ERROR_HANDLER="docs_src.flask.errors:handle"
    )
    try:
        client = app.test_client()
        r = client.get("/notes?limit=0&offset=-1", headers=BEARER)
        assert r.status_code == 400
        assert r.get_json() == {
            "error": "invalid input",
            "fields": ["query.offset", "query.limit"],
        }
        assert client.get("/notes").get_json() == {"detail": "Not authenticated"}
    finally:
        app.extensions["fastapi_everywhere"].close_lifespan()
    assert errors.handle.__name__ == "handle"
