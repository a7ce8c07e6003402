"""``resolve_fastapi_depends``: the block is the target, resolved like FastAPI.

The generated family runs half its trees this way too; these cases pin the
flows where this entry point has code of its own (``_decorators._open``).
"""

# No "from __future__ import annotations": FastAPI evaluates the local trees.

from typing import Annotated

import pytest
from fastapi import BackgroundTasks, Depends, FastAPI, Header, HTTPException

from ._harness import Boom, Recorder, Req, conforms, exc_name


def make_session(rec: Recorder):
    async def session():
        rec("session", "begin")
        try:
            yield "db"
        except Exception as e:
            rec("session", "rollback", exc_name(e))
            raise
        else:
            rec("session", "commit")

    return session


@pytest.mark.parametrize("fail", [None, "boom", "http"])
async def test_block_outcome_is_thrown_into_dependencies(rec: Recorder, fail) -> None:
    session = make_session(rec)

    def sync_gen(db: Annotated[str, Depends(session)]):
        rec("sync_gen", "enter")
        yield db
        rec("sync_gen", "exit")

    async def target(db: Annotated[str, Depends(sync_gen)], tasks: BackgroundTasks):
        tasks.add_task(rec, "task")
        if fail == "boom":
            raise Boom("block")
        if fail == "http":
            raise HTTPException(404, "nope")
        return db

    app = FastAPI()
    out = await conforms(rec, target, app=app, via="resolve")
    assert out.log[:2] == [("session", "begin"), ("sync_gen", "enter")]


async def test_validation_error(rec: Recorder) -> None:
    session = make_session(rec)

    async def target(
        db: Annotated[str, Depends(session)], x_n: Annotated[int, Header()]
    ):
        rec("target")

    out = await conforms(rec, target, Req(headers=[("x-n", "NaN")]), via="resolve")
    assert out.kind == "invalid"
