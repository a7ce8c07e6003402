"""ASGI entry point: ``uvicorn example_django.asgi:application`` from the repository root."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_django.settings")

application = get_asgi_application()
