"""One container call: a plan resolved at a container's levels.

CONTAINER dependencies are cached on the loop's CONTAINER level, SCOPED ones
on the open ``scope()`` block; each is torn down, and its background tasks
run, when its level closes. The call itself runs in the loop's owner task.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any

from fastapi import BackgroundTasks, FastAPI
from fastapi.exceptions import RequestValidationError

from .._engine import describe
from .._engine.plan import Node, Plan
from .._engine.run import Resolution
from .._engine.solve import solve
from .._lifecycle import caller_error, validation_error
from .._lifespan import lifespan_state
from .active import ACTIVE_CONTAINER
from .layout import Layout, layout_of
from .levels import Level, LoopState
from .options import ContainerOptions

__all__ = ["resolve_at"]


_MISSING: Any = object()


async def resolve_at(
    plan: Plan,
    here: LoopState,
    scoped: Level | None,
    options: ContainerOptions,
    *,
    app: FastAPI | None,
    lifespan_app: Any,
    container: Any = None,
    every: bool = True,
) -> tuple[dict[str, Any], dict[Any, Any]]:
    """Resolve ``plan`` on ``here``'s loop, inside ``scoped`` when given.

    Return the plan's values and (with ``every``) every cached instance of
    the tree by dependency. ``options.rules`` say which level keeps each
    dependency; ``options.spec`` and ``app`` make the request the resolution
    sees; ``lifespan_app`` (a deps stack's) is started on a loop that did
    not run it yet. ``container`` is what ``get_container`` gives its
    dependencies.
    """
    layout = layout_of(options.layouts, plan, options.rules)
    layout.check(in_scope=scoped is not None)
    if lifespan_app is not None and here.lifespan is None:
        # A stack used on a new event loop: its lifespan starts there too.
        await here.start_lifespan(lifespan_app, "FastApiDepsStack")
    call = _Call(plan, layout, here, scoped, options, app, container, every)
    try:
        return await here.owner.run(call.run)
    except RequestValidationError as e:
        if call.invalid is not None and e is call.invalid:
            raise caller_error(describe(plan.target), e) from None
        raise


class _Call:
    """One resolution at a container's levels, run in the loop's owner task."""

    __slots__ = (
        "app",
        "container",
        "container_level",
        "every",
        "here",
        "in_container",
        "invalid",
        "layout",
        "options",
        "owner_level",
        "plan",
        "scoped",
    )

    def __init__(
        self,
        plan: Plan,
        layout: Layout,
        here: LoopState,
        scoped: Level | None,
        options: ContainerOptions,
        app: FastAPI | None,
        container: Any,
        every: bool,
    ) -> None:
        self.plan = plan
        self.layout = layout
        self.in_container = layout.in_container
        self.here = here
        self.container_level = here.level
        self.scoped = scoped
        self.owner_level = scoped or here.level
        self.options = options
        self.app = app
        self.container = container
        self.every = every
        self.invalid: RequestValidationError | None = None

    def level_of(self, node: Node) -> Level:
        if self.in_container[node]:
            return self.container_level
        scoped = self.scoped
        assert scoped is not None
        return scoped

    def stack_for(self, node: Node) -> AsyncExitStack:
        return self.level_of(node).stack

    def tasks_for(self, node: Node) -> BackgroundTasks:
        # The target's own tasks belong to the call's scope.
        if node is self.plan.root:
            return self.owner_level.background()
        return self.level_of(node).background()

    async def run(self) -> tuple[dict[str, Any], dict[Any, Any]]:
        self.here.attach_level()
        token = ACTIVE_CONTAINER.set(self.container)
        try:
            return await self.resolve()
        finally:
            ACTIVE_CONTAINER.reset(token)

    async def resolve(self) -> tuple[dict[str, Any], dict[Any, Any]]:
        # Only the plan's own keys: the levels may cache many more.
        container_cache = self.container_level.cache
        scoped_cache = None if self.scoped is None else self.scoped.cache
        cache: dict[Any, Any] = {}
        for key in self.layout.keys:
            value = _MISSING
            if scoped_cache is not None:
                value = scoped_cache.get(key, _MISSING)
            if value is _MISSING:
                value = container_cache.get(key, _MISSING)
            if value is not _MISSING:
                cache[key] = value
        known = set(cache)
        async with AsyncExitStack() as call_stack:
            res = Resolution(
                self.plan,
                spec=self.options.spec,
                app=self.app,
                state=lifespan_state(self.app),
                cache=cache,
                request_stack=self.owner_level.stack,
                function_stack=call_stack,
                stack_for=self.stack_for,
                background_for=self.tasks_for,
                cleanup_scope=self.here.teardown_shield(),
            )
            try:
                await solve(res)
            finally:
                # No cycle through the resolution's routing back to this call.
                res.stack_for = res.background_for = None
            if res.errors:
                # FastAPI's exact error, thrown into the call's dependencies.
                self.invalid = validation_error(res.errors, res.body)
                raise self.invalid
            every: dict[Any, Any] = {}
            for node, shown in self.layout.shown:
                key = node.key
                if key in cache:
                    if self.every:
                        every[shown] = cache[key]
                    if key not in known:
                        self.level_of(node).cache[key] = cache[key]
                        known.add(key)
            return res.values, every
