"""A minimal Django site for the WSGI edge tests (``edges_urls``)."""

from _wsgi_edges import BODY_LIMIT

SECRET_KEY = "tests"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["fastapi_everywhere.django"]
MIDDLEWARE = ["fastapi_everywhere.django.FastAPIDependsMiddleware"]
ROOT_URLCONF = "edges_urls"
DATABASES: dict[str, object] = {}
DATA_UPLOAD_MAX_MEMORY_SIZE = BODY_LIMIT
FASTAPI_EVERYWHERE = {"APP": "_wsgi_edges:app"}
USE_TZ = True
