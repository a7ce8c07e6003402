"""Test views and the dependencies they share with a FastAPI twin app."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from example_django.notes.models import Activity
from fastapi import (
    BackgroundTasks,
    Body,
    Cookie,
    Depends,
    FastAPI,
    Form,
    Header,
    HTTPException,
    Path,
    Query,
    Request,
    Response,
    Security,
)
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel, Field

from fastapi_everywhere.django import (
    FastAPIDependsMixin,
    aresolve,
    resolve,
    with_fastapi_depends,
)
from fastapi_everywhere.sync import iter_with_fastapi_depends

EVENTS: list[str] = []

# -- dependencies shared with the FastAPI twin ---------------------------------

oauth2 = OAuth2PasswordBearer(tokenUrl="token")


class Item(BaseModel):
    name: str
    price: float = Field(gt=0)


def sources(
    x_token: Annotated[str, Header()],
    session: Annotated[str, Cookie()],
    q: Annotated[list[int], Query()],
    item_id: Annotated[int, Path(ge=1)],
    token: Annotated[str, Security(oauth2)],
    x_custom_name: Annotated[str, Header(alias="X-Custom")] = "none",
) -> dict[str, Any]:
    return {
        "x_token": x_token,
        "session": session,
        "q": q,
        "item_id": item_id,
        "token": token,
        "custom": x_custom_name,
    }


def body_dep(
    item: Annotated[Item, Body()], note: Annotated[str, Body()] = ""
) -> dict[str, Any]:
    return {"item": item.model_dump(), "note": note}


def form_dep(
    name: Annotated[str, Form()], tags: Annotated[list[str], Form()] = []
) -> dict[str, Any]:
    return {"name": name, "tags": tags}


async def request_info(request: Request) -> dict[str, Any]:
    return {
        "method": request.method,
        "url": str(request.url),
        "path": request.url.path,
        "root_path": request.scope["root_path"],
        "query": dict(request.query_params),
        "scheme": request.url.scheme,
        "client": request.client.host if request.client else None,
        "x_token": request.headers.get("x-token"),
        "cookies": request.cookies,
        "body": (await request.body()).decode(),
    }


def teapot() -> None:
    raise HTTPException(
        status_code=418, detail="short and stout", headers={"X-Tea": "earl grey"}
    )


twin = FastAPI()


@twin.get("/sources/{item_id}")
def twin_sources(data: Annotated[dict[str, Any], Depends(sources)]) -> dict[str, Any]:
    return data


@twin.post("/items")
def twin_items(data: Annotated[dict[str, Any], Depends(body_dep)]) -> dict[str, Any]:
    return data


@twin.post("/form")
def twin_form(data: Annotated[dict[str, Any], Depends(form_dep)]) -> dict[str, Any]:
    return data


@twin.get("/teapot")
def twin_teapot(data: Annotated[None, Depends(teapot)]) -> None:
    return data


def bare_path_param(item_id: int, extra: int = 0) -> dict[str, Any]:
    # No Path(): FastAPI makes it a path parameter because the route's path
    # names it; the bridge must do the same from the URL kwargs.
    return {"item_id": item_id, "extra": extra}


@twin.get("/bare/{item_id}")
def twin_bare(
    data: Annotated[dict[str, Any], Depends(bare_path_param)],
) -> dict[str, Any]:
    return data


# -- Django views over the same deps --------------------------------------------


@with_fastapi_depends
def bare_view(
    request: HttpRequest,
    item_id: int,
    *,
    data: Annotated[dict[str, Any], Depends(bare_path_param)],
) -> JsonResponse:
    return JsonResponse(data)


@with_fastapi_depends
def sources_view(
    request: HttpRequest,
    item_id: str,
    *,
    data: Annotated[dict[str, Any], Depends(sources)],
) -> JsonResponse:
    return JsonResponse(data)


@csrf_exempt
@with_fastapi_depends
def items_view(
    request: HttpRequest, *, data: Annotated[dict[str, Any], Depends(body_dep)]
) -> JsonResponse:
    return JsonResponse(data)


@csrf_exempt
@with_fastapi_depends
def form_view(
    request: HttpRequest, *, data: Annotated[dict[str, Any], Depends(form_dep)]
) -> JsonResponse:
    # Django parses the same body too.
    return JsonResponse({**data, "django_name": request.POST.get("name")})


@csrf_exempt
@with_fastapi_depends
def info_view(
    request: HttpRequest, *, info: Annotated[dict[str, Any], Depends(request_info)]
) -> JsonResponse:
    return JsonResponse(info)


@with_fastapi_depends
def teapot_view(
    request: HttpRequest, *, _t: Annotated[None, Depends(teapot)]
) -> HttpResponse:
    return HttpResponse("unreachable")


# -- lifecycle ------------------------------------------------------------------


def tracked() -> Iterator[str]:
    EVENTS.append("setup")
    try:
        yield "resource"
    except Exception as exc:
        EVENTS.append(f"teardown saw {type(exc).__name__}: {exc}")
        raise
    else:
        EVENTS.append("teardown")


Tracked = Annotated[str, Depends(tracked)]


@with_fastapi_depends
def stream_view(request: HttpRequest, *, res: Tracked) -> StreamingHttpResponse:
    def chunks() -> Iterator[bytes]:
        for i in range(3):
            EVENTS.append(f"chunk {i} with {res}")
            yield f"{i}\n".encode()

    return StreamingHttpResponse(chunks())


@iter_with_fastapi_depends
def tracked_chunks(*, res: Tracked) -> Iterator[bytes]:
    for i in range(3):
        EVENTS.append(f"gen chunk {i} with {res}")
        yield f"{i}\n".encode()


def stream_generator_view(request: HttpRequest) -> StreamingHttpResponse:
    """Streams a decorated generator: its own resolution, closed with the body."""
    return StreamingHttpResponse(tracked_chunks())


def mutate(response: Response, tasks: BackgroundTasks, res: Tracked) -> None:
    response.status_code = 202
    response.headers["X-From-Dep"] = "yes"
    response.set_cookie("flavour", "oat", httponly=True, path="/")
    response.set_cookie("size", "large")
    tasks.add_task(EVENTS.append, "background task")


@with_fastapi_depends
def response_view(
    request: HttpRequest, *, _m: Annotated[None, Depends(mutate)]
) -> HttpResponse:
    EVENTS.append("view")
    return HttpResponse("made")


@with_fastapi_depends
def boom_view(request: HttpRequest, *, res: Tracked) -> HttpResponse:
    raise RuntimeError("view failed")


@transaction.non_atomic_requests
@with_fastapi_depends
async def aboom_view(request: HttpRequest, *, res: Tracked) -> HttpResponse:
    raise RuntimeError("async view failed")


_counter = iter(range(10**9))


def counted() -> int:
    return next(_counter)


@with_fastapi_depends
def cached_view(
    request: HttpRequest, *, n: Annotated[int, Depends(counted)]
) -> JsonResponse:
    return JsonResponse({"view": n, "resolved": resolve(request, counted)})


@transaction.non_atomic_requests
@with_fastapi_depends
async def acached_view(
    request: HttpRequest, *, n: Annotated[int, Depends(counted)]
) -> JsonResponse:
    return JsonResponse(
        {"view": n, "resolved": await aresolve(request, Depends(counted))}
    )


@with_fastapi_depends
def mutate_then_forbid_view(
    request: HttpRequest, *, _m: Annotated[None, Depends(mutate)]
) -> HttpResponse:
    raise HTTPException(403, "no")


def plain_boom_view(request: HttpRequest) -> HttpResponse:
    """Not decorated: a dependency resolved in the body, then the view fails."""
    resolve(request, tracked)
    raise RuntimeError("plain view failed")


def plain_view(request: HttpRequest) -> JsonResponse:
    """Not decorated: resolve() works through the middleware's scope."""
    return JsonResponse({"resolved": resolve(request, counted)})


