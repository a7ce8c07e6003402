"""Which ``str`` parameters a reader may take as they are (``_compat._str_as_is``).

The rule is checked against pydantic itself: a field it accepts returns every
sample string unchanged from FastAPI's own validation, and each field it
refuses has a constraint, a strictness or a transform that validation applies.
"""

# No "from __future__ import annotations": FastAPI evaluates the signatures.

from typing import Annotated, Any

import pytest
from fastapi import Cookie, Header, Query
from fastapi.dependencies.utils import get_dependant
from pydantic import StringConstraints

from fastapi_everywhere._engine._compat import _str_as_is


def as_is(
    plain: Annotated[str, Header()],
    with_default: Annotated[str, Query()] = "d",
    optional: Annotated[str | None, Cookie()] = None,
    aliased: Annotated[str, Header(alias="X-Other")] = "a",
):
    pass


def validated(
    min_length: Annotated[str, Header(min_length=1)] = "m",
    max_length: Annotated[str, Query(max_length=2)] = "m",
    pattern: Annotated[str, Query(pattern="^a")] = "a",
    strict: Annotated[str, Header(strict=True)] = "s",
    stripped: Annotated[str, StringConstraints(strip_whitespace=True), Query()] = "s",
    lowered: Annotated[str, StringConstraints(to_lower=True), Cookie()] = "l",
    number: Annotated[int, Query()] = 1,
    either: Annotated[int | str, Query()] = 1,
):
    pass


def _fields(func: Any) -> list[Any]:
    dependant = get_dependant(path="/", call=func)
    return [
        *dependant.header_params,
        *dependant.query_params,
        *dependant.cookie_params,
    ]


_SAMPLES = ["", " ", " padded ", "UPPER", "é ü", "\x00", "\udcff", "a" * 1000]


@pytest.mark.parametrize("field", _fields(as_is), ids=lambda f: f.name)
def test_a_field_taken_as_is_validates_to_the_same_string(field: Any) -> None:
    assert _str_as_is(field)
    for sample in _SAMPLES:
        value, errors = field.validate(sample, {}, loc=("header", field.alias))
        assert not errors
        assert value == sample and type(value) is str


@pytest.mark.parametrize("field", _fields(validated), ids=lambda f: f.name)
def test_a_field_with_a_constraint_is_validated(field: Any) -> None:
    assert not _str_as_is(field)
