"""RegistrableDependency: depend on an interface, get its implementation."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI, Header
from fastapi.testclient import TestClient

from fastapi_everywhere import (
    FastAPIContainer,
    RegistrableDependency,
    with_fastapi_depends,
)


def get_dsn() -> str:
    return "sqlite://"


class Repository(RegistrableDependency):
    @abstractmethod
    def find(self, key: str) -> str: ...


class SqlRepository(Repository):
    def __init__(self, dsn: str = Depends(get_dsn)) -> None:
        self.dsn = dsn

    def find(self, key: str) -> str:
        return f"{key}@{self.dsn}"


class FakeRepository:
    def find(self, key: str) -> str:
        return f"fake {key}"


@pytest.fixture(autouse=True)
def _unbind() -> Iterator[None]:
    yield
    Repository.register(None)


async def test_depending_on_the_interface_resolves_the_implementation() -> None:
    Repository.register(SqlRepository)

    @with_fastapi_depends
    async def lookup(
        key: str, repo: Annotated[Repository, Depends()]
    ) -> tuple[type, str]:
        return type(repo), repo.find(key)

    assert await lookup("k") == (SqlRepository, "k@sqlite://")
    async with FastAPIContainer() as container:
        repo = await container.get(Repository)
        assert isinstance(repo, SqlRepository)
        assert repo.dsn == "sqlite://"  # the implementation's own Depends


async def test_the_implementation_needs_not_subclass_the_interface() -> None:
    class Standalone:
        def __init__(self, token: str = Header("anon")) -> None:
            self.token = token

        def find(self, key: str) -> str:
            return key

    Repository.register(Standalone)
    assert issubclass(Standalone, Repository)  # an ABC virtual subclass

    @with_fastapi_depends
    async def who(repo: Repository = Depends(Repository)) -> str:
        return repo.token  # type: ignore[attr-defined]

    assert await who() == "anon"
    assert await who(_scope={"headers": [(b"token", b"t0")]}) == "t0"


async def test_an_override_keyed_by_the_interface_wins() -> None:
    Repository.register(SqlRepository)
    app = FastAPI()
    app.dependency_overrides[Repository] = FakeRepository

    @with_fastapi_depends(app=app)
    async def lookup(repo: Repository = Depends(Repository)) -> str:
        return repo.find("k")

    assert await lookup() == "fake k"
    async with FastAPIContainer(
        dependency_overrides={Repository: FakeRepository}
    ) as container:
        assert isinstance(await container.get(Repository), FakeRepository)


def test_dependency_without_registration_is_lookup_error() -> None:
    with pytest.raises(LookupError, match="Repository"):
        Repository.dependency()
    Repository.register(SqlRepository)
    assert Repository.dependency() is SqlRepository
    Repository.register(None)
    with pytest.raises(LookupError):
        Repository.dependency()


async def test_a_sub_interface_does_not_inherit_the_binding() -> None:
    class Cache(RegistrableDependency):
        def name(self) -> str:
            return "cache interface"

    class RedisCache(Cache):
        def name(self) -> str:
            return "redis"

    class LocalCache(Cache):
        def name(self) -> str:
            return "local cache interface"

    Cache.register(RedisCache)
    with pytest.raises(LookupError):
        LocalCache.dependency()

    @with_fastapi_depends
    async def names(
        cache: Cache = Depends(Cache), local: LocalCache = Depends(LocalCache)
    ) -> tuple[str, str]:
        return cache.name(), local.name()

    assert await names() == ("redis", "local cache interface")


def test_register_rejects_non_classes() -> None:
    with pytest.raises(TypeError, match="expected a class"):
        Repository.register(lambda: None)  # type: ignore[arg-type]


def test_interface_dependency_inside_a_real_fastapi_route() -> None:
    Repository.register(SqlRepository)
    app = FastAPI()

    @app.get("/find/{key}")
    async def find(key: str, repo=Depends(Repository.dependency())) -> dict:
        return {"found": repo.find(key)}

    with TestClient(app) as client:
        assert client.get("/find/a").json() == {"found": "a@sqlite://"}
