"""A cyclic dependency graph: FastAPI recurses until RecursionError; we name it."""

from __future__ import annotations

import inspect
from abc import abstractmethod
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI

from fastapi_everywhere import (
    CyclicDependencyError,
    FastAPIContainer,
    RegistrableDependency,
    with_fastapi_depends,
)
from fastapi_everywhere.sync import FastAPIContainer as SyncContainer
from fastapi_everywhere.sync import with_fastapi_depends as sync_depends


# a -> b -> c -> a, declared after the fact (the defaults are evaluated at def).
def dep_a(value: Any = None) -> str:
    return "a"


def dep_b(value: Any = Depends(dep_a)) -> str:
    return "b"


def dep_c(value: Annotated[str, Depends(dep_b)]) -> str:
    return "c"


dep_a.__signature__ = inspect.signature(  # type: ignore[attr-defined]
    lambda value=Depends(dep_c): None
)


def uses_a(value: str = Depends(dep_a)) -> str:
    return value


def test_fastapi_itself_recurses_without_end() -> None:
    app = FastAPI()
    with pytest.raises(RecursionError):

        @app.get("/")
        def index(value: str = Depends(dep_a)) -> str:
            return value


async def test_every_entry_point_names_the_cycle() -> None:
    expected = r"dependency cycle: dep_a -> dep_c -> dep_b -> dep_a"

    @with_fastapi_depends
    async def job(value: str = Depends(dep_a)) -> str:
        return value

    with pytest.raises(CyclicDependencyError, match=expected) as caught:
        await job()
    assert caught.value.cycle == [dep_a, dep_c, dep_b, dep_a]
    async with FastAPIContainer() as container:
        with pytest.raises(CyclicDependencyError, match=expected):
            await container.get(uses_a)
        with pytest.raises(CyclicDependencyError, match=expected):
            await container.invoke(uses_a)
    with SyncContainer() as sync_container:
        with pytest.raises(CyclicDependencyError, match=expected):
            sync_container.get(dep_a)
    with pytest.raises(CyclicDependencyError, match=expected):
        sync_depends(uses_a)()
    assert issubclass(CyclicDependencyError, RuntimeError)


def test_a_self_dependency() -> None:
    def me(value: Any = None) -> None: ...

    me.__signature__ = inspect.signature(  # type: ignore[attr-defined]
        lambda value=Depends(me): None
    )
    with pytest.raises(CyclicDependencyError, match=r"cycle: .*me -> .*me;"):
        sync_depends(lambda v=Depends(me): v)()


class Service(RegistrableDependency):
    @abstractmethod
    def name(self) -> str: ...


class Loopy(Service):
    def __init__(self, again: Any = Depends(Service)) -> None: ...

    def name(self) -> str:
        return "loopy"


@pytest.fixture
def _bound() -> Iterator[None]:
    Service.register(Loopy)
    yield
    Service.register(None)


@pytest.mark.usefixtures("_bound")
async def test_a_cycle_through_a_binding_or_an_override() -> None:
    async with FastAPIContainer() as container:
        with pytest.raises(CyclicDependencyError, match=r"Loopy -> .*Loopy"):
            await container.get(Service)

    def outer(value: str = Depends(dep_b)) -> str:
        return value

    def fine() -> str:
        return "fine"

    async with FastAPIContainer(
        dependency_overrides={dep_a: fine, Service: fine}
    ) as container:
        # The override does not remove the declared cycle FastAPI parses.
        with pytest.raises(CyclicDependencyError):
            await container.get(outer)


async def test_a_diamond_is_not_a_cycle() -> None:
    def leaf() -> int:
        return 1

    def left(x: int = Depends(leaf)) -> int:
        return x

    def right(x: int = Depends(leaf)) -> int:
        return x + 1

    def top(a: int = Depends(left), b: int = Depends(right)) -> int:
        return a + b

    async with FastAPIContainer() as container:
        assert await container.get(top) == 3
