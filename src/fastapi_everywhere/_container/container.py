"""The public classes: :class:`FastAPIContainer` and its open :class:`ContainerScope`."""

from __future__ import annotations

import asyncio
import inspect
import warnings
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any, ParamSpec, TypeVar, overload

from fastapi import FastAPI

from .. import _config
from .._app_state import AppState
from .._closing import AsyncClosing
from .._engine import describe
from .._engine.plan import Plan, plan_for_dependencies, plan_for_function
from .._errors import (
    MissingParameterError,
    NotConfiguredError,
    ParameterValidationError,
    ScopeError,
)
from .._lifecycle import call_target
from .._scope import SourceLike
from .._target import target_of
from .._typing import Generated
from .dependant_cache import DependantCache, as_dependant_cache
from .levels import Level, LoopState
from .options import ContainerOptions
from .resolution import resolve_at
from .resolved import ResolvedDependencies, dependency_key
from .scopes import DefaultScope, DependencyScope, ScopeMap

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")

__all__ = ["ContainerScope", "FastAPIContainer", "start_lifespan"]


class _Resolver:
    """What a container and its scopes share: how to resolve at a level."""

    container: FastAPIContainer

    def _levels(self) -> tuple[LoopState, Level | None]:
        raise NotImplementedError

    @overload
    async def get(self, dependency: Callable[..., Generated[T]]) -> T: ...
    @overload
    async def get(self, dependency: Callable[..., T]) -> T: ...
    @overload
    async def get(self, dependency: Any) -> Any: ...

    async def get(self, dependency: Any) -> Any:
        """Resolve one dependency and return its instance."""
        resolved = await self.resolve(dependency)
        return next(iter(resolved))

    async def optional(self, dependency: type[T] | Callable[..., T] | Any) -> Any:
        """Resolve one dependency; its instance, which may be None.

        fastapi-standalone-di's name; the same as :meth:`get` here.

        .. versionadded:: 0.2
        """
        return await self.get(dependency)

    async def resolve(self, *dependencies: Any) -> ResolvedDependencies:
        """Resolve several dependencies at once (one shared per-call cache)."""
        if not dependencies:
            return ResolvedDependencies({}, {})
        c = self.container
        plan = plan_for_dependencies(
            tuple(dependencies),
            overrides=c._overrides(),
            security_scopes=c._options.security_scopes,
            owner=f"{type(self).__name__}.resolve",
            inline_classes=c._options.inline_classes,
        )
        try:
            values, every = await self._run(plan)
        except (MissingParameterError, ParameterValidationError) as e:
            # Name what was asked for, not the synthetic root of the plan.
            names = ", ".join(describe(dependency_key(d)) for d in dependencies)
            e.function = f"{type(self).__name__}.resolve({names})"
            raise
        direct = {
            dependency_key(dep): values[f"d{i}"] for i, dep in enumerate(dependencies)
        }
        return ResolvedDependencies(direct, every)

    @overload
    async def invoke(
        self, func: Callable[P, Awaitable[R]], /, *args: P.args, **kwargs: P.kwargs
    ) -> R: ...
    @overload
    async def invoke(
        self, func: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs
    ) -> R: ...

    async def invoke(
        self, func: Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> Any:
        """Resolve ``func``'s dependencies, then call it (awaiting if async).

        Caller arguments pass through. Outside a scope, an implicit scope is
        opened for the call, so SCOPED dependencies work and are torn down
        when it returns; the result itself is never cached.
        """
        return await self._invoke(func, args, kwargs, None)

    async def invoke_resolved(
        self, func: Callable[P, Any], /, *args: P.args, **kwargs: P.kwargs
    ) -> ResolvedDependencies:
        """Like :meth:`invoke`, but return every instance of the call.

        ``.get(func)`` is ``func``'s result; ``.get(dep, transitive=True)``
        and ``.all_instances()`` show the dependencies it was called with.
        """
        every: dict[Any, Any] = {}
        result = await self._invoke(func, args, kwargs, every)
        return ResolvedDependencies({func: result}, every)

    async def _invoke(
        self,
        func: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        every: dict[Any, Any] | None,
    ) -> Any:
        """Call ``func`` with its dependencies; fill ``every`` if given."""
        _, scoped = self._levels()
        if scoped is None:
            async with self.container.scope() as scope:
                return await scope._invoke(func, args, kwargs, every)
        target = target_of(func, f"{type(self).__name__}.invoke")
        c = self.container
        plan = plan_for_function(
            func,
            overrides=c._overrides(),
            supplied=target.supplied(args, kwargs),
            security_scopes=c._options.security_scopes,
            inline_classes=c._options.inline_classes,
        )
        values, instances = await self._run(plan, every=every is not None)
        result = await call_target(func, target.is_async, args, kwargs, values)
        if inspect.isawaitable(result):  # a sync callable that returned one
            result = await result
        if every is not None:
            every.update(instances)
            every[func] = result
        return result

    async def _run(
        self, plan: Plan, *, every: bool = True
    ) -> tuple[dict[str, Any], dict[Any, Any]]:
        here, scoped = self._levels()
        c = self.container
        return await resolve_at(
            plan,
            here,
            scoped,
            c._options,
            app=c._options.request_app or c.app,
            lifespan_app=c._lifespan_app,
            container=c,
            every=every,
        )


class ContainerScope(_Resolver):
    """An open ``container.scope()``: the container's methods, SCOPED deps allowed."""

    def __init__(
        self, container: FastAPIContainer, here: LoopState, level: Level
    ) -> None:
        self.container = container
        self._here = here
        self._level = level

    def _levels(self) -> tuple[LoopState, Level | None]:
        if self._level.closed:
            raise ScopeError("FastAPIContainer: this scope() block is closed")
        if asyncio.get_running_loop() is not self._here.loop:
            raise ScopeError(
                "FastAPIContainer: this scope() block was opened on another "
                "event loop; open a scope on the loop that uses it"
            )
        return self._here, self._level

    def close_if_idle(self) -> bool:
        """End the block here if it has nothing to tear down or run; True if so.

        Callable from any thread once nothing resolves in the scope: the sync
        container ends such a scope without a trip to the event loop.
        """
        return self._level.close_if_idle()

    def __repr__(self) -> str:
        return (
            f"<ContainerScope of {self.container!r}: {len(self._level.cache)} cached>"
        )


class _ScopeBlock:
    """``async with container.scope()``: a new SCOPED level, closed at the end."""

    __slots__ = ("_container", "_here", "_level")

    def __init__(self, container: FastAPIContainer) -> None:
        self._container = container
        self._here: LoopState | None = None
        self._level: Level | None = None

    async def __aenter__(self) -> ContainerScope:
        if self._level is not None:
            raise RuntimeError("FastAPIContainer.scope(): a block is entered once")
        here, _ = self._container._levels()
        level = self._level = Level(DependencyScope.SCOPED)
        self._here = here
        return ContainerScope(self._container, here, level)

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        here, level = self._here, self._level
        assert here is not None and level is not None
        # The block's exception reaches the SCOPED yield dependencies, as a
        # route's reaches a request's; the block's caller still gets it.
        await here.close_scope(level, exc)


class FastAPIContainer(AsyncClosing, _Resolver):
    """A long-lived resolver of FastAPI dependencies.

    ``app`` provides ``dependency_overrides`` (merged under
    ``dependency_overrides``), ``request.app`` and the lifespan state.
    ``scopes`` maps dependencies to a :class:`DependencyScope`;
    ``default_scope`` is the scope of the others, or a mapping from FastAPI's
    ``Depends(scope=...)`` literals (``"request"``, ``"function"``, ``None``)
    to scopes. ``query``/``path``/``headers``/``cookies`` are
    :class:`ParamSource` values for request parameters, ``security_scopes`` the
    scopes seen by ``SecurityScopes`` at the top of each resolution.
    ``inline_classes=True`` calls every class dependency on the event loop,
    as if each were ``loop_safe``; ``app_state`` backs ``get_app_state``
    (and ``request.app.state``) when there is no app; ``dependant_cache``
    is kept for fastapi-standalone-di's signature (plans are always cached).

    .. versionadded:: 0.2
       ``inline_classes``, ``app_state``, ``dependant_cache``.
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
        inline_classes: bool = False,
        app_state: AppState | None = None,
        dependant_cache: DependantCache | bool = True,
    ) -> None:
        owner = "FastAPIContainer"
        self.container = self
        self.app = _config.app_for(app)
        self.dependency_overrides: dict[Any, Any] = dict(dependency_overrides or {})
        self._options = ContainerOptions(
            owner=owner,
            scopes=scopes,
            default_scope=default_scope,
            query=query,
            path=path,
            headers=headers,
            cookies=cookies,
            security_scopes=security_scopes,
            inline_classes=inline_classes,
            app_state=app_state,
            app=app,
        )
        self.dependant_cache = as_dependant_cache(dependant_cache, owner)
        self._loops: dict[asyncio.AbstractEventLoop, LoopState] = {}
        self._lifespan_app: Any = None
        self._closed = False

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` ran (a closed container resolves nothing).

        .. versionadded:: 0.2
        """
        return self._closed

    def _levels(self) -> tuple[LoopState, Level | None]:
        if self._closed:
            raise ScopeError("FastAPIContainer: the container is closed")
        loop = asyncio.get_running_loop()
        here = self._loops.get(loop)
        if here is None or here.ended:
            for old in [k for k, v in self._loops.items() if v.ended]:
                del self._loops[old]  # torn down when their loop ended
            here = self._loops[loop] = LoopState(loop)
        return here, None

    def _overrides(self) -> Mapping[Any, Any] | None:
        app_overrides = _config.overrides_of(self.app)
        if not self.dependency_overrides:
            return app_overrides
        if not app_overrides:
            return self.dependency_overrides
        return {**app_overrides, **self.dependency_overrides}

    def scope(self) -> AbstractAsyncContextManager[ContainerScope]:
        """Open a scope: SCOPED dependencies live until the block ends."""
        return _ScopeBlock(self)

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

    def __repr__(self) -> str:
        state = "closed" if getattr(self, "_closed", False) else "open"
        loops = getattr(self, "_loops", {})
        cached = sum(len(here.level.cache) for here in loops.values())
        where = f" on {len(loops)} event loops" if len(loops) > 1 else ""
        return f"<FastAPIContainer {state}, {cached} cached{where}>"

    def __del__(self) -> None:
        loops = getattr(self, "_loops", {})
        pending = any(not here.ended and here.level.pending for here in loops.values())
        if pending and not self._closed:
            warnings.warn(
                f"{self!r} was garbage-collected with teardown pending; "
                "call `await container.aclose()` or use `async with`",
                ResourceWarning,
                stacklevel=2,
            )


async def start_lifespan(container: FastAPIContainer) -> dict[str, Any]:
    """Run ``container``'s app lifespan in its owner task, before any dependency.

    For :class:`~fastapi_everywhere.FastApiDepsStack`: the lifespan is the
    first entry of the owner's stack, so it shuts down last, after every
    dependency was torn down; on another event loop it starts again there
    before the first resolution.
    """
    app = container.app
    if app is None:
        raise NotConfiguredError(
            "FastApiDepsStack.start: no FastAPI app; pass app= or call "
            "fastapi_everywhere.configure(app=...)"
        )
    here, _ = container._levels()
    container._lifespan_app = app
    return await here.start_lifespan(app, "FastApiDepsStack.start")
