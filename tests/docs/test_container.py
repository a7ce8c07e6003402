"""docs/container.md: the examples print what the page says."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fastapi_everywhere import AppState

from ._run import lines


@pytest.fixture(autouse=True)
def _clean_state() -> Iterator[None]:
    """The examples write to the process-wide app state and bind interfaces."""
    AppState.reset_standalone()
    yield
    AppState.reset_standalone()
    from docs_src.container.shop.notify import Notifier

    Notifier.register(None)


def test_basics() -> None:
    assert lines("docs_src.container.basics") == [
        "True",
        "monday: counted with engine(sqlite://)",
        "[{'dsn': 'sqlite://'}, 'engine(sqlite://)']",
        "[]",
        "['engine']",
    ]


def test_scopes() -> None:
    assert lines("docs_src.container.scopes") == [
        "session 1 on pool",
        "session 1 on pool",
        "session 2 on pool",
        "ScopeError: SCOPED needs a scope() block",
    ]


def test_param_source() -> None:
    assert lines("docs_src.container.param_source") == [
        "page 2 for ann",
        "('query', 'page')",
    ]


def test_background_tasks() -> None:
    assert lines("docs_src.container.background") == ["queued", "['email sent']"]


def test_registrable_dependency() -> None:
    assert lines("docs_src.container.registrable") == ["SystemClock", "2026-07-02"]


@pytest.mark.filterwarnings("ignore:Using `httpx` with")
def test_singletons_and_the_apps_container() -> None:
    assert lines("docs_src.container.singletons") == [
        "{'db': 'db(sqlite://)', 'pool': 'pool', 'container': 'FastAPIContainer'}",
        "['db', 'pool closed']",
    ]


def test_register_and_auto_bindings() -> None:
    assert lines("docs_src.container.bindings") == [
        "email: hi",
        "Notifier -> build_notifier",
        "sms: hi",
    ]
    # the files the page shows, beside the example
    import docs_src.container.shop.di
    import docs_src.container.shop.notify

    assert callable(docs_src.container.shop.di.register)
    assert docs_src.container.shop.notify.Notifier.impl is not None


def test_app_state() -> None:
    assert lines("docs_src.container.app_state") == [
        "{'db': 'the-db', 'limit': '10'}",
        "the-db",
        "test-db",
    ]


def test_loop_safe() -> None:
    assert lines("docs_src.container.loop_safe") == [
        "True False",
        "('MainThread', 'fastapi-everywhere-worker')",
    ]
