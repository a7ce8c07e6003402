"""The two ways to write an injected parameter, and the bare Annotated one.

A checker does not read ``Annotated`` metadata, so ``user: CurrentUser``
with no default stays a required parameter for it: give it ``= INJECTED``
(or write ``user: User = Depends(get_user)``).
"""

from common import CurrentUser, User, get_user
from fastapi import Depends
from typing_extensions import assert_type

from fastapi_everywhere import INJECTED
from fastapi_everywhere.sync import with_fastapi_depends


@with_fastapi_depends
def default_style(n: int, user: User = Depends(get_user)) -> str:
    return user.name


@with_fastapi_depends
def marker_style(n: int, user: CurrentUser = INJECTED) -> str:
    return user.name


@with_fastapi_depends
def bare_annotated(n: int, user: CurrentUser) -> str:
    return user.name


assert_type(default_style(1), str)
assert_type(marker_style(1), str)
# required for both checkers: the reason for INJECTED
bare_annotated(1)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
assert_type(bare_annotated(1, User()), str)
