"""RegistrableDependency: depend on an interface, get its implementation."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from fastapi_everywhere import (
    FastAPIContainer,
    FastAPIEverywhereError,
    NotRegisteredError,
    RegistrableDependency,
    with_fastapi_depends,
)
from fastapi_everywhere.sync import FastAPIContainer as SyncContainer


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
    assert LocalCache.dependency() is LocalCache  # concrete, unbound: itself

    @with_fastapi_depends
    async def names(
        cache: Cache = Depends(Cache), local: LocalCache = Depends(LocalCache)
    ) -> tuple[str, str]:
        return cache.name(), local.name()

    assert await names() == ("redis", "local cache interface")


def test_register_rejects_what_cannot_be_called() -> None:
    with pytest.raises(
        TypeError, match=r"Repository\.register: expected a class or a factory"
    ):
        Repository.register(42)
    with pytest.raises(NotRegisteredError):
        Repository.dependency()


async def test_register_accepts_a_factory_function() -> None:
    # fastapi-standalone-di binds @provides factories and singletons this way.
    def build() -> Repository:
        return SqlRepository()

    Repository.register(build)
    assert Repository.impl is build

    @with_fastapi_depends
    async def run(repo: Repository = Depends(Repository)) -> Repository:
        return repo

    assert isinstance(await run(), SqlRepository)


def test_register_rejects_a_class_that_is_not_a_subclass() -> None:
    with pytest.raises(
        TypeError,
        match=r"Repository\.register: .*FakeRepository is not a subclass of Repository",
    ):
        Repository.register(FakeRepository)  # type: ignore[arg-type]
    assert not issubclass(FakeRepository, Repository)  # nothing was bound
    with pytest.raises(NotRegisteredError):
        Repository.dependency()


def test_interface_dependency_inside_a_real_fastapi_route() -> None:
    Repository.register(SqlRepository)
    app = FastAPI()

    @app.get("/find/{key}")
    async def find(key: str, repo=Depends(Repository.dependency())) -> dict:
        return {"found": repo.find(key)}

    with TestClient(app) as client:
        assert client.get("/find/a").json() == {"found": "a@sqlite://"}


class IClock(ABC, RegistrableDependency):
    @abstractmethod
    def now(self) -> str: ...


class IClockAfter(RegistrableDependency, ABC):
    @abstractmethod
    def now(self) -> str: ...


class SystemClock(IClock):
    def now(self) -> str:
        return "2026-07-02"


class OtherClock(IClock):
    def now(self) -> str:
        return "1999-12-31"


class SystemClockAfter(IClockAfter):
    def now(self) -> str:
        return "after"


@pytest.fixture
def _unbind_clocks() -> Iterator[None]:
    yield
    IClock.register(None)
    IClockAfter.register(None)


@pytest.mark.usefixtures("_unbind_clocks")
async def test_the_documented_abc_interface_example() -> None:
    # The container vocabulary's documented example, as written.
    IClock.register(SystemClock)
    async with FastAPIContainer() as c:
        clock = await c.get(IClock)
        assert isinstance(clock, SystemClock)
        assert clock.now() == "2026-07-02"


@pytest.mark.usefixtures("_unbind_clocks")
async def test_abc_in_either_order_keeps_abstract_methods() -> None:
    assert IClock.__mro__.index(ABC) < IClock.__mro__.index(RegistrableDependency)
    assert IClockAfter.__mro__.index(RegistrableDependency) < IClockAfter.__mro__.index(
        ABC
    )
    for interface in (IClock, IClockAfter, Repository):
        with pytest.raises(TypeError, match="abstract"):
            interface()  # type: ignore[abstract]
    IClockAfter.register(SystemClockAfter)
    async with FastAPIContainer() as c:
        assert (await c.get(IClockAfter)).now() == "after"


@pytest.mark.usefixtures("_unbind_clocks")
async def test_registering_twice_and_replacing_a_binding() -> None:
    assert IClock.register(SystemClock) is SystemClock
    assert IClock.register(SystemClock) is SystemClock  # the same: no change

    @with_fastapi_depends
    async def now(clock: IClock = Depends(IClock)) -> str:
        return clock.now()

    assert await now() == "2026-07-02"
    # Another class replaces the binding, from the next call on (compiled
    # plans are not kept across a new binding).
    IClock.register(OtherClock)
    assert IClock.dependency() is OtherClock
    assert await now() == "1999-12-31"
    async with FastAPIContainer() as c:
        assert isinstance(await c.get(IClock), OtherClock)
    with SyncContainer() as sc:
        assert isinstance(sc.get(IClock), OtherClock)
    IClock.register(None)
    with pytest.raises(NotRegisteredError):
        await now()


async def test_an_unregistered_abstract_interface_is_a_clear_error() -> None:
    @with_fastapi_depends
    async def now(clock: IClock = Depends(IClock)) -> str:
        return clock.now()

    with pytest.raises(
        NotRegisteredError, match=r"No implementation registered for IClock"
    ) as e:
        await now()
    assert "IClock.register(Impl)" in str(e.value)
    # A LookupError like dependency()'s, a RuntimeError like the predecessor's.
    assert isinstance(e.value, (LookupError))
    assert isinstance(e.value, RuntimeError)
    assert isinstance(e.value, FastAPIEverywhereError)
    async with FastAPIContainer() as c:
        with pytest.raises(NotRegisteredError):
            await c.get(IClock)
    with pytest.raises(NotRegisteredError):
        IClock.dependency()


async def test_an_unregistered_concrete_interface_resolves_itself() -> None:
    class Plain(RegistrableDependency):
        def name(self) -> str:
            return "plain"

    assert Plain.dependency() is Plain
    async with FastAPIContainer() as c:
        assert type(await c.get(Plain)) is Plain
