"""WSGI request edges under real servers: chunked bodies, repeated headers.

The same dependencies (``_wsgi_edges``) served by FastAPI under uvicorn, by
Django under gunicorn (WSGI) and by Django under uvicorn (ASGI).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from _wsgi_edges import (
    BODY_LIMIT,
    JOINED,
    REPEATED,
    gunicorn,
    send,
    serve,
    uvicorn,
)

HERE = Path(__file__).resolve().parent
SITE = {"DJANGO_SETTINGS_MODULE": "edges_settings"}


def _server(argv: list[str], tmp_path_factory: Any, **env: str) -> Iterator[int]:
    yield from serve(argv, tmp_path_factory.mktemp("edges"), HERE, **env)


@pytest.fixture(scope="module")
def fastapi_port(tmp_path_factory: Any) -> Iterator[int]:
    yield from _server(uvicorn("_wsgi_edges:app"), tmp_path_factory)


@pytest.fixture(scope="module")
def wsgi_port(tmp_path_factory: Any) -> Iterator[int]:
    yield from _server(
        gunicorn("example_django.wsgi:application"), tmp_path_factory, **SITE
    )


@pytest.fixture(scope="module")
def asgi_port(tmp_path_factory: Any) -> Iterator[int]:
    yield from _server(
        uvicorn("example_django.asgi:application"), tmp_path_factory, **SITE
    )


DATA = {"name": "chunked", "tags": ["a", "b"]}
CHUNKS = [json.dumps(DATA)[:10].encode(), json.dumps(DATA)[10:].encode()]


def test_chunked_body_is_read_as_fastapi_reads_it(
    fastapi_port: int, wsgi_port: int, asgi_port: int
) -> None:
    want = send(fastapi_port, "POST", "/body", chunks=CHUNKS)
    assert want == (200, json.dumps(DATA, separators=(",", ":")).encode())
    for port in (wsgi_port, asgi_port):
        status, body = send(port, "POST", "/body", chunks=CHUNKS)
        assert (status, json.loads(body)) == (200, DATA)


def test_chunked_body_over_the_limit_is_fastapis_400(wsgi_port: int) -> None:
    big = json.dumps({"name": "x" * BODY_LIMIT}).encode()
    status, body = send(wsgi_port, "POST", "/body", chunks=[big[:40], big[40:]])
    assert (status, json.loads(body)) == (
        400,
        {"detail": "There was an error parsing the body"},
    )


def test_repeated_headers_joined_under_wsgi_first_under_asgi(
    fastapi_port: int, wsgi_port: int, asgi_port: int
) -> None:
    """A known limit (docs/django.md): WSGI joins repeats, FastAPI takes the first."""
    got = {
        port: json.loads(send(port, "GET", "/headers", REPEATED)[1])
        for port in (fastapi_port, wsgi_port, asgi_port)
    }
    assert got[fastapi_port]["x_token"] == "a"
    assert got[asgi_port] == got[fastapi_port]
    assert got[wsgi_port] == JOINED
