"""The ``async with`` / ``with`` protocol of the long-lived objects.

A container, a deps stack and their sync twins are context managers whose
block ends by closing them: ``aclose()`` for the async ones (the name
:func:`contextlib.aclosing` uses), ``close()`` for the sync ones. Entering
returns the object itself; a class that must start first overrides it.
"""

from __future__ import annotations

from types import TracebackType
from typing import TypeVar

__all__ = ["AsyncClosing", "Closing"]

S = TypeVar("S")


class AsyncClosing:
    """``async with obj:`` gives ``obj`` and awaits ``obj.aclose()`` at the end."""

    async def aclose(self) -> None:
        raise NotImplementedError

    async def __aenter__(self: S) -> S:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class Closing:
    """``with obj:`` gives ``obj`` and calls ``obj.close()`` at the end."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self: S) -> S:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
