import asyncio

from fastapi_everywhere import configure, with_fastapi_depends

from .app import app
from .deps import CurrentUser, SettingsDep

configure(app=app)  # the app's dependency_overrides, lifespan and state apply


@with_fastapi_depends
async def greet(punctuation: str, *, user: CurrentUser, settings: SettingsDep) -> str:
    return f"{settings.greeting}, {user}{punctuation}"


if __name__ == "__main__":
    headers = {"x-token": "ann-token"}
    print(asyncio.run(greet("!", _scope={"headers": headers})))  # Hello, Ann!
