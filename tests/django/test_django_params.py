"""Every parameter source read from the Django request, compared with FastAPI.

The same dependencies run on a FastAPI route (``dj_views.twin``) and in a
Django view; values must match, and errors (422, HTTPException) must be
byte-for-byte FastAPI's responses.
"""

from __future__ import annotations

import json
import logging
import warnings
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import dj_views

import _teardown


@pytest.fixture(scope="module")
def fastapi_client() -> Any:
    with TestClient(dj_views.twin) as client:
        yield client


GOOD = {
    "headers": {"X-Token": "tok", "Authorization": "Bearer secret", "X-Custom": "c"},
    "cookies": {"session": "abc"},
}


def both(
    client: Any, fastapi_client: Any, method: str, path: str, **kw: Any
) -> tuple[Any, Any]:
    headers = kw.pop("headers", {})
    cookies = kw.pop("cookies", {})
    client.cookies.clear()
    for k, v in cookies.items():
        client.cookies[k] = v
    fastapi_client.cookies.clear()
    for k, v in cookies.items():
        fastapi_client.cookies.set(k, v)
    fa = fastapi_client.request(method, path, headers=headers, **kw)
    data = kw.get("content") or kw.get("data")
    ctype = headers.get("Content-Type")
    if "json" in kw:
        data, ctype = json.dumps(kw["json"]), "application/json"
    if data is not None and isinstance(data, dict):
        dj = getattr(client, method.lower())(path, data=data, headers=headers)
    elif data is not None:
        dj = getattr(client, method.lower())(
            path, data=data, content_type=ctype, headers=headers
        )
    else:
        dj = getattr(client, method.lower())(path, headers=headers)
    return dj, fa


def assert_same_error(dj: Any, fa: Any) -> None:
    assert dj.status_code == fa.status_code
    assert dj.content == fa.content
    assert dj["Content-Type"] == fa.headers["content-type"]


def test_header_cookie_query_path_security_values(client, fastapi_client) -> None:
    dj, fa = both(client, fastapi_client, "GET", "/sources/7?q=1&q=2", **GOOD)
    assert fa.status_code == dj.status_code == 200
    assert (
        dj.json()
        == fa.json()
        == {
            "x_token": "tok",
            "session": "abc",
            "q": [1, 2],
            "item_id": 7,
            "token": "secret",
            "custom": "c",
        }
    )


@pytest.mark.parametrize(
    "path, drop",
    [
        ("/sources/7", None),  # missing query list
        ("/sources/0?q=1", None),  # path below ge=1
        ("/sources/x?q=a", None),  # bad path and query values
        ("/sources/7?q=1", "X-Token"),  # missing header
        ("/sources/7?q=1", "cookie"),  # missing cookie
    ],
)
def test_validation_errors_are_fastapis_422(client, fastapi_client, path, drop) -> None:
    headers = {k: v for k, v in GOOD["headers"].items() if k != drop}
    cookies = {} if drop == "cookie" else GOOD["cookies"]
    dj, fa = both(client, fastapi_client, "GET", path, headers=headers, cookies=cookies)
    assert fa.status_code == 422
    assert_same_error(dj, fa)


def test_oauth2_missing_token_is_fastapis_401_with_www_authenticate(
    client, fastapi_client
) -> None:
    headers = {"X-Token": "tok"}
    dj, fa = both(
        client,
        fastapi_client,
        "GET",
        "/sources/7?q=1",
        headers=headers,
        cookies=GOOD["cookies"],
    )
    assert fa.status_code == 401
    assert_same_error(dj, fa)
    assert dj["WWW-Authenticate"] == fa.headers["www-authenticate"] == "Bearer"


def test_http_exception_status_detail_and_headers(client, fastapi_client) -> None:
    dj, fa = both(client, fastapi_client, "GET", "/teapot")
    assert fa.status_code == 418
    assert_same_error(dj, fa)
    assert dj["X-Tea"] == fa.headers["x-tea"] == "earl grey"


