"""The example of docs/architecture.md: every source of a parameter is one ASGI scope."""

from __future__ import annotations

import docs_src.architecture.scope as scope
import pytest

from fastapi_everywhere import MissingParameterError


def test_static_and_call_time_scopes_merge_into_one_request() -> None:
    assert scope.from_a_call() == {
        "path": "/reports",
        "query": "page=2",
        "token": "s3cret",
        "page": 2,
        "same header": True,
    }


def test_a_containers_param_sources_reach_the_request() -> None:
    assert scope.from_a_container() == {
        "path": "/",
        "query": "page=3",
        "token": "s3cret",
        "page": 3,
        "same header": True,
    }


def test_a_missing_header_is_fastapis_validation_error() -> None:
    with pytest.raises(MissingParameterError, match="x-token") as info:
        scope.from_a_decorator()
    assert info.value.errors()[0]["loc"] == ("header", "x-token")
