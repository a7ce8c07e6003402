"""The mixed app of issue 15: legacy Flask and Django apps mounted under FastAPI.

One process, one uvicorn server, FastAPI's routes of fastapiapp.py plus:

    /legacy/flask/items/<id>        Flask via a2wsgi, ``with_fastapi_depends``
    /legacy/flask-hand/items/<id>   Flask via a2wsgi, by hand
    /legacy/django/aitems/<id>      Django ASGI, ``with_fastapi_depends`` async view
    /legacy/django/hand/aitems/<id> Django ASGI, the async view by hand (same
                                    Django app: its middleware included)
"""

import os

os.environ["BENCH_VARIANT"] = "ours"  # the Django project's wiring, before import

import djangoapp  # noqa: E402
from a2wsgi import WSGIMiddleware  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from fastapiapp import add_routes  # noqa: E402
from flaskapp import make_app  # noqa: E402

app = FastAPI()
add_routes(app)
app.mount("/legacy/flask-hand", WSGIMiddleware(make_app("hand")))  # type: ignore[arg-type]
app.mount("/legacy/flask", WSGIMiddleware(make_app("ours")))  # type: ignore[arg-type]
app.mount("/legacy/django", djangoapp.django_asgi_application)
