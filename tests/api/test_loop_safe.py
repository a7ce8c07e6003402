"""``loop_safe``: opt-in inline sync dependencies for the async API.

Unmarked sync dependencies run in a worker thread, as in FastAPI; marked
ones (``loop_safe`` or the shared ``__fastapi_loop_safe__`` attribute) are
called on the event loop, with the same values.
"""

# No `from __future__ import annotations`: FastAPI 0.115 cannot resolve a
# class dependency's postponed annotations (Holder.__init__).
import functools
import threading
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI

from fastapi_everywhere import is_loop_safe, loop_safe, with_fastapi_depends


def where() -> int:
    return threading.get_ident()


@loop_safe
def inline_where() -> int:
    return threading.get_ident()


@loop_safe
class Holder:
    def __init__(self, value: Annotated[int, Depends(inline_where)]) -> None:
        self.thread = threading.get_ident()
        self.value = value


class Shared:
    """Marked the way other libraries mark it (the attribute in the class body)."""

    __fastapi_loop_safe__ = True

    def __init__(self) -> None:
        self.thread = threading.get_ident()


def test_the_marker_is_the_object_itself_and_not_inherited() -> None:
    def fn() -> None: ...

    assert loop_safe(fn) is fn
    assert is_loop_safe(fn) and is_loop_safe(functools.partial(fn))

    class Sub(Holder):
        pass

    assert is_loop_safe(Holder) and not is_loop_safe(Sub)
    assert is_loop_safe(Shared)
    assert not is_loop_safe(where)


def test_a_non_callable_is_refused_with_the_functions_name() -> None:
    with pytest.raises(TypeError, match="fastapi_everywhere.loop_safe: obj"):
        loop_safe(42)


async def test_marked_dependencies_run_on_the_loop_unmarked_in_a_thread() -> None:
    loop_thread = threading.get_ident()

    @with_fastapi_depends
    async def marked(
        *,
        inline: Annotated[int, Depends(inline_where)],
        holder: Annotated[Holder, Depends()],
        shared: Annotated[Shared, Depends()],
    ) -> set[int]:
        return {inline, holder.thread, holder.value, shared.thread}

    @with_fastapi_depends
    async def unmarked(*, plain: Annotated[int, Depends(where)]) -> int:
        return plain

    assert await marked() == {loop_thread}
    assert await unmarked() != loop_thread  # FastAPI's threadpool rule


async def test_a_marked_override_runs_inline() -> None:
    app = FastAPI()
    app.dependency_overrides[where] = inline_where
    loop_thread = threading.get_ident()

    @with_fastapi_depends(app=app)
    async def target(*, thread: Annotated[int, Depends(where)]) -> int:
        return thread

    assert await target() == loop_thread
