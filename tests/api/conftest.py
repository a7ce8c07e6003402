"""Fixtures of the public async API tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI

import fastapi_everywhere


@pytest.fixture(autouse=True)
def _reset_config() -> Iterator[None]:
    """Every test starts and ends with no configured app or context factory."""
    fastapi_everywhere.reset_config()
    yield
    fastapi_everywhere.reset_config()


@pytest.fixture
def app() -> FastAPI:
    """A fresh FastAPI app, configured as the process-wide default."""
    fastapi_app = FastAPI()
    fastapi_everywhere.configure(app=fastapi_app)
    return fastapi_app
