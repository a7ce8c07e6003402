"""WSGI request edges of the Flask adapter under a real gunicorn.

Repeated request headers: a known limit (docs/flask.md). The WSGI server
joins them into one environ value, where FastAPI reads the first.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from _wsgi_edges import JOINED, REPEATED, gunicorn, send, serve

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def port(tmp_path_factory: Any) -> Iterator[int]:
    yield from serve(gunicorn("edges_flask:app"), tmp_path_factory.mktemp("fe"), HERE)


def test_repeated_headers_are_joined_under_gunicorn(port: int) -> None:
    status, body = send(port, "GET", "/headers", REPEATED)
    assert (status, json.loads(body)) == (200, JOINED)
