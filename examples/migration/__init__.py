"""A Flask app and a Django app, each partly moved to FastAPI, served as one app.

See ``docs/migration.md``. Run it with ``python -m examples.migration`` (it
starts uvicorn on a free loopback port, calls every side, prints what each
answered and the OpenAPI paths, and stops it).
"""
