"""The container vocabulary (``fastapi-standalone-di``) of the async API.

A :class:`FastAPIContainer` keeps resolved dependencies alive across calls:
``DependencyScope.CONTAINER`` ones until :meth:`FastAPIContainer.aclose`,
``DependencyScope.SCOPED`` ones until the :meth:`FastAPIContainer.scope`
block ends. Each resolution is still FastAPI's (same cache key, same
``use_cache=False`` rebuilds, same validation); only the cache outlives it.
"""

from __future__ import annotations

import asyncio
import enum
import inspect
import logging
import warnings
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from types import MappingProxyType, TracebackType
from typing import Annotated, Any, TypeVar, get_args, get_origin

import anyio
from fastapi import BackgroundTasks, FastAPI, params
from fastapi.exceptions import RequestValidationError

from . import _config
from ._bridge.owner import TaskOwner
from ._engine import describe
from ._engine.plan import Node, Plan, plan_for_dependencies, plan_for_function
from ._engine.run import Resolution, solve
from ._errors import MissingParameterError, NotConfiguredError, ScopeError
from ._lifecycle import call_target, caller_error, validation_error
from ._lifespan import lifespan_state
from ._scope import ScopeSpec, SourceLike, as_source
from ._target import target_of

T = TypeVar("T")

logger = logging.getLogger("fastapi_everywhere")

__all__ = ["DependencyScope", "FastAPIContainer", "ResolvedDependencies"]


class DependencyScope(enum.Enum):
    """How long a dependency resolved through a container lives."""

    #: One instance per container, torn down by ``aclose()``.
    CONTAINER = "container"
    #: One instance per open ``container.scope()``, torn down when it closes.
    SCOPED = "scoped"


ScopeMap = Mapping[Any, DependencyScope]
DefaultScope = DependencyScope | Mapping[str | None, DependencyScope]


def dependency_key(dependency: Any) -> Any:
    """The callable a dependency designator stands for."""
    if isinstance(dependency, params.Depends):
        return dependency.dependency
    if get_origin(dependency) is Annotated:
        args = get_args(dependency)
        for meta in reversed(args[1:]):
            if isinstance(meta, params.Depends):
                return meta.dependency if meta.dependency is not None else args[0]
    return dependency


class ResolvedDependencies:
    """The instances one :meth:`FastAPIContainer.resolve` call produced."""

    __slots__ = ("_all", "_direct")

    def __init__(self, direct: dict[Any, Any], every: dict[Any, Any]) -> None:
        self._direct = direct
        self._all = every

    def get(self, dependency: Any, transitive: bool = False) -> Any:
        """The instance of ``dependency``; ``KeyError`` if it was not resolved.

        ``transitive=True`` also finds sub-dependencies of what was asked for.
        """
        key = dependency_key(dependency)
        table = self._all if transitive else self._direct
        try:
            return table[key]
        except KeyError:
            where = "in the tree" if transitive else "directly (try transitive=True)"
            raise KeyError(f"{describe(key)} was not resolved {where}") from None

    def optional(self, dependency: Any, transitive: bool = False) -> Any:
        """Like :meth:`get`, but None when ``dependency`` was not resolved."""
        key = dependency_key(dependency)
        return (self._all if transitive else self._direct).get(key)

    def all_instances(self) -> Mapping[Any, Any]:
        """Every instance of the tree, sub-dependencies first (read-only)."""
        return MappingProxyType(self._all)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._direct.values())

    def __len__(self) -> int:
        return len(self._direct)

    def __repr__(self) -> str:
        names = ", ".join(describe(k) for k in self._direct)
        return f"<ResolvedDependencies [{names}]>"


