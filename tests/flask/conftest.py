"""Fixtures for the Flask adapter tests: real Flask apps, real FastAPI apps.

No ``__init__.py`` here: as a package this directory would be importable as
``flask`` and shadow Flask (``tests/`` is on ``sys.path``). Test modules are
therefore named ``test_flask_*`` (unique basenames).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from flask import Flask

from fastapi_everywhere.flask import FastAPIDepends
from fastapi_everywhere.flask._extension import EXTENSION_KEY

MakeApp = Callable[..., Flask]


@pytest.fixture
def make_app() -> Iterator[MakeApp]:
    """``make_app(fastapi_app=None, extension=True, **config)`` -> a Flask app.

    Lifespans the apps started are shut down after the test.
    """
    made: list[Flask] = []

    def make(
        fastapi_app: Any = None, *, extension: bool = True, **config: Any
    ) -> Flask:
        app = Flask(f"test_app_{len(made)}")
        app.config.update(config)
        if extension:
            FastAPIDepends(app, fastapi_app=fastapi_app)
        made.append(app)
        return app

    yield make
    for app in made:
        state = app.extensions.get(EXTENSION_KEY)
        if state is not None:
            state.close_lifespan()


@pytest.fixture
def api() -> FastAPI:
    return FastAPI()


@pytest.fixture
def make_login_app(tmp_path: Any) -> Iterator[Callable[..., Flask]]:
    """``make_login_app(api=None, **config)`` -> the Flask-Login app of ``login_flask``.

    Each app gets its own SQLite file; lifespans started are shut down after
    the test.
    """
    from login_flask import make_login_app as make

    made: list[Flask] = []

    def build(api: FastAPI | None = None, **config: Any) -> Flask:
        app = make(tmp_path / f"users{len(made)}.db", api or FastAPI(), **config)
        made.append(app)
        return app

    yield build
    for app in made:
        app.extensions[EXTENSION_KEY].close_lifespan()
