"""Requests/s of a Flask route with FastAPI dependencies vs the same route by hand.

    python bench/flask.py [--quick] [--rounds N] [--calls N]

One tree, the same work in every row: get_settings() -> get_db(settings)
(a sync generator: commit/rollback teardown) -> Repo(db) ->
current_user(x_user: Header, repo) -> the view returns the user's name.
Requests go straight into ``app.wsgi_app`` (a prebuilt environ, the body
iterated and the response closed, as a server does): no test-client noise.

Rows, interleaved round by round in one process (median round):

  sync  hand-built      a plain Flask view calling the functions by hand
  sync  faithful        a plain Flask view resolving the tree by hand with only
                        what FastAPI's semantics ask of any resolver: the header
                        list read and validated by FastAPI's own
                        ``request_params_to_args``, a per-request cache, the
                        generator entered with ``contextmanager`` on an
                        ``ExitStack`` (the view's exception thrown into it), the
                        view run in a copy of the context (the floor of any
                        faithful adapter)
  sync  ours            ``@with_fastapi_depends`` def view (deps on the request thread)
  async flask native    ``async def`` view, hand-built deps, through Flask's own
                        ``ensure_sync`` (asgiref: an event loop per call)
  async ours            ``@with_fastapi_depends async def`` view: the body runs on
                        the library's shared loop thread, no loop per call

Targets (issue 5): sync ours >= 0.85x hand-built; async ours faster than Flask's
native async route.
"""

from __future__ import annotations

import os
import sys

# Run as a script, this directory is sys.path[0] and this very file would be
# imported as "flask": drop it before importing Flask.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse  # noqa: E402
import contextvars  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import ExitStack, contextmanager  # noqa: E402
from importlib.metadata import version  # noqa: E402
from typing import Annotated, Any  # noqa: E402

import fastapi  # noqa: E402
from fastapi import Depends, Header  # noqa: E402
from fastapi.dependencies.utils import (  # noqa: E402
    get_dependant,
    request_params_to_args,
)
from fastapi.exceptions import RequestValidationError  # noqa: E402
from flask import Flask, request  # noqa: E402
from starlette.datastructures import Headers  # noqa: E402
from werkzeug.test import EnvironBuilder  # noqa: E402

from fastapi_everywhere.flask import FastAPIDepends, with_fastapi_depends  # noqa: E402


class Settings:
    dsn = "memory://"


class Db:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.committed = False

    def commit(self) -> None:
        self.committed = True


def get_settings() -> Settings:
    return Settings()


def get_db(settings: Annotated[Settings, Depends(get_settings)]) -> Iterator[Db]:
    db = Db(settings.dsn)
    try:
        yield db
    except Exception:
        raise
    else:
        db.commit()


class Repo:
    def __init__(self, db: Annotated[Db, Depends(get_db)]) -> None:
        self.db = db

    def user(self, name: str) -> str:
        return name


def current_user(
    x_user: Annotated[str, Header()], repo: Annotated[Repo, Depends()]
) -> str:
    return repo.user(x_user)


User = Annotated[str, Depends(current_user)]


def _by_hand() -> str:
    settings = get_settings()
    gen = get_db(settings)
    db = next(gen)
    try:
        user = current_user(request.headers["x-user"], Repo(db))
    except BaseException as exc:
        gen.throw(exc)
        raise
    else:
        next(gen, None)
    return user


_USER_FIELDS = get_dependant(path="", call=current_user).header_params
_db_cm = contextmanager(get_db)


def _faithful() -> str:
    raw = [
        (k.lower().encode("latin-1"), v.encode("latin-1"))
        for k, v in request.headers.items()
    ]
    cache: dict[Any, Any] = {}
    with ExitStack() as stack:
        settings = cache[get_settings] = get_settings()
        db = cache[get_db] = stack.enter_context(_db_cm(settings=settings))
        repo = cache[Repo] = Repo(db=db)
        values, errors = request_params_to_args(_USER_FIELDS, Headers(raw=raw))
        if errors:
            raise RequestValidationError(errors)
        user = cache[current_user] = current_user(repo=repo, **values)
        return contextvars.copy_context().run(str, user)


def make_app() -> Flask:
    app = Flask("bench")
    FastAPIDepends(app)

    @app.get("/sync-hand")
    def sync_hand() -> str:
        return _by_hand()

    @app.get("/sync-faithful")
    def sync_faithful() -> str:
        return _faithful()

    @app.get("/sync-ours")
    @with_fastapi_depends
    def sync_ours(*, user: User) -> str:
        return user

    @app.get("/async-native")
    async def async_native() -> str:
        return _by_hand()

    @app.get("/async-ours")
    @with_fastapi_depends
    async def async_ours(*, user: User) -> str:
        return user

    return app


def _caller(app: Flask, path: str) -> Callable[[], None]:
    environ = EnvironBuilder(path=path, headers={"X-User": "ann"}).get_environ()
    wsgi = app.wsgi_app
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        statuses.append(status)
        return None

    def call() -> None:
        body = wsgi(dict(environ), start_response)
        try:
            assert b"".join(body) == b"ann", path
        finally:
            body.close()  # type: ignore[attr-defined]
        assert statuses.pop() == "200 OK", path

    return call


ROWS = [
    ("sync", "hand-built", "/sync-hand"),
    ("sync", "faithful by hand", "/sync-faithful"),
    ("sync", "ours", "/sync-ours"),
    ("async", "flask native (asgiref)", "/async-native"),
    ("async", "ours (shared loop)", "/async-ours"),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="few rounds (smoke)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args(argv)
    rounds, calls = (3, 50) if args.quick else (args.rounds, args.calls)

    app = make_app()
    callers = {path: _caller(app, path) for _, _, path in ROWS}
    for call in callers.values():  # warm-up: plans compiled, loop thread started
        for _ in range(20):
            call()
    samples: dict[str, list[float]] = {path: [] for path in callers}
    for _ in range(rounds):
        for path, call in callers.items():
            start = time.perf_counter()
            for _ in range(calls):
                call()
            samples[path].append((time.perf_counter() - start) / calls)

    print(
        f"# bench/flask.py — Python {platform.python_version()}, FastAPI "
        f"{fastapi.__version__}, Flask {version('flask')}; {rounds} rounds x {calls} "
        "requests into app.wsgi_app, median round"
    )
    print(
        f"{'route':<6} {'variant':<24} {'µs/request':>11} {'requests/s':>11} {'ratio':>7}"
    )
    base: dict[str, float] = {}
    for kind, variant, path in ROWS:
        per = statistics.median(samples[path])
        base.setdefault(kind, per)
        ratio = base[kind] / per  # throughput relative to the first row of its kind
        print(
            f"{kind:<6} {variant:<24} {per * 1e6:>11.1f} {1 / per:>11.0f} {ratio:>6.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
