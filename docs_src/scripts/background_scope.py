from typing import Annotated

from fastapi import BackgroundTasks, Depends, FastAPI, Header, Request
from fastapi.testclient import TestClient

from fastapi_everywhere import configure, with_fastapi_depends

app = FastAPI()
configure(app=app)
audit_log: list[str] = []


def current_user(x_user: Annotated[str, Header()]) -> str:
    return x_user


@with_fastapi_depends
async def audit(event: str, *, user: Annotated[str, Depends(current_user)]) -> None:
    audit_log.append(f"{event} by {user}")


@app.post("/orders")
async def create_order(request: Request, tasks: BackgroundTasks) -> dict[str, str]:
    # The task runs after the response: hand it this request's scope, so its
    # own dependencies resolve from this request's headers.
    tasks.add_task(audit, "order-created", _scope=request.scope)
    return {"status": "created"}


if __name__ == "__main__":
    with TestClient(app) as client:
        client.post("/orders", headers={"X-User": "ann"})
    print(audit_log)  # ['order-created by ann']