def untouched_view(request: HttpRequest) -> HttpResponse:
    """Not decorated and resolving nothing: the middleware's scope stays shut."""
    return HttpResponse(b"untouched")


def whoami(authorization: Annotated[str, Header()]) -> str:
    time.sleep(0.001)  # let other threads interleave
    return authorization.removeprefix("Bearer ")


@with_fastapi_depends
def who_view(
    request: HttpRequest, *, who: Annotated[str, Depends(whoami)]
) -> JsonResponse:
    again = resolve(request, whoami)
    return JsonResponse({"who": who, "again": again})


class ItemView(View):
    @with_fastapi_depends
    def get(
        self, request: HttpRequest, item_id: int, *, q: Annotated[str, Query()] = "-"
    ) -> JsonResponse:
        return JsonResponse({"cls": type(self).__name__, "item_id": item_id, "q": q})

    @method_decorator(with_fastapi_depends)
    def put(self, request: HttpRequest, item_id: int, *, res: Tracked) -> JsonResponse:
        return JsonResponse({"method": "put", "item_id": item_id, "res": res})


ItemView.put = method_decorator(csrf_exempt)(ItemView.put)  # type: ignore[method-assign]


class MixinItemView(FastAPIDependsMixin, View):
    def get(
        self, request: HttpRequest, item_id: int, *, q: Annotated[str, Query()] = "-"
    ) -> JsonResponse:
        return JsonResponse({"cls": type(self).__name__, "item_id": item_id, "q": q})

    @with_fastapi_depends  # decorated already: not wrapped twice
    def delete(
        self, request: HttpRequest, item_id: int, *, res: Tracked
    ) -> JsonResponse:
        return JsonResponse({"method": "delete", "res": res})


