"""The sync API runs sync dependencies on the calling thread."""

import threading
from typing import Annotated

from fastapi import Depends

from fastapi_everywhere import sync


def current_thread() -> int:
    return threading.get_ident()


@sync.with_fastapi_depends
def on_my_thread(*, ident: Annotated[int, Depends(current_thread)]) -> bool:
    return ident == threading.get_ident()


if __name__ == "__main__":
    print(on_my_thread())  # True
