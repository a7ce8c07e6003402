from fastapi import Depends, FastAPI

from fastapi_everywhere import (
    FastAPIEverywhereError,
    check_routes_and_dependencies_are_async,
)

app = FastAPI()


def get_settings() -> dict:  # sync: FastAPI runs it in a worker thread
    return {}


@app.get("/")
async def index(settings: dict = Depends(get_settings)) -> dict:
    return settings


if __name__ == "__main__":
    print(check_routes_and_dependencies_are_async(app, raise_error=False))
    try:
        check_routes_and_dependencies_are_async(app)
    except FastAPIEverywhereError as exc:
        print(type(exc).__name__)  # FastAPIEverywhereError, listing them
