"""The Django project the tests run: one configuration for tests/django and
the docs examples (tests/docs), whichever configures Django first."""

from __future__ import annotations

import os
from typing import Any


def django_settings(tmp: str, *, root_urlconf: str) -> dict[str, Any]:
    """``settings.configure`` keywords: a real project on SQLite under ``tmp``."""
    return {
        "DEBUG": False,
        "SECRET_KEY": "tests",
        "ALLOWED_HOSTS": ["*"],
        "INSTALLED_APPS": [
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "rest_framework",
            "rest_framework.authtoken",
            "fastapi_everywhere.django",
            "example_django.notes",
            "example_django.drf",
        ],
        "MIDDLEWARE": [
            "fastapi_everywhere.django.FastAPIDependsMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        "ROOT_URLCONF": root_urlconf,
        # DRF's browsable API renders templates.
        "TEMPLATES": [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
            }
        ],
        "DATABASES": {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": os.path.join(tmp, "django.db"),
                "ATOMIC_REQUESTS": True,
                "OPTIONS": {"timeout": 20},
            }
        },
        "FASTAPI_EVERYWHERE": {},
        "USE_TZ": True,
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
    }
