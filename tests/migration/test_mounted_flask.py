"""A Flask app mounted under FastAPI (a2wsgi), in-process: bodies and path params.

The Flask side runs in a2wsgi's worker threads and its async steps on the
server's loop, which also feeds the request's input stream: the body must be
read on the Flask thread, never on that loop (it would wait for itself).
"""

from __future__ import annotations

from typing import Annotated, Any

import a2wsgi
import pytest
from fastapi import Body, Depends, FastAPI, Request
from fastapi.testclient import TestClient
from flask import Flask
from pydantic import BaseModel

from fastapi_everywhere.flask import FastAPIDepends, mount_fastapi, with_fastapi_depends


class Item(BaseModel):
    name: str
    price: float


async def raw_length(request: Request) -> int:
    return len(await request.body())  # an async dependency reading the body


def bare_path_param(item_id: int, extra: int = 0) -> dict[str, Any]:
    return {"item_id": item_id, "extra": extra}


def _apps() -> tuple[FastAPI, FastAPI]:
    api = FastAPI()
    flask_app = Flask(__name__)
    FastAPIDepends(flask_app, fastapi_app=api)

    @flask_app.post("/items")
    @with_fastapi_depends
    def create(
        *, item: Annotated[Item, Body()], size: Annotated[int, Depends(raw_length)]
    ) -> dict[str, Any]:
        return {"item": item.model_dump(), "size": size}

    @flask_app.get("/bare/<int:item_id>")
    @with_fastapi_depends
    def bare(
        item_id: int, *, data: Annotated[dict[str, Any], Depends(bare_path_param)]
    ) -> dict[str, Any]:
        return data

    api.mount("/legacy", a2wsgi.WSGIMiddleware(flask_app))  # type: ignore[arg-type]

    twin = FastAPI()

    @twin.post("/legacy/items")
    def twin_create(
        item: Annotated[Item, Body()], size: Annotated[int, Depends(raw_length)]
    ) -> dict[str, Any]:
        return {"item": item.model_dump(), "size": size}

    @twin.get("/legacy/bare/{item_id}")
    def twin_bare(
        data: Annotated[dict[str, Any], Depends(bare_path_param)],
    ) -> dict[str, Any]:
        return data

    return api, twin


def test_body_params_and_async_body_reads_under_a2wsgi() -> None:
    api, twin = _apps()
    body = {"name": "tea", "price": 2.5}
    with TestClient(api) as client, TestClient(twin) as fastapi:
        got = client.post("/legacy/items", json=body)
        want = fastapi.post("/legacy/items", json=body)
        assert (got.status_code, got.json()) == (want.status_code, want.json())
        bad = client.post("/legacy/items", json={"name": "tea"})
        want_bad = fastapi.post("/legacy/items", json={"name": "tea"})
        assert (bad.status_code, bad.json()) == (want_bad.status_code, want_bad.json())


def test_a_view_arg_is_a_path_parameter_in_every_dependency() -> None:
    api, twin = _apps()
    with TestClient(api) as client, TestClient(twin) as fastapi:
        for url in (
            "/legacy/bare/7",
            "/legacy/bare/7?extra=2",
            "/legacy/bare/7?extra=x",
        ):
            got, want = client.get(url), fastapi.get(url)
            assert (got.status_code, got.json()) == (want.status_code, want.json())


@pytest.mark.parametrize(
    ("path", "error", "message"),
    [
        ("api", ValueError, "path must start with '/'"),
        ("/", ValueError, "not the root"),
        (42, TypeError, "path must be a str"),
    ],
)
def test_mount_fastapi_names_a_bad_path(path: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=f"flask.mount_fastapi: .*{message}"):
        mount_fastapi(Flask(__name__), path, FastAPI())


def test_mount_fastapi_names_a_bad_app() -> None:
    with pytest.raises(TypeError, match="mount_fastapi: fastapi_app= must be"):
        mount_fastapi(Flask(__name__), "/api", object())  # type: ignore[arg-type]
