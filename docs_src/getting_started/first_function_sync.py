from fastapi_everywhere import configure
from fastapi_everywhere.sync import with_fastapi_depends

from .app import app
from .deps import CurrentUser, SettingsDep

configure(app=app)


@with_fastapi_depends
def greet(punctuation: str, *, user: CurrentUser, settings: SettingsDep) -> str:
    return f"{settings.greeting}, {user}{punctuation}"


if __name__ == "__main__":
    print(greet("?", _scope={"headers": {"x-token": "bob-token"}}))  # Hello, Bob?
