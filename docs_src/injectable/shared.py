"""One instance for the whole process, when you mean it: ``singleton``."""

from typing import Annotated

from fastapi import Depends

from fastapi_everywhere import INJECTED, singleton, sync

built: list[str] = []


class Settings:
    def __init__(self) -> None:
        built.append("settings")
        self.dsn = "sqlite://"


@singleton
def get_settings() -> Settings:
    return Settings()


@sync.with_fastapi_depends
def dsn(settings: Annotated[Settings, Depends(get_settings)] = INJECTED) -> Settings:
    return settings


if __name__ == "__main__":
    assert dsn() is dsn()
    print(built)  # ['settings']: built once
