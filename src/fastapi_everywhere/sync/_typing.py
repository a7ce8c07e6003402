"""The static types of the sync wrappers, written once.

A wrapper factory is usable bare (``@with_fastapi_depends``) or with its
options (``@with_fastapi_depends(timeout=1.0)``). A ``ParamSpec``
(``Options``) takes those options from the factory's own signature, so a
factory is typed by decorating it with :func:`sync_wrapper_factory` or
:func:`generator_wrapper_factory` instead of by a stack of overloads; both
return their argument unchanged.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Awaitable, Callable, Generator, Iterable
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar, cast, overload

__all__ = [
    "GeneratorDecorator",
    "GeneratorWrapperFactory",
    "SyncDecorator",
    "SyncWrapperFactory",
    "generator_wrapper_factory",
    "sync_wrapper_factory",
]

Options = ParamSpec("Options")  # a factory's options
P = ParamSpec("P")
R = TypeVar("R")
Y = TypeVar("Y")


class SyncDecorator(Protocol):
    """A configured decorator: a sync or async function to a sync callable."""

    @overload
    def __call__(self, func: Callable[..., Awaitable[R]], /) -> Callable[..., R]: ...
    @overload
    def __call__(self, func: Callable[..., R], /) -> Callable[..., R]: ...


class SyncWrapperFactory(Protocol[Options]):
    """A decorator with options ``Options``, bare or called with them."""

    @overload
    def __call__(
        self,
        func: Callable[P, Awaitable[R]],
        /,
        *args: Options.args,
        **kwargs: Options.kwargs,
    ) -> Callable[..., R]: ...
    @overload
    def __call__(
        self, func: Callable[P, R], /, *args: Options.args, **kwargs: Options.kwargs
    ) -> Callable[..., R]: ...
    @overload
    def __call__(
        self, func: None = None, /, *args: Options.args, **kwargs: Options.kwargs
    ) -> SyncDecorator: ...


class GeneratorDecorator(Protocol):
    """A configured decorator: a (sync or async) generator function to a
    function returning plain generators."""

    def __call__(
        self, func: Callable[..., Iterable[Y]] | Callable[..., AsyncIterable[Y]], /
    ) -> Callable[..., Generator[Y, Any, Any]]: ...


class GeneratorWrapperFactory(Protocol[Options]):
    """A generator decorator with options ``Options``, bare or called with them."""

    @overload
    def __call__(
        self,
        func: Callable[..., Iterable[Y]] | Callable[..., AsyncIterable[Y]],
        /,
        *args: Options.args,
        **kwargs: Options.kwargs,
    ) -> Callable[..., Generator[Y, Any, Any]]: ...
    @overload
    def __call__(
        self, func: None = None, /, *args: Options.args, **kwargs: Options.kwargs
    ) -> GeneratorDecorator: ...


def sync_wrapper_factory(
    factory: Callable[Concatenate[Any, Options], Any],
) -> SyncWrapperFactory[Options]:
    """Type ``factory(func=None, /, **options)`` as a :class:`SyncWrapperFactory`."""
    return cast("SyncWrapperFactory[Options]", factory)


def generator_wrapper_factory(
    factory: Callable[Concatenate[Any, Options], Any],
) -> GeneratorWrapperFactory[Options]:
    """Type ``factory(func=None, /, **options)`` as a :class:`GeneratorWrapperFactory`."""
    return cast("GeneratorWrapperFactory[Options]", factory)
