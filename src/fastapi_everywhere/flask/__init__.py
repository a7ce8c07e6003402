"""FastAPI dependencies in Flask routes and ``flask`` CLI commands.

.. code-block:: python

    from flask import Flask
    from fastapi_everywhere.flask import FastAPIDepends, with_fastapi_depends

    app = Flask(__name__)
    FastAPIDepends(app, fastapi_app="myproject.api:app")

    @app.get("/notes")
    @with_fastapi_depends
    def notes(*, user: CurrentUser, repo: Repo):
        return [n.text for n in repo.list_for(user)]

Importing this package imports Flask (Flask-Login only when a user dependency
is used); ``import fastapi_everywhere`` imports neither.
"""

from __future__ import annotations

from ._auth import (
    AuthenticatedFlaskUser,
    FlaskContextError,
    FlaskRequest,
    FlaskUser,
    authenticated_flask_user,
    flask_request,
    flask_user,
)
from ._decorator import resolve, with_fastapi_depends
from ._errors import FASTAPI_ERRORS
from ._extension import FastAPIDepends
from ._inside import mount_fastapi
from ._login import flask_login_user
from ._openapi import mount, openapi_blueprint, openapi_document

__all__ = [
    "FASTAPI_ERRORS",
    "AuthenticatedFlaskUser",
    "FastAPIDepends",
    "FlaskContextError",
    "FlaskRequest",
    "FlaskUser",
    "authenticated_flask_user",
    "flask_login_user",
    "flask_request",
    "flask_user",
    "mount",
    "mount_fastapi",
    "openapi_blueprint",
    "openapi_document",
    "resolve",
    "with_fastapi_depends",
]
