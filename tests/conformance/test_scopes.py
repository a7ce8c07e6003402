"""``Depends(scope="function" | "request")``: teardown timing and scope rules."""

# No "from __future__ import annotations": FastAPI evaluates the local trees.

from typing import Annotated

import pytest
from fastapi import BackgroundTasks, Depends

from ._harness import HAS_DEPENDS_SCOPE, Recorder, conforms

pytestmark = pytest.mark.skipif(
    not HAS_DEPENDS_SCOPE, reason="this FastAPI has no Depends(scope=...)"
)


def make_gen(rec: Recorder, name: str, *, is_async: bool):
    if is_async:

        async def gen():
            rec(name, "enter")
            yield name
            rec(name, "exit")

    else:

        def gen():
            rec(name, "enter")
            yield name
            rec(name, "exit")

    gen.__name__ = name
    return gen


@pytest.mark.parametrize("is_async", [True, False])
async def test_function_scope_closes_before_background_tasks(
    rec: Recorder, is_async: bool
) -> None:
    per_function = make_gen(rec, "function", is_async=is_async)
    per_request = make_gen(rec, "request", is_async=is_async)
    default = make_gen(rec, "default", is_async=not is_async)

    async def target(
        tasks: BackgroundTasks,
        r: Annotated[str, Depends(per_request, scope="request")],
        f: Annotated[str, Depends(per_function, scope="function")],
        d: Annotated[str, Depends(default)],
    ):
        rec("target")
        tasks.add_task(rec, "background")
        return [r, f, d]

    out = await conforms(rec, target)
    assert out.body == ["request", "function", "default"]
    assert out.log == [
        ("request", "enter"),
        ("function", "enter"),
        ("default", "enter"),
        ("target",),
        ("function", "exit"),
        ("background",),
        ("default", "exit"),
        ("request", "exit"),
    ]


async def test_function_scope_sees_the_target_exception_first(rec: Recorder) -> None:
    async def per_function():
        try:
            yield
        except Exception as e:
            rec("function", type(e).__name__)
            raise

    def per_request():
        try:
            yield
        except Exception as e:
            rec("request", type(e).__name__)
            raise

    async def target(
        r: Annotated[None, Depends(per_request)],
        f: Annotated[None, Depends(per_function, scope="function")],
    ):
        raise ValueError("target")

    out = await conforms(rec, target)
    assert out.body == ("ValueError", "target")
    assert out.log == [("function", "ValueError"), ("request", "ValueError")]


async def test_function_scoped_dependency_of_a_function_scoped_generator(
    rec: Recorder,
) -> None:
    leaf = make_gen(rec, "leaf", is_async=False)

    async def middle(x: Annotated[str, Depends(leaf, scope="function")]):
        rec("middle", "enter")
        yield x
        rec("middle", "exit")

    def plain(x: Annotated[str, Depends(leaf, scope="function")]) -> str:
        return x  # a non-generator may depend on a function-scoped one

    async def target(
        m: Annotated[str, Depends(middle, scope="function")],
        p: Annotated[str, Depends(plain)],
    ):
        rec("target")
        return [m, p]

    out = await conforms(rec, target)
    assert out.log == [
        ("leaf", "enter"),
        ("middle", "enter"),
        ("target",),
        ("middle", "exit"),
        ("leaf", "exit"),
    ]


async def test_scope_is_part_of_the_cache_key(rec: Recorder) -> None:
    def gen():
        n = rec.hit("gen")
        rec("enter", n)
        yield n
        rec("exit", n)

    async def target(
        a: Annotated[int, Depends(gen)],
        b: Annotated[int, Depends(gen, scope="request")],
        c: Annotated[int, Depends(gen, scope="function")],
        d: Annotated[int, Depends(gen, scope="function")],
    ):
        return [a, b, c, d]

    out = await conforms(rec, target)
    assert out.body == [1, 1, 2, 2]
    assert out.log == [("enter", 1), ("enter", 2), ("exit", 2), ("exit", 1)]


@pytest.mark.parametrize("is_async", [True, False])
async def test_request_scope_depending_on_function_scope_is_an_error(
    rec: Recorder, is_async: bool
) -> None:
    leaf = make_gen(rec, "leaf", is_async=False)

    async def async_request_scoped(x: Annotated[str, Depends(leaf, scope="function")]):
        yield x

    def sync_request_scoped(x: Annotated[str, Depends(leaf, scope="function")]):
        yield x

    request_scoped = async_request_scoped if is_async else sync_request_scoped

    async def target(y: Annotated[str, Depends(request_scoped)]):
        rec("target")
        return y

    out = await conforms(rec, target)
    assert out.kind == "raised"
    name, message = out.body
    assert name == "DependencyScopeError"
    assert f'"{request_scoped.__name__}" has a scope of "request"' in message
    assert out.log == []


async def test_scope_error_is_raised_before_anything_runs(rec: Recorder) -> None:
    from fastapi.exceptions import DependencyScopeError

    import fastapi_everywhere

    leaf = make_gen(rec, "leaf", is_async=True)

    async def request_scoped(x: Annotated[str, Depends(leaf, scope="function")]):
        yield x

    async def target(y: Annotated[str, Depends(request_scoped, scope="request")]):
        rec("target")

    call = fastapi_everywhere.with_fastapi_depends(target)
    with pytest.raises(DependencyScopeError):
        await call()
    assert rec.log == []
