import asyncio
from typing import Annotated

from fastapi import Depends, FastAPI, Header

from fastapi_everywhere import configure, with_fastapi_depends

app = FastAPI()
configure(app=app)  # its dependency_overrides, lifespan and state apply


async def get_db():  # your existing FastAPI dependencies...
    db = {"ann": "Ann Smith"}  # open a connection, a session...
    yield db
    db.clear()  # ...closed after the call, as after a request


def current_user(x_user: Annotated[str, Header()], db=Depends(get_db)) -> str:
    return db[x_user]


@with_fastapi_depends
async def nightly_report(day: str, *, user=Depends(current_user)) -> str:
    return f"{day}: report for {user}"  # `day` is yours, `user` is injected


if __name__ == "__main__":
    report = nightly_report("2026-12-03", _scope={"headers": {"x-user": "ann"}})
    print(asyncio.run(report))  # 2026-12-03: report for Ann Smith
