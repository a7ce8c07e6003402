"""Execute a compiled plan: FastAPI's ``solve_dependencies``, step by step.

The steps mirror FastAPI's recursion exactly (sub-dependencies of a cached
dependency are still solved, errors are gathered, not raised, the cache key and
``use_cache`` are the original dependant's), but run as a flat loop so that a
driver can stop it and choose *where* each step runs: the sync driver
(``_bridge/drive.py``) runs sync steps on the calling thread and sends only
the async ones to the loop thread. Async code does not need to stop it: it
runs the same steps compiled per plan (``solve.py``), each run
of consecutive sync dependencies in one worker-thread hop. A
:class:`Resolution` holds the state either way, and its methods (parameters,
specials, the body, entering generators) serve both.
"""

from __future__ import annotations

import contextvars
import email.message
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import (
    AbstractContextManager,
    AsyncExitStack,
    asynccontextmanager,
)
from typing import Any

import anyio
from fastapi import BackgroundTasks
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.security.oauth2 import SecurityScopes
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response

from .._scope import ScopeSpec, build_request, scope_headers
from .._source import RequestSource
from . import _compat
from ._threads import run_in_thread
from .plan import AGEN, ASYNC, GEN, SYNC, Node, Plan

DONE, NEED_SYNC, NEED_ASYNC = 0, 1, 2


def new_response() -> Response:
    """The mutable Response FastAPI hands to dependencies (no status yet)."""
    response = Response()
    del response.headers["content-length"]
    response.status_code = None  # type: ignore[assignment]
    return response