class _Level:
    """A cache, an exit stack and background tasks: the container or one scope.

    Every level of a container is entered and exited in the container's one
    owner task, so teardown always runs in the task that did the setup.
    Background tasks added by the level's dependencies run when it closes,
    after its teardown, as FastAPI runs a request's after the response.
    """

    __slots__ = ("attached", "cache", "closed", "kind", "stack", "tasks")

    def __init__(self, kind: DependencyScope) -> None:
        self.kind = kind
        self.cache: dict[Any, Any] = {}
        self.stack = AsyncExitStack()
        self.tasks: BackgroundTasks | None = None
        self.closed = False
        self.attached = False

    def background(self) -> BackgroundTasks:
        """The ``BackgroundTasks`` its dependencies are given (one per level)."""
        tasks = self.tasks
        if tasks is None:
            tasks = self.tasks = BackgroundTasks()
        return tasks

    async def aclose(self) -> None:
        """Tear down, then run the background tasks, in the order they were added.

        A failing task is logged and the others still run; teardown ran
        before any of them.
        """
        try:
            await self.stack.aclose()
        finally:
            tasks, self.tasks = self.tasks, None
            if tasks is not None:
                for task in tasks.tasks:
                    try:
                        await task()
                    except Exception:
                        logger.exception(
                            "FastAPIContainer: background task %s failed",
                            describe(task.func),
                        )


class _LoopState:
    """A container's life on one event loop: its owner task and CONTAINER level.

    Async resources belong to the loop that made them, so each loop the
    container is used on gets its own CONTAINER instances, built on first
    use there and torn down in that loop's owner task (at ``aclose``, or
    when ``asyncio.run`` ends the loop and cancels the task).
    """

    __slots__ = ("cleanup_scope", "level", "lifespan", "loop", "owner")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.owner = TaskOwner("FastAPIContainer")
        self.level = _Level(DependencyScope.CONTAINER)
        self.cleanup_scope: anyio.CancelScope | None = None
        self.lifespan: dict[str, Any] | None = None

    @property
    def ended(self) -> bool:
        """Its loop is closed or its owner task is done: all was torn down."""
        return self.loop.is_closed() or self.owner.closed

    def attach_level(self) -> None:
        """Close the CONTAINER level when the owner task ends (in that task).

        Attached after the lifespan when it is started first, so the
        dependencies and their background tasks end before it shuts down.
        """
        if not self.level.attached:
            self.level.attached = True
            self.owner.stack.push_async_callback(self.level.aclose)

    async def start_lifespan(self, app: Any, owner: str) -> dict[str, Any]:
        """Run ``app``'s lifespan in the owner task, once per loop."""
        from ._lifespan import run_lifespan

        async def start() -> dict[str, Any]:
            if self.lifespan is None:
                self.lifespan = await self.owner.stack.enter_async_context(
                    run_lifespan(app, owner=owner)
                )
                self.attach_level()
            return self.lifespan

        return await self.owner.run(start)

    async def close(self) -> None:
        """End the owner task (teardown, tasks, lifespan), from any loop."""
        loop = self.loop
        if self.ended:
            return
        if asyncio.get_running_loop() is loop:
            await self.owner.close()
        elif loop.is_running():
            future = asyncio.run_coroutine_threadsafe(self.owner.close(), loop)
            await asyncio.wrap_future(future)
        else:
            warnings.warn(
                f"FastAPIContainer: dependencies built on {loop!r} are not torn "
                "down: that event loop is not running; close the container on "
                "it, or close the loop (which cancels its tasks)",
                ResourceWarning,
                stacklevel=3,
            )


