"""The pytest plugin (entry point ``pytest11``: ``fastapi_everywhere``).

* ``fastapi_app`` (session): the app named by the ini option
  ``fastapi_everywhere_app``; override the fixture to build it yourself.
* ``fastapi_deps_stack`` (session): a started
  :class:`fastapi_everywhere.sync.FastApiDepsStack`: the app's lifespan runs
  once for the session and what it resolves lives until the session ends
  (a connection pool, a settings object).
* ``fastapi_resolve`` (function): ``fastapi_resolve(Dep)`` resolves in a
  cache of the test's own, torn down after the test, so overrides made in
  the test apply.
* ``fastapi_override`` (function): ``fastapi_override(dep, replacement)`` sets
  ``app.dependency_overrides`` for this test; the previous overrides are
  restored after it.

All of them are sync and work in ``async def`` tests too (pytest-asyncio,
anyio): they wait on the library's own loop thread, not on the test's loop.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, overload

import pytest
from fastapi import FastAPI

from ..sync import FastApiDepsStack

__all__ = ["Overrides", "load_app"]

T = TypeVar("T")

INI_OPTION = "fastapi_everywhere_app"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        INI_OPTION,
        help="the FastAPI app the fastapi_* fixtures use, as 'package.module:app'",
        default=None,
    )


def load_app(path: str) -> FastAPI:
    """Import ``"package.module:attribute"`` and check it is a FastAPI app."""
    module_name, sep, attribute = path.partition(":")
    if not sep or not module_name or not attribute:
        raise ValueError(
            f"{INI_OPTION} = {path!r}: expected 'package.module:attribute'"
        )
    module = importlib.import_module(module_name)
    try:
        app = getattr(module, attribute)
    except AttributeError:
        raise ValueError(
            f"{INI_OPTION} = {path!r}: module {module_name!r} has no {attribute!r}"
        ) from None
    if not isinstance(app, FastAPI):
        raise TypeError(f"{INI_OPTION} = {path!r} is {app!r}, not a FastAPI app")
    return app


@pytest.fixture(scope="session")
def fastapi_app(pytestconfig: pytest.Config) -> FastAPI:
    """The FastAPI app named by the ``fastapi_everywhere_app`` ini option."""
    path = pytestconfig.getini(INI_OPTION)
    if not path:
        pytest.fail(
            f"fastapi_everywhere: set `{INI_OPTION} = package.module:app` in the "
            "pytest configuration, or override the `fastapi_app` fixture",
            pytrace=False,
        )
    return load_app(str(path))


@pytest.fixture(scope="session")
def fastapi_deps_stack(fastapi_app: FastAPI) -> Iterator[FastApiDepsStack]:
    """A started sync ``FastApiDepsStack``: the lifespan runs once per session."""
    with FastApiDepsStack(fastapi_app) as stack:
        yield stack


class _Resolver:
    """``fastapi_resolve``: a per-test stack, started on first use."""

    def __init__(self, app: FastAPI) -> None:
        self._app = app
        self._stack: FastApiDepsStack | None = None

    @overload
    def __call__(self, dependency: type[T]) -> T: ...
    @overload
    def __call__(self, dependency: Any) -> Any: ...

    def __call__(self, dependency: Any) -> Any:
        if self._stack is None:
            self._stack = FastApiDepsStack(self._app).start()
        return self._stack.resolve(dependency)

    def close(self) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            stack.close()


@pytest.fixture
def fastapi_resolve(
    fastapi_app: FastAPI, fastapi_deps_stack: FastApiDepsStack
) -> Iterator[Callable[[Any], Any]]:
    """``fastapi_resolve(Dep)``: resolve in this test's cache (torn down after it)."""
    resolver = _Resolver(fastapi_app)
    try:
        yield resolver
    finally:
        resolver.close()


class Overrides:
    """``fastapi_override``: set overrides for one test, restore them after."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self._saved = dict(app.dependency_overrides)

    def __call__(
        self, dependency: Callable[..., Any], replacement: Callable[..., Any]
    ) -> None:
        """Make ``dependency`` resolve to ``replacement(...)`` for this test."""
        if not callable(replacement):
            raise TypeError(
                f"fastapi_override({dependency!r}, {replacement!r}): the "
                "replacement must be a callable (use `lambda: value`)"
            )
        self.app.dependency_overrides[dependency] = replacement

    def restore(self) -> None:
        """Put back exactly the overrides the app had before the test."""
        self.app.dependency_overrides.clear()
        self.app.dependency_overrides.update(self._saved)


@pytest.fixture
def fastapi_override(fastapi_app: FastAPI) -> Iterator[Overrides]:
    """``fastapi_override(dep, replacement)`` for this test only."""
    overrides = Overrides(fastapi_app)
    try:
        yield overrides
    finally:
        overrides.restore()
