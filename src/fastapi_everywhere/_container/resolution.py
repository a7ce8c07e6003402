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
from .._engine.run import Resolution, solve
from .._lifecycle import caller_error, validation_error
from .._lifespan import lifespan_state
from .._registrable import implementation_of
from .active import ACTIVE_CONTAINER
from .levels import Level, LoopState
from .options import ContainerOptions
from .scopes import DependencyScope

__all__ = ["resolve_at"]


async def resolve_at(
    plan: Plan,
    here: LoopState,
    scoped: Level | None,
    options: ContainerOptions,
    *,
    app: FastAPI | None,
    lifespan_app: Any,
    container: Any = None,
) -> tuple[dict[str, Any], dict[Any, Any]]:
    """Resolve ``plan`` on ``here``'s loop, inside ``scoped`` when given.

    Return the plan's values and every cached instance of the tree by
    dependency. ``options.rules`` say which level keeps each dependency;
    ``options.spec`` and ``app`` make the request the resolution sees;
    ``lifespan_app`` (a deps stack's) is started on a loop that did not run
    it yet. ``container`` is what ``get_container`` gives its dependencies.
    """
    container_level = here.level
    owner_level = scoped or container_level
    rules = options.rules
    scope_of = rules.scope_of
    nodes = [n for n, closing in plan.steps if closing and n is not plan.root]
    rules.check(plan.root, nodes, in_scope=scoped is not None)

    def level_of(node: Node) -> Level:
        if scope_of(node) is DependencyScope.CONTAINER:
            return container_level
        assert scoped is not None
        return scoped

    def tasks_for(node: Node) -> BackgroundTasks:
        # The target's own tasks belong to the call's scope.
        if node is plan.root:
            return owner_level.background()
        return level_of(node).background()

    if lifespan_app is not None and here.lifespan is None:
        # A stack used on a new event loop: its lifespan starts there too.
        await here.start_lifespan(lifespan_app, "FastApiDepsStack")

    async def run() -> tuple[dict[str, Any], dict[Any, Any]]:
        here.attach_level()
        token = ACTIVE_CONTAINER.set(container)
        try:
            return await resolve()
        finally:
            ACTIVE_CONTAINER.reset(token)

    async def resolve() -> tuple[dict[str, Any], dict[Any, Any]]:
        cache = dict(container_level.cache)
        if scoped is not None:
            cache.update(scoped.cache)
        known = set(cache)
        async with AsyncExitStack() as call_stack:
            res = Resolution(
                plan,
                spec=options.spec,
                app=app,
                state=lifespan_state(app),
                cache=cache,
                request_stack=owner_level.stack,
                function_stack=call_stack,
                stack_for=lambda node: level_of(node).stack,
                background_for=tasks_for,
                cleanup_scope=here.teardown_shield(),
            )
            await solve(res)
            if res.errors:
                # FastAPI's exact error, thrown into the call's dependencies.
                invalid.append(validation_error(res.errors, res.body))
                raise invalid[0]
            every: dict[Any, Any] = {}
            for node in nodes:
                if node.key in cache:
                    # An interface is known by what it resolved to.
                    bound = implementation_of(node.origin) is not None
                    every[node.call if bound else node.origin] = cache[node.key]
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
