"""FastAPIContainer, ContainerScope, ResolvedDependencies, DependencyScope, ParamSource."""

from __future__ import annotations

import asyncio
import inspect
from typing import Annotated, Any

import fastapi
import pytest
from fastapi import Cookie, Depends, FastAPI, Header, Path, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.security import SecurityScopes
from hypothesis import given, settings
from hypothesis import strategies as st

from fastapi_everywhere import (
    ContainerScope,
    DependencyScope,
    FastAPIContainer,
    MissingParameterError,
    ParamSource,
    ResolvedDependencies,
    ScopeError,
)

HAS_DEPENDS_SCOPE = "scope" in inspect.signature(fastapi.Depends).parameters


class Counter:
    """Builds numbered instances and records setup/teardown."""

    def __init__(self) -> None:
        self.built = 0
        self.events: list[str] = []

    def plain(self) -> int:
        self.built += 1
        return self.built

    async def resource(self):
        self.built += 1
        n = self.built
        self.events.append(f"setup {n}")
        try:
            yield n
        finally:  # also when a scope() block's exception is thrown in
            self.events.append(f"teardown {n}")


# -- caching --------------------------------------------------------------


async def test_get_caches_container_dependencies() -> None:
    c = Counter()
    async with FastAPIContainer() as container:
        assert await container.get(c.plain) == 1
        assert await container.get(c.plain) == 1
        assert await container.get(Depends(c.plain)) == 1
        assert await container.get(Annotated[int, Depends(c.plain)]) == 1
    assert c.built == 1


async def test_use_cache_false_is_rebuilt() -> None:
    c = Counter()

    def both(
        a: int = Depends(c.plain, use_cache=False),
        b: int = Depends(c.plain, use_cache=False),
    ) -> tuple[int, int]:
        return a, b

    async with FastAPIContainer() as container:
        assert await container.get(Depends(c.plain, use_cache=False)) == 1
        assert await container.get(Depends(c.plain, use_cache=False)) == 2
        assert await container.get(both) == (3, 4)


async def test_sub_dependencies_are_shared_from_the_cache() -> None:
    c = Counter()

    def a(n: int = Depends(c.plain)) -> str:
        return f"a{n}"

    def b(n: int = Depends(c.plain)) -> str:
        return f"b{n}"

    async with FastAPIContainer() as container:
        assert await container.get(a) == "a1"
        assert await container.get(b) == "b1"
    assert c.built == 1


async def test_clear_cache_rebuilds_but_still_tears_down_at_aclose() -> None:
    c = Counter()
    container = FastAPIContainer()
    assert await container.get(c.resource) == 1
    container.clear_cache()
    assert await container.get(c.resource) == 2
    assert c.events == ["setup 1", "setup 2"]
    await container.aclose()
    assert c.events == ["setup 1", "setup 2", "teardown 2", "teardown 1"]


async def test_aclose_is_idempotent_and_tears_down_in_reverse_order() -> None:
    events: list[str] = []

    def make(name: str):
        async def dep():
            events.append(f"setup {name}")
            yield name
            events.append(f"teardown {name}")

        dep.__qualname__ = name
        return dep

    a, b, c = make("a"), make("b"), make("c")

    def uses_a(x: str = Depends(a)) -> str:
        return x

    container = FastAPIContainer()
    await container.get(b)
    await container.get(uses_a)
    await container.get(c)
    await container.aclose()
    await container.aclose()
    assert events == [
        "setup b",
        "setup a",
        "setup c",
        "teardown c",
        "teardown a",
        "teardown b",
    ]
    with pytest.raises(ScopeError, match="closed"):
        await container.get(a)


async def test_concurrent_gets_build_a_shared_yield_dependency_once() -> None:
    events: list[str] = []

    async def pool():
        events.append("setup")
        await asyncio.sleep(0.01)
        yield object()
        events.append("teardown")

    def user(p: object = Depends(pool)) -> object:
        return p

    container = FastAPIContainer()
    results = await asyncio.gather(
        *(container.get(pool if i % 2 else user) for i in range(20))
    )
    assert len({id(r) for r in results}) == 1
    assert events == ["setup"]
    await container.aclose()
    assert events == ["setup", "teardown"]


