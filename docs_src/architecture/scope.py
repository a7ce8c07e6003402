from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request

from fastapi_everywhere import ParamSource, sync


def describe(
    request: Request,
    x_token: Annotated[str, Header()],
    page: Annotated[int, Query()] = 1,
) -> dict[str, Any]:
    return {
        "path": request.url.path,
        "query": str(request.query_params),
        "token": x_token,
        "page": page,
        "same header": request.headers["x-token"] == x_token,
    }


Description = Annotated[dict[str, Any], Depends(describe)]


@sync.with_fastapi_depends(scope={"path": "/reports", "query_string": b"page=2"})
def from_a_decorator(*, info: Description) -> dict[str, Any]:
    return info


def from_a_call() -> dict[str, Any]:
    # scope= at decoration, _scope= at the call: merged into one request.
    return from_a_decorator(_scope={"headers": [(b"x-token", b"s3cret")]})


def from_a_container() -> dict[str, Any]:
    with sync.FastAPIContainer(
        headers={"x-token": "s3cret"}, query=ParamSource({"page": "3"})
    ) as container:
        return container.get(describe)
