from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Query, Request

TOKENS = {"alice-token": "alice", "bob-token": "bob"}


def current_user(authorization: Annotated[str, Header()] = "") -> str:
    user = TOKENS.get(authorization.removeprefix("Bearer "))
    if user is None:
        raise HTTPException(
            status_code=401,
            detail="Not authenticated",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


class NoteRepo:
    def __init__(self, notes: dict[str, list[str]]) -> None:
        self.notes = notes

    def list_for(self, user: str) -> list[str]:
        return self.notes.setdefault(user, [])


def get_repo(request: Request) -> Iterator[NoteRepo]:
    repo = NoteRepo(request.state.notes)  # from the app's lifespan
    try:
        yield repo
    except Exception as exc:
        print(f"repo: rolled back ({exc!r})")
        raise
    else:
        print("repo: committed")


class Pagination:
    def __init__(
        self,
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=100)] = 2,
    ) -> None:
        self.offset = offset
        self.limit = limit

    def slice(self, items: list[str]) -> list[str]:
        return items[self.offset : self.offset + self.limit]


CurrentUser = Annotated[str, Depends(current_user)]
Repo = Annotated[NoteRepo, Depends(get_repo)]
Page = Annotated[Pagination, Depends()]
