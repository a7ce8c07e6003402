from docs_src.testing.app import User, app, get_user
from fastapi_everywhere.sync import runnify_with_fastapi_depends


@runnify_with_fastapi_depends(app=app)
def greet(*, user: User) -> str:
    return f"greetings, {user}"


def test_greet_as_mallory():
    app.dependency_overrides[get_user] = lambda: "mallory"
    try:
        assert greet() == "greetings, mallory"
    finally:
        app.dependency_overrides.clear()
