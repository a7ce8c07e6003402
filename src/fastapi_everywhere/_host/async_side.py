"""The async side of a host request: ``acall`` and ``aresolve``.

A base class of :class:`~fastapi_everywhere._host.request.RequestScope`.
Everything runs on the shared loop thread, in the request's one task there
(where lifespan-bound async resources live); sync work goes through the
request's ``run_sync`` (Django passes asgiref's thread-sensitive executor).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

from fastapi import BackgroundTasks
from starlette.responses import Response

from .._bridge import loop as _loop
from .._bridge.drive import NOT_RUN, Exits
from .._bridge.owner import OwnerTask
from .._bridge.served import served_loop
from .._config import overrides_of
from .._engine.compiled import inline_solver
from .._engine.plan import Node, Plan, plan_for_dependencies
from .._engine.run import Resolution, Runner, threaded_exit
from .._engine.solve import solve
from .._lifecycle import swallowed_error
from .._lifespan import lifespan_loop
from .._source import RequestSource
from .._target import Target
from .inline import InlineExits, close_function, end_invalid

__all__ = ["AsyncSide", "Job"]


class _Owned:
    """What an :class:`Exits` stack needs: the task its async segments close in."""

    __slots__ = ("owner",)

    def __init__(self, owner: OwnerTask) -> None:
        self.owner = owner


class _Routes:
    """Where one async-side resolution puts each exit (given to it, held by it).

    Request-scoped sync ``yield`` exits go on the request's :class:`Exits`,
    run by the thread that closes the request: under Django that is the
    request's sync thread, where its thread-sensitive executor would have
    sent them, so a request whose teardown is all sync closes with no loop
    round trip. Async exits go in the request's task, in entry order with
    the sync ones; function-scoped exits on the call's stack, as FastAPI.
    """

    __slots__ = ("exits", "function", "run_sync", "run_sync_exit")

    def __init__(
        self,
        exits: Exits,
        function: AsyncExitStack,
        run_sync: Runner,
        run_sync_exit: Callable[..., Any] | None,
    ) -> None:
        self.exits = exits
        self.function = function
        self.run_sync = run_sync
        self.run_sync_exit = run_sync_exit

    def stack_for(self, node: Node) -> AsyncExitStack:
        return self.function if node.function_scope else self.exits.segment()

    def push_sync(self, node: Node, cm: Any) -> None:
        if node.function_scope:
            self.function.push_async_exit(threaded_exit(cm, self.run_sync))
        elif self.run_sync_exit is None:
            self.exits.push_sync(cm)
        else:
            self.exits.push_sync(_SentExit(cm, self.run_sync_exit))


class _SentExit:
    """A sync exit run through the host's ``run_sync_exit`` (its sync thread)."""

    __slots__ = ("cm", "run")

    def __init__(self, cm: Any, run: Callable[..., Any]) -> None:
        self.cm = cm
        self.run = run

    def __enter__(self) -> Any:  # entered already: only its exit is pushed
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> Any:
        return self.run(self.cm.__exit__, exc_type, exc, tb)


async def _close_function(
    run_sync: Runner, exits: InlineExits | None, exc: BaseException
) -> NoReturn:
    """``close_function`` of an inline call's exits through ``run_sync`` (its
    sync teardown never blocks the loop); raises what is left."""
    if exits is None or exits.function is None:
        raise exc
    await run_sync(close_function, exits.function, exc)
    raise exc  # pragma: no cover - close_function raised


class Job(NamedTuple):
    """One call in a host request: the target, its plan, the caller's arguments."""

    target: Target
    plan: Plan
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


