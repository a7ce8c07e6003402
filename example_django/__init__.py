"""A small Django project whose service layer is the FastAPI deps of ``demo/``."""
