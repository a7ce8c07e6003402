"""Set-up for tests/openapi: Django configured (unless tests/django does it).

No ``__init__.py`` here (see tests/django/conftest.py): helper modules have
``oa_`` names so they import as top-level modules.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


@pytest.fixture(scope="session", autouse=True)
def _django_settings() -> None:
    """Configure Django unless a conftest did (tests/django's, collected with
    these tests, wins: it configures at import, this only at the first test)."""
    import django
    from django.conf import settings

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
def _django_requests(_django_settings: None, django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Requests may open the (ATOMIC_REQUESTS) database of tests/django's settings."""
    from django.test import override_settings

    # None when pytest-django found no settings at start-up (no database then).
    unblocked = (
        nullcontext() if django_db_blocker is None else django_db_blocker.unblock()
    )
    with unblocked, override_settings(ROOT_URLCONF="oa_django_urls"):
        yield
    from django.db import connections

    connections.close_all()
