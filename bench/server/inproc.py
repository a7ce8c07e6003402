"""In-process worker: one app, one route, requests straight into the app.

    python inproc.py wsgi|asgi MODULE:ATTR PATH     (env: BENCH_VARIANT)

No server, no socket: a WSGI call with a prebuilt environ (the body iterated
and closed as a server does), or an ASGI call with a prebuilt scope on one
event loop. It reads commands on stdin and answers one JSON line each:

    time N   N requests; CPU seconds of the whole process (every thread: the
             library's loop thread and worker threads count) and wall seconds
    gc N     N requests with the cyclic collector off, then one collection:
             the objects it found
    check    one request: status, JSON body, the connection counters
"""

import asyncio
import gc
import importlib
import io
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from endpoint import USER, stats


def _load(target: str) -> Any:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def wsgi_caller(app: Any, path: str) -> Callable[[], tuple[int, bytes]]:
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_X_USER": USER,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    status: list[str] = []

    def start_response(s: str, headers: Any, exc_info: Any = None) -> Any:
        status.append(s)
        return None

    def call() -> tuple[int, bytes]:
        env = dict(environ)
        env["wsgi.input"] = io.BytesIO(b"")
        result = app(env, start_response)
        try:
            data = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return int(status.pop().split()[0]), data

    return call


def asgi_caller(app: Any, path: str) -> Callable[[], tuple[int, bytes]]:
    loop = asyncio.new_event_loop()
    base = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"x-user", USER.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }

    async def one() -> tuple[int, bytes]:
        sent = False
        out: list[Any] = []
        done = asyncio.Event()

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await done.wait()  # a server would report the disconnect only now
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            out.append(message)

        scope = dict(base)
        scope["state"] = {}
        await app(scope, receive, send)
        done.set()
        status = next(m["status"] for m in out if m["type"] == "http.response.start")
        data = b"".join(
            m.get("body", b"") for m in out if m["type"] == "http.response.body"
        )
        return status, data

    def call() -> tuple[int, bytes]:
        return loop.run_until_complete(one())

    task, shutdown = loop.run_until_complete(_start_lifespan(app))

    def stop() -> None:  # the lifespan's shutdown, as the server sends it
        shutdown.set()
        loop.run_until_complete(task)

    _STOPS.append(stop)
    return call


async def _start_lifespan(app: Any) -> tuple[Any, asyncio.Event]:
    """Send ``lifespan.startup`` as uvicorn's ``--lifespan auto`` does.

    An app that runs it (``fastapi_everywhere.django.asgi``) then serves on
    this loop, as under the server; one that refuses it (Django's own
    handler raises) is served without. Returns the lifespan's task and the
    event that shuts it down.
    """
    started: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    shutdown = asyncio.Event()
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "lifespan.startup"}
        await shutdown.wait()
        return {"type": "lifespan.shutdown"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "lifespan.startup.failed":
            started.set_exception(RuntimeError(message.get("message")))
        elif message["type"] == "lifespan.startup.complete":
            started.set_result(None)

    async def run() -> None:
        try:
            await app({"type": "lifespan", "state": {}}, receive, send)
        except Exception:  # the app does not do lifespans
            if not started.done():
                started.set_result(None)

    task = asyncio.get_running_loop().create_task(run())
    await started
    return task, shutdown


_STOPS: list[Callable[[], None]] = []  # run at the end (lifespan shutdown)


def main() -> None:
    kind, target, path = sys.argv[1:4]
    app = _load(target)
    call = (wsgi_caller if kind == "wsgi" else asgi_caller)(app, path)
    for line in sys.stdin:
        cmd, _, arg = line.strip().partition(" ")
        if cmd == "check":
            status, data = call()
            reply: dict[str, Any] = {
                "status": status,
                "body": json.loads(data or b"null"),
            }
            reply["stats"] = stats()
        elif cmd == "time":
            n = int(arg)
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(n):
                call()
            reply = {
                "cpu": time.process_time() - cpu,
                "wall": time.perf_counter() - wall,
            }
        elif cmd == "gc":
            n = int(arg)
            gc.collect()
            gc.disable()
            try:
                for _ in range(n):
                    call()
                reply = {"gc": gc.collect()}
            finally:
                gc.enable()
        else:
            reply = {"error": f"unknown command {line!r}"}
        print(json.dumps(reply), flush=True)
    for stop in _STOPS:
        stop()


if __name__ == "__main__":
    main()
