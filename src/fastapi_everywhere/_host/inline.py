"""The inline path of a host request: a sync target whose every step is sync.

``RequestScope.call_here`` runs such a call on the calling thread with no
driver and no loop, through the plan's compiled solver
(``_engine.compiled``). What it needs beyond that lives here: the call's
function scope when its plan has one (:class:`InlineExits`) and closing it
(:func:`close_function`).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any, NoReturn

from .._engine._compat import TEARDOWN_BEFORE_BACKGROUND
from .._lifecycle import exit_with, swallowed_error

__all__ = [
    "InlineExits",
    "close_function",
    "close_sync_exits",
    "end_invalid",
    "entered",
]


def close_function(function: ExitStack | None, exc: BaseException) -> NoReturn:
    """Close a call's function scope with ``exc`` thrown in; raise what is left."""
    if function is None:  # nothing entered in it
        raise exc
    left = exit_with(function.__exit__, exc)
    if left is None:
        raise swallowed_error() from exc  # a yield dependency swallowed it
    raise left


def end_invalid(exits: InlineExits | None, invalid: BaseException) -> NoReturn:
    """Close the call's function scope (if any) after a validation error; raise.

    FastAPI >= 0.120 throws the error into the dependencies; before, it
    closed them first and they saw no exception.
    """
    if exits is None:
        raise invalid
    if not TEARDOWN_BEFORE_BACKGROUND:
        close_function(exits.function, invalid)
    left = exits.close(None)
    raise invalid if left is None else left


class InlineExits:
    """The function scope of one inline call: its function-scoped ``yield`` exits.

    Made only for a plan that has such exits (``Plan.function_exits``); the
    compiled solver hands them to :meth:`push_function`, and the
    request-scoped generators, started, straight to the request
    (``push_request_exit``).
    Held by the call only, so it dies with it.
    """

    __slots__ = ("function",)

    def __init__(self) -> None:
        #: The call's function scope, made on its first exit.
        self.function: ExitStack | None = None

    def push_function(self, cm: AbstractContextManager[Any]) -> None:
        function = self.function
        if function is None:
            function = self.function = ExitStack()
        function.push(cm)

    def close(self, exc: BaseException | None) -> BaseException | None:
        """Close the function scope; the error left (``exit_with``)."""
        function = self.function
        if function is None:
            return exc
        return exit_with(function.__exit__, exc)


def close_sync_exits(
    gens: list[Generator[Any, None, None]], exc: BaseException | None
) -> BaseException | None:
    """Finish ``gens`` last first, as an ``ExitStack`` of their
    ``contextmanager``s would; the error left.

    A request's sync ``yield`` dependencies, started by the compiled solver
    before anything async: the usual request finishes each with one
    ``next`` (it must stop, as the manager's ``__exit__`` checks); an error
    (given, or raised by one of them) hands the rest to an ``ExitStack`` of
    their managers (:func:`entered`), for its exact exception chaining.
    """
    left = len(gens)
    if exc is None:
        while left:
            gen = gens[left - 1]
            left -= 1
            try:
                # With a default, next() makes no StopIteration of a
                # generator that returns: raising one per request would cost
                # the exception's object and its unwinding.
                if next(gen, _STOPPED) is _STOPPED:
                    continue
            except BaseException as e:  # the rest see it, as in an ExitStack
                exc = e
                break
            exc = _did_not_stop(gen)
            break
        else:
            return None
    stack = ExitStack()
    for gen in gens[:left]:
        stack.push(entered(gen))
    return exit_with(stack.__exit__, exc)


#: What ``next(gen, _STOPPED)`` returns when ``gen`` stopped.
_STOPPED: Any = object()


def _did_not_stop(gen: Generator[Any, None, None]) -> BaseException:
    """The error ``contextmanager`` raises when a generator yields twice
    (the generator closed, as it closes it)."""
    try:
        try:
            raise RuntimeError("generator didn't stop")
        finally:
            gen.close()
    except BaseException as e:
        return e


def _itself(gen: Generator[Any, None, None]) -> Generator[Any, None, None]:
    return gen


#: ``entered(gen)``: the ``contextmanager`` of a generator already started
#: (its ``__enter__`` ran as ``next(gen)``), for an exit stack.
entered: Callable[[Generator[Any, None, None]], AbstractContextManager[Any]] = (
    contextmanager(_itself)
)
