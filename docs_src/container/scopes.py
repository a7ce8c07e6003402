import asyncio
import itertools

from fastapi import Depends

from fastapi_everywhere import DependencyScope, FastAPIContainer, ScopeError

ids = itertools.count(1)


def get_pool() -> str:
    return "pool"


def get_session(pool: str = Depends(get_pool)):
    yield f"session {next(ids)} on {pool}"


async def main() -> None:
    scopes = {get_session: DependencyScope.SCOPED}  # the rest: CONTAINER (default)
    async with FastAPIContainer(scopes=scopes) as container:
        async with container.scope() as scope:  # e.g. one job, one message
            print(await scope.get(get_session))  # session 1 on pool
            print(await scope.get(get_session))  # session 1 on pool: same scope
        async with container.scope() as scope:
            print(await scope.get(get_session))  # session 2 on pool
        try:
            await container.get(get_session)
        except ScopeError:
            print("ScopeError: SCOPED needs a scope() block")


if __name__ == "__main__":
    asyncio.run(main())
