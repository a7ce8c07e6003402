"""Fixtures shared by every test directory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI

import fastapi_everywhere
from fastapi_everywhere._bridge import loop


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


@pytest.fixture
def no_loop_thread() -> Iterator[None]:
    """Start the test with no loop thread (the previous one shut down)."""
    loop.shutdown()
    yield
