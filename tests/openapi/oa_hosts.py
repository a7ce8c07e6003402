"""One endpoint served three ways (FastAPI, Flask, Django) for response tests."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import oa_django_urls
from django.test import Client
from django.urls import clear_url_caches, path
from fastapi import FastAPI
from flask import Flask

from fastapi_everywhere.django import with_fastapi_depends as django_depends
from fastapi_everywhere.flask import FastAPIDepends
from fastapi_everywhere.flask import with_fastapi_depends as flask_depends

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

NO_ANNOTATION = object()


def function(
    make: Callable[..., Any], returns: Any, *, django: bool, is_async: bool
) -> Callable[..., Any]:
    """A view returning ``make()``, annotated ``-> returns``."""
    if django and is_async:

        async def view(request: Any) -> Any:
            return make()
    elif django:

        def view(request: Any) -> Any:
            return make()
    elif is_async:

        async def view() -> Any:
            return make()
    else:

        def view() -> Any:
            return make()

    view.__annotations__ = {} if returns is NO_ANNOTATION else {"return": returns}
    return view


def serve_fastapi(view: Callable[..., Any], **options: Any) -> TestClient:
    api = FastAPI()
    api.add_api_route("/r", view, methods=["GET"], **options)
    return TestClient(api, raise_server_exceptions=False)


def serve_flask(view: Callable[..., Any], **options: Any) -> Any:
    app = Flask("oa_responses")
    FastAPIDepends(app)
    app.add_url_rule("/r", view_func=flask_depends(**options)(view))
    return app.test_client()


def serve_django(view: Callable[..., Any], **options: Any) -> Client:
    oa_django_urls.urlpatterns[:] = [path("r", django_depends(**options)(view))]
    clear_url_caches()
    return Client(raise_request_exception=False)
