# settings.py (the parts fastapi-everywhere adds)
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "fastapi_everywhere.django",
]

MIDDLEWARE = [
    "fastapi_everywhere.django.FastAPIDependsMiddleware",  # first
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

FASTAPI_EVERYWHERE = {
    # The FastAPI app whose lifespan, dependency_overrides and exception
    # handlers the views use ("package.module:app"). Optional.
    "APP": "docs_src.django.api:app",
}