async def test_repr() -> None:
    container = FastAPIContainer()
    assert repr(container) == "<FastAPIContainer open, 0 cached>"
    await container.get(lambda: 1)
    assert repr(container) == "<FastAPIContainer open, 1 cached>"
    async with container.scope() as scope:
        assert "ContainerScope" in repr(scope)
    await container.aclose()
    assert repr(container) == "<FastAPIContainer closed, 0 cached>"


# -- scopes ---------------------------------------------------------------


async def test_scoped_dependencies_live_per_scope() -> None:
    c = Counter()
    container = FastAPIContainer(scopes={c.resource: DependencyScope.SCOPED})
    async with container.scope() as scope:
        assert isinstance(scope, ContainerScope)
        assert await scope.get(c.resource) == 1
        assert await scope.get(c.resource) == 1
        assert c.events == ["setup 1"]
    assert c.events == ["setup 1", "teardown 1"]
    async with container.scope() as scope:
        assert await scope.get(c.resource) == 2
    assert c.events == ["setup 1", "teardown 1", "setup 2", "teardown 2"]
    await container.aclose()
    assert c.built == 2


async def test_scoped_teardown_runs_when_the_scope_block_raises() -> None:
    c = Counter()
    container = FastAPIContainer(scopes={c.resource: DependencyScope.SCOPED})
    with pytest.raises(ValueError):
        async with container.scope() as scope:
            await scope.get(c.resource)
            raise ValueError
    assert c.events == ["setup 1", "teardown 1"]
    await container.aclose()


async def test_scopes_share_container_dependencies() -> None:
    c = Counter()
    sessions: list[int] = []

    def session(engine: int = Depends(c.resource)) -> tuple[int, int]:
        sessions.append(1)
        return engine, len(sessions)

    container = FastAPIContainer(scopes={session: DependencyScope.SCOPED})
    async with container.scope() as s1:
        assert await s1.get(session) == (1, 1)
    async with container.scope() as s2:
        assert await s2.get(session) == (1, 2)
    assert c.events == ["setup 1"]  # the engine outlives the scopes
    await container.aclose()
    assert c.events == ["setup 1", "teardown 1"]


async def test_scoped_dependency_outside_a_scope_is_scope_error() -> None:
    def session() -> str:
        return "s"

    def user(s: str = Depends(session)) -> str:
        return s

    container = FastAPIContainer(scopes={session: DependencyScope.SCOPED})
    with pytest.raises(ScopeError, match="session"):
        await container.get(session)
    with pytest.raises(ScopeError):  # also as a sub-dependency
        await container.get(user)
    await container.aclose()


async def test_container_dependency_on_a_scoped_one_is_scope_error() -> None:
    def session() -> str:
        return "s"

    def repository(s: str = Depends(session)) -> str:
        return s

    container = FastAPIContainer(scopes={session: DependencyScope.SCOPED})
    async with container.scope() as scope:
        with pytest.raises(ScopeError, match="repository"):
            await scope.get(repository)
    await container.aclose()


async def test_default_scope_as_dependency_scope() -> None:
    c = Counter()
    container = FastAPIContainer(
        default_scope=DependencyScope.SCOPED,
        scopes={c.plain: DependencyScope.CONTAINER},
    )
    with pytest.raises(ScopeError):
        await container.get(c.resource)
    assert await container.get(c.plain) == 1
    async with container.scope() as scope:
        assert await scope.get(c.resource) == 2
        assert await scope.get(c.plain) == 1
    assert c.events == ["setup 2", "teardown 2"]
    await container.aclose()


@pytest.mark.skipif(not HAS_DEPENDS_SCOPE, reason="FastAPI without Depends(scope=)")
async def test_default_scope_as_mapping_of_fastapi_literals() -> None:
    c = Counter()
    built: list[str] = []

    def per_request() -> str:
        built.append("request")
        return "r"

    def undeclared() -> str:
        built.append("none")
        return "n"

    container = FastAPIContainer(
        default_scope={
            "function": DependencyScope.SCOPED,
            "request": DependencyScope.CONTAINER,
            None: DependencyScope.CONTAINER,
        }
    )
    fn_scoped = Depends(c.resource, scope="function")
    with pytest.raises(ScopeError):
        await container.get(fn_scoped)
    assert await container.get(Depends(per_request, scope="request")) == "r"
    assert await container.get(undeclared) == "n"
    async with container.scope() as scope:
        assert await scope.get(fn_scoped) == 1
        assert await scope.get(fn_scoped) == 1
        assert await scope.get(Depends(per_request, scope="request")) == "r"
    async with container.scope() as scope:
        assert await scope.get(fn_scoped) == 2
    assert c.events == ["setup 1", "teardown 1", "setup 2", "teardown 2"]
    assert built == ["request", "none"]
    await container.aclose()


