from fastapi import Depends

from docs_src.typed_calls.deps import CurrentUser, Report, User, get_user
from fastapi_everywhere import INJECTED, with_fastapi_depends


@with_fastapi_depends
async def report(day: str, user: CurrentUser = INJECTED) -> Report:  # Annotated style
    return Report(day, user.name)


@with_fastapi_depends
async def audit(day: str, user: User = Depends(get_user)) -> Report:  # default style
    return Report(day, user.name)


async def calls() -> list[Report]:
    return [await report("2026-12-01"), await audit("2026-12-01")]  # user injected


async def wrong_calls(u: User) -> None:
    await report(1)  # error: int is not str
    await report()  # error: `day` is missing
    await report("d", usr=u)  # error: no parameter `usr`
