"""The differential proof: FastAPI's document for a signature written as a
FastAPI route equals the one for the same signature as a Flask and a Django
view, key by key (and so the whole document, components included)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from oa_signatures import (
    HAND,
    Sig,
    django_urlconf,
    fastapi_document,
    flask_app,
    generated,
)

from fastapi_everywhere.django import openapi_document as django_document
from fastapi_everywhere.flask import openapi_document as flask_document

GENERATED = generated(40)
FAMILY = HAND + GENERATED


def assert_same(expected: dict[str, Any], got: dict[str, Any], where: str) -> None:
    """Key by key, so a divergence names its place."""
    for path in expected["paths"].keys() | got["paths"].keys():
        want = expected["paths"].get(path)
        have = got["paths"].get(path)
        assert want is not None and have is not None, f"{where}: path {path}"
        for method in want.keys() | have.keys():
            assert have.get(method) == want.get(method), (
                f"{where} {method} {path}:\n"
                f"{json.dumps(have.get(method), indent=1, default=str)}\n!=\n"
                f"{json.dumps(want.get(method), indent=1, default=str)}"
            )
    assert got.get("components") == expected.get("components"), where
    assert got == expected, where


def fastapi_rejects(sig: Sig) -> bool:
    """FastAPI versions differ on a few signatures (0.115: ``-> None`` with a
    204 is a response model); the bridge then rejects them too."""
    try:
        fastapi_document([sig])
    except AssertionError:
        return True
    return False


@pytest.mark.parametrize("sig", FAMILY, ids=lambda s: s.name)
def test_flask_view_documented_as_fastapi_route(sig: Sig) -> None:
    if fastapi_rejects(sig):
        with pytest.raises(TypeError, match="FastAPI rejects"):
            flask_app([sig])
        return
    assert_same(fastapi_document([sig]), flask_document(flask_app([sig])), "flask")


@pytest.mark.parametrize("sig", FAMILY, ids=lambda s: s.name)
def test_django_view_documented_as_fastapi_route(sig: Sig) -> None:
    if fastapi_rejects(sig):
        with pytest.raises(TypeError, match="FastAPI rejects"):
            django_urlconf([sig])
        return
    got = django_document(django_urlconf([sig]))
    assert_same(fastapi_document([sig]), got, "django")


def test_whole_family_in_one_document() -> None:
    """Shared components (models, security schemes) merge as FastAPI merges them."""
    sigs = [s for s in FAMILY if s.fastapi_path == "/things"][:1] + [
        s for s in FAMILY if s.fastapi_path != "/things" and not fastapi_rejects(s)
    ]
    expected = fastapi_document(sigs)
    assert_same(expected, flask_document(flask_app(sigs)), "flask")
    assert_same(expected, django_document(django_urlconf(sigs)), "django")


def test_family_size() -> None:
    assert len(FAMILY) >= 30
    assert len({s.name for s in FAMILY}) == len(FAMILY)