def test_default_scope_rejects_bad_values() -> None:
    with pytest.raises(TypeError):
        FastAPIContainer(default_scope="scoped")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="literals"):
        FastAPIContainer(default_scope={"session": DependencyScope.SCOPED})
    with pytest.raises(TypeError, match="DependencyScope"):
        FastAPIContainer(scopes={len: "scoped"})  # type: ignore[dict-item]


# -- overrides ------------------------------------------------------------


def real_a() -> str:
    return "real a"


def real_b() -> str:
    return "real b"


async def test_dependency_overrides_are_merged_over_app_overrides() -> None:
    app = FastAPI()
    app.dependency_overrides[real_a] = lambda: "app a"
    app.dependency_overrides[real_b] = lambda: "app b"
    async with FastAPIContainer(
        app=app, dependency_overrides={real_b: lambda: "container b"}
    ) as container:
        resolved = await container.resolve(real_a, real_b)
        assert resolved.get(real_a) == "app a"
        assert resolved.get(real_b) == "container b"


async def test_configured_app_supplies_overrides_and_request_app(app: FastAPI) -> None:
    app.dependency_overrides[real_a] = lambda: "configured"

    def who(request: Request) -> Any:
        return request.app

    async with FastAPIContainer() as container:
        assert container.app is app
        assert await container.get(real_a) == "configured"
        assert await container.get(who) is app


# -- parameter sources ----------------------------------------------------


def all_sources(
    q: int = Query(),
    x_token: str = Header(),
    session: str = Cookie(),
    item_id: int = Path(),
) -> dict[str, Any]:
    return {"q": q, "x_token": x_token, "session": session, "item_id": item_id}


async def test_param_source_values_for_every_source() -> None:
    async with FastAPIContainer(
        query=ParamSource({"q": "3"}),
        headers=ParamSource({"X-Token": "tok"}),
        cookies=ParamSource({"session": "abc"}),
        path=ParamSource({"item_id": "42"}),
    ) as container:
        assert await container.get(all_sources) == {
            "q": 3,
            "x_token": "tok",
            "session": "abc",
            "item_id": 42,
        }


async def test_plain_dicts_are_accepted_as_sources() -> None:
    async with FastAPIContainer(
        query={"q": "4", "tags": ["a", "b"]},
        headers={"x-token": "t"},
        cookies={"session": "s"},
        path={"item_id": 7},
    ) as container:
        assert await container.get(all_sources) == {
            "q": 4,
            "x_token": "t",
            "session": "s",
            "item_id": 7,
        }

        def tags(tags: list[str] = Query()) -> list[str]:
            return tags

        assert await container.get(tags) == ["a", "b"]


async def test_param_source_default_fills_only_required_parameters() -> None:
    def dep(
        required_q: str = Query(),
        optional_q: str = Query("own default"),
        x_required: str = Header(),
        x_optional: str | None = Header(None),
        c_required: str = Cookie(),
        p_required: str = Path(),
    ) -> tuple[Any, ...]:
        return required_q, optional_q, x_required, x_optional, c_required, p_required

    async with FastAPIContainer(
        query=ParamSource(default="dq"),
        headers=ParamSource({"x-optional": "given"}, default="dh"),
        cookies=ParamSource(default="dc"),
        path=ParamSource(default="dp"),
    ) as container:
        assert await container.get(dep) == (
            "dq",
            "own default",
            "dh",
            "given",
            "dc",
            "dp",
        )


async def test_missing_source_values_are_missing_parameter_error() -> None:
    async with FastAPIContainer(query={"q": "1"}) as container:
        with pytest.raises(MissingParameterError) as info:
            await container.get(all_sources)
    locs = {e["loc"] for e in info.value.errors()}
    assert locs == {("header", "x-token"), ("cookie", "session"), ("path", "item_id")}
    assert "x-token" in str(info.value)
    assert "all_sources" in str(info.value)  # names what was asked for


async def test_missing_parameter_of_invoke_names_the_function() -> None:
    def needs_token(x_token: str = Header()) -> str:
        return x_token

    async def handler(token: str = Depends(needs_token)) -> str:
        return token

    async with FastAPIContainer() as container:
        with pytest.raises(MissingParameterError) as info:
            await container.invoke(handler)
    assert "handler" in str(info.value)
    assert "x-token" in str(info.value)