class Resolution:
    """The state of one resolution of a plan."""

    __slots__ = (
        "app",
        "background_for",
        "background_tasks",
        "body",
        "cache",
        "cleanup_scope",
        "errors",
        "frames",
        "function_stack",
        "headers",
        "isolate_context",
        "pc",
        "plan",
        "push_sync_exit",
        "request",
        "request_stack",
        "response",
        "run_sync",
        "source",
        "spec",
        "stack_for",
        "state",
        "values",
    )

    def __init__(
        self,
        plan: Plan,
        *,
        spec: ScopeSpec | None,
        app: Any,
        state: Any,
        cache: dict[Any, Any],
        request_stack: AsyncExitStack,
        function_stack: AsyncExitStack | None,
        request: Request | None = None,
        source: RequestSource | None = None,
        background_tasks: BackgroundTasks | None = None,
        response: Response | None = None,
        isolate_context: bool = True,
        run_sync: Runner | None = None,
        stack_for: Callable[[Node], AsyncExitStack] | None = None,
        background_for: Callable[[Node], BackgroundTasks] | None = None,
        push_sync_exit: Callable[[Node, AbstractContextManager[Any]], None]
        | None = None,
        cleanup_scope: Any = None,
    ) -> None:
        self.plan = plan
        self.spec = spec
        self.app = app
        self.state = state
        self.cache = cache
        self.request_stack = request_stack
        self.function_stack = function_stack
        self.request = request
        #: A host request's data (Django, Flask): read from it, not from ``spec``.
        self.source = source
        self.background_tasks = background_tasks
        self.response = response
        self.isolate_context = isolate_context
        #: FastAPI's shield of async teardown; a container shares one.
        self.cleanup_scope = cleanup_scope
        #: How steps that must not block the loop run sync code:
        #: ``await run_sync(fn, *args)``. A host framework may swap it (Django
        #: async views: asgiref's thread-sensitive executor).
        self.run_sync: Runner = run_sync or run_in_thread
        #: Containers route each yield dependency to the stack of its scope,
        #: and give each dependency the background tasks of its scope.
        self.stack_for = stack_for
        self.background_for = background_for
        #: Where :meth:`advance` registers the exit of a sync ``yield``
        #: dependency it entered. None: an async exit on the node's stack that
        #: runs it in a worker thread. The sync driver gives one that keeps
        #: the exit on the calling thread.
        self.push_sync_exit = push_sync_exit
        self.headers: Headers | None = None
        self.body: Any = _compat.EMPTY_BODY
        self.pc = 0
        self.frames: list[tuple[dict[str, Any], list[Any]]] = []
        self.values: dict[str, Any] = {}
        self.errors: list[Any] = []

    # -- request data -----------------------------------------------------

    def get_request(self) -> Request:
        request = self.request
        if request is None:
            if self.source is not None:
                request = self.request = self.source.request
            else:
                request = self.request = build_request(
                    self.spec or ScopeSpec(),
                    app=self.app,
                    state=self.state,
                    required=self.plan.required,
                )
        return request

    def get_headers(self) -> Headers:
        if self.request is None:
            # Only headers so far: read them without building a Request.
            if self.source is not None:
                return self.source.headers
            headers = self.headers
            if headers is None:
                headers = self.headers = Headers(
                    raw=scope_headers(self.spec or ScopeSpec(), self.plan.required)
                )
            return headers
        return self.get_request().headers

    def get_response(self) -> Response:
        if self.response is None:
            self.response = new_response()
        return self.response

    async def read_body(self) -> None:
        """Read and parse the body like FastAPI's request handler does."""
        plan = self.plan
        if plan.body_field is None:
            return
        request = self.get_request()
        try:
            if plan.is_body_form:
                form = await request.form()
                self.request_stack.push_async_callback(form.close)
                self.body = form
                return
            body_bytes = await request.body()
            if not body_bytes:
                return
            content_type = request.headers.get("content-type")
            if not content_type and _compat.JSON_WITHOUT_CONTENT_TYPE:
                self.body = await request.json()
                return
            if content_type:
                message = email.message.Message()
                message["content-type"] = content_type
                if message.get_content_maintype() == "application":
                    subtype = message.get_content_subtype()
                    if subtype == "json" or subtype.endswith("+json"):
                        self.body = await request.json()
                        return
            self.body = body_bytes
        except json.JSONDecodeError as e:
            raise RequestValidationError(
                [
                    {
                        "type": "json_invalid",
                        "loc": ("body", e.pos),
                        "msg": "JSON decode error",
                        "input": {},
                        "ctx": {"error": e.msg},
                    }
                ],
                body=e.doc,
            ) from e
        except HTTPException:
            raise
        except Exception as e:
            raise HTTPException(
                status_code=400, detail="There was an error parsing the body"
            ) from e

    # -- the step loop ----------------------------------------------------

    def read_params(
        self, node: Node, values: dict[str, Any], errors: list[Any]
    ) -> None:
        """Read ``node``'s request parameters into ``values``; errors to ``errors``."""
        # FastAPI's order: path, query, header, cookie.
        found: list[Any] = []
        if node.path_params:
            found += _take(node.path_params, self.get_request().path_params, values)
        if node.query_params:
            found += _take(node.query_params, self.get_request().query_params, values)
        if node.header_params:
            found += _take(node.header_params, self.get_headers(), values)
        if node.cookie_params:
            found += _take(node.cookie_params, self.get_request().cookies, values)
        errors += found

    def specials(self, node: Node, values: dict[str, Any]) -> None:
        """Give ``node`` the request, response, tasks and scopes it asks for."""
        if node.connection_name:
            values[node.connection_name] = self.get_request()
        if node.request_name:
            values[node.request_name] = self.get_request()
        if node.background_name:
            if self.background_for is not None:
                values[node.background_name] = self.background_for(node)
            else:
                if self.background_tasks is None:
                    self.background_tasks = BackgroundTasks()
                values[node.background_name] = self.background_tasks
        if node.response_name:
            values[node.response_name] = self.get_response()
        if node.security_scopes_name:
            values[node.security_scopes_name] = SecurityScopes(
                scopes=list(node.oauth_scopes)
            )

    def _finish(self, node: Node, values: dict[str, Any], errors: list[Any]) -> Any:
        """Pop ``node``'s frame; return its parent's frame, or None at the root."""
        self.frames.pop()
        if node is self.plan.root:
            self.values = values
            self.errors = errors
            self.pc = len(self.plan.steps)
            return None
        parent = self.frames[-1]
        if errors:
            parent[1].extend(errors)
        return parent

    def _store(self, node: Node, parent: Any, solved: Any) -> None:
        if node.name is not None:
            parent[0][node.name] = solved
        if node.key not in self.cache:
            self.cache[node.key] = solved

    def advance(self, run_sync: bool) -> int:
        """Run steps until the end or until one must run elsewhere.

        With ``run_sync`` false, stop (NEED_SYNC) before an uncached sync
        dependency; always stop (NEED_ASYNC) before a step that must await.
        The sync driver's loop (async code runs the compiled solver of
        ``solve.py`` instead): ``_finish`` and ``_store`` are inlined here.
        """
        plan = self.plan
        steps = plan.steps
        end = len(steps)
        root = plan.root
        frames = self.frames
        cache = self.cache
        pc = self.pc
        while pc < end:
            node, closing = steps[pc]
            if not closing:
                frames.append(({}, []))
                pc += 1
                continue
            key = node.key
            cached = node.use_cache and key in cache
            if node.await_always or (node.await_unless_cached and not cached):
                self.pc = pc
                return NEED_ASYNC
            if node.sync_dependency and not run_sync and not cached:
                self.pc = pc
                return NEED_SYNC
            values, errors = frames.pop()
            if node.has_params:
                self.read_params(node, values, errors)
            if node.has_specials:
                self.specials(node, values)
            pc += 1
            if node is root:
                self.values = values
                self.errors = errors
                self.pc = end
                return DONE
            parent = frames[-1]
            if errors:
                parent[1].extend(errors)
                continue
            if cached:
                solved = cache[key]
            elif node.kind == SYNC:
                if self.isolate_context:
                    solved = contextvars.copy_context().run(node.call, **values)
                else:
                    solved = node.call(**values)
            else:  # GEN
                solved = self.enter_sync_gen(node, values)
            if node.name is not None:
                parent[0][node.name] = solved
            if key not in cache:
                cache[key] = solved
        self.pc = pc
        return DONE

    def enter_sync_gen(self, node: Node, values: dict[str, Any]) -> Any:
        """Enter a sync generator dependency here; register its exit."""
        cm = node.cm_factory(**values)
        if self.isolate_context:
            solved = contextvars.copy_context().run(cm.__enter__)
        else:
            solved = cm.__enter__()
        if self.push_sync_exit is not None:
            self.push_sync_exit(node, cm)
        else:
            self._stack(node).push_async_exit(threaded_exit(cm, self.run_sync))
        return solved

    async def async_step(self) -> None:
        """Run the current closing step on the event loop."""
        node, closing = self.plan.steps[self.pc]
        assert closing
        values, errors = self.frames[-1]
        if node.has_params:
            self.read_params(node, values, errors)
        if node.body_params:
            v, e = await _compat.request_body_to_args(
                body_fields=node.body_params,
                received_body=self.body,
                embed_body_fields=self.plan.embed_body_fields,
            )
            values.update(v)
            errors.extend(e)
        if node.has_specials:
            self.specials(node, values)
        parent = self._finish(node, values, errors)
        self.pc += 1
        if parent is None or errors:
            return
        if node.use_cache and node.key in self.cache:
            solved = self.cache[node.key]
        elif node.kind == GEN or node.kind == AGEN:
            solved = await self.enter_gen(node, values)
        elif node.concurrency is None:
            solved = await self._call(node, node.call, values)
        else:
            solved = await self.call_limited(node, values)
        self._store(node, parent, solved)

    async def call_limited(self, node: Node, values: dict[str, Any]) -> Any:
        """Call ``node`` under its ``Depends(max_concurrency=...)`` limit."""
        assert node.concurrency is not None
        async with node.concurrency.get_semaphore():
            return await self._call(node, node.call, values)

    async def enter_gen(self, node: Node, values: dict[str, Any]) -> Any:
        """Enter a generator dependency from the loop (an async one, or a sync
        one in a worker thread) on the stack of its scope."""
        cm: Any
        if node.kind == AGEN:
            cm = node.cm_factory(**values)
            if _compat.HAS_SHIELDED_EXIT:
                if self.cleanup_scope is None:
                    # Entered before the first async generator so that it
                    # encloses the cancel scopes the generators open.
                    self.cleanup_scope = self.request_stack.enter_context(
                        anyio.CancelScope()
                    )
                cm = _compat.shielded_exit(cm, self.cleanup_scope)
        else:
            cm = _sync_cm_in_thread(node.cm_factory(**values), self.run_sync)
        if node.concurrency is not None:
            from fastapi.concurrency import _contextmanager_with_concurrency_limit

            cm = _contextmanager_with_concurrency_limit(
                cm, node.concurrency.get_semaphore()
            )
        return await self._stack(node).enter_async_context(cm)

    def _stack(self, node: Node) -> AsyncExitStack:
        if self.stack_for is not None:
            return self.stack_for(node)
        if not node.function_scope:
            return self.request_stack
        # None only for a plan without function-scoped exits (Plan.function_exits).
        assert self.function_stack is not None, node
        return self.function_stack

    async def _call(
        self, node: Node, call: Callable[..., Any], values: dict[str, Any]
    ) -> Any:
        if node.kind == ASYNC:
            return await call(**values)
        return await self.run_sync(lambda: call(**values))


