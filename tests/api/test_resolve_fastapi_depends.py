"""resolve_fastapi_depends: the low-level async context manager."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fastapi import Depends, FastAPI, Header, Request

from fastapi_everywhere import configure, resolve_fastapi_depends


def get_db() -> str:
    return "db"


async def test_yields_the_resolved_keyword_arguments() -> None:
    async def target(x: int, db: str = Depends(get_db), token: str = Header("t")):
        raise AssertionError("never called")

    async with resolve_fastapi_depends(target) as kwargs:
        assert kwargs == {"db": "db", "token": "t"}


async def test_teardown_runs_at_block_exit() -> None:
    events: list[str] = []

    async def resource():
        events.append("setup")
        yield "r"
        events.append("teardown")

    def target(r: str = Depends(resource)) -> None: ...

    async with resolve_fastapi_depends(target) as kwargs:
        assert kwargs == {"r": "r"}
        assert events == ["setup"]
    assert events == ["setup", "teardown"]


async def test_an_exception_in_the_block_is_thrown_into_yield_deps() -> None:
    events: list[str] = []

    async def session():
        try:
            yield "s"
        except ValueError as e:
            events.append(f"rollback {e}")
            raise

    def sync_session():
        try:
            yield "t"
        except ValueError as e:
            events.append(f"sync rollback {e}")
            raise

    def target(s: str = Depends(session), t: str = Depends(sync_session)) -> None: ...

    with pytest.raises(ValueError, match="oops"):
        async with resolve_fastapi_depends(target):
            raise ValueError("oops")
    assert events == ["sync rollback oops", "rollback oops"]


async def test_dependency_overrides_provider() -> None:
    provider = SimpleNamespace(dependency_overrides={get_db: lambda: "provided"})

    def target(db: str = Depends(get_db)) -> None: ...

    async with resolve_fastapi_depends(
        target, dependency_overrides_provider=provider
    ) as kwargs:
        assert kwargs == {"db": "provided"}


async def test_the_provider_replaces_the_configured_apps_overrides(
    app: FastAPI,
) -> None:
    app.dependency_overrides[get_db] = lambda: "configured"

    def target(db: str = Depends(get_db)) -> None: ...

    async with resolve_fastapi_depends(target) as kwargs:
        assert kwargs == {"db": "configured"}
    provider = SimpleNamespace(dependency_overrides={})
    async with resolve_fastapi_depends(
        target, dependency_overrides_provider=provider
    ) as kwargs:
        assert kwargs == {"db": "db"}


async def test_a_fastapi_provider_is_also_request_app(app: FastAPI) -> None:
    other = FastAPI()
    other.dependency_overrides[get_db] = lambda: "other"

    def target(request: Request, db: str = Depends(get_db)) -> None: ...

    async with resolve_fastapi_depends(
        target, dependency_overrides_provider=other
    ) as kwargs:
        assert kwargs["db"] == "other"
        assert kwargs["request"].app is other


async def test_scope_reaches_the_request() -> None:
    configure(app=FastAPI())

    def target(user: str = Header(alias="x-user")) -> None: ...

    async with resolve_fastapi_depends(
        target, scope={"headers": [(b"x-user", b"zoe")]}
    ) as kwargs:
        assert kwargs == {"user": "zoe"}
