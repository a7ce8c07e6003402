"""``Request``, ``HTTPConnection``, ``Response``, ``BackgroundTasks``, ``SecurityScopes``."""

# No "from __future__ import annotations": FastAPI evaluates the local trees.

from typing import Annotated

from fastapi import BackgroundTasks, Depends, FastAPI, Request, Response
from fastapi.security import SecurityScopes
from starlette.requests import HTTPConnection

from ._harness import TEARDOWN_AFTER_RESPONSE, Boom, Recorder, Req, conforms, run_engine


def describe_request(request: HTTPConnection) -> dict:
    return {
        "url": str(request.url),
        "base_url": str(request.base_url),
        "method": getattr(request, "method", None),
        "headers": request.headers.items(),
        "multi": request.headers.getlist("x-multi"),
        "query": request.query_params.multi_items(),
        "path_params": request.path_params,
        "cookies": request.cookies,
        "client": list(request.client) if request.client else None,
    }


async def test_request_seen_by_dependencies_and_target(rec: Recorder) -> None:
    def dep(request: Request) -> dict:
        rec("dep", describe_request(request))
        return {"path": request.url.path}

    async def target(request: Request, d: Annotated[dict, Depends(dep)]):
        rec("target", describe_request(request))
        return d

    req = Req(
        method="POST",
        headers=[("x-multi", "1"), ("X-Multi", "2"), ("x-one", "v")],
        query="a=1&a=2&b=%20x",
        cookies={"session": "abc", "theme": "dark"},
        path_params={"item_id": "42", "name": "n m"},
    )
    out = await conforms(rec, target, req)
    seen = out.log[0][1]
    assert seen["method"] == "POST"
    assert seen["multi"] == ["1", "2"]
    assert seen["query"] == [("a", "1"), ("a", "2"), ("b", " x")]
    assert seen["path_params"] == {"item_id": "42", "name": "n m"}
    assert seen["cookies"] == {"session": "abc", "theme": "dark"}
    assert out.body == {"path": "/t/42/n m"}


async def test_request_app_is_the_configured_app(rec: Recorder) -> None:
    app = FastAPI(title="conformance")

    async def target(request: Request):
        return {"title": request.app.title, "is_app": request.app is app}

    out = await conforms(rec, target, app=app)
    assert out.body == {"title": "conformance", "is_app": True}


async def test_http_connection(rec: Recorder) -> None:
    def dep(conn: HTTPConnection) -> dict:
        return describe_request(conn)

    async def target(conn: HTTPConnection, d: Annotated[dict, Depends(dep)]):
        return {"same": describe_request(conn) == d, "query": d["query"]}

    out = await conforms(rec, target, Req(query="x=1"))
    assert out.body == {"same": True, "query": [["x", "1"]]}


async def test_response_mutations(rec: Recorder) -> None:
    def set_headers(response: Response) -> Response:
        response.headers["x-dep"] = "1"
        response.set_cookie("session", "s1", httponly=True)
        response.status_code = 201
        return response

    async def target(response: Response, r: Annotated[object, Depends(set_headers)]):
        rec(
            "target",
            r is response,
            response.status_code,
            response.headers.get("x-dep"),
            response.headers.getlist("set-cookie"),
        )
        response.headers["x-target"] = "2"
        return "ok"

    out = await conforms(rec, target)
    assert out.log == [
        ("target", True, 201, "1", ["session=s1; HttpOnly; Path=/; SameSite=lax"])
    ]
    response = out.raw
    assert response.status_code == 201
    assert response.headers["x-dep"] == "1"
    assert response.headers["x-target"] == "2"


async def test_background_tasks(rec: Recorder) -> None:
    async def session():
        rec("session", "enter")
        yield
        rec("session", "exit")

    def dep(
        tasks: BackgroundTasks, _: Annotated[None, Depends(session)]
    ) -> BackgroundTasks:
        tasks.add_task(rec, "task from dep")
        return tasks

    async def async_task(name: str) -> None:
        rec("async task", name)

    def target(tasks: BackgroundTasks, from_dep: Annotated[object, Depends(dep)]):
        rec("target", tasks is from_dep)
        tasks.add_task(async_task, "from target")
        return "ok"

    out = await conforms(rec, target)
    tasks = [("task from dep",), ("async task", "from target")]
    if TEARDOWN_AFTER_RESPONSE:
        assert out.log == [
            ("session", "enter"),
            ("target", True),
            *tasks,
            ("session", "exit"),
        ]
    else:  # older FastAPI closed the dependencies first
        assert out.log == [
            ("session", "enter"),
            ("target", True),
            ("session", "exit"),
            *tasks,
        ]


async def test_background_tasks_do_not_run_when_the_target_fails(rec: Recorder) -> None:
    async def target(tasks: BackgroundTasks):
        tasks.add_task(rec, "task")
        raise Boom("failed")

    out = await conforms(rec, target)
    assert out.body == ("Boom", "failed")
    assert out.log == []


async def test_security_scopes_parameter(rec: Recorder) -> None:
    def dep(security_scopes: SecurityScopes) -> list[str]:
        return security_scopes.scopes

    async def target(
        security_scopes: SecurityScopes, d: Annotated[list[str], Depends(dep)]
    ):
        return {
            "target": security_scopes.scopes,
            "dep": d,
            "str": security_scopes.scope_str,
        }

    out = await conforms(rec, target)
    assert out.body == {"target": [], "dep": [], "str": ""}


async def test_headers_as_mapping_or_byte_pairs(rec: Recorder) -> None:
    # The public _scope accepts either form; both must give FastAPI's answer.
    async def target(request: Request):
        return {"x": request.headers.get("x-a"), "cookies": request.cookies}

    req = Req(headers=[("X-A", "1")], cookies={"c": "v"})
    expected = await conforms(rec, target, req)
    as_pairs = await run_engine(rec, target, req)
    as_mapping = await run_engine(
        rec, target, req, scope={"headers": {"X-A": "1", "Cookie": "c=v"}}
    )
    assert as_pairs == as_mapping == expected
    assert expected.body == {"x": "1", "cookies": {"c": "v"}}
