"""The static types of the decorators, written once for both vocabularies.

A wrapper factory is usable bare (``@with_fastapi_depends``) or with its
options (``@with_fastapi_depends(app=app)``). A ``ParamSpec`` (``Options``)
takes those options from the factory's own signature, so a factory is typed
by decorating it with one of the ``*_wrapper_factory`` functions below
instead of by a stack of overloads; each returns its argument unchanged.

Every wrapper keeps the wrapped function's parameters (``P``): a caller's
argument of the wrong type, a missing one and an unknown keyword are errors
in mypy and pyright, while an injected parameter (one with a ``Depends(...)``
or :data:`~fastapi_everywhere.INJECTED` default) may be left out.
"""

from __future__ import annotations

from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Generator,
    Iterable,
    Iterator,
)
from typing import (
    Any,
    Concatenate,
    ParamSpec,
    Protocol,
    TypeAlias,
    TypeVar,
    Union,
    cast,
    overload,
)

__all__ = [
    "AsyncDecorator",
    "AsyncGeneratorDecorator",
    "AsyncGeneratorWrapperFactory",
    "AsyncWrapperFactory",
    "Generated",
    "GeneratorDecorator",
    "GeneratorWrapperFactory",
    "SyncDecorator",
    "SyncWrapperFactory",
    "async_generator_wrapper_factory",
    "async_wrapper_factory",
    "generator_wrapper_factory",
    "sync_wrapper_factory",
]

Options = ParamSpec("Options")  # a factory's options
P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
Y = TypeVar("Y")

#: What a dependency function returns that FastAPI unwraps to a ``T``: an
#: async generator, a generator or a coroutine. Typing ``get(dependency:
#: Callable[..., Generated[T]]) -> T`` before ``Callable[..., T]`` gives a
#: container's ``get`` the instance type of every kind of dependency (a class
#: is a ``Callable[..., T]`` too).
Generated: TypeAlias = Union[AsyncIterator[T], Iterator[T], Awaitable[T]]  # noqa: UP007


# -- sync or async function -> sync callable ---------------------------------


class SyncDecorator(Protocol):
    """A configured decorator: a sync or async function to a sync callable."""

    @overload
    def __call__(self, func: Callable[P, Awaitable[R]], /) -> Callable[P, R]: ...
    @overload
    def __call__(self, func: Callable[P, R], /) -> Callable[P, R]: ...


class SyncWrapperFactory(Protocol[Options]):
    """A decorator with options ``Options``, bare or called with them."""

    @overload
    def __call__(
        self,
        func: Callable[P, Awaitable[R]],
        /,
        *args: Options.args,
        **kwargs: Options.kwargs,
    ) -> Callable[P, R]: ...
    @overload
    def __call__(
        self, func: Callable[P, R], /, *args: Options.args, **kwargs: Options.kwargs
    ) -> Callable[P, R]: ...
    @overload
    def __call__(
        self, func: None = None, /, *args: Options.args, **kwargs: Options.kwargs
    ) -> SyncDecorator: ...


# -- sync or async function -> async function --------------------------------


class AsyncDecorator(Protocol):
    """A configured decorator: a sync or async function to an async function."""

    @overload
    def __call__(
        self, func: Callable[P, Awaitable[R]], /
    ) -> Callable[P, Coroutine[Any, Any, R]]: ...
    @overload
    def __call__(
        self, func: Callable[P, R], /
    ) -> Callable[P, Coroutine[Any, Any, R]]: ...


class AsyncWrapperFactory(Protocol[Options]):
    """An async decorator with options ``Options``, bare or called with them."""

    @overload
    def __call__(
        self,
        func: Callable[P, Awaitable[R]],
        /,
        *args: Options.args,
        **kwargs: Options.kwargs,
    ) -> Callable[P, Coroutine[Any, Any, R]]: ...
    @overload
    def __call__(
        self, func: Callable[P, R], /, *args: Options.args, **kwargs: Options.kwargs
    ) -> Callable[P, Coroutine[Any, Any, R]]: ...
    @overload
    def __call__(
        self, func: None = None, /, *args: Options.args, **kwargs: Options.kwargs
    ) -> AsyncDecorator: ...


# -- generator functions ------------------------------------------------------


class GeneratorDecorator(Protocol):
    """A configured decorator: a (sync or async) generator function to a
    function returning plain generators."""

    @overload
    def __call__(
        self, func: Callable[P, AsyncIterable[Y]], /
    ) -> Callable[P, Generator[Y, Any, Any]]: ...
    @overload
    def __call__(
        self, func: Callable[P, Iterable[Y]], /
    ) -> Callable[P, Generator[Y, Any, Any]]: ...


class GeneratorWrapperFactory(Protocol[Options]):
    """A generator decorator with options ``Options``, bare or called with them."""

    @overload
    def __call__(
        self,
        func: Callable[P, AsyncIterable[Y]],
        /,
        *args: Options.args,
        **kwargs: Options.kwargs,
    ) -> Callable[P, Generator[Y, Any, Any]]: ...
    @overload
    def __call__(
        self,
        func: Callable[P, Iterable[Y]],
        /,
        *args: Options.args,
        **kwargs: Options.kwargs,
    ) -> Callable[P, Generator[Y, Any, Any]]: ...
    @overload
    def __call__(
        self, func: None = None, /, *args: Options.args, **kwargs: Options.kwargs
    ) -> GeneratorDecorator: ...


class AsyncGeneratorDecorator(Protocol):
    """A configured decorator: an async generator function to one whose
    generators resolve the dependencies."""

    def __call__(
        self, func: Callable[P, AsyncIterable[Y]], /
    ) -> Callable[P, AsyncGenerator[Y, Any]]: ...


class AsyncGeneratorWrapperFactory(Protocol[Options]):
    """An async generator decorator with options, bare or called with them."""

    @overload
    def __call__(
        self,
        func: Callable[P, AsyncIterable[Y]],
        /,
        *args: Options.args,
        **kwargs: Options.kwargs,
    ) -> Callable[P, AsyncGenerator[Y, Any]]: ...
    @overload
    def __call__(
        self, func: None = None, /, *args: Options.args, **kwargs: Options.kwargs
    ) -> AsyncGeneratorDecorator: ...


# -- the casts ------------------------------------------------------------------

Factory = Callable[Concatenate[Any, Options], Any]


def sync_wrapper_factory(factory: Factory[Options]) -> SyncWrapperFactory[Options]:
    """Type ``factory(func=None, /, **options)`` as a :class:`SyncWrapperFactory`."""
    return cast("SyncWrapperFactory[Options]", factory)


def async_wrapper_factory(factory: Factory[Options]) -> AsyncWrapperFactory[Options]:
    """Type ``factory(func=None, /, **options)`` as an :class:`AsyncWrapperFactory`."""
    return cast("AsyncWrapperFactory[Options]", factory)


def generator_wrapper_factory(
    factory: Factory[Options],
) -> GeneratorWrapperFactory[Options]:
    """Type ``factory(func=None, /, **options)`` as a :class:`GeneratorWrapperFactory`."""
    return cast("GeneratorWrapperFactory[Options]", factory)


def async_generator_wrapper_factory(
    factory: Factory[Options],
) -> AsyncGeneratorWrapperFactory[Options]:
    """Type ``factory(func=None, /, **options)`` as an
    :class:`AsyncGeneratorWrapperFactory`."""
    return cast("AsyncGeneratorWrapperFactory[Options]", factory)
