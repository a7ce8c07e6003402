# settings.py: FastAPI's own JSON response for FastAPI errors in DRF views
FASTAPI_EVERYWHERE = {"DRF_ERRORS": "response"}  # default: "handler"
