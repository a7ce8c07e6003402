"""Behaviours fastapi-standalone-di's users rely on, kept on our engine."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator

import pytest
from fastapi import Depends, Header, Query

from fastapi_everywhere import (
    AppState,
    FastAPIContainer,
    MissingParameterError,
    RegistrableDependency,
    ResolvedDependencies,
    get_app_state,
)


class Leaf(RegistrableDependency):
    @abstractmethod
    def value(self) -> str: ...


class RealLeaf(Leaf):
    def value(self) -> str:
        return "real"


class FakeLeaf(Leaf):
    def value(self) -> str:
        return "fake"


class Root:
    def __init__(self, leaf: Leaf = Depends(Leaf)) -> None:
        self.leaf = leaf


@pytest.fixture(autouse=True)
def _bound() -> Iterator[None]:
    Leaf.register(RealLeaf)
    yield
    Leaf.register(None)


async def test_an_override_keyed_by_the_bound_implementation_applies() -> None:
    async with FastAPIContainer(dependency_overrides={RealLeaf: FakeLeaf}) as c:
        assert (await c.get(Root)).leaf.value() == "fake"
        assert (await c.get(Leaf)).value() == "fake"


async def test_interfaces_are_keyed_by_their_implementation() -> None:
    async with FastAPIContainer() as c:
        deps = await c.resolve(Root)
        keys = set(deps.all_instances())
        assert RealLeaf in keys and Leaf not in keys
        leaf = deps.get(Leaf, transitive=True)
        assert leaf is deps.get(RealLeaf, transitive=True) is deps.get(Root).leaf
        with pytest.raises(KeyError, match="Pass transitive=True"):
            deps.get(Leaf)
        assert deps.optional(Leaf) is None
        assert await c.optional(Leaf) is leaf


def test_resolved_dependencies_from_one_mapping() -> None:
    deps = ResolvedDependencies({RealLeaf: "x"})
    assert deps.get(RealLeaf, transitive=True) == "x"
    assert dict(deps.all_instances()) == {RealLeaf: "x"}


async def test_headers_keyed_by_parameter_name_or_request_name() -> None:
    def token(x_token: str = Header(), x_other: str = Header()) -> tuple[str, str]:
        return x_token, x_other

    headers = {"x_token": "by-name", "x_other": "ignored", "x-other": "by-alias"}
    async with FastAPIContainer(headers=headers) as c:
        assert await c.get(token) == ("by-name", "by-alias")


async def test_parameter_errors_name_source_and_parameter() -> None:
    def page(number: int = Query()) -> int:
        return number

    async with FastAPIContainer() as c:
        with pytest.raises(MissingParameterError) as caught:
            await c.get(page)
    assert (caught.value.source, caught.value.name) == ("query", "number")


def test_the_standalone_store() -> None:
    first = AppState.standalone()
    assert AppState.standalone() is first
    assert get_app_state() is first  # called directly: the process-wide store
    first.set("k", 1)
    AppState.reset_standalone()
    fresh = AppState.standalone()
    assert fresh is not first and fresh.get("k") is None
    fresh.delete("k")  # absent: nothing to do
