"""Django set-up for tests/django: a real project on a temporary SQLite file.

Configured here (not through DJANGO_SETTINGS_MODULE) so that no other test
directory sees Django. No ``__init__.py`` in this directory: as a package it
would be importable as ``django`` and shadow Django itself.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
for path in (str(ROOT), str(HERE)):
    if path not in sys.path:
        sys.path.insert(0, path)

_tmp = tempfile.mkdtemp(prefix="fe-django-tests-")
# Never the developer's demo.db: the example's deps write here. Restored (and
# the directory removed) at the end of the session, see _restore_demo_db.
_previous_demo_db = os.environ.get("FASTAPI_EVERYWHERE_DEMO_DB")
os.environ["FASTAPI_EVERYWHERE_DEMO_DB"] = os.path.join(_tmp, "notes.db")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

if not settings.configured:
    from _django_settings import django_settings  # noqa: E402

    settings.configure(**django_settings(_tmp, root_urlconf="dj_urls"))
    django.setup()


@pytest.fixture(scope="session", autouse=True)
def _django_db(django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """A migrated file database, open to every test here (servers share it)."""
    from demo.deps import get_settings, init_db
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    if not hasattr(sys.modules["django.test.utils"]._TestState, "saved_data"):
        setup_test_environment()  # unless pytest-django did
    with django_db_blocker.unblock():
        call_command("migrate", verbosity=0)
        init_db(get_settings())
        yield


@pytest.fixture(autouse=True)
def _clean_tables() -> Iterator[None]:
    from example_django.notes.models import Activity

    Activity.objects.all().delete()
    yield
    Activity.objects.all().delete()
    from django.db import connections

    connections.close_all()


@pytest.fixture
def client():  # type: ignore[no-untyped-def]
    from django.test import Client

    return Client(raise_request_exception=False)


@pytest.fixture(scope="session", autouse=True)
def _restore_demo_db() -> Iterator[None]:
    yield
    if _previous_demo_db is None:
        os.environ.pop("FASTAPI_EVERYWHERE_DEMO_DB", None)
    else:
        os.environ["FASTAPI_EVERYWHERE_DEMO_DB"] = _previous_demo_db
    shutil.rmtree(_tmp, ignore_errors=True)
