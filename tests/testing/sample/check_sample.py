"""Tests using the plugin's fixtures: sync, pytest-asyncio and anyio."""

import pytest
import sample_app
from sample_app import Session, Settings, User


def test_stack_resolves_with_lifespan_state(fastapi_deps_stack):
    assert fastapi_deps_stack.resolve(Settings) == {"greeting": "hello"}
    assert fastapi_deps_stack.resolve(User) == "hello alice"


def test_resolve_per_test_cache(fastapi_resolve):
    session = fastapi_resolve(Session)
    assert fastapi_resolve(Session) is session  # one cache per test
    session.append("x")


def test_override_for_one_test(fastapi_override, fastapi_resolve, fastapi_app):
    fastapi_override(sample_app.get_user, lambda: "mallory")
    assert fastapi_resolve(User) == "mallory"
    assert sample_app.get_user in fastapi_app.dependency_overrides


def test_override_was_restored(fastapi_resolve, fastapi_app):
    assert fastapi_app.dependency_overrides == {}
    assert fastapi_resolve(User) == "hello alice"


@pytest.mark.asyncio
async def test_pytest_asyncio(fastapi_resolve, fastapi_override):
    fastapi_override(sample_app.get_settings, lambda: {"greeting": "hi"})
    assert fastapi_resolve(User) == "hi alice"


@pytest.mark.anyio
async def test_anyio(fastapi_resolve):
    assert fastapi_resolve(User) == "hello alice"


def test_override_rejects_values(fastapi_override):
    with pytest.raises(TypeError, match="must be a callable"):
        fastapi_override(sample_app.get_user, "mallory")
