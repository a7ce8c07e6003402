"""``get_asgi_application(mount=...)``: bad input names the function and the key."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from fastapi_everywhere.django.asgi import get_asgi_application


@pytest.mark.parametrize(
    ("mount", "error", "message"),
    [
        ({"api": FastAPI()}, ValueError, r"path must start with '/'"),
        ({"/": FastAPI()}, ValueError, "not the root"),
        ({42: FastAPI()}, TypeError, "path must be a str"),
        ({"/api": "not an app"}, TypeError, r"mount\['/api'\] must be an ASGI app"),
    ],
)
def test_a_bad_mount_is_named(mount: Any, error: type, message: str) -> None:
    with pytest.raises(
        error, match=rf"get_asgi_application\(mount=\.\.\.\): .*{message}"
    ):
        get_asgi_application(mount=mount)
