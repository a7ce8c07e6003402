"""Set-up for tests/openapi: Django configured (unless tests/django did it).

No ``__init__.py`` here (see tests/django/conftest.py): helper modules have
``oa_`` names so they import as top-level modules.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import django  # noqa: E402
from django.conf import settings  # noqa: E402

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="tests",
        ALLOWED_HOSTS=["*"],
        INSTALLED_APPS=["fastapi_everywhere.django"],
        MIDDLEWARE=["fastapi_everywhere.django.FastAPIDependsMiddleware"],
        ROOT_URLCONF="oa_django_urls",
        DATABASES={},
        FASTAPI_EVERYWHERE={},
        USE_TZ=True,
    )
    django.setup()


@pytest.fixture(autouse=True)
def _django_requests(django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Requests may open the (ATOMIC_REQUESTS) database of tests/django's settings."""
    from django.test import override_settings

    with django_db_blocker.unblock(), override_settings(ROOT_URLCONF="oa_django_urls"):
        yield
    from django.db import connections

    connections.close_all()
