"""``manage.py add_note --token alice-token "text"``: the same deps, from a command."""

from typing import Any

from demo.deps import CurrentUser, Repo, bearer_headers
from django.core.management.base import BaseCommand, CommandError
from fastapi import HTTPException

from example_django.notes.deps import Logged
from fastapi_everywhere import sync


@sync.with_fastapi_depends
def add_note(text: str, *, user: CurrentUser, repo: Repo, _logged: Logged) -> str:
    note = repo.add(user, text)
    return f"note #{note.id} by {note.author}: {note.text}"


class Command(BaseCommand):
    help = "Add a note as the user owning --token, through the shared FastAPI deps."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("text")
        parser.add_argument("--token", required=True, help="e.g. alice-token")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings
        from django.utils.module_loading import import_string

        app = import_string(settings.FASTAPI_EVERYWHERE["APP"].replace(":", "."))
        # The app's lifespan (schema set-up) around the command, and the
        # request a dependency sees: a bearer header, a method and a path.
        run = sync.with_fastapi_lifecycle(add_note, app=app)
        try:
            line = run(
                options["text"],
                _scope={
                    "headers": bearer_headers(options["token"]),
                    "method": "CLI",
                    "path": "/manage.py/add_note",
                },
            )
        except HTTPException as exc:
            raise CommandError(f"{exc.status_code}: {exc.detail}") from exc
        self.stdout.write(line)
