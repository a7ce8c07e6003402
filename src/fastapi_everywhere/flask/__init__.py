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

Importing this package imports Flask; ``import fastapi_everywhere`` does not.
"""

from __future__ import annotations

from ._decorator import resolve, with_fastapi_depends
from ._errors import FASTAPI_ERRORS
from ._extension import FastAPIDepends
from ._inside import mount_fastapi
from ._openapi import mount, openapi_blueprint, openapi_document

__all__ = [
    "FASTAPI_ERRORS",
    "FastAPIDepends",
    "mount",
    "mount_fastapi",
    "openapi_blueprint",
    "openapi_document",
    "resolve",
    "with_fastapi_depends",
]
