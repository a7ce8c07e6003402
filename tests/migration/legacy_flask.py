"""Legacy-first, Flask: a FastAPI app served inside the Flask app.

The Flask app stays the WSGI application (gunicorn serves it in
``test_legacy_first.py``); ``mount_fastapi`` sends ``/api`` to the FastAPI
app. Both sides read ``pool_info``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from shared import STARTS, Info, make_api

from fastapi_everywhere.flask import FastAPIDepends, mount_fastapi, with_fastapi_depends

__all__ = ["STARTS", "api", "flask_app"]

api = make_api("/info")
flask_app = Flask(__name__)
FastAPIDepends(flask_app, fastapi_app=api)


@flask_app.get("/info")
@with_fastapi_depends
def flask_info(*, info: Info) -> dict[str, Any]:
    return info


@flask_app.get("/ainfo")
@with_fastapi_depends
async def flask_ainfo(*, info: Info) -> dict[str, Any]:
    return info


mount_fastapi(flask_app, "/api", api)
