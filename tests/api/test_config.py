"""configure / get_app / reset_config and the context factory."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from typing import Any

import pytest
from fastapi import Depends, FastAPI

import fastapi_everywhere
from fastapi_everywhere import (
    FastAPIEverywhereError,
    NotConfiguredError,
    configure,
    get_app,
    reset_config,
    with_fastapi_depends,
)


def test_every_public_name_is_exported() -> None:
    for name in fastapi_everywhere.__all__:
        assert getattr(fastapi_everywhere, name) is not None


def test_get_app_without_configuration_raises_a_clear_error() -> None:
    with pytest.raises(NotConfiguredError) as info:
        get_app()
    assert "get_app" in str(info.value)
    assert "configure(app=" in str(info.value)
    assert isinstance(info.value, FastAPIEverywhereError)
    assert isinstance(info.value, LookupError)


def test_configure_sets_the_app_and_reset_config_forgets_it() -> None:
    app = FastAPI()
    configure(app=app)
    assert get_app() is app
    reset_config()
    with pytest.raises(NotConfiguredError):
        get_app()


def test_configure_rejects_non_fastapi_apps() -> None:
    with pytest.raises(TypeError, match="FastAPI"):
        configure(app=object())  # type: ignore[arg-type]


def test_configure_without_app_clears_the_app() -> None:
    configure(app=FastAPI())
    configure()
    with pytest.raises(NotConfiguredError):
        get_app()


def test_a_test_may_leave_an_app_configured() -> None:
    configure(app=FastAPI())
    assert get_app() is not None


def test_autouse_fixture_reset_the_app_left_by_the_previous_test() -> None:
    # Runs right after the test above (file order); tests/api/conftest.py
    # must have reset the configuration in between.
    with pytest.raises(NotConfiguredError):
        get_app()


class Recorder:
    def __init__(self) -> None:
        self.events: list[Any] = []

    @contextmanager
    def factory(self, context: Mapping[str, Any]) -> Iterator[None]:
        self.events.append(("enter", dict(context)))
        try:
            yield
        finally:
            self.events.append(("exit", dict(context)))


async def test_context_factory_is_entered_around_each_call() -> None:
    rec = Recorder()
    configure(app=FastAPI(), context_factory=rec.factory)

    def dep() -> str:
        rec.events.append("dep")
        return "d"

    @with_fastapi_depends(context={"job": "nightly"})
    async def job(n: int, d: str = Depends(dep)) -> int:
        rec.events.append(("target", n))
        return n

    assert await job(1) == 1
    assert await job(2) == 2
    ctx = {"job": "nightly"}
    assert rec.events == [
        ("enter", ctx),
        "dep",
        ("target", 1),
        ("exit", ctx),
        ("enter", ctx),
        "dep",
        ("target", 2),
        ("exit", ctx),
    ]


async def test_context_factory_exits_when_the_call_fails() -> None:
    rec = Recorder()
    configure(context_factory=rec.factory)

    @with_fastapi_depends(context={"k": 1})
    async def boom() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        await boom()
    assert rec.events == [("enter", {"k": 1}), ("exit", {"k": 1})]


async def test_context_factory_is_not_used_without_context() -> None:
    rec = Recorder()
    configure(context_factory=rec.factory)

    @with_fastapi_depends
    async def plain() -> str:
        return "ok"

    assert await plain() == "ok"
    assert rec.events == []


async def test_reset_config_forgets_the_context_factory() -> None:
    rec = Recorder()
    configure(context_factory=rec.factory)
    reset_config()

    @with_fastapi_depends(context={"k": 1})
    async def plain() -> str:
        return "ok"

    assert await plain() == "ok"
    assert rec.events == []


def test_missing_parameter_error_survives_pickle() -> None:
    import pickle

    from fastapi_everywhere import MissingParameterError

    errors = [{"type": "missing", "loc": ("header", "x"), "msg": "Field required"}]
    error = MissingParameterError(errors, function="job()", body=None)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is MissingParameterError
    assert (copy.errors(), copy.function, str(copy)) == (errors, "job()", str(error))


def test_is_configured_and_get_context_factory() -> None:
    from importlib.metadata import version

    import fastapi_everywhere as fe

    assert fe.is_configured() is False
    assert fe.get_context_factory() is None
    factory = lambda ctx: nullcontext()  # noqa: E731
    fe.configure(context_factory=factory)  # no app: still configured
    assert fe.is_configured() is True
    assert fe.get_context_factory() is factory
    fe.reset_config()
    assert fe.is_configured() is False
    assert fe.get_context_factory() is None
    assert fe.__version__ == version("fastapi-everywhere")
