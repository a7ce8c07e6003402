from typing import Any

from fastapi import FastAPI

from fastapi_everywhere.flask import AuthenticatedFlaskUser, flask_user
from fastapi_everywhere.sync import with_fastapi_depends

api = FastAPI()


@with_fastapi_depends(app=api)
def nightly_report(*, user: AuthenticatedFlaskUser) -> str:  # a script, a task...
    return f"report for {user.name}"


def run_report_as(user: Any) -> str:
    # AuthenticatedFlaskUser depends on flask_user: one override covers both.
    api.dependency_overrides[flask_user] = lambda: user
    try:
        return nightly_report()
    finally:
        del api.dependency_overrides[flask_user]
