from fastapi import HTTPException
from fastapi.exceptions import RequestValidationError

from .first_function_sync import greet


def main() -> None:
    try:
        greet("!")  # no X-Token header
    except RequestValidationError as exc:  # FastAPI's own error, FastAPI's errors()
        print(exc.errors()[0]["type"], exc.errors()[0]["loc"])
        # missing ('header', 'x-token')

    try:
        greet("!", _scope={"headers": {"x-token": "eve-token"}})
    except HTTPException as exc:  # raised by current_user, unchanged
        print(exc.status_code, exc.detail)  # 401 Unknown token


if __name__ == "__main__":
    main()