class _Resolver:
    """What a container and its scopes share: how to resolve at a level."""

    container: FastAPIContainer

    def _levels(self) -> tuple[_LoopState, _Level | None]:
        raise NotImplementedError

    async def get(self, dependency: type[T] | Callable[..., T] | Any) -> Any:
        """Resolve one dependency and return its instance."""
        resolved = await self.resolve(dependency)
        return next(iter(resolved))

    async def resolve(self, *dependencies: Any) -> ResolvedDependencies:
        """Resolve several dependencies at once (one shared per-call cache)."""
        if not dependencies:
            raise TypeError(
                f"{type(self).__name__}.resolve: name at least one dependency"
            )
        c = self.container
        plan = plan_for_dependencies(
            tuple(dependencies),
            overrides=c._overrides(),
            security_scopes=c._security_scopes,
            owner=f"{type(self).__name__}.resolve",
        )
        try:
            values, every = await self._run(plan)
        except MissingParameterError as e:
            # Name what was asked for, not the synthetic root of the plan.
            names = ", ".join(describe(dependency_key(d)) for d in dependencies)
            e.function = f"{type(self).__name__}.resolve({names})"
            raise
        direct = {
            dependency_key(dep): values[f"d{i}"] for i, dep in enumerate(dependencies)
        }
        return ResolvedDependencies(direct, every)

    async def invoke(
        self, func: Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> Any:
        """Resolve ``func``'s dependencies, then call it (awaiting if async).

        Caller arguments pass through. Outside a scope, an implicit scope is
        opened for the call, so SCOPED dependencies work and are torn down
        when it returns; the result itself is never cached.
        """
        resolved = await self.invoke_resolved(func, *args, **kwargs)
        return resolved.get(func)

    async def invoke_resolved(
        self, func: Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> ResolvedDependencies:
        """Like :meth:`invoke`, but return every instance of the call.

        ``.get(func)`` is ``func``'s result; ``.get(dep, transitive=True)``
        and ``.all_instances()`` show the dependencies it was called with.
        """
        _, scoped = self._levels()
        if scoped is None:
            async with self.container.scope() as scope:
                return await scope.invoke_resolved(func, *args, **kwargs)
        target = target_of(func, f"{type(self).__name__}.invoke")
        plan = plan_for_function(
            func,
            overrides=self.container._overrides(),
            supplied=target.supplied(args, kwargs),
            security_scopes=self.container._security_scopes,
        )
        values, every = await self._run(plan)
        result = await call_target(func, target.is_async, args, kwargs, values)
        if inspect.isawaitable(result):  # a sync callable that returned one
            result = await result
        every[func] = result
        return ResolvedDependencies({func: result}, every)

    async def _run(self, plan: Plan) -> tuple[dict[str, Any], dict[Any, Any]]:
        here, scoped_level = self._levels()
        container_level = here.level
        c = self.container
        owner_level = scoped_level or container_level
        scope_of = c._scope_of
        nodes = [n for n, closing in plan.steps if closing and n is not plan.root]
        for node in nodes:
            if scope_of(node) is DependencyScope.SCOPED and scoped_level is None:
                raise ScopeError(
                    f"FastAPIContainer: {describe(node.origin)} is a SCOPED "
                    "dependency; resolve it inside `async with container.scope()`"
                )
        _check_captures(plan.root, scope_of)

        def level_of(node: Node) -> _Level:
            if scope_of(node) is DependencyScope.CONTAINER:
                return container_level
            assert scoped_level is not None
            return scoped_level

        def tasks_for(node: Node) -> BackgroundTasks:
            # The target's own tasks belong to the call's scope.
            if node is plan.root:
                return owner_level.background()
            return level_of(node).background()

        if c._lifespan_app is not None and here.lifespan is None:
            # A stack used on a new event loop: its lifespan starts there too.
            await here.start_lifespan(c._lifespan_app, "FastApiDepsStack")

        async def run() -> tuple[dict[str, Any], dict[Any, Any]]:
            here.attach_level()
            cache = dict(container_level.cache)
            if scoped_level is not None:
                cache.update(scoped_level.cache)
            known = set(cache)
            async with AsyncExitStack() as call_stack:
                res = Resolution(
                    plan,
                    spec=c._spec,
                    app=c.app,
                    state=lifespan_state(c.app),
                    cache=cache,
                    request_stack=owner_level.stack,
                    function_stack=call_stack,
                )
                res.stack_for = lambda node: level_of(node).stack
                res.background_for = tasks_for
                # FastAPI shields async yield teardown with a cancel scope
                # entered before the generators. A scope's stack closes
                # before the CONTAINER generators it may have built, so
                # that scope lives on the container's (outermost) stack.
                if here.cleanup_scope is None:
                    here.cleanup_scope = container_level.stack.enter_context(
                        anyio.CancelScope()
                    )
                res.cleanup_scope = here.cleanup_scope
                await solve(res)
                if res.errors:
                    # FastAPI's exact error, thrown into the call's dependencies.
                    invalid.append(validation_error(res.errors, res.body))
                    raise invalid[0]
                every: dict[Any, Any] = {}
                for node in nodes:
                    if node.key in cache:
                        every[node.origin] = cache[node.key]
                        if node.key not in known:
                            level_of(node).cache[node.key] = cache[node.key]
                            known.add(node.key)
                return res.values, every

        invalid: list[RequestValidationError] = []
        try:
            return await here.owner.run(run)
        except RequestValidationError as e:
            if invalid and e is invalid[0]:
                raise caller_error(describe(plan.target), e) from None
            raise


def _check_captures(node: Node, scope_of: Callable[[Node], DependencyScope]) -> None:
    for child in node.children:
        if scope_of(child) is DependencyScope.CONTAINER and _has_scoped(
            child, scope_of
        ):
            raise ScopeError(
                f"FastAPIContainer: {describe(child.origin)} lives for the whole "
                "container but depends on a SCOPED dependency; make it SCOPED too"
            )
        _check_captures(child, scope_of)


def _has_scoped(node: Node, scope_of: Callable[[Node], DependencyScope]) -> bool:
    return any(
        scope_of(c) is DependencyScope.SCOPED or _has_scoped(c, scope_of)
        for c in node.children
    )


class ContainerScope(_Resolver):
    """An open ``container.scope()``: the container's methods, SCOPED deps allowed."""

    def __init__(
        self, container: FastAPIContainer, here: _LoopState, level: _Level
    ) -> None:
        self.container = container
        self._here = here
        self._level = level

    def _levels(self) -> tuple[_LoopState, _Level | None]:
        if self._level.closed:
            raise ScopeError("FastAPIContainer: this scope() block is closed")
        if asyncio.get_running_loop() is not self._here.loop:
            raise ScopeError(
                "FastAPIContainer: this scope() block was opened on another "
                "event loop; open a scope on the loop that uses it"
            )
        return self._here, self._level

    def __repr__(self) -> str:
        return (
            f"<ContainerScope of {self.container!r}: {len(self._level.cache)} cached>"
        )


class FastAPIContainer(_Resolver):
    """A long-lived resolver of FastAPI dependencies.

    ``app`` provides ``dependency_overrides`` (merged under
    ``dependency_overrides``), ``request.app`` and the lifespan state.
    ``scopes`` maps dependencies to a :class:`DependencyScope`;
    ``default_scope`` is the scope of the others, or a mapping from FastAPI's
    ``Depends(scope=...)`` literals (``"request"``, ``"function"``, ``None``)
    to scopes. ``query``/``path``/``headers``/``cookies`` are
    :class:`ParamSource` values for request parameters, ``security_scopes`` the
    scopes seen by ``SecurityScopes`` at the top of each resolution.
    """

    def __init__(
        self,
        *,
        app: FastAPI | None = None,
        dependency_overrides: Mapping[Any, Any] | None = None,
        scopes: ScopeMap | None = None,
        default_scope: DefaultScope = DependencyScope.CONTAINER,
        query: SourceLike = None,
        path: SourceLike = None,
        headers: SourceLike = None,
        cookies: SourceLike = None,
        security_scopes: list[str] | tuple[str, ...] | None = None,
    ) -> None:
        owner = "FastAPIContainer"
        self.container = self
        self.app = _config.app_for(app)
        self.dependency_overrides: dict[Any, Any] = dict(dependency_overrides or {})
        self._scopes: dict[Any, DependencyScope] = {
            dependency_key(k): v for k, v in (scopes or {}).items()
        }
        for dep, value in self._scopes.items():
            if not isinstance(value, DependencyScope):
                raise TypeError(
                    f"{owner}: scopes[{describe(dep)}] must be a DependencyScope, "
                    f"got {value!r}"
                )
        if isinstance(default_scope, DependencyScope):
            self._default: dict[str | None, DependencyScope] = {}
            self._fallback = default_scope
        elif isinstance(default_scope, Mapping):
            self._default = dict(default_scope)
            self._fallback = DependencyScope.CONTAINER
            for literal in self._default:
                if literal not in ("request", "function", None):
                    raise TypeError(
                        f"{owner}: default_scope keys are FastAPI's Depends(scope=) "
                        f"literals 'request', 'function' or None, got {literal!r}"
                    )
        else:
            raise TypeError(
                f"{owner}: default_scope must be a DependencyScope or a mapping, "
                f"got {default_scope!r}"
            )
        sources = {
            name: as_source(value, name=name, owner=owner)
            for name, value in (
                ("query", query),
                ("path", path),
                ("headers", headers),
                ("cookies", cookies),
            )
        }
        self._spec = ScopeSpec(
            query=sources["query"],
            path=sources["path"],
            headers=sources["headers"],
            cookies=sources["cookies"],
        )
        self._security_scopes = tuple(security_scopes or ())
        self._loops: dict[asyncio.AbstractEventLoop, _LoopState] = {}
        self._lifespan_app: Any = None
        self._closed = False

    def _levels(self) -> tuple[_LoopState, _Level | None]:
        if self._closed:
            raise ScopeError("FastAPIContainer: the container is closed")
        loop = asyncio.get_running_loop()
        here = self._loops.get(loop)
        if here is None or here.ended:
            for old in [k for k, v in self._loops.items() if v.ended]:
                del self._loops[old]  # torn down when their loop ended
            here = self._loops[loop] = _LoopState(loop)
        return here, None

    def _overrides(self) -> Mapping[Any, Any] | None:
        app_overrides = _config.overrides_of(self.app)
        if not self.dependency_overrides:
            return app_overrides
        if not app_overrides:
            return self.dependency_overrides
        return {**app_overrides, **self.dependency_overrides}

    def _scope_of(self, node: Node) -> DependencyScope:
        found = self._scopes.get(node.origin)
        if found is not None:
            return found
        return self._default.get(node.declared_scope, self._fallback)

    async def _start_lifespan(self) -> dict[str, Any]:
        """Run the app's lifespan in the owner task, before any dependency.

        It is the first entry of the owner's stack, so it shuts down last,
        after every dependency was torn down; on another event loop it
        starts again there before the first resolution.
        """
        app = self.app
        if app is None:
            raise NotConfiguredError(
                "FastApiDepsStack.start: no FastAPI app; pass app= or call "
                "fastapi_everywhere.configure(app=...)"
            )
        here, _ = self._levels()
        self._lifespan_app = app
        return await here.start_lifespan(app, "FastApiDepsStack.start")

    @asynccontextmanager
    async def scope(self) -> AsyncIterator[ContainerScope]:
        """Open a scope: SCOPED dependencies live until the block ends."""
        here, _ = self._levels()
        level = _Level(DependencyScope.SCOPED)
        try:
            yield ContainerScope(self, here, level)
        finally:
            level.closed = True
            level.cache.clear()
            if here.owner.started and not here.ended:
                await here.owner.run(level.aclose)
            else:
                await level.aclose()

    def clear_cache(self) -> None:
        """Forget cached instances so the next call builds new ones.

        Teardown of what was built still runs at :meth:`aclose`.
        """
        for here in self._loops.values():
            here.level.cache.clear()

    async def aclose(self) -> None:
        """Tear down every container-level ``yield`` dependency (reverse order).

        Instances built on another event loop that still runs are torn down
        on that loop; those of a loop that ended were torn down with it.
        """
        if self._closed:
            return
        self._closed = True
        loops, self._loops = self._loops, {}
        for here in loops.values():
            here.level.cache.clear()
        for here in loops.values():
            await here.close()

    async def __aenter__(self) -> FastAPIContainer:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        state = "closed" if getattr(self, "_closed", False) else "open"
        loops = getattr(self, "_loops", {})
        cached = sum(len(here.level.cache) for here in loops.values())
        where = f" on {len(loops)} event loops" if len(loops) > 1 else ""
        return f"<FastAPIContainer {state}, {cached} cached{where}>"

    def __del__(self) -> None:
        loops = getattr(self, "_loops", {})
        pending = any(
            not here.ended and here.level.stack._exit_callbacks
            for here in loops.values()
        )
        if pending and not self._closed:
            warnings.warn(
                f"{self!r} was garbage-collected with teardown pending; "
                "call `await container.aclose()` or use `async with`",
                ResourceWarning,
                stacklevel=2,
            )
