"""``FastApiDepsStack``: a started app plus dependencies kept until ``close()``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar, overload

from fastapi import FastAPI

from . import _config
from ._closing import AsyncClosing
from ._container import FastAPIContainer, start_lifespan
from ._typing import Generated

T = TypeVar("T")


class FastApiDepsStack(AsyncClosing):
    """An async context manager that starts the app's lifespan once and keeps
    every dependency it resolves alive until :meth:`close`.

    ``resolve`` accepts ``Annotated[T, Depends(f)]`` (returns a ``T`` to type
    checkers), a ``Depends(f)`` or the callable itself. Resolved instances are
    cached: resolving the same dependency twice returns the same instance.
    Teardown runs in reverse order at :meth:`close`, in the asyncio task
    that set the dependencies up, then the lifespan shuts down.
    """

    def __init__(self, app: FastAPI | None = None) -> None:
        self._app = app
        self._container: FastAPIContainer | None = None
        self._starting = asyncio.Lock()  # concurrent start() calls start once

    @property
    def started(self) -> bool:
        """Whether :meth:`start` ran and :meth:`close` did not."""
        return self._container is not None

    async def start(self) -> FastApiDepsStack:
        """Start the app's lifespan (idempotent)."""
        if self._container is None:
            async with self._starting:
                if self._container is None:
                    app = _config.require_app(self._app)
                    container = FastAPIContainer(app=app)
                    try:
                        await start_lifespan(container)
                    except BaseException:
                        await container.aclose()  # ends its owner task
                        raise
                    self._container = container
        return self

    @overload
    async def resolve(self, dependency: Callable[..., Generated[T]]) -> T: ...
    @overload
    async def resolve(self, dependency: Callable[..., T]) -> T: ...
    @overload
    async def resolve(self, dependency: Any) -> Any: ...

    async def resolve(self, dependency: Any) -> Any:
        """Resolve ``dependency`` (cached until :meth:`close`)."""
        if self._container is None:
            raise RuntimeError(
                "FastApiDepsStack.resolve: the stack is not started. Call start() "
                "first (`await stack.start()`, or use `async with stack`)"
            )
        return await self._container.get(dependency)

    async def close(self) -> None:
        """Tear every dependency down, then shut the lifespan down (idempotent)."""
        container, self._container = self._container, None
        if container is not None:
            await container.aclose()

    async def aclose(self) -> None:
        """The same as :meth:`close`, under the name ``async with`` and
        :func:`contextlib.aclosing` close with.

        .. versionadded:: 0.2
        """
        await self.close()

    async def __aenter__(self) -> FastApiDepsStack:
        return await self.start()

    def __repr__(self) -> str:
        state = "started" if self.started else "not started"
        return f"<FastApiDepsStack {state}>"
