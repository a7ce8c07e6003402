"""ASGI entry point: ``uvicorn example_django.asgi:application`` from the repository root."""

import os

from fastapi_everywhere.django.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_django.settings")

# Django's ASGI app, plus the lifespan protocol: the server starts the FastAPI
# app's lifespan before the first request and shuts it down before exiting.
application = get_asgi_application()
