"""The Celery task of example_django, on the same FastAPI dependencies as its views.

    celery -A example_django.tasks worker --loglevel=info      # from the repo root

Broker and result backend: ``CELERY_BROKER_URL`` / ``CELERY_RESULT_BACKEND``
(default: a local Redis). A caller hands the user's token over as the task's
request headers::

    add_note.delay("buy milk", _headers=bearer_headers("alice-token"))

Each run is one FastAPI request: the DB transaction of ``get_db`` commits when
the task succeeds and rolls back when it fails; the FastAPI app's lifespan
runs once per worker process. The task itself is ``demo.tasks.add_note``.
"""

from __future__ import annotations

from demo.tasks import make_celery_app

celery_app = make_celery_app("example_django")
add_note = celery_app.tasks["example_django.add_note"]
