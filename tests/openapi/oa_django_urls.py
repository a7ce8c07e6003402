"""The URLconf Django serves in tests/openapi; tests set ``urlpatterns``."""

from __future__ import annotations

from typing import Any

urlpatterns: list[Any] = []
