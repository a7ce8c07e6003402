from fastapi import FastAPI

from fastapi_everywhere import (
    NotConfiguredError,
    configure,
    get_app,
    get_context_factory,
    is_configured,
    reset_config,
)

app = FastAPI()

try:
    get_app()
except NotConfiguredError as exc:
    print(exc)  # get_app: No FastAPI app configured; call ...configure(app=...) ...

configure(app=app, lifespan_timeout=120.0)  # once, at start-up
print(get_app() is app, is_configured(), get_context_factory())  # True True None

reset_config()  # tests: forget it again
print(is_configured())  # False
