from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from fastapi_everywhere import container_lifespan, get_container, singleton

built: list[str] = []


def get_settings() -> dict:
    return {"url": "sqlite://"}


@singleton(key="db")  # the body runs once; the instance lives in the AppState
def get_db(settings: Annotated[dict, Depends(get_settings)]) -> str:
    built.append("db")
    return f"db({settings['url']})"


@singleton(lazy=True)  # built once by the app's container, yield allowed
async def get_pool():
    yield "pool"
    built.append("pool closed")  # at the container's aclose(), at shutdown


app = FastAPI(lifespan=container_lifespan)  # app.state.container


@app.get("/")
def index(
    db: Annotated[str, Depends(get_db)],
    pool: Annotated[str, Depends(get_pool)],
    container=Depends(get_container),
) -> dict:
    return {"db": db, "pool": pool, "container": type(container).__name__}


if __name__ == "__main__":
    with TestClient(app) as client:
        print(client.get("/").json())
        # {'db': 'db(sqlite://)', 'pool': 'pool', 'container': 'FastAPIContainer'}
        client.get("/")
    print(built)  # ['db', 'pool closed']
