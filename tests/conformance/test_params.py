"""``Header``/``Query``/``Cookie``/``Path`` parameters: values and 422 bodies."""

# No "from __future__ import annotations": FastAPI evaluates the local trees.

import enum
from typing import Annotated, Literal
from urllib.parse import urlencode

import pytest
from fastapi import Cookie, Depends, Header, Path, Query
from pydantic import BaseModel, Field

from ._harness import Recorder, Req, conforms


class Color(str, enum.Enum):
    red = "red"
    blue = "blue"


async def header_target(
    x_token: Annotated[str, Header()],
    user_agent_id: Annotated[int, Header(alias="X-UA-Id")] = 0,
    raw_name: Annotated[str | None, Header(convert_underscores=False)] = None,
    x_tag: Annotated[list[str], Header()] = [],
    x_limit: Annotated[int, Header(ge=1, le=10)] = 5,
):
    return {
        "token": x_token,
        "ua": user_agent_id,
        "raw": raw_name,
        "tags": x_tag,
        "limit": x_limit,
    }


@pytest.mark.parametrize(
    "headers",
    [
        [("x-token", "t")],
        [
            ("x-token", "t"),
            ("x-ua-id", "7"),
            ("raw_name", "r"),
            ("x-tag", "a"),
            ("x-tag", "b"),
        ],
        [("x-token", "t"), ("raw-name", "dash is not underscore")],
        [("x-token", "t"), ("x-ua-id", "seven")],
        [("x-token", "t"), ("x-limit", "11")],
        [("x-token", "t"), ("x-limit", "0"), ("x-ua-id", "1.5")],
        [],
        [("x_token", "underscore is not converted back")],
    ],
)
async def test_header_params(rec: Recorder, headers: list) -> None:
    out = await conforms(rec, header_target, Req(headers=headers))
    assert out.kind in {"ok", "invalid"}
    if headers == [("x-token", "t")]:
        assert out.body == {"token": "t", "ua": 0, "raw": None, "tags": [], "limit": 5}


def query_dep(
    required_q: Annotated[float, Query(alias="rq")],
    q: str | None = None,
    page: Annotated[int, Query(alias="p", ge=1)] = 1,
    ids: Annotated[list[int], Query()] = [],
    color: Color = Color.red,
    flag: bool = False,
    mode: Literal["fast", "slow"] = "fast",
) -> dict:
    return {
        "q": q,
        "page": page,
        "ids": ids,
        "color": color,
        "flag": flag,
        "mode": mode,
        "rq": required_q,
    }


async def query_target(d: Annotated[dict, Depends(query_dep)]):
    return d


@pytest.mark.parametrize(
    "query",
    [
        "rq=1.5",
        "rq=2&q=hello&p=3&ids=1&ids=2&color=blue&flag=yes&mode=slow",
        "rq=2&flag=on",
        "rq=2&flag=maybe",
        "rq=x&p=0&ids=1&ids=two&color=green&mode=medium",
        "",
        "page=2&rq=1",
        "rq=1&q=",
    ],
)
async def test_query_params(rec: Recorder, query: str) -> None:
    out = await conforms(rec, query_target, Req(query=query))
    if query == "":
        assert out.kind == "invalid"
        assert out.body == [
            {
                "type": "missing",
                "loc": ["query", "rq"],
                "msg": "Field required",
                "input": None,
            }
        ]


async def plain_str_target(
    x_plain: Annotated[str, Header()],
    x_default: Annotated[str, Header()] = "d",
    x_optional: Annotated[str | None, Header()] = None,
    q: Annotated[str, Query()] = "q",
    session: Annotated[str | None, Cookie()] = None,
):
    return [x_plain, x_default, x_optional, q, session]


async def constrained_str_target(
    x_min: Annotated[str, Header(min_length=2)] = "mm",
    x_max: Annotated[str, Header(max_length=3)] = "m",
    x_pattern: Annotated[str, Header(pattern="^[a-z]*$")] = "p",
    x_strict: Annotated[str, Header(strict=True)] = "s",
    q_limited: Annotated[str, Query(max_length=4)] = "l",
):
    return [x_min, x_max, x_pattern, x_strict, q_limited]


_STR_VALUES = ["", " ", " padded ", "UPPER", "é ü", "a" * 300, "x\ty"]


def _str_request(value: str, headers: list[str], query: str) -> Req:
    # The harness sends headers as ASCII; non-ASCII strings go by the query.
    header_value = value if value.isascii() else "h"
    return Req(
        headers=[(name, header_value) for name in headers],
        query=urlencode({query: value}),
        cookies={"session": value} if value.isascii() and value.strip() else {},
    )


@pytest.mark.parametrize("value", _STR_VALUES)
async def test_plain_str_params_as_fastapi_reads_them(
    rec: Recorder, value: str
) -> None:
    """A plain ``str`` parameter is read as it is: FastAPI's values exactly."""
    req = _str_request(value, ["x-plain", "x-default", "x-optional"], "q")
    out = await conforms(rec, plain_str_target, req)
    assert out.kind == "ok"
    assert out.body[3] == value  # the query string carries every value


@pytest.mark.parametrize("value", _STR_VALUES)
async def test_constrained_str_params_as_fastapi_validates_them(
    rec: Recorder, value: str
) -> None:
    """Constraints on ``str`` still validate: FastAPI's values and errors."""
    req = _str_request(value, ["x-min", "x-max", "x-pattern", "x-strict"], "q_limited")
    out = await conforms(rec, constrained_str_target, req)
    assert out.kind in {"ok", "invalid"}