Runner = Callable[..., Awaitable[Any]]


def _take(read: Any, data: Any, values: dict[str, Any]) -> list[Any]:
    """Read one source's parameters into ``values``; return their errors."""
    errors: list[Any]
    found, errors = read(data)
    values.update(found)
    return errors


def threaded_exit(cm: Any, run_sync: Runner) -> Callable[..., Any]:
    """An async exit running ``cm``'s sync ``__exit__`` through ``run_sync``
    (FastAPI's rule: sync teardown never blocks the loop), shielded."""

    async def exit_(exc_type: Any, exc: Any, tb: Any) -> bool:
        ok = False
        with anyio.CancelScope(shield=True):
            ok = bool(await run_sync(cm.__exit__, exc_type, exc, tb))
        return ok

    return exit_


@asynccontextmanager
async def _sync_cm_in_thread(cm: Any, run_sync: Runner) -> AsyncIterator[Any]:
    value = await run_sync(cm.__enter__)
    try:
        yield value
    except BaseException as e:
        with anyio.CancelScope(shield=True):
            ok = await run_sync(cm.__exit__, type(e), e, e.__traceback__)
        if not ok:  # pyright: ignore[reportPossiblyUnboundVariable]
            raise
    else:
        with anyio.CancelScope(shield=True):
            await run_sync(cm.__exit__, None, None, None)
