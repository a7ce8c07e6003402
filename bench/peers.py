"""Sync-API per-call cost against the peers, side by side in one run.

Run in the bench venv that has the peers (never runtime dependencies):

    make bench-peers        # creates .venvs/bench (Python >= 3.12) and runs this

The tree is the standard mixed tree without its ``Header`` parameter (not every
peer can supply request headers):

    get_settings (sync) -> get_db (async generator) -> Repo (class)
        -> current_user (async) -> target (sync)

Rows: the direct call with hand-built arguments (the floor), one bare
``run_coroutine_threadsafe`` round trip (the floor of any sync API that needs
the event loop), each peer's sync entry point, and ours. Each row is measured
from one thread (µs/call) and from 8 threads (calls/s); rounds are interleaved
and the median round is reported.
"""

import argparse
import asyncio
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends


class Settings:
    dsn = "sqlite://"


def get_settings() -> Settings:
    return Settings()


class DB:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings


async def get_db(settings: Annotated[Settings, Depends(get_settings)]) -> Any:
    db = DB(settings)
    try:
        yield db
    finally:
        db.settings = None  # type: ignore[assignment]


class Repo:
    def __init__(self, db: Annotated[DB, Depends(get_db)]) -> None:
        self.db = db


async def current_user(repo: Annotated[Repo, Depends()]) -> str:
    return "ann"


def target(user: Annotated[str, Depends(current_user)]) -> str:
    return user


def floor() -> str:
    settings = get_settings()
    db = DB(settings)
    repo = Repo(db)
    del repo
    return "ann"


class _LoopThread:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()


def candidates() -> dict[str, Callable[[], Any] | str]:
    out: dict[str, Callable[[], Any] | str] = {"direct call (floor)": floor}
    loop = _LoopThread()

    async def nothing() -> None:
        return None

    out["one run_coroutine_threadsafe round trip"] = lambda: loop.run(nothing())

    try:
        from fastapi import FastAPI
        from fastapi_depends_anywhere import configure
        from fastapi_depends_anywhere import sync as anywhere

        configure(app=FastAPI())
        out["fastapi-depends-anywhere (sync)"] = anywhere.with_fastapi_depends(target)
    except Exception as e:  # pragma: no cover - depends on the bench venv
        out["fastapi-depends-anywhere (sync)"] = f"n/a: {e!r}"

    try:
        from fastapi_injectable import injectable

        out["fastapi-injectable"] = injectable(target, use_cache=False)
    except Exception as e:  # pragma: no cover
        out["fastapi-injectable"] = f"n/a: {e!r}"

    try:
        from fastapi_standalone_di import DependencyScope, FastAPIContainer

        container = FastAPIContainer(default_scope=DependencyScope.SCOPED)
        out["fastapi-standalone-di (via a loop thread)"] = lambda: loop.run(
            container.invoke(target)
        )
    except Exception as e:  # pragma: no cover
        out["fastapi-standalone-di (via a loop thread)"] = f"n/a: {e!r}"

    try:
        from fastapi_everywhere import sync as ours

        out["fastapi_everywhere.sync.with_fastapi_depends"] = ours.with_fastapi_depends(
            target
        )
    except Exception as e:  # pragma: no cover
        out["fastapi_everywhere.sync.with_fastapi_depends"] = f"n/a: {e!r}"
    return out


def per_call_us(fn: Callable[[], Any], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e6


def throughput(fn: Callable[[], Any], n: int, threads: int = 8) -> float:
    barrier = threading.Barrier(threads + 1)

    def work() -> None:
        barrier.wait()
        for _ in range(n):
            fn()

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in pool:
        t.join()
    return threads * n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls")
    args = parser.parse_args()
    n, rounds = (100, 3) if args.quick else (500, 5)
    rows = candidates()
    for name, fn in rows.items():  # warm up and check each one works
        if callable(fn):
            try:
                for _ in range(20):
                    fn()
            except Exception as e:
                rows[name] = f"failed: {e!r}"[:70]
    single: dict[str, list[float]] = {k: [] for k in rows}
    multi: dict[str, list[float]] = {k: [] for k in rows}
    for _ in range(rounds):
        for name, fn in rows.items():
            if callable(fn):
                single[name].append(per_call_us(fn, n))
                multi[name].append(throughput(fn, n // 4))
    import fastapi

    print(
        f"Python {sys.version.split()[0]}, fastapi {fastapi.__version__}; "
        f"{rounds} rounds x {n} calls, median round\n"
    )
    floor_us = statistics.median(single["direct call (floor)"])
    best_peer = min(
        (statistics.median(v) for k, v in single.items() if "fastapi-" in k and v),
        default=float("nan"),
    )
    print(
        f"| {'row':<46} | {'µs/call':>9} | {'x floor':>8} | {'x best peer':>11} | {'8 threads calls/s':>17} |"
    )
    print(f"|{'-' * 48}|{'-' * 11}|{'-' * 10}|{'-' * 13}|{'-' * 19}|")
    for name, fn in rows.items():
        if not callable(fn):
            print(f"| {name:<46} | {fn} |")
            continue
        us = statistics.median(single[name])
        cps = statistics.median(multi[name])
        print(
            f"| {name:<46} | {us:>9.1f} | {us / floor_us:>8.1f} | "
            f"{us / best_peer:>11.3f} | {cps:>17,.0f} |"
        )


if __name__ == "__main__":
    main()
