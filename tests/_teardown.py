"""``yield`` dependencies whose teardown raises, shared by the host conformance tests.

The Flask and Django tests mount the same dependencies on their views
(:func:`endpoint`, :func:`django_view`) and compare with :func:`fastapi_app`'s
routes, all at ``/teardown/<case>``. What FastAPI answers depends on
its version: request-scoped dependencies close after the response was sent
since 0.118 (the response stands, the error is logged), before it earlier (a
500); function-scoped ones (0.121) close before it, always a 500.
"""

# No ``from __future__ import annotations``: endpoint() builds its parameter's
# annotation from a local, which a string annotation could not see.
import inspect
import logging
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI

from fastapi_everywhere._engine._compat import TEARDOWN_BEFORE_RESPONSE

HAS_DEPENDS_SCOPE = "scope" in inspect.signature(Depends).parameters


def failing_session() -> Iterator[str]:
    yield "sync"
    raise RuntimeError("close failed")


async def afailing_session() -> AsyncIterator[str]:
    yield "async"
    raise RuntimeError("close failed")


#: case -> the parameter's ``Depends``.
DEPENDS: dict[str, Any] = {
    "request": Depends(failing_session),
    "async": Depends(afailing_session),
}
if HAS_DEPENDS_SCOPE:
    DEPENDS["function"] = Depends(failing_session, scope="function")

#: case -> the dependency named in the log.
NAMES = {
    "request": "_teardown.failing_session",
    "async": "_teardown.afailing_session",
    "function": "_teardown.failing_session",
}


def endpoint(case: str) -> Callable[..., dict[str, Any]]:
    """A FastAPI endpoint (or, decorated, a Flask view) using ``case``'s dependency."""

    def teardown_error(s: Annotated[str, DEPENDS[case]]) -> dict[str, Any]:
        return {"s": s}

    return teardown_error


def django_view(case: str) -> Callable[..., Any]:
    """A decorated Django view using ``case``'s dependency (Django imported here)."""
    from django.http import HttpRequest, JsonResponse

    from fastapi_everywhere.django import with_fastapi_depends

    @with_fastapi_depends
    def teardown_error(
        request: HttpRequest, *, s: Annotated[str, DEPENDS[case]]
    ) -> JsonResponse:
        return JsonResponse({"s": s})

    return teardown_error


def fastapi_app() -> FastAPI:
    """Every case as a FastAPI route: ``GET /teardown/<case>``."""
    app = FastAPI()
    for case in DEPENDS:
        app.add_api_route(f"/teardown/{case}", endpoint(case))
    return app


def fastapi_client() -> Any:
    """A client of :func:`fastapi_app` that answers 500 instead of raising."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    return TestClient(fastapi_app(), raise_server_exceptions=False)


def expected_status(case: str) -> int:
    """What FastAPI answers for ``case`` on the installed version."""
    return 500 if case == "function" or TEARDOWN_BEFORE_RESPONSE else 200


def assert_logged(records: list[logging.LogRecord], logger: str, case: str) -> None:
    """The teardown error was logged on ``logger``, naming the dependency."""
    logged = [
        r
        for r in records
        if r.name == logger and r.levelno == logging.ERROR and r.exc_info
    ]
    assert len(logged) == 1, [r.getMessage() for r in records]
    record = logged[0]
    assert NAMES[case] in record.getMessage(), record.getMessage()
    assert record.exc_info is not None
    assert str(record.exc_info[1]) == "close failed"
