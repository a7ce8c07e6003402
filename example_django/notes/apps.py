from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _sqlite_for_threads(sender, connection, **kwargs):  # type: ignore[no-untyped-def]
    # Several server threads write the activity log: WAL lets readers and the
    # writer proceed side by side.
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")


class NotesConfig(AppConfig):
    name = "example_django.notes"
    label = "notes"

    def ready(self) -> None:
        connection_created.connect(_sqlite_for_threads)
