"""Per-call cost of the sync API (``fastapi_everywhere.sync``).

    python bench/sync.py [--quick] [--rounds N] [--calls N] [--memory N]

Two trees, both called from plain sync code:

  all-sync   get_settings() -> get_db(settings) sync generator -> Repo(db)
             -> current_user(x_user: Header, repo) -> target(user)
  mixed      the same with get_db an *async* generator (setup + teardown on
             the loop thread): the standard tree of bench/engine.py as a
             sync caller (a Django view, a Celery task) uses it

Rows, measured in one process, interleaved round by round (median round):

  direct       the floor: the same functions called by hand, no DI (the async
               generator driven by hand, without a loop)
  faithful     the all-sync tree resolved by hand, doing only what FastAPI's
               semantics ask of any resolver: the header read and validated by
               FastAPI's own ``request_params_to_args``, a per-call cache, the
               generator entered with ``contextmanager`` on an ``ExitStack``
               (so the call's exception is thrown into it), the target run in
               a copy of the context. No resolver of this tree can do less
  rcts         one bare ``asyncio.run_coroutine_threadsafe(noop(), loop)
               .result()`` round trip to a loop thread: the floor of any sync
               call that needs one async step
  2 owner trips  the bridge alone: the two round trips (set-up, teardown) a
               mixed call makes to its owner task, with no work in them
  ours         ``sync.with_fastapi_depends(target)(_scope={"headers": ...})``
  naive        the async API's call submitted whole to the loop thread with
               ``run_coroutine_threadsafe`` (what a thin sync bridge does; its
               sync dependencies then hop to worker threads)
  container    ``sync.FastAPIContainer(default_scope=SCOPED)``: a ``scope()``
               block and one ``invoke(target)`` in it per call (sync
               dependencies in worker threads, as in the async container)

The round trips each call makes to the loop thread are counted too.

From 1 thread (µs per call) and from 8 threads (calls/s, all threads calling
the same decorated function), then a memory check: 100k calls of the mixed
tree, tracemalloc and RSS growth after warm-up.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import gc
import os
import platform
import statistics
import sys
import threading
import time
import tracemalloc
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated, Any

import fastapi
from fastapi import Depends, Header

import fastapi_everywhere
from fastapi_everywhere import sync
from fastapi_everywhere._bridge import loop as sync_loop

# -- the trees -----------------------------------------------------------------


class Settings:
    def __init__(self) -> None:
        self.dsn = "sqlite://"


def get_settings() -> Settings:
    return Settings()


class DB:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.open = True


def get_sync_db(settings: Annotated[Settings, Depends(get_settings)]) -> Iterator[DB]:
    db = DB(settings)
    try:
        yield db
    finally:
        db.open = False


async def get_async_db(
    settings: Annotated[Settings, Depends(get_settings)],
) -> AsyncIterator[DB]:
    db = DB(settings)
    try:
        yield db
    finally:
        db.open = False


class SyncRepo:
    def __init__(self, db: Annotated[DB, Depends(get_sync_db)]) -> None:
        self.db = db


class AsyncRepo:
    def __init__(self, db: Annotated[DB, Depends(get_async_db)]) -> None:
        self.db = db


def sync_user(
    x_user: Annotated[str, Header()], repo: Annotated[SyncRepo, Depends()]
) -> str:
    return x_user


def mixed_user(
    x_user: Annotated[str, Header()], repo: Annotated[AsyncRepo, Depends()]
) -> str:
    return x_user


def sync_target(user: Annotated[str, Depends(sync_user)]) -> str:
    return user


def mixed_target(user: Annotated[str, Depends(mixed_user)]) -> str:
    return user


USER = "alice"
HEADERS = {"x-user": USER}


# -- the ways to call them -----------------------------------------------------


def direct_sync() -> str:
    gen = get_sync_db(get_settings())
    db = next(gen)
    try:
        return sync_target(user=sync_user(x_user=USER, repo=SyncRepo(db)))
    finally:
        for _ in gen:
            pass


def _step(coro: Any) -> Any:
    try:
        coro.send(None)
    except StopIteration as e:
        return e.value
    raise RuntimeError("suspended")  # pragma: no cover


def direct_mixed() -> str:
    gen = get_async_db(get_settings())
    db = _step(gen.asend(None))
    try:
        return mixed_target(user=mixed_user(x_user=USER, repo=AsyncRepo(db)))
    finally:
        try:
            _step(gen.asend(None))
        except StopAsyncIteration:
            pass


def build_faithful() -> Callable[[], str]:
    from contextlib import ExitStack, contextmanager

    from fastapi.dependencies.utils import get_dependant, request_params_to_args
    from fastapi.exceptions import RequestValidationError
    from starlette.datastructures import Headers

    fields = get_dependant(path="", call=sync_user).header_params
    db_cm = contextmanager(get_sync_db)

    def call() -> str:
        raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in HEADERS.items()]
        cache: dict[Any, Any] = {}
        with ExitStack() as stack:
            settings = cache[get_settings] = get_settings()
            db = cache[get_sync_db] = stack.enter_context(db_cm(settings=settings))
            repo = cache[SyncRepo] = SyncRepo(db=db)
            values, errors = request_params_to_args(fields, Headers(raw=raw))
            if errors:
                raise RequestValidationError(errors)
            user = cache[sync_user] = sync_user(repo=repo, **values)
            return contextvars.copy_context().run(sync_target, user=user)

    return call


def build_rcts() -> Callable[[], str]:
    loop = sync_loop.get_loop()

    async def noop() -> str:
        return USER

    def call() -> str:
        return asyncio.run_coroutine_threadsafe(noop(), loop).result()

    return call


def build_two_trips() -> Callable[[], str]:
    """The bridge alone: the two owner-task round trips a mixed call makes."""
    from fastapi_everywhere._bridge.owner import OwnerTask

    async def noop() -> str:
        return USER

    def call() -> str:
        owner = OwnerTask("bench")
        owner.call(noop)
        return owner.call(noop, last=True)

    return call


def build_naive(target: Callable[..., str]) -> Callable[[], str]:
    """The whole call submitted to the loop thread: the async API + one rcts."""
    loop = sync_loop.get_loop()
    wrapped = fastapi_everywhere.with_fastapi_depends(target)
    scope = {"headers": HEADERS}

    def call() -> str:
        return asyncio.run_coroutine_threadsafe(wrapped(_scope=scope), loop).result()

    return call


def build_ours(target: Callable[..., str]) -> Callable[[], str]:
    wrapped = sync.with_fastapi_depends(target)
    scope = {"headers": HEADERS}

    def call() -> str:
        return wrapped(_scope=scope)

    return call


def build_container(target: Callable[..., str]) -> Callable[[], str]:
    """``sync.FastAPIContainer``, every dependency SCOPED: a scope per call."""
    container = sync.FastAPIContainer(
        default_scope=fastapi_everywhere.DependencyScope.SCOPED, headers=HEADERS
    )

    def call() -> str:
        with container.scope() as scope:
            result: str = scope.invoke(target)
            return result

    return call


def trips_per_call(call: Callable[[], str], n: int = 50) -> float:
    """Round trips to the loop thread per call (``OwnerTask.call``s counted)."""
    from fastapi_everywhere._bridge.owner import OwnerTask

    made = [0]
    original = OwnerTask.call

    def counting(self: OwnerTask, fn: Any, *, last: bool = False) -> Any:
        made[0] += 1
        return original(self, fn, last=last)

    OwnerTask.call = counting  # type: ignore[method-assign]
    try:
        for _ in range(n):
            call()
    finally:
        OwnerTask.call = original  # type: ignore[method-assign]
    return made[0] / n


# -- measuring -----------------------------------------------------------------


def per_call_us(call: Callable[[], str], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - start) / n * 1e6


def calls_per_s(call: Callable[[], str], n: int, threads: int) -> float:
    barrier = threading.Barrier(threads + 1)

    def work() -> None:
        barrier.wait()
        for _ in range(n):
            call()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    barrier.wait()
    start = time.perf_counter()
    for w in workers:
        w.join()
    return threads * n / (time.perf_counter() - start)


def measure(
    callers: dict[str, Callable[[], str]], rounds: int, calls: int, threads: int
) -> tuple[dict[str, float], dict[str, float]]:
    for name, call in callers.items():
        if call() != USER:
            raise SystemExit(f"{name}: wrong result")
        per_call_us(call, max(calls // 10, 20))  # warm-up
    single: dict[str, list[float]] = {name: [] for name in callers}
    multi: dict[str, list[float]] = {name: [] for name in callers}
    names = list(callers)
    for i in range(rounds):
        # Rotate the order so no row always runs first (or right after GC).
        for name in names[i % len(names) :] + names[: i % len(names)]:
            gc.collect()
            single[name].append(per_call_us(callers[name], calls))
            multi[name].append(
                calls_per_s(callers[name], max(calls // threads, 10), threads)
            )
    return (
        {k: statistics.median(v) for k, v in single.items()},
        {k: statistics.median(v) for k, v in multi.items()},
    )


def rss_kib() -> int:
    try:
        with open(f"/proc/{os.getpid()}/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:  # pragma: no cover - not Linux
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def memory_check(call: Callable[[], str], n: int) -> tuple[float, float, int]:
    """(tracemalloc growth KiB, RSS growth KiB, n) over ``n`` calls after warm-up."""
    for _ in range(min(n // 10, 5000)):
        call()
    gc.collect()
    rss0 = rss_kib()
    tracemalloc.start()
    snap0 = tracemalloc.take_snapshot()
    for _ in range(n):
        call()
    gc.collect()
    snap1 = tracemalloc.take_snapshot()
    tracemalloc.stop()
    growth = sum(s.size_diff for s in snap1.compare_to(snap0, "filename"))
    return growth / 1024, rss_kib() - rss0, n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="few rounds (smoke)")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--memory", type=int, default=100_000)
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.calls, args.memory = 3, 300, 5000

    sync_loop.shutdown()
    all_sync = build_ours(sync_target)
    all_sync()
    started_loop = sync_loop.loop_running()

    callers = {
        "direct all-sync": direct_sync,
        "direct mixed": direct_mixed,
        "faithful all-sync": build_faithful(),
        "rcts round trip": build_rcts(),
        "2 owner trips": build_two_trips(),
        "ours all-sync": all_sync,
        "ours mixed": build_ours(mixed_target),
        "naive all-sync": build_naive(sync_target),
        "naive mixed": build_naive(mixed_target),
        "container all-sync": build_container(sync_target),
        "container mixed": build_container(mixed_target),
    }
    single, multi = measure(callers, args.rounds, args.calls, args.threads)

    print(
        f"Python {platform.python_version()}, fastapi {fastapi.__version__}, "
        f"{os.cpu_count()} CPUs; {args.rounds} rounds x {args.calls} calls, "
        f"median round; {args.threads} threads for calls/s"
    )
    print(f"all-sync tree started the loop thread: {started_loop}")
    header = (
        f"{'row':<18} {'us/call':>9} {'x direct':>9} {'x rcts':>8} "
        f"{'calls/s 1T':>11} {'calls/s ' + str(args.threads) + 'T':>11} "
        f"{'8T x floor':>11}"
    )
    print(header)
    print("-" * len(header))
    rcts, rcts_tp = single["rcts round trip"], multi["rcts round trip"]
    for name in callers:
        floor = single["direct mixed" if "mixed" in name else "direct all-sync"]
        tp_floor = multi["direct mixed" if "mixed" in name else "direct all-sync"]
        if name in ("ours mixed", "2 owner trips") or name.startswith(
            ("naive", "container")
        ):
            tp_floor = rcts_tp  # a call with an async step: the loop floor
        print(
            f"{name:<18} {single[name]:>9.1f} {single[name] / floor:>9.2f} "
            f"{single[name] / rcts:>8.2f} {1e6 / single[name]:>11.0f} "
            f"{multi[name]:>11.0f} {multi[name] / tp_floor:>11.2f}"
        )
    print(
        "x direct: against the hand-written call of the same tree; x rcts: "
        "against one run_coroutine_threadsafe round trip; 8T x floor: "
        "throughput against the direct call (ours all-sync) or the rcts round "
        "trip (ours mixed, naive) from the same threads"
    )

    print(
        "loop-thread round trips per call: "
        + ", ".join(
            f"{name} {trips_per_call(callers[name]):.2f}"
            for name in (
                "ours all-sync",
                "ours mixed",
                "container all-sync",
                "container mixed",
            )
        )
    )

    growth, rss, n = memory_check(build_ours(mixed_target), args.memory)
    print(
        f"memory, {n} calls of the mixed tree after warm-up: tracemalloc "
        f"{growth:+.1f} KiB, RSS {rss:+d} KiB"
    )


if __name__ == "__main__":
    sys.exit(main())
