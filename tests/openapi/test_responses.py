"""FastAPI return values from Flask and Django views: the very bytes FastAPI
sends, ``ResponseValidationError`` where FastAPI raises it, host responses
untouched. Sync and async views, against a real FastAPI app."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from django.http import HttpResponse
from fastapi import Depends, Response
from fastapi.exceptions import ResponseValidationError
from oa_common import Address, Item, ItemOut, Point
from oa_hosts import (
    NO_ANNOTATION,
    function,
    serve_django,
    serve_fastapi,
    serve_flask,
)

from fastapi_everywhere.django import with_fastapi_depends as django_depends
from fastapi_everywhere.flask import with_fastapi_depends as flask_depends

CASES: dict[str, tuple[Any, Any, dict[str, Any]]] = {
    "model": (lambda: ItemOut(id=1, name="é ✓"), ItemOut, {}),
    "dict_as_model": (
        lambda: {"id": 2, "name": "b", "secret": "s"},
        NO_ANNOTATION,
        {"response_model": ItemOut, "response_model_exclude": {"secret"}},
    ),
    "exclude_unset": (
        lambda: {"name": "pen"},
        Item,
        {"response_model_exclude_unset": True},
    ),
    "by_alias_off": (
        lambda: Item(name="pen", internalId=3),
        Item,
        {"response_model_by_alias": False},
    ),
    "exclude_none_defaults": (
        lambda: Item(name="pen", price=0.0, tags=["a"]),
        Item,
        {"response_model_exclude_none": True, "response_model_exclude_defaults": True},
    ),
    "include": (
        lambda: ItemOut(id=1, name="n", secret="x"),
        ItemOut,
        {"response_model_include": {"id"}},
    ),
    "list_of_models": (
        lambda: [ItemOut(id=i, name=str(i)) for i in range(3)],
        list[ItemOut],
        {},
    ),
    "nested_models_no_model": (
        lambda: {"a": [Address(street="s")], "p": Point(1, 2), "f": 1.5},
        NO_ANNOTATION,
        {"response_model": None},
    ),
    "dataclass": (lambda: Point(3), Point, {}),
    "status_code": (lambda: ItemOut(id=1, name="n"), ItemOut, {"status_code": 201}),
    "none_204": (lambda: None, None, {"status_code": 204}),
    "any_dict": (lambda: {"x": [1, 2.5, "é"]}, dict[str, Any], {}),
}


def _responses(case: str, is_async: bool) -> list[Any]:
    make, returns, options = CASES[case]
    out = [
        serve_fastapi(
            function(make, returns, django=False, is_async=is_async), **options
        ).get("/r")
    ]
    out.append(
        serve_flask(
            function(make, returns, django=False, is_async=is_async), **options
        ).get("/r")
    )
    out.append(
        serve_django(
            function(make, returns, django=True, is_async=is_async), **options
        ).get("/r")
    )
    return out


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_body_bytes_equal_fastapi(case: str, is_async: bool) -> None:
    fastapi, flask, django = _responses(case, is_async)
    assert flask.data == fastapi.content, case
    assert django.content == fastapi.content, case
    assert flask.status_code == django.status_code == fastapi.status_code
    if fastapi.content:
        assert flask.headers["content-type"] == fastapi.headers["content-type"]
        assert django.headers["content-type"] == fastapi.headers["content-type"]


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_invalid_response_is_a_500_from_response_validation_error(
    is_async: bool,
) -> None:
    make = lambda: {"id": "not a number", "name": "n"}  # noqa: E731
    fastapi, flask, django = (
        r.status_code for r in _responses_of(make, ItemOut, is_async)
    )
    assert fastapi == flask == django == 500


def _responses_of(make: Any, returns: Any, is_async: bool) -> list[Any]:
    CASES["_invalid"] = (make, returns, {})
    try:
        return _responses("_invalid", is_async)
    finally:
        del CASES["_invalid"]


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_response_validation_error_raised_to_the_host(is_async: bool) -> None:
    make = lambda: {"id": "x"}  # noqa: E731
    flask_view = function(make, ItemOut, django=False, is_async=is_async)
    client = serve_flask(flask_view)
    client.application.testing = True  # Flask re-raises unhandled errors
    with pytest.raises(ResponseValidationError) as flask_error:
        client.get("/r")
    django_client = serve_django(
        function(make, ItemOut, django=True, is_async=is_async)
    )
    django_client.raise_request_exception = True
    with pytest.raises(ResponseValidationError) as django_error:
        django_client.get("/r")
    assert flask_error.value.errors() == django_error.value.errors()
    assert flask_error.value.errors()[0]["loc"] == ("response", "id")


SEEN: list[Any] = []


def session() -> Any:
    try:
        yield "s"
    except Exception as exc:
        SEEN.append(type(exc))
        raise


def teardown_view(request: Any, *, s: Annotated[str, Depends(session)]) -> ItemOut:
    return {"id": "x"}  # type: ignore[return-value]


def test_teardown_sees_the_response_validation_error() -> None:
    """FastAPI raises it inside the dependencies' exit: so does the bridge."""
    SEEN.clear()
    assert serve_django(teardown_view).get("/r").status_code == 500
    assert SEEN == [ResponseValidationError]


def test_injected_response_status_and_headers_still_apply() -> None:
    def fastapi_view(*, response: Response) -> ItemOut:
        response.status_code = 202
        response.headers["X-Extra"] = "1"
        return ItemOut(id=1, name="n")

    def django_view(request: Any, *, response: Response) -> ItemOut:
        return fastapi_view(response=response)

    fastapi = serve_fastapi(fastapi_view).get("/r")
    flask = serve_flask(fastapi_view).get("/r")
    django = serve_django(django_view).get("/r")
    for got in (flask, django):
        assert got.status_code == fastapi.status_code == 202
        assert got.headers["x-extra"] == "1"
    assert flask.data == django.content == fastapi.content


def test_host_responses_pass_through_untouched() -> None:
    def django_view(request: Any) -> HttpResponse:
        return HttpResponse("<p>hi</p>", status=200)

    got = serve_django(django_view, status_code=201, response_model=ItemOut).get("/r")
    assert (got.status_code, got.content) == (200, b"<p>hi</p>")

    def text() -> str:
        return "<p>hi</p>"

    def pair() -> Any:
        return "made", 201

    def plain_dict() -> Any:
        return {"b": 1, "a": [1, 2]}

    assert serve_flask(text).get("/r").data == b"<p>hi</p>"
    assert serve_flask(pair).get("/r").status_code == 201
    # No response model declared: Flask renders its own dicts, as before.
    from flask import Flask

    app = Flask("plain")
    app.add_url_rule("/r", view_func=plain_dict)
    assert serve_flask(plain_dict).get("/r").data == app.test_client().get("/r").data


def test_options_fastapi_rejects_name_the_decorator() -> None:
    def view(request: Any) -> Any: ...

    with pytest.raises(TypeError, match=r"django.with_fastapi_depends.*response_model"):
        django_depends(response_model=object())(view)
    with pytest.raises(TypeError, match=r"flask.with_fastapi_depends.*status_code"):
        flask_depends(status_code=204, response_model=ItemOut, response_class=None)(
            view
        )
    with pytest.raises(TypeError, match=r"flask.with_fastapi_depends.*'respons_model'"):
        flask_depends(respons_model=ItemOut)(view)  # type: ignore[call-overload]
