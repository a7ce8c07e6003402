from typing import Annotated

from fastapi import Depends
from fastapi_injectable import injectable


class User: ...


def get_user() -> User:
    return User()


@injectable
def report(day: str, user: Annotated[User, Depends(get_user)]) -> int:
    return 0


ok_result: int = report("d", User())  # CASE result
report("d")  # CASE omit
report(1)  # CASE wrong
report()  # CASE missing
report("d", usr=1)  # CASE unknown
