"""A Flask app over the edge tests' dependencies (see ``_wsgi_edges``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from flask import Flask

from _wsgi_edges import header_values
from fastapi_everywhere.flask import FastAPIDepends, with_fastapi_depends

app = Flask(__name__)
FastAPIDepends(app, fastapi_app="_wsgi_edges:app")


@app.get("/headers")
@with_fastapi_depends
def headers_view(
    *, data: Annotated[dict[str, Any], Depends(header_values)]
) -> dict[str, Any]:
    return data
