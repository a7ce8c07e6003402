"""``FastApiDepsStack.resolve`` takes an Annotated type, a ``Depends`` or the callable."""

from typing import Annotated

from fastapi import Depends, FastAPI

from fastapi_everywhere import sync

app = FastAPI()


class Settings:
    dsn = "sqlite://"


def get_settings() -> Settings:
    return Settings()


SettingsDep = Annotated[Settings, Depends(get_settings)]


def main() -> list[Settings]:
    with sync.FastApiDepsStack(app) as stack:
        return [
            stack.resolve(SettingsDep),
            stack.resolve(Depends(get_settings)),
            stack.resolve(get_settings),
        ]


if __name__ == "__main__":
    print([s.dsn for s in main()])
