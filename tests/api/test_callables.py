"""is_coroutine_callable, is_gen_callable, is_async_gen_callable: FastAPI's rules."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant

from fastapi_everywhere import (
    is_async_gen_callable,
    is_coroutine_callable,
    is_gen_callable,
)
from fastapi_everywhere._engine import _compat


async def coro() -> int:
    return 1


def gen() -> Iterator[int]:
    yield 1


async def agen() -> AsyncIterator[int]:
    yield 1


def plain() -> int:
    return 1


@functools.wraps(coro)
def wrapped_coro(*args: Any, **kwargs: Any) -> Any:
    return coro()


class CallsAsync:
    async def __call__(self) -> int:
        return 1


class ClassWithAsyncCall:
    """Building it is a sync call, whatever its instances' __call__ is."""

    async def __call__(self) -> int:
        return 1


class YieldingCall:
    def __call__(self) -> Iterator[int]:
        yield 1


CASES: list[tuple[Callable[..., Any], str]] = [
    (coro, "coroutine"),
    (gen, "gen"),
    (agen, "agen"),
    (plain, "sync"),
    (functools.partial(coro), "coroutine"),
    (functools.partial(functools.partial(gen)), "gen"),
    (wrapped_coro, "coroutine"),
    (CallsAsync(), "coroutine"),
    (ClassWithAsyncCall, "sync"),
    (YieldingCall(), "gen"),
    (functools.partial(agen), "agen"),
]


def _kind(call: Callable[..., Any]) -> str:
    if is_gen_callable(call):
        return "gen"
    if is_async_gen_callable(call):
        return "agen"
    return "coroutine" if is_coroutine_callable(call) else "sync"


@pytest.mark.parametrize(("call", "expected"), CASES)
def test_classification(call: Callable[..., Any], expected: str) -> None:
    assert _kind(call) == expected


@pytest.mark.parametrize(("call", "expected"), CASES)
def test_agrees_with_the_installed_fastapi(
    call: Callable[..., Any], expected: str
) -> None:
    # The engine's own reading of the installed FastAPI (any version).
    kind = _compat.call_kind(Dependant(call=call))
    theirs = {_compat.GEN: "gen", _compat.AGEN: "agen", _compat.ASYNC: "coroutine"}
    fastapi_says = theirs.get(kind, "sync")
    if fastapi_says != _kind(call):
        # Older FastAPI looked through neither functools.partial nor
        # functools.wraps (it ran such a coroutine function in a thread); the
        # helpers follow the newer rules on every version (their docstring).
        assert not LOOKS_THROUGH_WRAPPERS, (call, fastapi_says)
        assert (expected, fastapi_says) == ("coroutine", "sync")


#: Whether the installed FastAPI awaits functools.partial(coroutine function).
LOOKS_THROUGH_WRAPPERS = (
    _compat.call_kind(Dependant(call=functools.partial(coro))) == _compat.ASYNC
)
