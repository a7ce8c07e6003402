"""Headers, query parameters and cookies come from the call's ASGI scope."""

from typing import Annotated

from fastapi import BackgroundTasks, Depends, Header

from fastapi_everywhere import INJECTED, sync

sent: list[str] = []


def current_user(authorization: Annotated[str, Header()]) -> str:
    return authorization.removeprefix("Bearer ")


def notifier(tasks: BackgroundTasks) -> BackgroundTasks:
    return tasks


@sync.with_fastapi_depends
def greet(
    user: Annotated[str, Depends(current_user)] = INJECTED,
    tasks: Annotated[BackgroundTasks, Depends(notifier)] = INJECTED,
) -> str:
    tasks.add_task(sent.append, f"mail to {user}")  # runs after the call
    return f"hello {user}"


if __name__ == "__main__":
    print(greet(_scope={"headers": {"authorization": "Bearer alice"}}))
    print(sent)  # ['mail to alice']
