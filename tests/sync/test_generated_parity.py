"""Random dependency trees: the sync API does exactly what the async API does.

The conformance suite proves the async engine matches FastAPI on generated
trees; here the same trees go through ``sync.with_fastapi_depends`` (called
from a worker thread, as a Django view or a Celery task would) and the
outcome (result, error, call counts, event log) must equal the async API's.

One difference is by design: the trees log the context variable each
callable sees. FastAPI (and the async API) run sync dependencies in worker
threads on a copy of the context, so what they set is lost; the sync API runs
them on the calling thread in the call's own context, so every dependency's
change reaches the later ones and the target. The comparison leaves the
context trail out, and a separate check proves the sync API's trail is
complete: the target sees every dependency call, in order.

``SYNC_PARITY_EXAMPLES`` sets the number of trees (default 100).
"""

import asyncio
import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings

import fastapi_everywhere
from conformance._harness import Recorder, explain, run_engine
from conformance.test_generated import Tree, build, request_of, trees
from fastapi_everywhere import sync

EXAMPLES = int(os.environ.get("SYNC_PARITY_EXAMPLES", "100"))


def _through_sync_api(target: Callable[..., Any]) -> Callable[..., Any]:
    wrapped = sync.with_fastapi_depends(target)

    async def call(**kwargs: Any) -> Any:
        return await asyncio.to_thread(wrapped, **kwargs)

    return call


async def _both(rec: Recorder, tree: Tree) -> tuple[Any, Any]:
    target, app = build(tree, rec)
    req = request_of(tree)
    expected = await asyncio.create_task(run_engine(rec, target, req, app=app))
    real = fastapi_everywhere.with_fastapi_depends
    fastapi_everywhere.with_fastapi_depends = _through_sync_api  # type: ignore[assignment]
    try:
        actual = await asyncio.create_task(run_engine(rec, target, req, app=app))
    finally:
        fastapi_everywhere.with_fastapi_depends = real
    return expected, actual


#: Events whose last field is the context trail the callable saw.
TRAILED = {"call", "exit", "exc", "target"}


def without_trail(outcome: Any) -> Any:
    log = [
        (*event[:-1], "<trail>") if event and event[0] in TRAILED else event
        for event in outcome.log
    ]
    return replace(outcome, log=log)


def assert_trail_is_complete(outcome: Any) -> None:
    calls = tuple(event[1] for event in outcome.log if event[0] == "call")
    for event in outcome.log:
        if event[0] == "target":
            assert event[-1] == calls, outcome.log


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(tree=trees())
def test_random_trees_resolve_like_the_async_api(tree: Tree) -> None:
    expected, actual = asyncio.run(_both(Recorder(), tree))
    expected, trailed = without_trail(expected), actual
    actual = without_trail(actual)
    assert actual == expected, explain(expected, actual)
    assert_trail_is_complete(trailed)
