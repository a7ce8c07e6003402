"""Every parameter source read from the Flask request, compared with FastAPI.

Each endpoint is mounted on a real FastAPI route and, decorated, on a Flask
route; the same request goes to both. Successful results are compared as
JSON (Flask and FastAPI serialise differently); error responses, which the
adapter renders with FastAPI's own handlers, byte for byte: status, body,
content-type and the headers FastAPI sets (``WWW-Authenticate``).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from typing import Annotated, Any

import pytest
from fastapi import (
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
    Security,
)
from fastapi.security import (
    HTTPAuthorizationCredentials,
    HTTPBearer,
    OAuth2PasswordBearer,
    SecurityScopes,
)
from pydantic import BaseModel

import _teardown
from fastapi_everywhere.flask import with_fastapi_depends


class Item(BaseModel):
    name: str
    price: float = 0.0


def headers_ep(
    x_token: Annotated[str, Header()],
    user_agent: Annotated[str, Header()],
    x_multi: Annotated[list[str] | None, Header()] = None,
    # WSGI cannot carry "_" in header names (X-A_B and X-A-B are both
    # HTTP_X_A_B): convert_underscores=False headers cannot come through.
    aliased: Annotated[str | None, Header(alias="X-Aliased-Name")] = None,
) -> dict[str, Any]:
    return {"x_token": x_token, "ua": user_agent, "multi": x_multi, "aliased": aliased}


def cookies_ep(
    session: Annotated[str, Cookie()], theme: Annotated[str, Cookie()] = "light"
) -> dict[str, Any]:
    return {"session": session, "theme": theme}


def query_ep(
    q: Annotated[list[int], Query()],
    limit: Annotated[int, Query(ge=1, le=10)] = 5,
    search: Annotated[str | None, Query(alias="search-term")] = None,
) -> dict[str, Any]:
    return {"q": q, "limit": limit, "search": search}


def path_ep(
    item_id: Annotated[int, Path(ge=1)], slug: Annotated[str, Path(min_length=2)]
) -> dict[str, Any]:
    return {"item_id": item_id, "slug": slug}


def body_ep(item: Annotated[Item, Body()]) -> dict[str, Any]:
    return item.model_dump()


def embed_ep(
    item: Annotated[Item, Body(embed=True)], count: Annotated[int, Body()] = 1
) -> dict[str, Any]:
    return {"item": item.model_dump(), "count": count}


def form_ep(
    username: Annotated[str, Form()], age: Annotated[int, Form()] = 0
) -> dict[str, Any]:
    return {"username": username, "age": age}


async def raw_body(request: Request) -> bytes:
    return await request.body()


def request_ep(
    request: Request, body: Annotated[bytes, Depends(raw_body)]
) -> dict[str, Any]:
    return {
        "method": request.method,
        "path": request.url.path,
        "query": str(request.query_params),
        "host": request.headers.get("host"),
        "content_type": request.headers.get("content-type"),
        "cookies": dict(request.cookies),
        "body": body.decode(),
    }


bearer = HTTPBearer()
oauth2 = OAuth2PasswordBearer(tokenUrl="token", scopes={"read": "r", "write": "w"})


def bearer_ep(
    creds: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
) -> dict[str, Any]:
    return {"scheme": creds.scheme, "token": creds.credentials}


def scoped_user(
    scopes: SecurityScopes, token: Annotated[str, Depends(oauth2)]
) -> dict[str, Any]:
    if token != "good":
        raise HTTPException(
            401, "bad token", headers={"WWW-Authenticate": scopes.scope_str}
        )
    return {"scopes": scopes.scopes, "token": token}


def security_ep(
    user: Annotated[dict[str, Any], Security(scoped_user, scopes=["read", "write"])],
) -> dict[str, Any]:
    return user


def teapot() -> None:
    raise HTTPException(418, detail={"why": ["short", "stout"]}, headers={"X-Pot": "1"})


def http_error_ep(_: Annotated[None, Depends(teapot)]) -> dict[str, Any]:
    return {}


@dataclass
class Case:
    id: str
    endpoint: Any
    path: str  # FastAPI route path; the Flask rule is derived from it
    url: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None
    form: dict[str, str] | None = None
    status: int = 200
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def flask_rule(self) -> str:
        return self.path.replace("{", "<").replace("}", ">")


CASES = [
    Case(
        "header",
        headers_ep,
        "/h",
        "/h",
        headers={
            "X-Token": "t",
            "User-Agent": "ua/1",
            "X-Aliased-Name": "al",
            "X-Multi": "a",
        },
    ),
    Case(
        "header-missing",
        headers_ep,
        "/h",
        "/h",
        headers={"User-Agent": "ua"},
        status=422,
    ),
    Case("cookie", cookies_ep, "/c", "/c", cookies={"session": "abc", "theme": "dark"}),
    Case("cookie-missing", cookies_ep, "/c", "/c", status=422),
    Case("query", query_ep, "/q", "/q?q=1&q=2&search-term=caf%C3%A9&limit=3"),
    Case("query-bad", query_ep, "/q", "/q?q=x&limit=11", status=422),
    Case("query-missing", query_ep, "/q", "/q", status=422),
    Case("path", path_ep, "/items/{item_id}/{slug}", "/items/7/ok"),
    Case("path-bad", path_ep, "/items/{item_id}/{slug}", "/items/0/x", status=422),
    Case(
        "body", body_ep, "/b", "/b", method="POST", json={"name": "pen", "price": 1.5}
    ),
    Case(
        "body-bad", body_ep, "/b", "/b", method="POST", json={"price": "x"}, status=422
    ),
    Case(
        "body-embed",
        embed_ep,
        "/e",
        "/e",
        method="POST",
        json={"item": {"name": "a"}, "count": 3},
    ),
    Case(
        "form", form_ep, "/f", "/f", method="POST", form={"username": "ann", "age": "7"}
    ),
    Case(
        "form-missing",
        form_ep,
        "/f",
        "/f",
        method="POST",
        form={"age": "x"},
        status=422,
    ),
    Case(
        "request",
        request_ep,
        "/r",
        "/r?a=1&b=%20x",
        method="PUT",
        headers={"Content-Type": "text/plain"},
        cookies={"k": "v"},
    ),
    Case("bearer", bearer_ep, "/s", "/s", headers={"Authorization": "Bearer tok"}),
    Case("bearer-missing", bearer_ep, "/s", "/s", status=None),  # 401 or 403: FastAPI's
    Case("security", security_ep, "/o", "/o", headers={"Authorization": "Bearer good"}),
    Case(
        "security-bad",
        security_ep,
        "/o",
        "/o",
        headers={"Authorization": "Bearer bad"},
        status=401,
    ),
    Case("security-missing", security_ep, "/o", "/o", status=401),
    Case("http-exception", http_error_ep, "/t", "/t", status=418),
]


def _send(client: Any, case: Case, *, flask: bool) -> Any:
    kwargs: dict[str, Any] = {"headers": dict(case.headers)}
    if case.cookies:
        if flask:  # werkzeug's client replaces a Cookie header with its jar
            for key, value in case.cookies.items():
                client.set_cookie(key, value)
        else:
            kwargs["headers"]["Cookie"] = "; ".join(
                f"{k}={v}" for k, v in case.cookies.items()
            )
    if case.json is not None:
        kwargs["json"] = case.json
    if case.form is not None:
        kwargs["data"] = case.form
    if case.id == "request":
        kwargs[("data" if flask else "content")] = b"hello body"
    return (
        client.open(case.url, method=case.method, **kwargs)
        if flask
        else client.request(case.method, case.url, **kwargs)
    )


@pytest.fixture(scope="module")
def clients() -> Any:
    api = FastAPI()
    from flask import Flask

    flask_app = Flask("params")
    for case in {c.path: c for c in CASES}.values():
        api.add_api_route(case.path, case.endpoint, methods=["GET", "POST", "PUT"])
        flask_app.add_url_rule(
            case.flask_rule,
            endpoint=case.endpoint.__name__,
            view_func=with_fastapi_depends(case.endpoint),
            methods=["GET", "POST", "PUT"],
        )
    with warnings.catch_warnings():
        # Starlette >= 1.x would rather have httpx2 behind its TestClient.
        warnings.filterwarnings("ignore", message="Using `httpx` with")
        from fastapi.testclient import TestClient
    fastapi_client = TestClient(api, base_url="http://localhost")
    return fastapi_client, flask_app


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_same_as_fastapi(clients: Any, case: Case) -> None:
    fastapi_client, flask_app = clients
    flask_client = flask_app.test_client()
    want = _send(fastapi_client, case, flask=False)
    got = _send(flask_client, case, flask=True)
    if case.status is not None:
        assert want.status_code == case.status, want.text  # the case tests what it says
    assert got.status_code == want.status_code
    if want.status_code == 200:
        assert got.get_json() == want.json()
    else:  # rendered by FastAPI's handlers: identical bytes and headers
        assert got.data == want.content
        assert got.headers["content-type"] == want.headers["content-type"]
        assert got.headers.get("www-authenticate") == want.headers.get(
            "www-authenticate"
        )
        assert got.headers.get("x-pot") == want.headers.get("x-pot")


@pytest.mark.parametrize("case", list(_teardown.DEPENDS))
def test_teardown_error_same_as_fastapi(case: str, caplog: Any) -> None:
    """A teardown that raises: FastAPI's status (200 since 0.118), the error logged."""
    from flask import Flask

    flask_app = Flask("teardown")  # not testing: errors become Flask's 500
    flask_app.add_url_rule(
        f"/teardown/{case}", view_func=with_fastapi_depends(_teardown.endpoint(case))
    )
    want = _teardown.fastapi_client().get(f"/teardown/{case}")
    assert want.status_code == _teardown.expected_status(case), want.text
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        got = flask_app.test_client().get(f"/teardown/{case}")
    assert got.status_code == want.status_code
    if want.status_code == 200:
        assert got.get_json() == want.json()
        _teardown.assert_logged(caplog.records, "fastapi_everywhere.flask", case)
