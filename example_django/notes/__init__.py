"""The example's Django app: views over the shared FastAPI deps, and an ORM activity log."""