class AsyncSide:
    """``acall`` / ``aresolve`` of a host request (see ``RequestScope``)."""

    name: str
    app: Any
    source: RequestSource
    run_sync: Callable[..., Awaitable[Any]]
    run_sync_exit: Callable[..., Any] | None
    cache: dict[Any, Any]
    response: Response | None
    background_tasks: BackgroundTasks | None
    _async: OwnerTask | None
    #: The request task's context after its last call (see ``_asolved``).
    _async_context: contextvars.Context | None
    _async_exits: Exits | None

    if TYPE_CHECKING:  # provided by RequestScope

        def _job(self, func: Callable[..., Any], args: Any, kwargs: Any) -> Job: ...

        def _check_open(self, what: str) -> None: ...

        def resolution_args(self, request_stack: AsyncExitStack) -> dict[str, Any]: ...

        def _adopt(
            self, response: Response | None, tasks: BackgroundTasks | None
        ) -> None: ...

        def _invalid_error(self, plan: Plan, res: Resolution) -> Exception: ...

        def _invalid_from(self, errors: list[Any]) -> Exception: ...

        def push_request_exit(self, gen: Any) -> None: ...

    def _request_loop(self) -> asyncio.AbstractEventLoop:
        """The loop this request's async steps run on.

        Where its task runs already; else the loop of the app's lifespan
        (its resources live there); with no lifespan running, the loop a
        server runs (see ``_bridge.served``), else the shared loop thread:
        never a loop that may be gone when the request closes (an async
        view under WSGI gets a new one per request).
        """
        owner = self._async
        loop = owner.loop if owner is not None else None
        if loop is None:
            loop = lifespan_loop(self.app)
        if loop is None:
            served = served_loop()
            loop = served.loop if served is not None else _loop.get_loop()
        return loop

    async def _on_loop(self, fn: Callable[[], Awaitable[Any]], plan: Plan) -> Any:
        """Await ``fn()`` in this request's task, on :meth:`_request_loop`.

        When that loop is the running one there is no thread hop, and a
        ``plan`` that enters nothing async to exit later runs in the calling
        task itself while the request has no task of its own yet (see
        :attr:`Plan.needs_own_task`).
        """
        loop = self._request_loop()
        if loop is asyncio.get_running_loop():
            owner = self._async_owner()
            if owner.loop is None and not plan.needs_own_task:
                return await fn()
            return await owner.run(fn)
        future = asyncio.run_coroutine_threadsafe(self._async_owner_run(fn), loop)
        return await asyncio.wrap_future(future)

    def _async_owner(self) -> OwnerTask:
        owner = self._async
        if owner is None:
            owner = self._async = OwnerTask(f"{self.name} (async)")
        return owner

    async def _async_owner_run(self, fn: Callable[[], Awaitable[Any]]) -> Any:
        return await self._async_owner().run(fn)

    async def acall(
        self, func: Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> Any:
        """Like :meth:`call`, awaitable from any event loop.

        Dependencies and an async ``func`` run on the shared loop thread (in
        this request's one task there); sync ones through ``run_sync``.
        """
        job = self._job(func, args, kwargs)
        self._check_open("acall")
        if (
            not job.plan.needs_loop
            and self._async is None
            and self._request_loop() is asyncio.get_running_loop()
        ):
            return await self._acall_inline(job)
        return await self._on_loop(functools.partial(self._acall, job), job.plan)

    async def _acall_inline(self, job: Job) -> Any:
        """:meth:`acall` of a plan whose every step is sync, in the calling task.

        The plan's compiled solver runs in one ``run_sync`` hop (none when
        every step is loop_safe), each step in a copy of the context as
        FastAPI runs it in a worker thread.
        Its exits are the sync side's (``RequestScope.call_here``):
        function-scoped ones close through ``run_sync`` when ``func``
        returns, request-scoped ones at ``close`` on the closing thread
        (the request's sync thread under Django), after anything the async
        side enters later, as their entry order asks. Taken only while the
        request has no async side and this loop is the request's.
        """
        (target, plan, args, kwargs), func = job, job.target.func
        solve = plan.inline_solvers.get(True) or inline_solver(
            plan, isolate_context=True
        )
        exits = InlineExits() if plan.function_exits else None
        run_sync = self.run_sync
        given = self._solver_args(exits)
        try:
            if plan.needs_thread:
                values, errors, response, tasks = await run_sync(solve, *given)
            else:  # nothing that may block: on the loop, as the step loop would
                values, errors, response, tasks = solve(*given)
        except BaseException as e:
            await _close_function(run_sync, exits, e)
        self._adopt(response, tasks)
        if errors:
            invalid = self._invalid_from(errors)
            if exits is None or exits.function is None:
                raise invalid
            await run_sync(end_invalid, exits, invalid)
        try:
            if target.is_async:
                result = await func(*args, **kwargs, **values)
            else:
                result = await run_sync(
                    functools.partial(func, *args, **kwargs, **values)
                )
        except BaseException as e:
            await _close_function(run_sync, exits, e)
        if exits is not None and exits.function is not None:
            left = await run_sync(exits.close, None)
            if left is not None:
                raise left
        return result

    def _solver_args(self, exits: InlineExits | None) -> tuple[Any, ...]:
        """A compiled solver's arguments in this request (see ``compiled.py``)."""
        return (
            self.cache,
            self.source,
            self.push_request_exit,
            None if exits is None else exits.push_function,
            self.response,
            self.background_tasks,
        )

    async def _acall(self, job: Job) -> Any:
        (target, plan, args, kwargs), func = job, job.target.func
        result: Any = NOT_RUN
        async with self._asolved(plan) as values:
            if target.is_async:
                result = await func(*args, **kwargs, **values)
            else:
                result = await self.run_sync(
                    functools.partial(func, *args, **kwargs, **values)
                )
        if result is NOT_RUN:
            raise swallowed_error()
        return result

    async def aresolve(self, dependency: Any) -> Any:
        """Like :meth:`resolve`, awaitable from any event loop."""
        plan = plan_for_dependencies(
            (dependency,),
            overrides=overrides_of(self.app),
            owner=f"{self.name}.aresolve",
            path=self.source.path_template,
        )
        self._check_open("aresolve")
        values = await self._on_loop(functools.partial(self._aresolve, plan), plan)
        return values["d0"]

    async def _aresolve(self, plan: Plan) -> dict[str, Any]:
        async with self._asolved(plan) as values:
            return values
        raise swallowed_error()  # a yield dependency swallowed an error

    @asynccontextmanager
    async def _asolved(self, plan: Plan) -> AsyncIterator[dict[str, Any]]:
        """Resolve ``plan`` in the request's task; function scope closes after."""
        owner = self._async_owner()
        exits = self._async_exits
        if exits is None:
            exits = self._async_exits = Exits(_Owned(owner))
            # FastAPI's request stack at the bottom, closed last (ends the task).
            exits.push_segment(owner.stack, last=True)
        routes = _Routes(exits, AsyncExitStack(), self.run_sync, self.run_sync_exit)
        res = Resolution(
            plan,
            function_stack=routes.function,
            run_sync=self.run_sync,
            stack_for=routes.stack_for,
            push_sync_exit=routes.push_sync,
            **self.resolution_args(owner.stack),
        )
        async with routes.function:
            try:
                await solve(res)
                self._adopt(res.response, res.background_tasks)
                if res.errors:
                    raise self._invalid_error(plan, res)
                yield res.values
            finally:
                # What the request-scoped sync exits see when they run at
                # close, off this task: its context now, as FastAPI's run
                # in a copy of the request task's context.
                self._async_context = contextvars.copy_context()
