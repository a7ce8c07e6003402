# settings.py: what the library needs in a Django project's settings
INSTALLED_APPS = [
    # ... your apps ...
    "fastapi_everywhere.django",
]
MIDDLEWARE = [
    "fastapi_everywhere.django.FastAPIDependsMiddleware",  # first
    # ... your middleware ...
]
# Optional: the FastAPI app whose dependency_overrides, lifespan and state apply.
FASTAPI_EVERYWHERE = {"APP": "docs_src.getting_started.app:app"}
ROOT_URLCONF = "docs_src.getting_started.django_views"
