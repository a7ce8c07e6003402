from docs_src.typed_calls.deps import CurrentUser
from fastapi_everywhere.sync import with_fastapi_depends


@with_fastapi_depends
def greet(greeting: str, user: CurrentUser) -> str:  # no default: required
    return f"{greeting}, {user.name}"


def call() -> str:
    return greet("hello")  # error: a checker wants `user`; FastAPI would inject it
