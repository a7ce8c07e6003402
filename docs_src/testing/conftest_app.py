import pytest
from fastapi import FastAPI

from docs_src.testing.app import app


@pytest.fixture(scope="session")
def fastapi_app() -> FastAPI:
    app.title = "Notes (tests)"  # build or configure the app your own way
    return app
