"""The container vocabulary (``fastapi-standalone-di``) of the async API.

A :class:`FastAPIContainer` keeps resolved dependencies alive across calls:
``DependencyScope.CONTAINER`` ones until :meth:`FastAPIContainer.aclose`,
``DependencyScope.SCOPED`` ones until the :meth:`FastAPIContainer.scope`
block ends. Each resolution is still FastAPI's (same cache key, same
``use_cache=False`` rebuilds, same validation); only the cache outlives it.
"""

from __future__ import annotations

import enum
import functools
import inspect
import warnings
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from types import MappingProxyType, TracebackType
from typing import Annotated, Any, TypeVar, get_args, get_origin

import anyio
from fastapi import FastAPI, params

from . import _config
from ._engine import describe
from ._engine._threads import run_in_thread
from ._engine.call import validation_error
from ._engine.plan import Node, Plan, plan_for_dependencies, plan_for_function
from ._engine.run import Resolution, solve
from ._errors import MissingParameterError, NotConfiguredError, ScopeError
from ._lifespan import lifespan_state
from ._owner import TaskOwner
from ._scope import ScopeSpec, SourceLike, as_source

T = TypeVar("T")

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
    """A cache and an exit stack: the container itself or one open scope.

    Every level of a container is entered and exited in the container's one
    owner task, so teardown always runs in the task that did the setup.
    """

    __slots__ = ("cache", "closed", "kind", "stack")

    def __init__(self, kind: DependencyScope, stack: AsyncExitStack) -> None:
        self.kind = kind
        self.cache: dict[Any, Any] = {}
        self.stack = stack
        self.closed = False


class _Resolver:
    """What a container and its scopes share: how to resolve at a level."""

    container: FastAPIContainer

    def _levels(self) -> tuple[_Level, _Level | None]:
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
        plan = plan_for_function(
            func,
            overrides=self.container._overrides(),
            supplied=frozenset(kwargs) | _positional_names(func, len(args)),
            security_scopes=self.container._security_scopes,
        )
        values, every = await self._run(plan)
        result = await _call(func, args, {**kwargs, **values})
        every[func] = result
        return ResolvedDependencies({func: result}, every)

    async def _run(self, plan: Plan) -> tuple[dict[str, Any], dict[Any, Any]]:
        container_level, scoped_level = self._levels()
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

        async def run() -> tuple[dict[str, Any], dict[Any, Any]]:
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

                def stack_for(node: Node) -> AsyncExitStack:
                    if scope_of(node) is DependencyScope.CONTAINER:
                        return container_level.stack
                    assert scoped_level is not None
                    return scoped_level.stack

                res.stack_for = stack_for
                # FastAPI shields async yield teardown with a cancel scope
                # entered before the generators. A scope's stack closes
                # before the CONTAINER generators it may have built, so
                # that scope lives on the container's (outermost) stack.
                if c._cleanup_scope is None:
                    c._cleanup_scope = container_level.stack.enter_context(
                        anyio.CancelScope()
                    )
                res.cleanup_scope = c._cleanup_scope
                await solve(res)
                if res.errors:
                    raise validation_error(plan, res.errors, res.body)
                every: dict[Any, Any] = {}
                for node in nodes:
                    if node.key in cache:
                        every[node.origin] = cache[node.key]
                        if node.key not in known:
                            level = (
                                container_level
                                if scope_of(node) is DependencyScope.CONTAINER
                                else scoped_level
                            )
                            assert level is not None
                            level.cache[node.key] = cache[node.key]
                            known.add(node.key)
                if res.background_tasks is not None:
                    await res.background_tasks()
                return res.values, every

        return await c._owner.run(run)


def _positional_names(func: Callable[..., Any], count: int) -> frozenset[str]:
    """The names of the first ``count`` positional parameters of ``func``."""
    if not count:
        return frozenset()
    names = [
        p.name
        for p in inspect.signature(func).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return frozenset(names[:count])


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


async def _call(
    func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    if inspect.iscoroutinefunction(func):
        return await func(*args, **kwargs)
    result = await run_in_thread(functools.partial(func, *args, **kwargs))
    if inspect.isawaitable(result):
        return await result
    return result


class ContainerScope(_Resolver):
    """An open ``container.scope()``: the container's methods, SCOPED deps allowed."""

    def __init__(self, container: FastAPIContainer, level: _Level) -> None:
        self.container = container
        self._level = level

    def _levels(self) -> tuple[_Level, _Level | None]:
        if self._level.closed:
            raise ScopeError("FastAPIContainer: this scope() block is closed")
        return self.container._level, self._level

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
        self.app = app if app is not None else _config.configured_app()
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
        self._owner = TaskOwner("FastAPIContainer")
        self._level = _Level(DependencyScope.CONTAINER, self._owner.stack)
        self._closed = False
        self._cleanup_scope: anyio.CancelScope | None = None

    def _levels(self) -> tuple[_Level, _Level | None]:
        if self._closed:
            raise ScopeError("FastAPIContainer: the container is closed")
        return self._level, None

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

        It is the first entry of the container's stack, so it shuts down
        last, after every dependency was torn down.
        """
        from ._lifespan import run_lifespan

        app = self.app
        if app is None:
            raise NotConfiguredError(
                "FastApiDepsStack.start: no FastAPI app; pass app= or call "
                "fastapi_everywhere.configure(app=...)"
            )
        self._levels()
        return await self._owner.run(
            lambda: self._level.stack.enter_async_context(
                run_lifespan(app, owner="FastApiDepsStack.start")
            )
        )

    @asynccontextmanager
    async def scope(self) -> AsyncIterator[ContainerScope]:
        """Open a scope: SCOPED dependencies live until the block ends."""
        self._levels()
        level = _Level(DependencyScope.SCOPED, AsyncExitStack())
        try:
            yield ContainerScope(self, level)
        finally:
            level.closed = True
            level.cache.clear()
            if self._owner.started and not self._owner.closed:
                await self._owner.run(level.stack.aclose)
            else:
                await level.stack.aclose()

    def clear_cache(self) -> None:
        """Forget cached instances so the next call builds new ones.

        Teardown of what was built still runs at :meth:`aclose`.
        """
        self._level.cache.clear()

    async def aclose(self) -> None:
        """Tear down every container-level ``yield`` dependency (reverse order)."""
        if self._closed:
            return
        self._closed = True
        self._level.cache.clear()
        await self._owner.close()

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
        cached = len(self._level.cache) if hasattr(self, "_level") else 0
        return f"<FastAPIContainer {state}, {cached} cached>"

    def __del__(self) -> None:
        level = getattr(self, "_level", None)
        if level is not None and not self._closed and level.stack._exit_callbacks:
            warnings.warn(
                f"{self!r} was garbage-collected with teardown pending; "
                "call `await container.aclose()` or use `async with`",
                ResourceWarning,
                stacklevel=2,
            )
