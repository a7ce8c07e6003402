"""Per-call overhead of resolving a standard dependency tree.

    python bench/engine.py [--quick] [--rounds N] [--calls N]

The tree (what a typical endpoint or job uses):

    get_settings()            sync function
      -> get_db(settings)     async generator (setup + teardown)
        -> Repo(db)           class
          -> current_user(x_user: Header, repo)   async, reads a request header
            -> target(user)   async

Rows, all measured in one process and one event loop, interleaved round by
round (the median round is reported):

  direct     the floor: the same functions called by hand, no DI at all
  hops       two bare hops to a worker thread and back: what FastAPI's rule
             (a sync dependency never runs on the loop) costs this tree's
             two sync steps, the floor of any faithful resolver
  fastapi    FastAPI resolving the tree inside a route; the ASGI app is built
             once and called in-process (``await app(scope, receive, send)``),
             no TestClient, no network
  ours       ``fastapi_everywhere.with_fastapi_depends(target)``, awaited with
             ``_scope={"headers": ...}``
  inline     the same with the tree's two sync steps marked ``loop_safe``
  faithful   the loop-safe tree resolved by hand doing only what FastAPI's
             semantics ask of any resolver (its docstring lists it): the
             floor of the ``inline`` row
  faithful_hops  the same hand-built tree with its two sync steps in worker
             threads (as FastAPI's rule has them): the unmarked ``ours`` row's
             floor measured as one run, where ``hops`` + ``faithful`` add two
             rows measured apart (which misses waking a worker that went idle
             between the two hops)
  container  ``FastAPIContainer(default_scope=SCOPED, headers=...)``: a
             ``scope()`` block opened and one ``invoke(target)`` in it, per
             call (the container vocabulary's per-request shape)
  owner_floor  the ``ours`` call plus two bare trips to an owner task: a
             container keeps async ``yield`` dependencies in one task, so
             resolving and closing the scope each cost one trip to it
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import platform
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Annotated, Any

import fastapi
from fastapi import Depends, FastAPI, Header
from fastapi.responses import Response

import fastapi_everywhere
from fastapi_everywhere import (
    DependencyScope,
    FastAPIContainer,
    loop_safe,
    with_fastapi_depends,
)
from fastapi_everywhere._engine._threads import run_in_thread

# -- the tree ------------------------------------------------------------------


class Settings:
    def __init__(self) -> None:
        self.dsn = "sqlite://"


def get_settings() -> Settings:
    return Settings()


class DB:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.open = True


async def get_db(
    settings: Annotated[Settings, Depends(get_settings)],
) -> AsyncIterator[DB]:
    db = DB(settings)
    try:
        yield db
    finally:
        db.open = False


class Repo:
    def __init__(self, db: Annotated[DB, Depends(get_db)]) -> None:
        self.db = db

    def user(self, name: str) -> str:
        return name


async def current_user(
    x_user: Annotated[str, Header()], repo: Annotated[Repo, Depends()]
) -> str:
    return repo.user(x_user)


async def target(user: Annotated[str, Depends(current_user)]) -> str:
    return user


USER = "alice"
HEADERS = {"x-user": USER}


# -- the three ways to call it -------------------------------------------------


async def call_direct() -> str:
    settings = get_settings()
    gen = get_db(settings)
    db = await gen.__anext__()
    try:
        user = await current_user(x_user=USER, repo=Repo(db))
        return await target(user=user)
    finally:
        try:
            await gen.__anext__()
        except StopAsyncIteration:
            pass


def build_fastapi_caller() -> Callable[[], Awaitable[str]]:
    app = FastAPI()

    @app.get("/")
    async def route(user: Annotated[str, Depends(current_user)]) -> Response:
        return Response(await target(user=user))

    base_scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "root_path": "",
        "query_string": b"",
        "headers": [(k.encode(), v.encode()) for k, v in HEADERS.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    request_message = {"type": "http.request", "body": b"", "more_body": False}

    async def receive() -> dict[str, Any]:
        return request_message

    async def call() -> str:
        sent: list[MutableMapping[str, Any]] = []

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(message)

        await app(dict(base_scope), receive, send)
        body: bytes = sent[1]["body"]
        return body.decode()

    return call


async def call_two_hops() -> str:
    # The tree's two sync steps (get_settings, Repo) each in a worker thread,
    # as FastAPI's rule has them run, and nothing else.
    await run_in_thread(get_settings)
    await run_in_thread(Settings)
    return USER


@loop_safe
def inline_settings() -> Settings:
    return Settings()


@loop_safe
class InlineRepo(Repo):
    pass


def build_inline_caller() -> Callable[[], Awaitable[str]]:
    # The same tree with its two sync steps marked loop_safe (as overrides,
    # so the other rows keep FastAPI's rule).
    app = FastAPI()
    app.dependency_overrides = {get_settings: inline_settings, Repo: InlineRepo}
    wrapped = with_fastapi_depends(target, app=app)
    scope = {"headers": HEADERS}

    async def call() -> str:
        return await wrapped(_scope=scope)

    return call


def build_ours_caller() -> Callable[[], Awaitable[str]]:
    wrapped = with_fastapi_depends(target)
    scope = {"headers": HEADERS}

    async def call() -> str:
        return await wrapped(_scope=scope)

    return call


def build_container_caller() -> Callable[[], Awaitable[str]]:
    # Every dependency SCOPED: built and torn down per scope, as per request.
    container = FastAPIContainer(default_scope=DependencyScope.SCOPED, headers=HEADERS)

    async def call() -> str:
        async with container.scope() as scope:
            return await scope.invoke(target)

    return call


def build_faithful_caller(*, hops: bool = False) -> Callable[[], Awaitable[str]]:
    """The loop-safe tree resolved by hand, doing only what FastAPI's
    semantics ask of any resolver that runs its sync steps inline: the
    header read from the raw ASGI headers and validated by FastAPI's own
    ``request_params_to_args``, a per-call cache, each sync step in a copy of
    the context (FastAPI runs them in a worker thread with one), ``get_db``
    entered as FastAPI enters an async ``yield`` dependency (``asynccontextmanager``
    on the request's ``AsyncExitStack``, from FastAPI 0.162 inside its shielded
    teardown with the request's cleanup ``CancelScope`` entered first). No
    faithful resolver of this tree can do less.

    ``hops``: the unmarked tree's floor instead: its two sync steps each in
    a worker thread (the library's pool, as the ``hops`` row), between the
    same async steps, in one run; what the two rows measured apart miss is
    the cost of waking a worker that went idle in between."""
    import contextvars
    from contextlib import AsyncExitStack, asynccontextmanager

    import anyio
    from fastapi.dependencies.utils import get_dependant, request_params_to_args
    from fastapi.exceptions import RequestValidationError
    from starlette.datastructures import Headers

    try:
        from fastapi.concurrency import (  # type: ignore[attr-defined]
            _asynccontextmanager_with_shielded_exit as shielded,
        )
    except ImportError:  # FastAPI < 0.162: no shielded teardown
        shielded = None
    fields = get_dependant(path="", call=current_user).header_params
    db_cm = asynccontextmanager(get_db)
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in HEADERS.items()]

    async def call() -> str:
        cache: dict[Any, Any] = {}
        async with AsyncExitStack() as stack:
            if hops:
                settings = cache[get_settings] = await run_in_thread(get_settings)
            else:
                settings = cache[get_settings] = contextvars.copy_context().run(
                    get_settings
                )
            cm: Any = db_cm(settings=settings)
            if shielded is not None:
                cm = shielded(cm, stack.enter_context(anyio.CancelScope()))
            db = cache[get_db] = await stack.enter_async_context(cm)
            if hops:
                repo = cache[Repo] = await run_in_thread(Repo, db)
            else:
                repo = cache[Repo] = contextvars.copy_context().run(Repo, db=db)
            values, errors = request_params_to_args(fields, Headers(raw=raw))
            if errors:
                raise RequestValidationError(errors)
            user = cache[current_user] = await current_user(repo=repo, **values)
            return await target(user=user)

    return call


def build_owner_floor_caller() -> Callable[[], Awaitable[str]]:
    """The decorator's call plus two bare trips to an owner task: what a
    container that keeps async ``yield`` dependencies in one task (entered
    by ``invoke``, exited when ``scope()`` ends) must add to it."""
    from fastapi_everywhere._bridge.owner import OwnerTask

    owner = OwnerTask("bench")
    ours = build_ours_caller()

    async def nothing() -> None:
        return None

    async def call() -> str:
        await owner.run(nothing)
        result = await ours()
        await owner.run(nothing)
        return result

    return call


# -- measuring -----------------------------------------------------------------


async def per_call_us(
    call: Callable[[], Awaitable[str]], n: int
) -> tuple[float, float]:
    """(wall-clock, process CPU) µs per call; CPU counts the worker threads too."""
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        await call()
    return (
        (time.perf_counter() - start) / n * 1e6,
        (time.process_time() - cpu) / n * 1e6,
    )


Samples = dict[str, list[tuple[float, float]]]


async def run(rounds: int, calls: int) -> Samples:
    callers = {
        "direct": call_direct,
        "hops": call_two_hops,
        "fastapi": build_fastapi_caller(),
        "ours": build_ours_caller(),
        "inline": build_inline_caller(),
        "faithful": build_faithful_caller(),
        "faithful_hops": build_faithful_caller(hops=True),
        "container": build_container_caller(),
        "owner_floor": build_owner_floor_caller(),
    }
    for name, call in callers.items():
        result = await call()
        if result != USER:
            raise SystemExit(f"{name}: returned {result!r}, expected {USER!r}")
        await per_call_us(call, max(calls // 10, 20))  # warm-up
    samples: Samples = {name: [] for name in callers}
    names = list(callers)
    for i in range(rounds):
        # Rotate the order so no row always runs first (or right after GC).
        for name in names[i % len(names) :] + names[: i % len(names)]:
            samples[name].append(await per_call_us(callers[name], calls))
    return samples


def report(both: Samples, rounds: int, calls: int) -> None:
    samples = {name: [w for w, _ in values] for name, values in both.items()}
    medians = {name: statistics.median(values) for name, values in samples.items()}
    cpu = {
        name: statistics.median(c for _, c in values) for name, values in both.items()
    }
    floor, fa = medians["direct"], medians["fastapi"]
    labels = {
        "direct": "direct call (hand-built args, the floor)",
        "hops": "2 thread hops alone (the rule's floor)",
        "fastapi": "FastAPI route (ASGI app in-process)",
        "ours": "fastapi_everywhere.with_fastapi_depends",
        "inline": "the same, its 2 sync steps loop_safe",
        "faithful": "loop-safe tree by hand (faithful floor)",
        "faithful_hops": "unmarked tree by hand (its faithful floor)",
        "container": "FastAPIContainer: scope() + invoke, SCOPED",
        "owner_floor": "the decorator + 2 bare owner-task trips",
    }
    print(
        f"Python {platform.python_version()}, fastapi {fastapi.__version__}, "
        f"fastapi-everywhere {_version()}; {rounds} rounds x {calls} calls, "
        "median round"
    )
    print()
    header = (
        f"| {'row':<42} | {'µs/call':>8} | {'min..max':>13} | {'vs FastAPI':>10} "
        f"| {'CPU µs':>7} | {'CPU vs FastAPI':>14} |"
    )
    print(header)
    print(f"|{'-' * 44}|{'-' * 9}:|{'-' * 14}:|{'-' * 11}:|{'-' * 8}:|{'-' * 15}:|")
    for name, label in labels.items():
        lo, hi = min(samples[name]), max(samples[name])
        print(
            f"| {label:<42} | {medians[name]:>8.1f} | {lo:>5.1f}..{hi:<6.1f} "
            f"| {medians[name] / fa:>9.3g}x | {cpu[name]:>7.1f} "
            f"| {cpu[name] / cpu['fastapi']:>13.3g}x |"
        )
    print()
    print(
        f"DI overhead over the floor: FastAPI {fa - floor:.1f} µs, "
        f"ours {medians['ours'] - floor:.1f} µs"
    )
    hops = medians["hops"]
    print(
        f"Beyond the two thread hops both must make: FastAPI {fa - hops:.1f} µs, "
        f"ours {medians['ours'] - hops:.1f} µs "
        f"({(medians['ours'] - hops) / (fa - hops):.3g}x)"
    )
    print(
        f"Unmarked, against the floor of any faithful resolver (2 hops + the "
        f"direct call, {hops + floor:.1f} µs): {medians['ours'] / (hops + floor):.3g}x; "
        f"with loop_safe steps: {medians['inline'] / fa:.3g}x FastAPI's route"
    )
    # The unmarked tree's own floor: the two hops FastAPI's rule requires
    # plus the per-call work its semantics require (the faithful row).
    faithful_hops = hops + medians["faithful"]
    print(
        f"Unmarked, against 2 hops + the faithful floor ({faithful_hops:.1f} µs): "
        f"{medians['ours'] / faithful_hops:.3g}x (CPU "
        f"{cpu['ours'] / (cpu['hops'] + cpu['faithful']):.3g}x)"
    )
    print(
        f"Unmarked, against its faithful floor measured as one run (the hand-built "
        f"tree with its 2 hops, {medians['faithful_hops']:.1f} µs): "
        f"{medians['ours'] / medians['faithful_hops']:.3g}x (CPU "
        f"{cpu['ours'] / cpu['faithful_hops']:.3g}x)"
    )
    print(
        f"Loop-safe tree: the faithful floor is {medians['faithful'] / fa:.3g}x "
        f"FastAPI's route; ours is {medians['inline'] / medians['faithful']:.3g}x "
        f"that floor (CPU: {cpu['faithful'] / cpu['fastapi']:.3g}x and "
        f"{cpu['inline'] / cpu['faithful']:.3g}x)"
    )
    print(
        f"Container scope() + invoke against the decorator: "
        f"{medians['container'] / medians['ours']:.3g}x (CPU "
        f"{cpu['container'] / cpu['ours']:.3g}x); against the decorator plus the "
        f"two owner-task trips it must make: "
        f"{medians['container'] / medians['owner_floor']:.3g}x (CPU "
        f"{cpu['container'] / cpu['owner_floor']:.3g}x)"
    )


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("fastapi-everywhere")
    except Exception:
        return getattr(fastapi_everywhere, "__version__", "?")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds x 300 calls")
    parser.add_argument("--rounds", type=int, help="rounds (default 9)")
    parser.add_argument(
        "--calls", type=int, help="calls per row per round (default 2000)"
    )
    args = parser.parse_args(argv)
    rounds = args.rounds or (3 if args.quick else 9)
    calls = args.calls or (300 if args.quick else 2000)
    samples = asyncio.run(run(rounds, calls))
    report(samples, rounds, calls)
    return 0


if __name__ == "__main__":
    sys.exit(main())