def test_json_body_into_pydantic_and_embedded_params(client, fastapi_client) -> None:
    payload = {"item": {"name": "tea", "price": 2.5}, "note": "hot"}
    dj, fa = both(client, fastapi_client, "POST", "/items", json=payload)
    assert fa.status_code == dj.status_code == 200
    assert dj.json() == fa.json() == payload


@pytest.mark.parametrize(
    "payload",
    [{"item": {"name": "tea", "price": -1}}, {"note": "no item"}, "not json"],
)
def test_bad_body_is_fastapis_422(client, fastapi_client, payload) -> None:
    if isinstance(payload, str):
        kw: dict[str, Any] = {
            "content": payload,
            "headers": {"Content-Type": "application/json"},
        }
    else:
        kw = {"json": payload}
    dj, fa = both(client, fastapi_client, "POST", "/items", **kw)
    assert fa.status_code == 422
    assert_same_error(dj, fa)


def test_form_fields_from_the_urlencoded_body(client, fastapi_client) -> None:
    body = "name=ada&tags=a&tags=b"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    dj, fa = both(
        client, fastapi_client, "POST", "/form", content=body, headers=headers
    )
    assert fa.json() == {"name": "ada", "tags": ["a", "b"]}
    assert dj.json() == {**fa.json(), "django_name": "ada"}
    dj, fa = both(
        client, fastapi_client, "POST", "/form", content="tags=a", headers=headers
    )
    assert_same_error(dj, fa)


def test_request_sees_url_root_path_client_cookies_and_body(client) -> None:
    client.cookies["session"] = "abc"
    r = client.post(
        "/info?a=1&b=two",
        data=b'{"raw": true}',
        content_type="application/json",
        headers={"X-Token": "tok"},
        SCRIPT_NAME="/mounted",
        REMOTE_ADDR="10.1.2.3",
        secure=True,
    )
    assert r.status_code == 200
    info = r.json()
    assert info == {
        "method": "POST",
        "url": "https://testserver/mounted/info?a=1&b=two",
        "path": "/mounted/info",
        "root_path": "/mounted",
        "query": {"a": "1", "b": "two"},
        "scheme": "https",
        "client": "10.1.2.3",
        "x_token": "tok",
        "cookies": {"session": "abc"},
        "body": '{"raw": true}',
    }


async def test_async_client_request_and_body(client) -> None:
    from django.test import AsyncClient

    r = await AsyncClient().post(
        "/info?a=1",
        data=b"payload",
        content_type="text/plain",
        headers={"X-Token": "t"},
    )
    info = r.json()
    assert (info["body"], info["query"], info["x_token"], info["method"]) == (
        "payload",
        {"a": "1"},
        "t",
        "POST",
    )


def test_a_body_over_djangos_limit_is_fastapis_400() -> None:
    from django.test import Client, override_settings

    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10):
        r = Client(raise_request_exception=False).post(
            "/items",
            data={"name": "x" * 50, "price": 1},
            content_type="application/json",
        )
    assert r.status_code == 400
    assert r.json() == {"detail": "There was an error parsing the body"}


@pytest.mark.parametrize("case", list(_teardown.DEPENDS))
def test_teardown_error_same_as_fastapi(client, case: str, caplog: Any) -> None:
    """A teardown that raises: FastAPI's status (200 since 0.118), the error logged."""
    want = _teardown.fastapi_client().get(f"/teardown/{case}")
    assert want.status_code == _teardown.expected_status(case), want.text
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        got = client.get(f"/teardown/{case}")
    assert got.status_code == want.status_code
    if want.status_code == 200:
        assert got.json() == want.json()
        _teardown.assert_logged(caplog.records, "fastapi_everywhere.django", case)


@pytest.mark.parametrize("url", ["/bare/7", "/bare/7?extra=2", "/bare/7?extra=x"])
def test_a_url_kwarg_is_a_path_parameter_in_every_dependency(url: str) -> None:
    """A dependency's bare ``item_id`` is the URL's, as in a FastAPI route."""
    from django.test import Client

    with TestClient(dj_views.twin) as twin:
        want = twin.get(url)
    got = Client().get(url)
    assert (got.status_code, got.json()) == (want.status_code, want.json())
