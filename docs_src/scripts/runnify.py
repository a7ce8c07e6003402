import sys
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from fastapi_everywhere import configure, runnify_with_fastapi_depends


@asynccontextmanager
async def lifespan(app: FastAPI):
    yield {"db": {"orders": 3, "users": 2}}


app = FastAPI(lifespan=lifespan)
configure(app=app)


def get_db(request: Request) -> dict:
    return request.state.db


@runnify_with_fastapi_depends
async def main(table: str, *, db: Annotated[dict, Depends(get_db)]) -> int:
    print(f"{db[table]} rows in {table}")
    return 0


if __name__ == "__main__":
    # python -m docs_src.scripts.runnify users
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "orders"))  # 3 rows in orders
