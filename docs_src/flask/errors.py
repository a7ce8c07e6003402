from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException


# app.config["FASTAPI_EVERYWHERE_ERROR_HANDLER"] = "myproject.errors:handle"
def handle(exc: RequestValidationError | HTTPException):
    if isinstance(exc, RequestValidationError):
        fields = [".".join(str(part) for part in e["loc"]) for e in exc.errors()]
        return {"error": "invalid input", "fields": fields}, 400
    return None  # FastAPI's response
