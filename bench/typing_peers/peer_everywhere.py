from typing import Annotated

from fastapi import Depends

from fastapi_everywhere.sync import INJECTED, with_fastapi_depends


class User: ...


def get_user() -> User:
    return User()


@with_fastapi_depends
def report(day: str, user: Annotated[User, Depends(get_user)] = INJECTED) -> int:
    return 0


ok_result: int = report("d", User())  # CASE result
report("d")  # CASE omit
report(1)  # CASE wrong
report()  # CASE missing
report("d", usr=1)  # CASE unknown
