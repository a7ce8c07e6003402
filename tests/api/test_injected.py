"""INJECTED (the typed default of an Annotated dependency) and with_scope."""

from __future__ import annotations

import copy
import pickle
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.testclient import TestClient

from fastapi_everywhere import (
    INJECTED,
    FastAPIContainer,
    aiter_with_fastapi_depends,
    runnify_with_fastapi_depends,
    sync,
    with_fastapi_depends,
    with_scope,
)


def get_user(x_user: Annotated[str, Header()] = "anonymous") -> str:
    return x_user


CurrentUser = Annotated[str, Depends(get_user)]


def report(day: str, user: CurrentUser = INJECTED) -> dict[str, str]:
    return {"day": day, "user": user}


def test_a_fastapi_route_accepts_the_marker_unchanged() -> None:
    app = FastAPI()
    app.get("/report/{day}")(report)

    with TestClient(app) as client:
        got = client.get("/report/mon", headers={"x-user": "ada"})
        assert got.status_code == 200, got.text
        assert got.json() == {"day": "mon", "user": "ada"}
        assert client.get("/report/tue").json()["user"] == "anonymous"
    # the marker is not a parameter of the route's OpenAPI operation
    operation = app.openapi()["paths"]["/report/{day}"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names == {"day", "x-user"}


def test_request_and_special_types_accept_the_marker() -> None:
    def where(request: Request = INJECTED) -> str:
        return request.url.path

    assert sync.with_fastapi_depends(where)() == "/"


async def test_both_vocabularies_inject_the_marked_parameter() -> None:
    assert await with_fastapi_depends(report)("mon") == {
        "day": "mon",
        "user": "anonymous",
    }
    assert sync.with_fastapi_depends(report)("mon", user="bob")["user"] == "bob"
    async with FastAPIContainer() as container:
        assert (await container.invoke(report, "thu"))["user"] == "anonymous"


def test_marker_where_nothing_injects_is_refused() -> None:
    def bad(day: str = INJECTED) -> str:
        return day

    with pytest.raises(TypeError, match="'day' of .*bad has the INJECTED default"):
        sync.with_fastapi_depends(bad)


def test_marker_on_a_request_field_is_refused() -> None:
    def bad(limit: Annotated[int, Query()] = INJECTED) -> int:
        return limit

    with pytest.raises(TypeError, match="'limit' .* is a request field"):
        with_fastapi_depends(bad)


def test_marker_is_one_object() -> None:
    assert repr(INJECTED) == "INJECTED"
    assert pickle.loads(pickle.dumps(INJECTED)) is INJECTED
    assert copy.deepcopy(INJECTED) is INJECTED
    assert sync.INJECTED is INJECTED


HEADERS = {"headers": [(b"x-user", b"ann")]}


async def test_with_scope_passes_a_call_scope() -> None:
    assert (await with_scope(with_fastapi_depends(report), HEADERS)("mon"))[
        "user"
    ] == "ann"
    assert (
        sync.with_scope(sync.with_fastapi_depends(report), HEADERS)("mon")["user"]
        == "ann"
    )

    async def rows(user: CurrentUser = INJECTED):
        yield user

    scoped = with_scope(aiter_with_fastapi_depends(rows), HEADERS)
    assert [u async for u in scoped()] == ["ann"]
    sync_rows = with_scope(sync.iter_with_fastapi_depends(rows), None)
    assert list(sync_rows()) == ["anonymous"]


def test_runners_inject_and_take_a_scope() -> None:
    assert runnify_with_fastapi_depends(report)("wed")["user"] == "anonymous"
    runner = with_scope(runnify_with_fastapi_depends(report), HEADERS)
    assert runner("x")["user"] == "ann"
    assert with_scope(sync.runnify_with_fastapi_depends(report), HEADERS)("x") == {
        "day": "x",
        "user": "ann",
    }


def test_with_scope_works_on_methods() -> None:
    class Service:
        @sync.with_fastapi_depends
        def who(self, user: CurrentUser = INJECTED) -> str:
            return user

    assert with_scope(Service().who, HEADERS)() == "ann"


def test_with_scope_refuses_a_plain_function() -> None:
    with pytest.raises(TypeError, match="with_scope: .* takes no call-time scope"):
        with_scope(report, HEADERS)
