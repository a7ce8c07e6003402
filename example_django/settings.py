"""Settings of the example project (SQLite; paths overridable from the environment).

* ``EXAMPLE_DJANGO_DB``: the Django database (the activity log), default
  ``example_django/db.sqlite3``;
* ``FASTAPI_EVERYWHERE_DEMO_DB``: the notes database of the shared deps
  (``demo/deps.py``), default ``demo.db`` in the working directory;
* ``EXAMPLE_DJANGO_FASTAPI_APP``: the FastAPI app whose lifespan and
  ``dependency_overrides`` apply, default the demo's ``demo.app:app``.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-only-not-a-secret")
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "rest_framework",
    "rest_framework.authtoken",
    "fastapi_everywhere.django",
    "example_django.notes",
    "example_django.drf",
]

MIDDLEWARE = [
    # First, so the response it closes is the one the server sends.
    "fastapi_everywhere.django.FastAPIDependsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

ROOT_URLCONF = "example_django.urls"

# DRF's browsable API renders templates.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
    }
]
WSGI_APPLICATION = "example_django.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("EXAMPLE_DJANGO_DB", str(BASE_DIR / "db.sqlite3")),
        # Each view (and the sync dependencies it resolves) in one transaction.
        "ATOMIC_REQUESTS": True,
        "OPTIONS": {"timeout": 20},
    }
}

FASTAPI_EVERYWHERE = {
    "APP": os.environ.get("EXAMPLE_DJANGO_FASTAPI_APP", "demo.app:app"),
}

USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"fastapi_everywhere": {"handlers": ["console"], "level": "WARNING"}},
}
