"""Django for the docs' examples: a real project on a temporary SQLite file.

Settings are process-global. When tests/django is part of the run, its
conftest configured them (pytest loads it before collecting tests/docs) and
its configuration is used; otherwise the same configuration is made here,
when the docs' Django test modules are collected (so before tests/openapi's
conftest, which configures lazily and without a database, would). Each test
then routes to the page's example urls with ``override_settings``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def configure() -> None:
    """Configure Django as tests/django/conftest.py does, unless done already."""
    import django
    from django.conf import settings

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if settings.configured:
        return
    tmp = tempfile.mkdtemp(prefix="fe-docs-django-")
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    # Never the developer's demo.db: example_django's apps are installed.
    os.environ.setdefault("FASTAPI_EVERYWHERE_DEMO_DB", os.path.join(tmp, "notes.db"))
    from _django_settings import django_settings

    settings.configure(**django_settings(tmp, root_urlconf="docs_src.django.urls"))
    django.setup()


_migrated = False


@contextmanager
def django_site(blocker: Any, **overrides: Any) -> Iterator[None]:
    """A migrated database open to the test, and ``overrides`` in force.

    ``blocker`` is pytest-django's ``django_db_blocker`` (None when it found
    no settings at start-up, so blocks nothing).
    """
    global _migrated
    from django.core.management import call_command
    from django.db import connections
    from django.test import override_settings

    unblocked = nullcontext() if blocker is None else blocker.unblock()
    with unblocked:
        if not _migrated:
            call_command("migrate", verbosity=0)
            _migrated = True
        try:
            with override_settings(**overrides):
                yield
        finally:
            connections.close_all()
