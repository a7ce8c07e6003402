"""Requests/s through Django's test handler: hand-built deps vs with_fastapi_depends.

    python bench/django.py [--rounds 7] [--requests 300]

The same view (settings -> bearer user -> pagination, a JSON response) is
served with its dependencies built by hand and through the decorator (sync
and async views), interleaved round by round; the table shows medians.
Through the test ``Client`` (Django's WSGI handler: an async view costs an
``async_to_sync`` event loop per request when Django runs it, none when it is
ours) and the ``AsyncClient`` (the ASGI handler: a sync view costs a
``sync_to_async`` hop; our async view one round trip to the shared loop).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Annotated

ROOT = Path(__file__).resolve().parents[1]
# This file is named django.py: drop its directory so `import django` is Django.
sys.path[:] = [
    p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent
]
sys.path.insert(0, str(ROOT))

import django  # noqa: E402
from django.conf import settings  # noqa: E402

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench",
    ALLOWED_HOSTS=["*"],
    INSTALLED_APPS=["fastapi_everywhere.django"],
    MIDDLEWARE=["fastapi_everywhere.django.FastAPIDependsMiddleware"],
    ROOT_URLCONF=__name__,
    DATABASES={},
    FASTAPI_EVERYWHERE={},
)
django.setup()

from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.test import AsyncClient, Client  # noqa: E402
from django.urls import path  # noqa: E402
from fastapi import Depends, Header, HTTPException, Query  # noqa: E402

from fastapi_everywhere.django import with_fastapi_depends  # noqa: E402

USERS = {"alice-token": "alice"}


def get_settings() -> dict[str, int]:
    return {"max_limit": 100}


def current_user(
    authorization: Annotated[str, Header()],
    s: Annotated[dict[str, int], Depends(get_settings)],
) -> str:
    user = USERS.get(authorization.removeprefix("Bearer "))
    if user is None:
        raise HTTPException(401, "Unknown token")
    return user


def page(
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> tuple[int, int]:
    return offset, limit


def by_hand(request: HttpRequest) -> JsonResponse:
    s = get_settings()
    user = USERS.get(request.headers.get("Authorization", "").removeprefix("Bearer "))
    if user is None:
        return JsonResponse({"detail": "Unknown token"}, status=401)
    try:
        offset, limit = (
            int(request.GET.get("offset", 0)),
            int(request.GET.get("limit", 20)),
        )
    except ValueError:
        return JsonResponse({"detail": "bad page"}, status=422)
    if offset < 0 or not 1 <= limit <= s["max_limit"]:
        return JsonResponse({"detail": "bad page"}, status=422)
    return JsonResponse({"user": user, "page": [offset, limit]})


@with_fastapi_depends
def decorated(
    request: HttpRequest,
    *,
    user: Annotated[str, Depends(current_user)],
    pg: Annotated[tuple[int, int], Depends(page)],
) -> JsonResponse:
    return JsonResponse({"user": user, "page": list(pg)})


async def by_hand_async(request: HttpRequest) -> JsonResponse:
    return by_hand(request)


@with_fastapi_depends
async def decorated_async(
    request: HttpRequest,
    *,
    user: Annotated[str, Depends(current_user)],
    pg: Annotated[tuple[int, int], Depends(page)],
) -> JsonResponse:
    return JsonResponse({"user": user, "page": list(pg)})


urlpatterns = [
    path("hand", by_hand),
    path("deps", decorated),
    path("ahand", by_hand_async),
    path("adeps", decorated_async),
]


HEADERS = {"Authorization": "Bearer alice-token"}


def rate(client: Client, url: str, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        r = client.get(url + "?offset=1&limit=5", headers=HEADERS)
        assert r.status_code == 200, r.content
    return n / (time.perf_counter() - start)


def arate(client: AsyncClient, url: str, n: int) -> float:
    async def run() -> float:
        start = time.perf_counter()
        for _ in range(n):
            r = await client.get(url + "?offset=1&limit=5", headers=HEADERS)
            assert r.status_code == 200, r.content
        return n / (time.perf_counter() - start)

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    client, aclient = Client(), AsyncClient()
    pairs = [
        ("sync view", "Client (WSGI)", "/hand", "/deps"),
        ("async view", "Client (WSGI)", "/ahand", "/adeps"),
        ("sync view", "AsyncClient (ASGI)", "a:/hand", "a:/deps"),
        ("async view", "AsyncClient (ASGI)", "a:/ahand", "a:/adeps"),
    ]

    def measure(url: str, n: int) -> float:
        if url.startswith("a:"):
            return arate(aclient, url[2:], n)
        return rate(client, url, n)

    results: dict[str, list[float]] = {u: [] for _, _, a, b in pairs for u in (a, b)}
    for url in results:
        measure(url, 50)  # warm up
    for _ in range(args.rounds):
        for url in results:
            results[url].append(measure(url, args.requests))
    print(
        f"Django {django.get_version()}, {args.rounds} rounds x {args.requests} "
        "requests, median req/s through django.test's handlers"
    )
    print(
        f"{'view':<11} {'handler':<19} {'hand-built':>11} "
        f"{'with_fastapi_depends':>21} {'ratio':>6}"
    )
    for name, handler, hand, deps in pairs:
        h, d = statistics.median(results[hand]), statistics.median(results[deps])
        print(f"{name:<11} {handler:<19} {h:>11.0f} {d:>21.0f} {d / h:>6.2f}x")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    main()