class AsyncItemView(View):
    @with_fastapi_depends
    async def get(
        self, request: HttpRequest, item_id: int, *, res: Tracked
    ) -> JsonResponse:
        return JsonResponse({"item_id": item_id, "res": res})


# -- the ORM ---------------------------------------------------------------------

ORM: dict[str, Any] = {}


def orm_writer(request: Request) -> Activity:
    ORM["dep_thread"] = threading.get_ident()
    ORM["dep_connection"] = id(connection.connection)
    ORM["dep_atomic"] = connection.in_atomic_block
    return Activity.objects.create(user="orm", action=request.url.path)


def orm_yield() -> Iterator[int]:
    ORM["setup_thread"] = threading.get_ident()
    ORM["setup_name"] = threading.current_thread().name
    count = Activity.objects.count()
    yield count
    ORM["teardown_thread"] = threading.get_ident()
    ORM["teardown_name"] = threading.current_thread().name
    ORM["teardown_count"] = Activity.objects.count()


@with_fastapi_depends
def orm_view(
    request: HttpRequest, *, entry: Annotated[Activity, Depends(orm_writer)]
) -> JsonResponse:
    ORM["view_thread"] = threading.get_ident()
    ORM["view_connection"] = id(connection.connection)
    if request.GET.get("fail"):
        raise RuntimeError("rolled back")
    return JsonResponse({"id": entry.id})


async def async_marker() -> str:
    return "async dep"


@transaction.non_atomic_requests
@with_fastapi_depends
async def aorm_view(
    request: HttpRequest,
    *,
    entry: Annotated[Activity, Depends(orm_writer)],
    before: Annotated[int, Depends(orm_yield)],
    marker: Annotated[str, Depends(async_marker)],
) -> JsonResponse:
    count = await Activity.objects.acount()
    return JsonResponse(
        {"id": entry.id, "before": before, "count": count, "marker": marker}
    )


# -- the lifespan ------------------------------------------------------------------

LIFESPAN: list[str] = []


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    LIFESPAN.append("startup")
    yield {"greeting": "hello from the lifespan"}
    LIFESPAN.append("shutdown")


lifespan_app = FastAPI(lifespan=lifespan)


def greeting(request: Request) -> str:
    return str(request.state.greeting)


@with_fastapi_depends
def lifespan_view(
    request: HttpRequest, *, greeting: Annotated[str, Depends(greeting)]
) -> JsonResponse:
    return JsonResponse({"greeting": greeting})


def render_error(request: HttpRequest, exc: Exception) -> HttpResponse | None:
    if isinstance(exc, HTTPException):
        return HttpResponse(f"custom {exc.status_code}", status=exc.status_code)
    return None
