from fastapi import Request

from docs_src.typed_calls.deps import CurrentUser, Report
from docs_src.typed_calls.styles import report
from fastapi_everywhere import INJECTED, sync, with_scope


async def from_a_route(request: Request) -> Report:
    return await with_scope(report, request.scope)("2026-12-01")


@sync.with_fastapi_depends
def count(day: str, n: int, user: CurrentUser = INJECTED) -> str:
    return f"{day}: {n} for {user.name}"


def from_a_job() -> str:
    return sync.with_scope(count, {"headers": [(b"x-user", b"ada")]})("d", 2)
