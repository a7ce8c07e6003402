from django.core.asgi import get_asgi_application
from fastapi import FastAPI

from fastapi_everywhere.django import mount


def create_api() -> FastAPI:
    api = FastAPI(title="Shop")
    # Django's ASGI app as is (its WSGI app goes through a2wsgi); the
    # decorated views of ROOT_URLCONF (or urlconf=...) are documented.
    mount(api, "/legacy", get_asgi_application())
    return api
