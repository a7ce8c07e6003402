"""A host framework's request handled as one FastAPI request.

The framework-neutral seam under the Django and Flask adapters. An adapter
turns its request into an ASGI scope and a body, opens one
:class:`RequestScope` per request and closes it when the host response is
closed; everything else is the engine's:

* one resolution cache per host request, shared by every dependency resolved
  in it (the view, helpers calling ``resolve``), never across requests;
* request-scoped ``yield`` dependencies stay open until :meth:`RequestScope.close`
  (FastAPI closes them after the response is sent), function-scoped ones
  close when the view returns;
* the sync side runs sync dependencies on the calling thread
  (thread-sensitive: Django's per-thread DB connection) and async ones in the
  request's one task on the shared loop thread; the async side runs
  everything on the shared loop (where lifespan-bound async resources live),
  sync work through a pluggable ``run_sync`` (Django passes asgiref's
  thread-sensitive executor).

Errors are rendered in ``errors.py``; the process lifespan lives in
``_bridge.lifespan``.
"""

from __future__ import annotations

import _thread
import contextvars
import functools
import logging
import warnings
from collections.abc import Awaitable, Callable, Generator, Mapping
from contextlib import AsyncExitStack
from typing import Any

from fastapi import FastAPI
from fastapi.background import BackgroundTasks
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response

from .. import _config
from .._bridge import loop as _loop
from .._bridge.drive import NOT_RUN, Exits, SyncDriver
from .._bridge.owner import HasOwnerTask, OwnerTask
from .._engine._compat import EMPTY_BODY
from .._engine._threads import run_in_thread
from .._engine.compiled import inline_solver
from .._engine.plan import Node, Plan, plan_for_dependencies
from .._engine.run import Resolution
from .._lifecycle import swallowed_error, target_caller, validation_error
from .._lifespan import lifespan_state
from .._source import RequestSource, ScopeSource
from .._target import Target, target_of
from .async_side import AsyncSide, Job
from .ending import RequestEnd
from .inline import InlineExits, close_function, end_invalid, entered

__all__ = ["RequestScope"]

RunSync = Callable[..., Awaitable[Any]]

log = logging.getLogger("fastapi_everywhere._host")


class _HostDriver(SyncDriver):
    """A sync driver whose request-scoped exits and loop task are the host request's.

    Background tasks are the host request's too: they run at ``close``.
    """

    __slots__ = ("host",)
    caller_errors = False  # the host's error handlers get FastAPI's exact error

    def __init__(self, plan: Plan, host: RequestScope) -> None:
        super().__init__(
            plan, host.name, host.timeout, **host.resolution_args(host.sync_stack)
        )
        self.host = host

    @property
    def owner(self) -> OwnerTask:
        return self.host.owner

    def _exits(self, node: Node) -> Exits:
        if node.function_scope:
            return super()._exits(node)
        return self.host.request_exits

    def on_loop(self, fn: Callable[[], Awaitable[Any]]) -> Any:
        self.host.push_base()
        return self.host.owner.call(fn)

    def run_background(self) -> None:
        pass  # the host request runs them once, at close


