"""ATOMIC_REQUESTS and thread-sensitive sync dependencies that use the ORM."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from dj_views import ORM
from django.db import connections
from django.test import AsyncClient, Client
from example_django.notes.models import Activity


@pytest.fixture(autouse=True)
def _orm() -> Any:
    ORM.clear()
    yield
    ORM.clear()


def test_sync_dependency_shares_the_views_connection_and_transaction() -> None:
    r = Client().get("/orm")
    assert r.status_code == 200
    assert ORM["dep_thread"] == ORM["view_thread"]
    assert ORM["dep_connection"] == ORM["view_connection"]
    assert ORM["dep_atomic"] is True  # inside ATOMIC_REQUESTS' transaction
    assert Activity.objects.filter(id=r.json()["id"]).exists()


def test_a_failing_view_rolls_the_dependencys_write_back() -> None:
    r = Client(raise_request_exception=False).get("/orm?fail=1")
    assert r.status_code == 500
    assert ORM["dep_atomic"] is True
    assert not Activity.objects.exists()


def test_an_error_rendered_as_a_response_rolls_back_too() -> None:
    alice = {"Authorization": "Bearer alice-token"}
    r = Client().get(
        "/ex/notes/?limit=0", headers=alice
    )  # the activity is logged, then 422
    assert r.status_code == 422
    assert not Activity.objects.exists()


def _request_threads() -> set[int]:
    return {t.ident for t in threading.enumerate() if t.ident is not None}


@pytest.mark.parametrize("kind", ["AsyncClient", "sync Client"])
async def test_async_view_runs_orm_sync_deps_on_one_sync_thread(kind) -> None:
    if kind == "AsyncClient":
        r = await AsyncClient().get("/aorm")
    else:
        from asgiref.sync import sync_to_async

        r = await sync_to_async(Client().get, thread_sensitive=False)("/aorm")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (
        body["marker"] == "async dep" and body["count"] == body["before"] == 1
    )  # the writer ran first
    # No SynchronousOnlyOperation: the writes ran on a sync thread, the same
    # one for both sync dependencies (thread-sensitive, one connection).
    assert ORM["dep_thread"] == ORM["setup_thread"]
    assert ORM["teardown_count"] == body["count"]
    assert ORM["dep_thread"] != threading.get_ident()
    if kind == "sync Client":  # the request thread served them, and the teardown
        assert ORM["teardown_thread"] == ORM["setup_thread"]
    assert await Activity.objects.filter(id=body["id"]).aexists()


def test_no_connection_is_left_open_on_other_threads() -> None:
    opened: list[Any] = []
    from django.db.backends.signals import connection_created

    def track(sender: Any, connection: Any, **kwargs: Any) -> None:
        opened.append((threading.get_ident(), connection))

    connection_created.connect(track)
    try:
        from asgiref.sync import async_to_sync

        for _ in range(5):
            assert async_to_sync(AsyncClient().get)("/aorm").status_code == 200
            assert Client().get("/orm").status_code == 200
    finally:
        connection_created.disconnect(track)
    # Each connection opened for a request was closed at request end
    # (Django's request_finished), whatever thread it lived on.
    leaked = [
        (t, c)
        for t, c in opened
        if c.connection is not None and t != threading.get_ident()
    ]
    assert leaked == []
    connections.close_all()
