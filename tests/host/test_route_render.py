"""``ViewRoute.render``: the JSON shortcut is exactly the response FastAPI sends."""

from typing import Any

import pytest
from fastapi import FastAPI, Response
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from pydantic import BaseModel

from fastapi_everywhere._engine._compat import SERIALIZES_TO_JSON_BYTES
from fastapi_everywhere._route import RouteOptions, ViewRoute
from fastapi_everywhere._target import Target


class Item(BaseModel):
    id: int
    name: str


def _item() -> Item:
    return Item(id=1, name="é")


def _none() -> None:
    return None


def _text() -> str:
    return "<p>é</p>"


def _plain() -> Any:
    return {"b": [1, 2]}


# name: (endpoint, route options, status the injected Response sets)
CASES: dict[str, tuple[Any, dict[str, Any], int | None]] = {
    "model": (_item, {}, None),
    "status_code": (_item, {"status_code": 201}, None),
    "sub_status": (_item, {}, 202),
    "no_content": (_none, {"status_code": 204}, None),
    "reset_content": (_item, {}, 205),
    "not_modified": (_none, {"status_code": 304}, None),
    "no_model": (_plain, {"response_model": None}, None),
    "html": (_text, {"response_class": HTMLResponse}, None),
}


def _fastapi(endpoint: Any, options: dict[str, Any], status: int | None) -> Any:
    def view(response: Response) -> Any:
        if status is not None:
            response.status_code = status
        return endpoint()

    view.__annotations__["return"] = endpoint.__annotations__["return"]
    app = FastAPI()
    app.get("/r", **options)(view)
    return TestClient(app).get("/r")


@pytest.mark.parametrize("case", sorted(CASES))
def test_render_is_what_fastapi_sends(case: str) -> None:
    endpoint, options, status = CASES[case]
    route = ViewRoute(Target(endpoint, "test"), RouteOptions(**options), "test")
    sub = Response()
    sub.status_code = status  # type: ignore[assignment]
    rendered = route.render(endpoint(), sub)
    sent = _fastapi(endpoint, options, status)
    if isinstance(rendered, tuple):
        body, code = rendered
        headers = [
            (b"content-length", str(len(body)).encode()),
            (b"content-type", b"application/json"),
        ]
    else:
        body, code, headers = rendered.body, rendered.status_code, rendered.raw_headers
    assert (code, body, headers) == (sent.status_code, sent.content, sent.headers.raw)
    # Only a JSON body with a status that allows one takes the shortcut (and
    # only where FastAPI renders a response model to JSON bytes itself).
    shortcut = case in {"model", "status_code", "sub_status"}
    assert isinstance(rendered, tuple) == (shortcut and SERIALIZES_TO_JSON_BYTES)
    assert route.respond(endpoint(), sub).body == body
