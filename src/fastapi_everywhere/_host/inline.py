"""The inline path of a host request: a sync target whose every step is sync.

``RequestScope._call_inline`` runs such a call on the calling thread with no
driver and no loop. What it needs beyond a :class:`Resolution` lives here:
where each sync ``yield`` exit goes (:class:`InlineExits`), the async stacks
it never uses (:data:`NO_ASYNC_EXITS`) and closing its function scope
(:func:`close_function`).
"""

from __future__ import annotations

from contextlib import AbstractContextManager, AsyncExitStack, ExitStack
from typing import Any, NoReturn, Protocol

from .._engine.plan import Node
from .._lifecycle import exit_with, swallowed_error

__all__ = [
    "NO_ASYNC_EXITS",
    "HasRequestExits",
    "InlineExits",
    "close_function",
    "close_sync_exits",
]


class HasRequestExits(Protocol):
    """A host request's exits in entry order (``RequestScope``)."""

    def push_request_exit(self, cm: AbstractContextManager[Any]) -> None: ...


def close_function(function: ExitStack | None, exc: BaseException) -> NoReturn:
    """Close a call's function scope with ``exc`` thrown in; raise what is left."""
    if function is None:  # nothing entered in it
        raise exc
    left = exit_with(function.__exit__, exc)
    if left is None:
        raise swallowed_error() from exc  # a yield dependency swallowed it
    raise left


class NoAsyncExits(AsyncExitStack):
    """The async stacks of an inline resolution, which enters nothing async.

    An inline plan has no async step and reads no body (``plan.needs_loop``
    is false) and its sync exits go to :class:`InlineExits`, so nothing is
    ever pushed here; one shared instance spares two stacks per call and
    fails loudly if that ever changes.
    """

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            "fastapi-everywhere: an inline resolution used an exit stack"
        )

    push = callback = enter_context = _refuse
    push_async_exit = push_async_callback = _refuse

    async def enter_async_context(self, cm: Any) -> Any:
        self._refuse()


NO_ASYNC_EXITS = NoAsyncExits()


class InlineExits:
    """Where an inline resolution registers each sync ``yield`` exit.

    Function-scoped ones on the call's stack, request-scoped ones on the
    request's. Held by the resolution only (it dies with the call), so the
    reference to the request makes no cycle.
    """

    __slots__ = ("function", "host")

    def __init__(self, host: HasRequestExits) -> None:
        #: The call's function scope, made on its first exit.
        self.function: ExitStack | None = None
        self.host = host

    def __call__(self, node: Node, cm: AbstractContextManager[Any]) -> None:
        if node.function_scope:
            function = self.function
            if function is None:
                function = self.function = ExitStack()
            function.push(cm)
        else:
            self.host.push_request_exit(cm)

    def close(self, exc: BaseException | None) -> BaseException | None:
        """Close the function scope; the error left (``exit_with``)."""
        function = self.function
        if function is None:
            return exc
        return exit_with(function.__exit__, exc)


def close_sync_exits(
    cms: list[AbstractContextManager[Any]], exc: BaseException | None
) -> BaseException | None:
    """Exit ``cms`` last first, as an ``ExitStack`` of them would; the error left.

    A request's sync ``yield`` exits entered before anything async: the
    usual request closes them with no error, one plain ``__exit__`` each;
    an error (given, or raised by an exit) hands the rest to an
    ``ExitStack``, for its exact exception chaining.
    """
    left = len(cms)
    if exc is None:
        while left:
            cm = cms[left - 1]
            try:
                cm.__exit__(None, None, None)
            except BaseException as e:  # the rest see it, as in an ExitStack
                exc = e
                left -= 1
                break
            left -= 1
        else:
            return None
    stack = ExitStack()
    for cm in cms[:left]:
        stack.push(cm)
    return exit_with(stack.__exit__, exc)
