"""A small Flask app on the demo's FastAPI service layer (``demo/deps.py``).

    FASTAPI_EVERYWHERE_DEMO_DB=demo.db flask --app example_flask run
    flask --app example_flask notes alice

The routes and the CLI command use the very dependencies the FastAPI app of
``demo/app.py`` uses (settings, a SQLite connection with ``yield``
commit/rollback, the note repository, the bearer-token user, pagination);
that FastAPI app is also the one whose lifespan (it creates the schema),
overrides and exception handlers apply. Config comes from ``FLASK_*``
environment variables too, e.g. ``FLASK_FASTAPI_EVERYWHERE_APP``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from typing import Any

from flask import Flask

from fastapi_everywhere.flask import FastAPIDepends

from .commands import notes_command
from .notes import bp as notes_bp

fastapi_depends = FastAPIDepends(fastapi_app="demo.app:app")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The app factory (``flask --app example_flask`` finds it)."""
    app = Flask(__name__)
    app.config.from_prefixed_env()  # FLASK_FASTAPI_EVERYWHERE_APP=..., in servers
    if config:
        app.config.update(config)
    fastapi_depends.init_app(app)
    app.register_blueprint(notes_bp)
    app.cli.add_command(notes_command)
    if importlib.util.find_spec("flask_login") is not None:
        from .session import init_session_login

        init_session_login(app)
    return app
