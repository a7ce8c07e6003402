"""ParameterError, MissingParameterError, ParameterValidationError: the hierarchy."""

from __future__ import annotations

import pytest
from fastapi import Query
from fastapi.exceptions import RequestValidationError

from fastapi_everywhere import (
    FastAPIContainer,
    FastAPIEverywhereError,
    MissingParameterError,
    ParameterError,
    ParameterValidationError,
    ParamSource,
    ScopeError,
)


def page(number: int = Query()) -> int:
    return number


def test_the_classes_relate_as_in_fastapi_standalone_di() -> None:
    for cls in (MissingParameterError, ParameterValidationError):
        assert issubclass(cls, ParameterError)
        assert issubclass(cls, RequestValidationError)  # FastAPI's, still
    assert issubclass(ParameterError, RuntimeError)
    assert issubclass(ParameterError, FastAPIEverywhereError)
    assert issubclass(ScopeError, RuntimeError)


async def test_a_bad_value_is_a_parameter_validation_error() -> None:
    async with FastAPIContainer(query=ParamSource({"number": "x"})) as container:
        with pytest.raises(ParameterValidationError) as caught:
            await container.get(page)
    assert caught.value.errors()[0]["loc"] == ("query", "number")
    assert str(caught.value).startswith(
        "FastAPIContainer.resolve(api.test_parameter_errors.page): invalid parameter"
    )
    async with FastAPIContainer() as container:
        with pytest.raises(MissingParameterError):
            await container.get(page)
