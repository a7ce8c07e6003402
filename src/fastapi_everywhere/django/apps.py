"""The Django app: ``INSTALLED_APPS = [..., "fastapi_everywhere.django"]``."""

from __future__ import annotations

from django.apps import AppConfig

from . import _settings


class FastAPIEverywhereConfig(AppConfig):  # type: ignore[misc]
    """Validates ``settings.FASTAPI_EVERYWHERE`` at start-up.

    ``ready()`` imports the FastAPI app and the error renderer and builds the
    process lifespan object, but starts nothing: it also runs in ``manage.py``
    commands, the ``runserver`` reloader parent and gunicorn's master, where
    no lifespan, thread or loop belongs. The middleware starts the lifespan
    on the first request of each process.
    """

    name = "fastapi_everywhere.django"
    label = "fastapi_everywhere"
    verbose_name = "fastapi-everywhere"
    default = True

    def ready(self) -> None:
        """Fail fast on a bad setting (``ImproperlyConfigured`` names the key)."""
        _settings.current()
