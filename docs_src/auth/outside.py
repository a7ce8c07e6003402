from typing import Any

from fastapi import FastAPI

from fastapi_everywhere.django import django_user
from fastapi_everywhere.sync import with_fastapi_depends

from .deps import CurrentName

api = FastAPI()


@with_fastapi_depends(app=api)
def nightly_report(*, name: CurrentName) -> str:  # a script, a Celery task...
    return f"report for {name}"


def run_report_as(user: Any) -> str:
    api.dependency_overrides[django_user] = lambda: user
    try:
        return nightly_report()
    finally:
        del api.dependency_overrides[django_user]
