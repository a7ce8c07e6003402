"""Run one dependency tree both ways and compare what FastAPI and we do.

A case states only its tree: a *target* whose parameters FastAPI would inject,
and the request (:class:`Req`). The harness

* mounts the target as a route of a real FastAPI app and sends the request
  through ``httpx.ASGITransport`` (FastAPI's own request handling, exception
  handlers and exit stacks), and
* calls ``with_fastapi_depends(target)(_scope=...)`` with the equivalent ASGI
  scope (method, path, query string, headers, cookies, path params),

and turns both into an :class:`Outcome`: the result (or HTTP error, 422 body,
raised exception), the event log every dependency appends to, and the call
counts. Conformance is ``engine_outcome == fastapi_outcome``.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import fastapi
import fastapi.dependencies.models
import fastapi.dependencies.utils
import fastapi.routing
import httpx
from fastapi import FastAPI
from fastapi.dependencies.utils import get_dependant
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

import fastapi_everywhere
import fastapi_everywhere.sync
from fastapi_everywhere._bridge.served import serve
from fastapi_everywhere._engine import plan_for_function
from fastapi_everywhere._host import RequestScope
from fastapi_everywhere._lifecycle import run_operation, target_caller
from fastapi_everywhere._scope import ScopeSpec

#: Feature detection, never version parsing.
HAS_DEPENDS_SCOPE = "scope" in inspect.signature(fastapi.Depends).parameters
HAS_MAX_CONCURRENCY = "max_concurrency" in inspect.signature(fastapi.Depends).parameters
#: Newer FastAPI closes ``yield`` dependencies after the response (and the
#: background tasks) and throws validation errors into them; older FastAPI
#: closed them first.
TEARDOWN_AFTER_RESPONSE = (
    getattr(getattr(fastapi.routing, "request_response", None), "__module__", None)
    == "fastapi.routing"  # FastAPI's own copy of Starlette's, holding the stacks
)
#: Newer FastAPI keeps a dependency's own and inherited security scopes apart;
#: older FastAPI extended one shared list (scopes leaked between siblings and,
#: with overrides, grew at each request).
SPLIT_SECURITY_SCOPES = (
    "parent_oauth_scopes" in inspect.signature(get_dependant).parameters
)


def _fastapi_awaits(call: Callable[..., Any]) -> bool:
    """Whether FastAPI awaits ``call`` (rather than run it in a thread)."""
    for module, name in (
        (fastapi.dependencies.utils, "is_coroutine_callable"),  # < 0.123
        (fastapi.dependencies.models, "_is_coroutine_callable"),  # >= 0.140
    ):
        found = getattr(module, name, None)
        if found is not None:
            return bool(found(call))
    return bool(get_dependant(path="", call=call).is_coroutine_callable)


async def _probe() -> None:  # pragma: no cover - never awaited
    pass


#: Older FastAPI ran ``functools.partial(async_function)`` in a thread (the
#: dependency's value was a coroutine object).
PARTIAL_ASYNC_AWAITED = _fastapi_awaits(functools.partial(_probe))

#: Trees run and divergences seen by the generated family (read at session end).
STATS: Counter[str] = Counter()


class Boom(Exception):
    """A plain application error raised by a dependency or a target."""


def exc_name(exc: BaseException) -> str:
    """The exact class name of ``exc``, as a ``yield`` dependency logs it.

    What a dependency sees must be FastAPI's own class (never our
    ``MissingParameterError`` subclass) with FastAPI's exact ``errors()``.
    """
    if isinstance(exc, RequestValidationError):
        return f"{type(exc).__name__} {list(exc.errors())!r}"
    return type(exc).__name__


def caller_exc_name(exc: BaseException) -> str:
    """The class of an error raised to our caller, under FastAPI's name.

    Our callers get ``MissingParameterError`` (a ``RequestValidationError``
    naming the function) where FastAPI answers 422.
    """
    if isinstance(exc, RequestValidationError):
        return "RequestValidationError"
    return type(exc).__name__


class Recorder:
    """The event log and call counts every dependency of a case writes to."""

    def __init__(self) -> None:
        self.log: list[tuple[Any, ...]] = []
        self.counts: Counter[str] = Counter()

    def __call__(self, *event: Any) -> None:
        self.log.append(event)

    def hit(self, name: str) -> int:
        """Count one call of ``name``; return its call number (1, 2, ...)."""
        self.counts[name] += 1
        return self.counts[name]

    def reset(self) -> None:
        self.log = []
        self.counts = Counter()


@dataclass(frozen=True)
class Req:
    """One HTTP request, expressed once for both sides."""

    headers: Sequence[tuple[str, str]] = ()
    query: str = ""
    cookies: Mapping[str, str] = field(default_factory=dict)
    path_params: Mapping[str, str] = field(default_factory=dict)
    method: str = "GET"
    #: A request body. ``with_fastapi_depends`` has no body source yet, so a
    #: case with a body drives the engine's ``run_operation`` directly.
    body: bytes | None = None

    def header_list(self) -> list[tuple[str, str]]:
        headers = [(k.lower(), v) for k, v in self.headers]
        if self.cookies:
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            headers.append(("cookie", cookie))
        return headers

    def route_path(self, prefix: str) -> str:
        return prefix + "".join(f"/{{{name}}}" for name in self.path_params)

    def url_path(self, prefix: str) -> str:
        return prefix + "".join(
            f"/{quote(v, safe='')}" for v in self.path_params.values()
        )

    def asgi_scope(self, prefix: str) -> dict[str, Any]:
        """The partial ASGI scope ``with_fastapi_depends`` gets as ``_scope``."""
        return {
            "method": self.method,
            "path": prefix + "".join(f"/{v}" for v in self.path_params.values()),
            "raw_path": self.url_path(prefix).encode(),
            "query_string": self.query.encode("latin-1"),
            "headers": [
                (k.encode("latin-1"), v.encode("latin-1"))
                for k, v in self.header_list()
            ],
            "path_params": dict(self.path_params),
        }


@dataclass
class Outcome:
    """What one side did with a tree. Compared field by field.

    ``kind`` is ``ok`` (body: the JSON result), ``http`` (an HTTPException:
    status, detail, headers), ``invalid`` (422: FastAPI's ``detail`` list) or
    ``raised`` (an exception that escaped: class name and message).
    """

    kind: str
    status: int | None
    body: Any
    headers: dict[str, str]
    log: list[tuple[Any, ...]]
    counts: dict[str, int]
    raw: Any = field(default=None, compare=False, repr=False)


_PLAIN_RESPONSE_HEADERS = {"content-length", "content-type"}


#: The fields of the ASGI scope the client produced that the engine gets too.
_CLIENT_SCOPE_KEYS = (
    "method",
    "scheme",
    "server",
    "client",
    "path",
    "raw_path",
    "root_path",
    "query_string",
    "headers",
    "http_version",
)

PREFIX = "/t"


async def run_fastapi(
    rec: Recorder,
    target: Callable[..., Any],
    req: Req = Req(),
    *,
    app: FastAPI | None = None,
    seen_scope: dict[str, Any] | None = None,
) -> Outcome:
    """Mount ``target`` on a route of ``app`` and send ``req`` to it.

    The request's ASGI scope, as the client built it, is copied into
    ``seen_scope`` so that the engine can be given exactly the same one.
    """
    app = app if app is not None else FastAPI()
    rec.reset()
    try:
        app.add_api_route(req.route_path(PREFIX), target, methods=[req.method])
    except Exception as e:  # e.g. DependencyScopeError, raised at definition
        return _raised(rec, e)
    route = app.router.routes[-1]

    async def capture(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and seen_scope is not None:
            seen_scope.update({k: scope[k] for k in _CLIENT_SCOPE_KEYS if k in scope})
        await app(scope, receive, send)

    transport = httpx.ASGITransport(app=capture)
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver"
        ) as client:
            url = req.url_path(PREFIX) + (f"?{req.query}" if req.query else "")
            response = await client.request(
                req.method, url, headers=req.header_list(), content=req.body
            )
    except Exception as e:
        return _raised(rec, e)
    finally:
        app.router.routes.remove(route)
    log, counts = list(rec.log), dict(rec.counts)
    data = response.json() if response.content else None
    if response.status_code == 422 and isinstance(data, dict) and "detail" in data:
        return Outcome("invalid", 422, data["detail"], {}, log, counts, raw=response)
    if response.status_code >= 400:
        headers = {
            k: v
            for k, v in response.headers.items()
            if k not in _PLAIN_RESPONSE_HEADERS
        }
        detail = data.get("detail") if isinstance(data, dict) else data
        return Outcome(
            "http", response.status_code, detail, headers, log, counts, raw=response
        )
    return Outcome("ok", None, data, {}, log, counts, raw=response)


async def run_engine(
    rec: Recorder,
    target: Callable[..., Any],
    req: Req = Req(),
    *,
    app: FastAPI | None = None,
    scope: Mapping[str, Any] | None = None,
    via: str = "decorator",
) -> Outcome:
    """Resolve ``target`` through the public API with ``req``'s scope.

    ``via`` is ``"decorator"`` (``with_fastapi_depends(target)(_scope=...)``),
    ``"resolve"`` (``async with resolve_fastapi_depends(target, scope)``
    around the call), ``"sync"`` (the sync API's ``with_fastapi_depends``,
    called from a worker thread), or ``"host"`` / ``"host-async"`` (the
    Django/Flask adapters' seam: ``RequestScope.call`` from a worker thread /
    ``await RequestScope.acall``, then ``close``, as one host request), or
    ``"host-served"`` (``acall`` while the running loop is the one a server
    serves, as under Django's ASGI handler with the library's lifespan). ``scope`` (the client's scope of the FastAPI run)
    replaces the one built from ``req``; the path parameters always come
    from ``req``.
    """
    rec.reset()
    call_scope = dict(scope) if scope else req.asgi_scope(PREFIX)
    call_scope["path_params"] = dict(req.path_params)
    if app is not None:
        fastapi_everywhere.configure(app=app)
    try:
        if via == "host":
            result = await asyncio.to_thread(
                _run_host, target, call_scope, req.body, app
            )
        elif via == "host-async":
            result = await _arun_host(target, call_scope, req.body, app)
        elif via == "host-served":
            unserve = serve(asyncio.get_running_loop())
            try:
                result = await _arun_host(target, call_scope, req.body, app)
            finally:
                unserve()
        elif req.body is None and via == "resolve":
            result = await _run_resolved(target, call_scope, app)
        elif req.body is None and via == "sync":
            wrapped = fastapi_everywhere.sync.with_fastapi_depends(target)
            result = await asyncio.to_thread(
                functools.partial(wrapped, _scope=call_scope)
            )
        elif req.body is None:
            wrapped = fastapi_everywhere.with_fastapi_depends(target)
            result = await wrapped(_scope=call_scope)
        else:
            result = await _run_with_body(target, call_scope, req.body, app)
    except RequestValidationError as e:
        try:
            detail = jsonable_encoder(e.errors())
        except Exception as encoding_error:  # FastAPI's 422 handler fails alike
            return _raised(rec, encoding_error)
        return Outcome(
            "invalid", 422, detail, {}, list(rec.log), dict(rec.counts), raw=e
        )
    except StarletteHTTPException as e:
        headers = {k.lower(): v for k, v in (e.headers or {}).items()}
        return Outcome(
            "http",
            e.status_code,
            e.detail,
            headers,
            list(rec.log),
            dict(rec.counts),
            raw=e,
        )
    except Exception as e:
        return _raised(rec, e)
    finally:
        if app is not None:
            fastapi_everywhere.reset_config()
    try:
        body = jsonable_encoder(result)
    except Exception as e:  # FastAPI fails to serialise it alike (before teardown)
        return _raised(rec, e)
    return Outcome("ok", None, body, {}, list(rec.log), dict(rec.counts), raw=result)


_NO_RESULT: Any = object()


async def _run_resolved(
    target: Callable[..., Any], scope: dict[str, Any], app: FastAPI | None
) -> Any:
    result = _NO_RESULT
    async with fastapi_everywhere.resolve_fastapi_depends(
        target, scope=scope, dependency_overrides_provider=app
    ) as values:
        if inspect.iscoroutinefunction(target):
            result = await target(**values)
        else:  # where FastAPI runs a sync endpoint: a worker thread
            result = await asyncio.to_thread(functools.partial(target, **values))
    assert result is not _NO_RESULT, "the block's exception was swallowed"
    return result


async def _run_with_body(
    target: Callable[..., Any], scope: dict[str, Any], body: bytes, app: FastAPI | None
) -> Any:
    plan = plan_for_function(
        target, overrides=app.dependency_overrides if app else None
    )
    call = target_caller(target, inspect.iscoroutinefunction(target), (), {})
    spec = ScopeSpec(base=scope, body=body)
    return await run_operation(plan, call, app=app, spec=spec)


def _run_host(
    target: Callable[..., Any],
    scope: dict[str, Any],
    body: bytes | None,
    app: FastAPI | None,
) -> Any:
    """One host request (a Django/Flask view): call, then close at response end."""
    host = RequestScope(scope, body=body, app=app)
    try:
        result = host.call(target)
    except BaseException as e:
        host.close(e)  # the adapters' order: teardown sees it, then render
        raise
    host.close()
    return result


async def _arun_host(
    target: Callable[..., Any],
    scope: dict[str, Any],
    body: bytes | None,
    app: FastAPI | None,
) -> Any:
    host = RequestScope(scope, body=body, app=app)
    try:
        result = await host.acall(target)
    except BaseException as e:
        await host.aclose(e)
        raise
    await host.aclose()
    return result


def _raised(rec: Recorder, e: BaseException) -> Outcome:
    return Outcome(
        "raised",
        None,
        (caller_exc_name(e), str(e)),
        {},
        list(rec.log),
        dict(rec.counts),
        raw=e,
    )


async def run_both(
    rec: Recorder,
    target: Callable[..., Any],
    req: Req = Req(),
    *,
    app: FastAPI | None = None,
    via: str = "decorator",
) -> tuple[Outcome, Outcome]:
    """The FastAPI outcome and the engine outcome of one tree."""
    # Each side runs in its own task, so on a copy of the caller's context: a
    # context variable one side sets cannot leak into the other's run.
    seen_scope: dict[str, Any] = {}
    expected = await asyncio.create_task(
        run_fastapi(rec, target, req, app=app, seen_scope=seen_scope)
    )
    actual = await asyncio.create_task(
        run_engine(rec, target, req, app=app, scope=seen_scope, via=via)
    )
    return expected, actual


async def conforms(
    rec: Recorder,
    target: Callable[..., Any],
    req: Req = Req(),
    *,
    app: FastAPI | None = None,
    via: str = "decorator",
) -> Outcome:
    """Assert the engine does exactly what FastAPI does; return FastAPI's outcome."""
    expected, actual = await run_both(rec, target, req, app=app, via=via)
    assert actual == expected, explain(expected, actual)
    return expected


def explain(expected: Outcome, actual: Outcome) -> str:
    """A readable account of how the engine's outcome differs from FastAPI's."""
    lines = ["the engine diverged from FastAPI:"]
    for name in ("kind", "status", "body", "headers", "log", "counts"):
        want, got = getattr(expected, name), getattr(actual, name)
        if want != got:
            lines.append(f"  {name}:\n    fastapi: {want!r}\n    engine:  {got!r}")
    return "\n".join(lines)