@pytest.mark.parametrize(
    "cookies",
    [{"session": "s", "n": "3"}, {"session": "s"}, {"n": "x"}, {}],
)
async def test_cookie_params(rec: Recorder, cookies: dict) -> None:
    async def target(
        session: Annotated[str, Cookie()],
        n: Annotated[int, Cookie()] = 1,
        pref: Annotated[str, Cookie(alias="user-pref")] = "none",
    ):
        return {"session": session, "n": n, "pref": pref}

    out = await conforms(rec, target, Req(cookies=cookies))
    if cookies == {"session": "s", "n": "3"}:
        assert out.body == {"session": "s", "n": 3, "pref": "none"}


@pytest.mark.parametrize(
    "path_params",
    [
        {"item_id": "3", "slug": "a-b"},
        {"item_id": "x", "slug": "a"},
        {"item_id": "0", "slug": "toolong"},
    ],
)
async def test_path_params(rec: Recorder, path_params: dict) -> None:
    def item(item_id: Annotated[int, Path(ge=1)]) -> int:
        return item_id

    async def target(
        i: Annotated[int, Depends(item)],
        slug: Annotated[str, Path(max_length=5)],
    ):
        return {"item": i, "slug": slug}

    out = await conforms(rec, target, Req(path_params=path_params))
    if path_params["item_id"] == "3":
        assert out.body == {"item": 3, "slug": "a-b"}
    else:
        assert out.kind == "invalid"


class Filters(BaseModel):
    limit: int = Field(10, gt=0, le=100)
    order: Literal["asc", "desc"] = "asc"
    tags: list[str] = []


class ForbidExtra(BaseModel):
    model_config = {"extra": "forbid"}
    a: int = 1


class Headers(BaseModel):
    x_request_id: str
    x_retries: int = 0


class Cookies(BaseModel):
    session_id: str
    theme: str = "light"


@pytest.mark.parametrize(
    "req",
    [
        Req(
            query="limit=5&order=desc&tags=a&tags=b",
            headers=[("x-request-id", "r1")],
            cookies={"session_id": "s"},
        ),
        Req(
            headers=[("x-request-id", "r1"), ("x-retries", "2")],
            cookies={"session_id": "s", "theme": "dark"},
        ),
        Req(query="limit=0&order=sideways", headers=[("x-retries", "many")]),
        Req(
            query="a=2&b=3",
            headers=[("x-request-id", "r")],
            cookies={"session_id": "s"},
        ),
        Req(),
    ],
)
async def test_param_models(rec: Recorder, req: Req) -> None:
    def filters(f: Annotated[Filters, Query()]) -> Filters:
        return f

    def strict(s: Annotated[ForbidExtra, Query()]) -> ForbidExtra:
        return s

    async def target(
        f: Annotated[Filters, Depends(filters)],
        h: Annotated[Headers, Header()],
        c: Annotated[Cookies, Cookie()],
    ):
        return {"f": f, "h": h, "c": c}

    out = await conforms(rec, target, req)
    if req == Req():
        assert out.kind == "invalid"
        # (FastAPI < 0.130-ish reports the header by field name, x_request_id.)
        assert [e["loc"][0] for e in out.body] == ["header", "cookie"]
        assert out.body[0]["loc"][1] in {"x-request-id", "x_request_id"}
        assert out.body[1]["loc"][1] == "session_id"

    async def strict_target(s: Annotated[ForbidExtra, Depends(strict)]):
        return s

    await conforms(rec, strict_target, req)


async def test_errors_from_many_dependencies_are_gathered_in_order(
    rec: Recorder,
) -> None:
    def a(x_a: Annotated[int, Header()]) -> int:
        rec("a")
        return x_a

    def b(n: int, m: int = 0) -> int:
        rec("b")
        return n

    def fine() -> str:
        rec("fine")  # siblings of a failing dependency are still solved
        return "fine"

    def c(
        b_: Annotated[int, Depends(b)],
        f: Annotated[str, Depends(fine)],
        s: Annotated[str, Cookie()],
    ) -> int:
        rec("c")
        return b_

    async def target(
        a_: Annotated[int, Depends(a)],
        c_: Annotated[int, Depends(c)],
        z: Annotated[int, Query()],
    ):
        rec("target")

    out = await conforms(rec, target, Req(headers=[("x-a", "no")], query="m=x&z=1"))
    assert [e["loc"] for e in out.body] == [
        ["header", "x-a"],
        ["query", "n"],
        ["query", "m"],
        ["cookie", "s"],
    ]
    assert out.log == [("fine",)]


async def test_same_parameter_read_by_several_dependencies(rec: Recorder) -> None:
    def one(x_id: Annotated[int, Header()]) -> int:
        return x_id

    def two(x_id: Annotated[str, Header()]) -> str:
        return x_id

    async def target(
        a: Annotated[int, Depends(one)],
        b: Annotated[str, Depends(two)],
        x_id: Annotated[str, Header()],
    ):
        return [a, b, x_id]

    ok = await conforms(rec, target, Req(headers=[("x-id", "5")]))
    assert ok.body == [5, "5", "5"]
    bad = await conforms(rec, target, Req(headers=[("x-id", "five")]))
    assert len(bad.body) == 1


async def test_ellipsis_default_in_annotated(rec: Recorder) -> None:
    # FastAPI's treatment of "= ..." next to Annotated[..., Query()] changed
    # across releases (a plain default; or a default validated as a str,
    # whose 422 body then fails to encode); whatever it does, we do.
    def dep(e: Annotated[str, Query()] = ...) -> str:
        return repr(e)

    async def target(d: Annotated[str, Depends(dep)]):
        return d

    out = await conforms(rec, target)
    assert out.kind in {"ok", "raised"}
    given = await conforms(rec, target, Req(query="e=x"))
    assert given.body == "'x'"