async def test_bad_source_values_are_request_validation_error() -> None:
    def dep(q: int = Query()) -> int:
        return q

    async with FastAPIContainer(query={"q": "not-a-number"}) as container:
        with pytest.raises(RequestValidationError) as info:
            await container.get(dep)
    assert not isinstance(info.value, MissingParameterError)
    assert info.value.errors()[0]["loc"] == ("query", "q")


def test_sources_reject_other_types() -> None:
    with pytest.raises(TypeError, match="headers="):
        FastAPIContainer(headers=[("a", "b")])  # type: ignore[arg-type]


def test_param_source_value_semantics() -> None:
    assert ParamSource({"a": "1"}, default="d") == ParamSource({"a": "1"}, "d")
    assert ParamSource({"a": "1"}) != ParamSource({"a": "2"})
    assert "default='d'" in repr(ParamSource(default="d"))


async def test_security_scopes_reach_security_scopes() -> None:
    def scopes_of(security_scopes: SecurityScopes) -> list[str]:
        return security_scopes.scopes

    def nested(inner: list[str] = Security(scopes_of, scopes=["items:write"])):
        return inner

    async with FastAPIContainer(security_scopes=["items:read"]) as container:
        assert await container.get(scopes_of) == ["items:read"]
        assert await container.get(nested) == ["items:read", "items:write"]
    async with FastAPIContainer() as container:
        assert await container.get(scopes_of) == []


# -- invoke, invoke_resolved, resolve -------------------------------------


async def test_invoke_passes_caller_arguments_and_allows_scoped_deps() -> None:
    c = Counter()

    def engine() -> str:
        return "engine"

    async def handler(
        a: int, *, b: int, session: int = Depends(c.resource), e: str = Depends(engine)
    ) -> tuple[int, int, int, str]:
        assert c.events == ["setup 1"]
        return a, b, session, e

    def sync_handler(x: int, session: int = Depends(c.resource)) -> tuple[int, int]:
        return x, session

    container = FastAPIContainer(scopes={c.resource: DependencyScope.SCOPED})
    assert await container.invoke(handler, 1, b=2) == (1, 2, 1, "engine")
    assert c.events == ["setup 1", "teardown 1"]  # implicit scope closed
    assert await container.invoke(sync_handler, 9) == (9, 2)
    assert await container.invoke(sync_handler, 9, session=100) == (9, 100)
    assert c.built == 2
    async with container.scope() as scope:
        assert await scope.invoke(sync_handler, 1) == (1, 3)
        assert await scope.invoke(sync_handler, 2) == (2, 3)
    await container.aclose()


async def test_invoke_result_is_never_cached() -> None:
    calls: list[int] = []

    async def job() -> int:
        calls.append(1)
        return len(calls)

    async with FastAPIContainer() as container:
        assert await container.invoke(job) == 1
        assert await container.invoke(job) == 2


async def test_invoke_resolved_returns_every_instance() -> None:
    def settings() -> str:
        return "settings"

    def db(s: str = Depends(settings)) -> str:
        return f"db({s})"

    def handler(d: str = Depends(db)) -> str:
        return f"handled {d}"

    async with FastAPIContainer() as container:
        bag = await container.invoke_resolved(handler)
    assert isinstance(bag, ResolvedDependencies)
    assert bag.get(handler) == "handled db(settings)"
    assert bag.get(db, transitive=True) == "db(settings)"
    assert bag.get(settings, transitive=True) == "settings"
    with pytest.raises(KeyError, match="transitive"):
        bag.get(db)
    instances = bag.all_instances()
    assert list(instances) == [settings, db, handler]  # sub-dependencies first
    with pytest.raises(TypeError):
        instances[settings] = "changed"  # type: ignore[index]
    assert list(bag) == ["handled db(settings)"]
    assert len(bag) == 1
    assert "handler" in repr(bag)


