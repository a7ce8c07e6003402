"""Django view decorator: request first (Concatenate), the rest kept."""

from common import CurrentUser, Database, get_db
from django.http import HttpRequest, HttpResponse
from fastapi import Depends
from typing_extensions import assert_type

from fastapi_everywhere import INJECTED
from fastapi_everywhere.django import with_fastapi_depends


@with_fastapi_depends
def article(
    request: HttpRequest, slug: str, user: CurrentUser = INJECTED
) -> HttpResponse:
    return HttpResponse()


@with_fastapi_depends(status_code=201, tags=["items"])
async def create(
    request: HttpRequest, db: Database = Depends(get_db)
) -> dict[str, int]:
    return {"id": 1}


class ArticleView:
    @with_fastapi_depends
    def get(
        self, request: HttpRequest, pk: int, user: CurrentUser = INJECTED
    ) -> HttpResponse:
        return HttpResponse()


async def views(request: HttpRequest) -> None:
    assert_type(article(request, "a"), HttpResponse)
    assert_type(await create(request), dict[str, int])
    assert_type(ArticleView().get(request, 1), HttpResponse)
    article(request)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    article(request, 1)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    article(request, "a", usr=None)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    ArticleView().get(request, "1")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    with_fastapi_depends(status_code="201")  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType]
