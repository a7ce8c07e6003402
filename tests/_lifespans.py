"""FastAPI apps whose lifespan cannot start the standard way (issue 13, part 6).

Shared by the tests of every entry point that starts a lifespan.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from fastapi import FastAPI


def on_event_app(events: list[str]) -> FastAPI:
    """Shape (a): ``lifespan_context = None`` with ``on_event`` handlers."""
    app = FastAPI(title="Legacy events")
    with warnings.catch_warnings():  # on_event is deprecated
        warnings.simplefilter("ignore", DeprecationWarning)

        @app.on_event("startup")
        async def up() -> None:
            events.append("startup")

        @app.on_event("shutdown")
        def down() -> None:
            events.append("shutdown")

    app.router.lifespan_context = None  # type: ignore[assignment]
    return app


def returns_none(app: FastAPI) -> None:
    """A plain function: calling it returns no context manager."""


async def async_function(app: FastAPI) -> dict[str, Any]:
    """Its call returns a coroutine, not an async context manager."""
    return {}  # pragma: no cover - never awaited


async def raw_async_generator(app: FastAPI) -> AsyncIterator[None]:
    """An unwrapped async generator function (no @asynccontextmanager)."""
    yield  # pragma: no cover


@contextmanager
def sync_context_manager(app: FastAPI) -> Iterator[None]:
    """A sync context manager: no ``__aenter__``."""
    yield  # pragma: no cover


#: Shape (b): ``lifespan_context`` values that are not a callable returning an
#: async context manager, and the error each must give.
BAD_LIFESPANS: dict[str, tuple[Any, str]] = {
    "plain function": (returns_none, "not an async context manager"),
    "async function": (async_function, "not an async context manager"),
    "async generator": (raw_async_generator, "not an async context manager"),
    "sync context manager": (sync_context_manager, "not an async context manager"),
    "object": (object(), "not callable"),
}


def bad_app(lifespan: Any) -> FastAPI:
    """An app whose ``lifespan_context`` is ``lifespan``."""
    app = FastAPI(title="Broken lifespan")
    app.router.lifespan_context = lifespan
    return app


def no_handlers_app() -> FastAPI:
    """``lifespan_context = None`` on a router without on_startup/on_shutdown."""
    app = bad_app(None)
    del app.router.on_startup
    return app


class Hung:
    """Shape (c): an app whose start-up never reaches ``yield`` while ``hang``."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.hang = True
        self.app = FastAPI(title="Hung start-up", lifespan=self.lifespan)

    @asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        self.events.append("startup")
        if self.hang:
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                self.events.append("cancelled")
                raise
        yield {"hung": False}
        self.events.append("shutdown")