async def test_resolve_several_dependencies() -> None:
    def settings() -> str:
        return "settings"

    def db(s: str = Depends(settings)) -> str:
        return "db"

    def cache() -> str:
        return "cache"

    def unrelated() -> str:
        return "unrelated"

    async with FastAPIContainer() as container:
        resolved = await container.resolve(db, Annotated[str, Depends(cache)])
        assert resolved.get(db) == "db"
        assert resolved.get(cache) == "cache"
        assert resolved.get(Depends(cache)) == "cache"
        assert resolved.optional(unrelated) is None
        assert resolved.optional(settings) is None
        assert resolved.optional(settings, transitive=True) == "settings"
        with pytest.raises(KeyError, match="transitive"):
            resolved.get(settings)
        with pytest.raises(KeyError):
            resolved.get(unrelated, transitive=True)
        assert list(resolved) == ["db", "cache"]
        empty = await container.resolve()  # as fastapi-standalone-di: nothing
        assert list(empty) == [] and dict(empty.all_instances()) == {}


async def test_scope_has_the_container_methods() -> None:
    def dep() -> str:
        return "d"

    async def fn(d: str = Depends(dep)) -> str:
        return d * 2

    async with FastAPIContainer() as container, container.scope() as scope:
        assert (await scope.resolve(dep)).get(dep) == "d"
        assert await scope.invoke(fn) == "dd"
        assert (await scope.invoke_resolved(fn)).get(dep, transitive=True) == "d"


# -- regressions ----------------------------------------------------------


async def test_invoke_accepts_injectable_parameters_passed_positionally() -> None:
    calls: list[str] = []

    def session() -> str:
        calls.append("session")
        return "resolved"

    def handler(x: int, s: str = Depends(session)) -> tuple[int, str]:
        return x, s

    async with FastAPIContainer() as container:
        assert await container.invoke(handler, 1, "mine") == (1, "mine")
        assert calls == []
        bag = await container.invoke_resolved(handler, 2, "given")
        assert bag.get(handler) == (2, "given")
        assert bag.optional(session, transitive=True) is None
        assert await container.invoke(handler, 3) == (3, "resolved")


async def test_a_closed_scope_refuses_to_resolve() -> None:
    c = Counter()
    container = FastAPIContainer(scopes={c.resource: DependencyScope.SCOPED})
    async with container.scope() as scope:
        await scope.get(c.resource)
    assert c.events == ["setup 1", "teardown 1"]
    with pytest.raises(ScopeError, match="closed"):
        await scope.get(c.resource)  # would never be torn down
    with pytest.raises(ScopeError, match="closed"):
        await scope.invoke(lambda r=Depends(c.resource): r)
    assert c.events == ["setup 1", "teardown 1"]
    await container.aclose()
    with pytest.raises(ScopeError, match="closed"):
        async with container.scope():
            pass


async def test_container_task_group_built_inside_a_scope_outlives_it() -> None:
    """A CONTAINER dependency holding an anyio cancel scope, first built
    inside a scope next to a SCOPED yield dependency: closing the scope must
    not exit cancel scopes out of order."""
    import anyio

    events: list[str] = []

    async def session():
        yield "s"
        events.append("session closed")

    async def workers():
        async with anyio.create_task_group() as tg:
            tg.start_soon(anyio.sleep_forever)
            yield tg
            tg.cancel_scope.cancel()
        events.append("workers closed")

    def service(s: str = Depends(session), w: object = Depends(workers)) -> str:
        return s

    container = FastAPIContainer(
        scopes={session: DependencyScope.SCOPED, service: DependencyScope.SCOPED}
    )
    async with container.scope() as scope:
        assert await scope.get(service) == "s"
    assert events == ["session closed"]
    async with container.scope() as scope:
        assert await scope.get(service) == "s"
    assert events == ["session closed", "session closed"]
    await container.aclose()
    assert events == ["session closed", "session closed", "workers closed"]


# -- property: values survive the trip through the ASGI scope --------------

_header_text = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1
)


@settings(max_examples=40, deadline=None)
@given(
    ids=st.lists(st.integers(-(10**12), 10**12), max_size=5),
    token=_header_text,
    page=st.integers(0, 10**6),
)
def test_param_sources_round_trip(ids: list[int], token: str, page: int) -> None:
    def dep(
        ids: list[int] = Query([]),
        x_token: str = Header(),
        page: int = Cookie(),
    ) -> tuple[list[int], str, int]:
        return ids, x_token, page

    async def run() -> Any:
        async with FastAPIContainer(
            query={"ids": [str(i) for i in ids]},
            headers={"x-token": token},
            cookies={"page": str(page)},
        ) as container:
            return await container.get(dep)

    assert asyncio.run(run()) == (ids, token, page)
