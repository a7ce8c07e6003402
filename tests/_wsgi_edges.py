"""Request edges of WSGI servers: chunked bodies and repeated headers.

The dependencies the Flask and Django edge tests mount on their views, the
FastAPI app (``app``) that serves them as FastAPI would, and a raw HTTP
client that can send what those tests need: a chunked body, and a header
sent twice.
"""

from __future__ import annotations

import functools
import http.client
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any

from fastapi import Body, Cookie, Depends, FastAPI, Header

from _server import Server, free_port, listening

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"

#: DATA_UPLOAD_MAX_MEMORY_SIZE of the Django site serving these.
BODY_LIMIT = 64

#: ``X-Token: a`` and ``X-Token: b``, then ``Cookie: a=1`` and ``Cookie: b=2``.
REPEATED = [("X-Token", "a"), ("X-Token", "b"), ("Cookie", "a=1"), ("Cookie", "b=2")]
#: What the views read under a WSGI server, which hands on one environ value
#: joined with ",". FastAPI reads the first ``X-Token`` and (Starlette >= 1.0)
#: the cookies of every ``Cookie`` header (older Starlette: the first's).
JOINED = {"x_token": "a,b", "a": "1,b=2", "b": None}


def body_value(data: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    return data


def header_values(
    x_token: Annotated[str, Header()],
    a: Annotated[str | None, Cookie()] = None,
    b: Annotated[str | None, Cookie()] = None,
) -> dict[str, Any]:
    return {"x_token": x_token, "a": a, "b": b}


app = FastAPI()


@app.post("/body")
def fastapi_body(
    data: Annotated[dict[str, Any], Depends(body_value)],
) -> dict[str, Any]:
    return data


@app.get("/headers")
def fastapi_headers(
    data: Annotated[dict[str, Any], Depends(header_values)],
) -> dict[str, Any]:
    return data


def send(
    port: int,
    method: str,
    path: str,
    headers: Sequence[tuple[str, str]] = (),
    chunks: Sequence[bytes] | None = None,
) -> tuple[int, bytes]:
    """One request, headers sent as given (repeats kept); ``chunks``: a chunked body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        if chunks is not None:
            conn.putheader("Content-Type", "application/json")
            conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        for chunk in chunks or ():
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        if chunks is not None:
            conn.send(b"0\r\n\r\n")
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def serve(
    argv: Sequence[str], tmp: Path, extra_path: Path, **env: str
) -> Iterator[int]:
    """Run ``python -m <argv>`` on a free port (``{port}`` in argv); yield the port."""
    port = free_port()
    server = Server(
        [sys.executable, "-m", *[a.format(port=port) for a in argv]],
        cwd=tmp,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(map(str, (ROOT, TESTS, extra_path))),
            **env,
        },
        log=tmp / "server.log",
    )

    server.wait_ready(functools.partial(listening, port))
    try:
        yield port
    finally:
        server.stop(timeout=20)


def gunicorn(app: str) -> list[str]:
    """``python -m`` arguments serving the WSGI ``app`` with one gunicorn worker."""
    return ["gunicorn", "-w", "1", "-b", "127.0.0.1:{port}", app]


def uvicorn(app: str) -> list[str]:
    """``python -m`` arguments serving the ASGI ``app`` with uvicorn."""
    return ["uvicorn", "--host", "127.0.0.1", "--port", "{port}", app]
