"""Headers, query parameters and cookies come from the call's ASGI scope."""

from typing import Annotated

from fastapi import BackgroundTasks, Depends, Header

from fastapi_everywhere import INJECTED, sync

sent: list[str] = []


def current_user(authorization: Annotated[str, Header()]) -> str:
    return authorization.removeprefix("Bearer ")


class Mailer:
    def __init__(self, tasks: BackgroundTasks) -> None:
        self.tasks = tasks  # the call's BackgroundTasks, as in a route

    def send(self, to: str) -> None:
        self.tasks.add_task(sent.append, f"mail to {to}")  # runs after the call


@sync.with_fastapi_depends
def greet(
    user: Annotated[str, Depends(current_user)] = INJECTED,
    mailer: Annotated[Mailer, Depends()] = INJECTED,
) -> str:
    mailer.send(user)
    return f"hello {user}"


if __name__ == "__main__":
    print(greet(_scope={"headers": {"authorization": "Bearer alice"}}))
    print(sent)  # ['mail to alice']
