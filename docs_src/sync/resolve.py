from typing import Annotated

from fastapi import Depends

from fastapi_everywhere import sync


def get_session():
    yield "session"
    print("session closed")


def handler(session: Annotated[str, Depends(get_session)]) -> str:
    return session


if __name__ == "__main__":
    with sync.resolve_fastapi_depends(handler) as kwargs:
        print(kwargs)  # {'session': 'session'}
    # session closed
