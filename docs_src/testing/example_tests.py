import pytest

from docs_src.testing.app import Session, Settings, User, get_settings, get_user


def test_settings(fastapi_deps_stack):
    # The session's started stack: the lifespan's state is request.state.
    assert fastapi_deps_stack.resolve(Settings) == {"greeting": "hello"}


def test_one_cache_per_test(fastapi_resolve):
    session = fastapi_resolve(Session)
    assert fastapi_resolve(Session) is session  # torn down after this test


def test_as_mallory(fastapi_override, fastapi_resolve):
    fastapi_override(get_user, lambda: "mallory")
    assert fastapi_resolve(User) == "mallory"


def test_override_is_gone(fastapi_app, fastapi_resolve):
    assert fastapi_app.dependency_overrides == {}
    assert fastapi_resolve(User) == "hello alice"


@pytest.mark.asyncio  # or @pytest.mark.anyio: the fixtures are sync in both
async def test_async(fastapi_override, fastapi_resolve):
    fastapi_override(get_settings, lambda: {"greeting": "hi"})
    assert fastapi_resolve(User) == "hi alice"
