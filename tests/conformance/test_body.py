"""``Body``/``Form`` parameters.

``with_fastapi_depends`` has no body source yet, so the public API is compared
on requests without a body (defaults and 'missing' errors); requests with a
body drive the engine's ``run_operation`` with the same scope and bytes (see
``Req.body``), which is what the host adapters will do.
"""

# No "from __future__ import annotations": FastAPI evaluates the local trees.

from typing import Annotated

import pytest
from fastapi import Body, Depends, Form, Request
from pydantic import BaseModel

from ._harness import Recorder, Req, conforms


class Item(BaseModel):
    name: str
    price: float = 0.0


async def test_required_body_missing(rec: Recorder) -> None:
    async def target(item: Annotated[Item, Body()]):
        return item

    out = await conforms(rec, target, Req(method="POST"))
    assert out.kind == "invalid"
    assert out.body == [
        {"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}
    ]


async def test_body_defaults_without_a_body(rec: Recorder) -> None:
    def dep(limit: Annotated[int, Body()] = 3) -> int:
        return limit

    async def target(
        d: Annotated[int, Depends(dep)],
        note: Annotated[str | None, Body()] = None,
    ):
        return {"limit": d, "note": note}

    out = await conforms(rec, target, Req(method="POST"))
    assert out.body == {"limit": 3, "note": None}


async def test_form_fields_missing(rec: Recorder) -> None:
    async def target(
        username: Annotated[str, Form()], remember: Annotated[bool, Form()] = False
    ):
        return {"username": username, "remember": remember}

    out = await conforms(rec, target, Req(method="POST"))
    assert [e["loc"] for e in out.body] == [["body", "username"]]


# A target's parameters need an explicit marker: unmarked ones are the
# caller's own arguments for with_fastapi_depends (in dependencies, FastAPI's
# implicit rules apply as usual).
async def single_item(item: Annotated[Item, Body()]):
    return item


async def embedded(
    item: Annotated[Item, Body()],
    count: Annotated[int, Body()],
    tag: Annotated[str, Body()] = "none",
):
    return {"item": item, "count": count, "tag": tag}


def body_dep(count: Annotated[int, Body(embed=True)]) -> int:
    return count


async def body_in_dependency(c: Annotated[int, Depends(body_dep)]):
    return c


def implicit_body_dep(item: Item, q: int = 0) -> dict:
    return {"item": item, "q": q}  # in a dependency a bare model is the body


async def implicit_body(d: Annotated[dict, Depends(implicit_body_dep)]):
    return d


JSON = [("content-type", "application/json")]


@pytest.mark.parametrize(
    ("target", "req"),
    [
        (
            single_item,
            Req(method="POST", headers=JSON, body=b'{"name": "a", "price": 2}'),
        ),
        (single_item, Req(method="POST", headers=JSON, body=b'{"price": "x"}')),
        (single_item, Req(method="POST", headers=JSON, body=b'{"name": ')),
        (single_item, Req(method="POST", headers=JSON, body=b"[1, 2]")),
        (single_item, Req(method="POST", body=b'{"name": "no content type"}')),
        (
            single_item,
            Req(method="POST", headers=[("content-type", "text/plain")], body=b"x"),
        ),
        (
            single_item,
            Req(
                method="POST",
                headers=[("content-type", "application/vnd+json")],
                body=b'{"name": "v"}',
            ),
        ),
        (
            embedded,
            Req(
                method="POST", headers=JSON, body=b'{"item": {"name": "a"}, "count": 2}'
            ),
        ),
        (
            embedded,
            Req(method="POST", headers=JSON, body=b'{"item": {}, "count": "two"}'),
        ),
        (body_in_dependency, Req(method="POST", headers=JSON, body=b'{"count": 4}')),
        (body_in_dependency, Req(method="POST", headers=JSON, body=b"{}")),
        (
            implicit_body,
            Req(method="POST", headers=JSON, body=b'{"name": "i"}', query="q=2"),
        ),
        (implicit_body, Req(method="POST", headers=JSON, body=b"null")),
    ],
)
async def test_json_bodies(rec: Recorder, target, req: Req) -> None:
    out = await conforms(rec, target, req)
    assert out.kind in {"ok", "invalid"}


FORM = [("content-type", "application/x-www-form-urlencoded")]


async def login(
    username: Annotated[str, Form()],
    scopes: Annotated[list[str], Form()] = [],
    remember: Annotated[bool, Form()] = False,
):
    return {"username": username, "scopes": scopes, "remember": remember}


@pytest.mark.parametrize(
    "req",
    [
        Req(
            method="POST",
            headers=FORM,
            body=b"username=ann&scopes=a&scopes=b&remember=on",
        ),
        Req(method="POST", headers=FORM, body=b"remember=perhaps"),
        Req(method="POST", headers=FORM, body=b""),
    ],
)
async def test_form_bodies(rec: Recorder, req: Req) -> None:
    out = await conforms(rec, login, req)
    if b"ann" in (req.body or b""):
        assert out.body == {"username": "ann", "scopes": ["a", "b"], "remember": True}
    else:
        assert out.kind == "invalid"


async def reads_raw_body(request: Request) -> dict:
    return {"raw": (await request.body()).decode(), "json": await request.json()}


async def body_and_request(
    item: Annotated[Item, Body()],
    seen: Annotated[dict, Depends(reads_raw_body)],
):
    return {"item": item, "seen": seen}


@pytest.mark.parametrize(
    "body",
    [b'{"name": "n", "price": 1}', b'{"price": 1}', b'{"name": "n", "extra": [1]}'],
)
async def test_body_read_by_a_dependency_and_a_param(
    rec: Recorder, body: bytes
) -> None:
    req = Req(method="POST", headers=JSON, body=body)
    out = await conforms(rec, body_and_request, req)
    if b'"name"' in body:
        assert out.body["seen"]["raw"] == body.decode()
    else:
        assert out.kind == "invalid"
