"""The examples of docs/migration.md: a Flask app under FastAPI, and FastAPI under Flask."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import docs_src.migration.api as api
import docs_src.migration.before as before
import docs_src.migration.deps as deps
import docs_src.migration.inside_flask as inside_flask
import docs_src.migration.legacy_flask as legacy_flask
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from fastapi_everywhere.flask import mount

ADA = {"x-user": "ada"}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_startups() -> Iterator[None]:
    deps.STARTUPS.clear()
    yield
    deps.STARTUPS.clear()


def test_one_app_one_lifespan_every_side() -> None:
    with TestClient(api.api) as client:
        created = client.post("/shop/notes", json={"text": "milk"}, headers=ADA)
        assert (created.status_code, created.json()) == (
            201,
            {"id": 1, "owner": "ada", "text": "milk"},
        )  # Flask, through the mount
        listed = client.get("/shop/notes", headers=ADA)  # the moved FastAPI route
        assert listed.json() == [{"id": 1, "owner": "ada", "text": "milk"}]
        assert client.get("/shop/notes/1", headers=ADA).json()["text"] == "milk"
        assert client.get("/shop/notes/2", headers=ADA).status_code == 404
        missing = client.get("/shop/notes")  # FastAPI's 422 on either side
        assert missing.status_code == 422
        assert missing.json()["detail"][0]["loc"] == ["header", "x-user"]
        assert client.get("/shop/notes/1").json() == missing.json()
    assert deps.STARTUPS == ["Notes"]  # run once, by the server


def document(app: FastAPI) -> str:
    return json.dumps(app.openapi(), sort_keys=True)


def test_moving_the_endpoint_leaves_the_document_unchanged() -> None:
    old = FastAPI(title="Notes", lifespan=deps.lifespan)
    flask_app = legacy_flask.create_app(old)
    flask_app.register_blueprint(before.listing)  # the view before the move
    mount(old, "/shop", flask_app)
    assert "/shop/notes" in old.openapi()["paths"]
    assert document(old) == document(api.api)


def test_fastapi_inside_the_flask_app() -> None:
    client = inside_flask.flask_app.test_client()
    created = client.post("/notes", json={"text": "tea"}, headers=ADA)  # Flask
    assert created.status_code == 201
    listed = client.get("/api/notes", headers=ADA)  # FastAPI, through a2wsgi
    assert listed.get_json() == [{"id": 1, "owner": "ada", "text": "tea"}]
    assert deps.STARTUPS == ["Notes API"]  # one lifespan for both sides


# Django is configured in a process of its own: its settings are process-wide.
DJANGO_RUN = """
import json, django
from django.conf import settings

settings.configure(
    SECRET_KEY="docs",
    ALLOWED_HOSTS=["*"],
    INSTALLED_APPS=["fastapi_everywhere.django"],
    MIDDLEWARE=["fastapi_everywhere.django.FastAPIDependsMiddleware"],
    ROOT_URLCONF="docs_src.migration.inside_django",
    DATABASES={},
    FASTAPI_EVERYWHERE={"APP": "docs_src.migration.inside_django:api"},
)
django.setup()

from fastapi.testclient import TestClient
from docs_src.migration import deps
from docs_src.migration.inside_django import asgi_application

ada = {"x-user": "ada"}
with TestClient(asgi_application()) as client:
    added = client.get("/notes/add", params={"text": "tea"}, headers=ada)
    listed = client.get("/api/notes", headers=ada)
print(json.dumps([added.status_code, added.json(), listed.json(), deps.STARTUPS]))
"""


def test_fastapi_inside_the_django_project() -> None:
    done = subprocess.run(
        [sys.executable, "-c", DJANGO_RUN],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    status, added, listed, startups = json.loads(done.stdout.splitlines()[-1])
    assert (status, added) == (201, {"id": 1, "owner": "ada", "text": "tea"})
    assert listed == [added]  # the same lifespan state on both sides
    assert startups == ["Notes API"]