class RequestScope(AsyncSide, RequestEnd, HasOwnerTask):
    """One host-framework request handled as one FastAPI request.

    ``source`` is where the request's data comes from: the adapter's
    :class:`~fastapi_everywhere._scope.RequestSource` (its ``app``, default
    the configured one, supplies ``dependency_overrides``, the lifespan state
    and exception handlers), or a ready ASGI scope with its ``body`` (bytes,
    or a function reading them) and ``app``.
    ``run_sync`` is how the async side runs sync code (default: the engine's
    worker threads); ``run_sync_exit(fn, *args)`` how :meth:`close` runs the
    async side's sync teardown (default: on the closing thread; Django
    sends it to the request's sync thread). ``timeout`` bounds each wait on the loop thread.
    ``logger`` (default ``fastapi_everywhere._host``) gets the errors raised
    after the response was sent (:meth:`close_sent`).
    """

    def __init__(
        self,
        source: RequestSource | Mapping[str, Any],
        *,
        body: bytes | Callable[[], bytes | None] | None = None,
        app: FastAPI | None = None,
        name: str = "request",
        run_sync: RunSync | None = None,
        run_sync_exit: Callable[..., Any] | None = None,
        timeout: float | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        if isinstance(source, RequestSource):
            if source.app is None:
                source.app = _config.app_for(app)
        else:
            source = ScopeSource(source, body=body, app=_config.app_for(app))
        self.source = source
        self.app = source.app
        self.name = name
        self.cache: dict[Any, Any] = {}
        self._lock = _thread.RLock()  # threading.RLock, without its wrapper call
        # The rest stays the class defaults unless given: paid per request.
        if logger is not None:
            self.logger = logger
        if timeout is not None:
            self.timeout = timeout
        if run_sync is not None:
            self.run_sync = run_sync
        if run_sync_exit is not None:
            self.run_sync_exit = run_sync_exit

    # Per-request state at its start (see __init__).
    logger: logging.Logger = log
    timeout: float | None = None
    run_sync: RunSync = staticmethod(run_in_thread)
    run_sync_exit: Callable[..., Any] | None = None
    response: Response | None = None
    background_tasks: BackgroundTasks | None = None
    closed = _torn_down = _base_pushed = False
    _invalid: BaseException | None = None  # a resolution's (see close)
    # The sync side: one loop task, one request exit stack (sync exits and
    # async segments in entry order), FastAPI's request stack below; sync
    # exits entered inline before that stack was needed wait in a list.
    _owner: OwnerTask | None = None
    _request_exits: Exits | None = None
    _sync_exits: list[Generator[Any, None, None]] | None = None
    _request_stack: AsyncExitStack | None = None
    # The async side: one task on the serving loop, its exits, its context.
    _async: OwnerTask | None = None
    _async_exits: Exits | None = None
    _async_context: contextvars.Context | None = None

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<RequestScope {self.name} {state}, {len(self.cache)} cached>"

    def __del__(self) -> None:
        if not getattr(self, "closed", True) and (
            self._request_exits is not None
            or self._sync_exits
            or self._async is not None
        ):
            warnings.warn(
                f"{self!r} was garbage-collected without close(): its "
                "request-scoped teardown never ran",
                ResourceWarning,
                stacklevel=1,
            )

    # -- shared state ----------------------------------------------------------

    @property
    def request(self) -> Request:
        """The Starlette request every dependency of this request sees."""
        return self.source.request

    @property
    def request_exits(self) -> Exits:
        exits = self._request_exits
        if exits is None:
            exits = self._request_exits = Exits(self)
            started, self._sync_exits = self._sync_exits, None
            for gen in started or ():  # in entry order, under what follows
                exits.push_sync(entered(gen))
        return exits

    def push_request_exit(self, gen: Generator[Any, None, None]) -> None:
        """A request-scoped sync ``yield`` dependency the compiled solver
        started, in entry order (finished at :meth:`close`)."""
        exits = self._request_exits
        if exits is not None:
            exits.push_sync(entered(gen))
        elif self._sync_exits is None:
            self._sync_exits = [gen]
        else:
            self._sync_exits.append(gen)

    def push_base(self) -> None:
        """Put FastAPI's request stack under the first async exit (closed last)."""
        if not self._base_pushed:
            self._base_pushed = True
            self.request_exits.push_segment(self.sync_stack, last=True)

    @property
    def headers(self) -> Headers:
        """The request's headers (no ``Request`` is built for them)."""
        return self.source.headers

    @property
    def sync_stack(self) -> AsyncExitStack:
        """FastAPI's request stack of the sync side (closed last, in its task)."""
        stack = self._request_stack
        if stack is None:
            stack = self._request_stack = AsyncExitStack()
        return stack

    def resolution_args(self, request_stack: AsyncExitStack) -> dict[str, Any]:
        """What every resolution in this request shares (its cache, source...)."""
        return {
            "spec": None,
            "app": self.app,
            "state": lifespan_state(self.app),
            "cache": self.cache,
            "request_stack": request_stack,
            "source": self.source,
            "background_tasks": self.background_tasks,
            "response": self.response,
        }

    def _adopt(self, response: Response | None, tasks: BackgroundTasks | None) -> None:
        """Keep what a resolution made (response, tasks) for the next one."""
        if self.response is None:
            self.response = response
        if self.background_tasks is None:
            self.background_tasks = tasks

    def _invalid_error(self, plan: Plan, res: Resolution) -> Exception:
        error = validation_error(res.errors, res.body)
        self._invalid = error
        return error

    def _invalid_from(self, errors: list[Any]) -> Exception:
        """The validation error of an inline resolution (no body), remembered."""
        error = self._invalid = validation_error(errors, EMPTY_BODY)
        return error

    def _check_open(self, what: str) -> None:
        if self.closed:
            raise RuntimeError(f"{self.name}: {what}() after the request was closed")

    def _job(self, func: Callable[..., Any], args: Any, kwargs: Any) -> Job:
        target = target_of(func, "RequestScope.call")
        plan = target.plan_for(self.app, args, kwargs, self.source.path_template)
        return Job(target, plan, args, kwargs)

    # -- the sync side ----------------------------------------------------------

    def call(self, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """Resolve ``func``'s dependencies in this request, then call it.

        A sync ``func`` runs on this thread, an async one in the request's
        task on the loop thread. Function-scoped ``yield`` dependencies close
        when it returns (its exception thrown in); request-scoped ones at
        :meth:`close`.
        """
        return self.call_target(target_of(func, "RequestScope.call"), *args, **kwargs)

    def call_target(self, target: Target, /, *args: Any, **kwargs: Any) -> Any:
        """:meth:`call` of ``target.func``, given its :class:`Target` (a view's)."""
        return contextvars.copy_context().run(self.call_here, target, args, kwargs)

    def call_here(
        self, target: Target, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """:meth:`call_target` in the caller's context, not a copy of it: for
        an adapter running its whole request (dependencies, view, teardown)
        in one context of its own, as FastAPI runs a request in one task."""
        plan = target.plan_for(self.app, args, kwargs, self.source.path_template)
        if target.is_async or plan.needs_loop:
            return self._call(Job(target, plan, args, kwargs))
        # The hottest path of a host request, written out: a sync target
        # whose every step is sync runs on this thread, no driver, no loop.
        # Its sync exits close here too: function-scoped ones when it
        # returns, request-scoped ones at close().
        func = target.func
        solve = plan.inline_solvers.get(False) or inline_solver(plan)
        exits = InlineExits() if plan.function_exits else None
        with self._lock:
            if self.closed:
                self._check_open("call")
            try:
                values, errors, response, tasks = solve(*self._solver_args(exits))
            except BaseException as e:
                close_function(None if exits is None else exits.function, e)
            if response is not None or tasks is not None:
                self._adopt(response, tasks)
            if errors:
                end_invalid(exits, self._invalid_from(errors))
        if exits is None:  # no function scope: nothing to close after the view
            return func(*args, **kwargs, **values)
        try:
            result = func(*args, **kwargs, **values)
        except BaseException as e:
            with self._lock:
                close_function(exits.function, e)
        if exits.function is not None:
            with self._lock:
                left = exits.close(None)
            if left is not None:
                raise left
        return result

    def _call(self, job: Job) -> Any:
        """A call through the sync driver: the target or a step is async."""
        (target, plan, args, kwargs), func = job, job.target.func
        is_async = target.is_async
        _loop.check_not_loop_thread(f"{self.name}: call")
        lock = self._lock
        with lock:
            self._check_open("call")
            driver = _HostDriver(plan, self)
            if is_async:
                driver.then = target_caller(func, True, args, kwargs)
            values = self._enter(driver)
        # The lock guards resolution and teardown, not the view: a view that
        # hands work to threads calling resolve() and joins them must not
        # deadlock.
        try:
            if not is_async:
                result = func(*args, **kwargs, **values)
            else:
                with lock:
                    result = driver.then_result
                    if result is NOT_RUN:
                        result = driver.on_loop(
                            functools.partial(func, *args, **kwargs, **values)
                        )
        except BaseException as e:
            with lock:
                if not driver.__exit__(type(e), e, e.__traceback__):
                    raise
            raise swallowed_error() from e  # a yield dependency swallowed it
        with lock:
            driver.__exit__(None, None, None)
        return result

    def _enter(self, driver: _HostDriver) -> dict[str, Any]:
        """Resolve; remember a validation error for :meth:`close`."""
        try:
            values = driver.__enter__()
        except RequestValidationError as e:
            self._invalid = e
            raise
        res = driver.res
        self._adopt(res.response, res.background_tasks)
        return values

    def resolve(self, dependency: Any) -> Any:
        """Resolve one dependency in this request (its cache) and return it."""
        plan = plan_for_dependencies(
            (dependency,),
            overrides=_config.overrides_of(self.app),
            owner=f"{self.name}.resolve",
            path=self.source.path_template,
        )
        return contextvars.copy_context().run(self._resolve, plan)

    def _resolve(self, plan: Plan) -> Any:
        _loop.check_not_loop_thread(f"{self.name}: resolve")
        with self._lock:
            self._check_open("resolve")
            driver = _HostDriver(plan, self)
            values = self._enter(driver)
            driver.__exit__(None, None, None)
            return values["d0"]
