"""A Django REST framework app whose views use FastAPI dependencies."""
