from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler

from fastapi_everywhere.django import FastAPIError  # a DRF APIException


# REST_FRAMEWORK = {"EXCEPTION_HANDLER": "myproject.errors.api_errors"}
def api_errors(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = exception_handler(exc, context)  # DRF's own: FastAPI's body
    if response is not None and isinstance(exc, FastAPIError):
        response.data = {"error": exc.detail, "from": type(exc.__cause__).__name__}
    return response
