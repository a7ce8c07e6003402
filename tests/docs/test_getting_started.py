"""docs/getting-started.md: the tutorial's files, run as the page runs them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from typing import Any

import pytest

from ._run import lines


def test_the_fastapi_app_uses_the_shared_dependencies() -> None:
    from docs_src.getting_started.app import app
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        assert client.get("/me", headers={"X-Token": "ann-token"}).json() == {
            "message": "Hello, Ann"
        }
        assert client.get("/me", headers={"X-Token": "eve-token"}).status_code == 401


def test_first_decorated_function() -> None:
    assert lines("docs_src.getting_started.first_function") == ["Hello, Ann!"]


def test_first_decorated_function_sync() -> None:
    assert lines("docs_src.getting_started.first_function_sync") == ["Hello, Bob?"]


def test_errors_are_fastapis() -> None:
    assert lines("docs_src.getting_started.errors") == [
        "missing ('header', 'x-token')",
        "401 Unknown token",
    ]


def test_the_apps_overrides_apply() -> None:
    assert lines("docs_src.getting_started.overrides") == ["Good evening, Ann."]


def test_the_db_is_closed_after_each_call() -> None:
    import sqlite3

    from docs_src.getting_started import deps

    from fastapi_everywhere.sync import with_fastapi_depends

    @with_fastapi_depends
    def grab(db: sqlite3.Connection = deps.Depends(deps.get_db)) -> sqlite3.Connection:
        return db

    db = grab()
    with pytest.raises(sqlite3.ProgrammingError):  # closed by get_db's teardown
        db.execute("SELECT 1")


@pytest.fixture
def django_project(django_db_blocker: Any) -> Iterator[None]:
    """The page's settings on a real Django: configured here when no other
    test directory did (tests/django configures a compatible project). The
    database is open to the test: pytest-django blocks it once a directory
    configured Django before collection ended."""
    import django
    import docs_src.getting_started.django_settings as django_settings
    from django.conf import settings
    from django.test import override_settings

    page = {k: getattr(django_settings, k) for k in dir(django_settings) if k.isupper()}
    if not settings.configured:
        settings.configure(ALLOWED_HOSTS=["testserver"], **page)
        django.setup()
    assert "fastapi_everywhere.django" in settings.INSTALLED_APPS
    assert settings.MIDDLEWARE[0] == page["MIDDLEWARE"][0]
    # pytest-django gives None when no settings existed at its start-up.
    unblocked = (
        nullcontext() if django_db_blocker is None else django_db_blocker.unblock()
    )
    with (
        unblocked,
        override_settings(
            ROOT_URLCONF=page["ROOT_URLCONF"],
            FASTAPI_EVERYWHERE=page["FASTAPI_EVERYWHERE"],
        ),
    ):
        yield


def test_first_django_view(
    django_project: None, capsys: pytest.CaptureFixture[str]
) -> None:
    import inspect

    from docs_src.getting_started.django_client import main
    from docs_src.getting_started.django_views import me

    assert list(inspect.signature(me).parameters) == ["request"]  # injected: hidden
    main()
    assert capsys.readouterr().out.splitlines() == [
        "200 {'message': 'Hello, Ann'}",
        "422 ['header', 'x-token']",
    ]


def test_django_view_sees_the_apps_overrides(django_project: None) -> None:
    from django.test import Client
    from docs_src.getting_started.app import app
    from docs_src.getting_started.deps import Settings, get_settings

    app.dependency_overrides[get_settings] = lambda: Settings(greeting="Hi")
    try:
        r = Client().get("/me", headers={"X-Token": "bob-token"})
    finally:
        app.dependency_overrides.clear()
    assert r.json() == {"message": "Hi, Bob"}


def test_first_flask_route() -> None:
    assert lines("docs_src.getting_started.flask_route") == [
        "200 {'message': 'Hello, Bob'}",
        "401 {'detail': 'Unknown token'}",
    ]
