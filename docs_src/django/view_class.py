from typing import Annotated

from django.http import HttpRequest, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from fastapi import BackgroundTasks, Body
from pydantic import BaseModel, Field

from fastapi_everywhere.django import FastAPIDependsMixin, with_fastapi_depends

from .deps import CurrentUser, Page, Repo


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=200)


def notify(user: str, text: str) -> None:
    print(f"background: {user} added {text!r}")


@method_decorator(csrf_exempt, name="dispatch")  # a bearer-token API
class NotesView(View):
    @method_decorator(with_fastapi_depends)  # method_decorator works ...
    def get(
        self, request: HttpRequest, *, user: CurrentUser, repo: Repo, page: Page
    ) -> JsonResponse:
        return JsonResponse(page.slice(repo.list_for(user)), safe=False)

    @with_fastapi_depends  # ... and so does the plain decorator
    def post(
        self,
        request: HttpRequest,
        *,
        note: Annotated[NoteIn, Body()],
        user: CurrentUser,
        repo: Repo,
        tasks: BackgroundTasks,
    ) -> JsonResponse:
        repo.list_for(user).append(note.text)
        tasks.add_task(notify, user, note.text)  # after the response was sent
        return JsonResponse({"text": note.text}, status=201)


@method_decorator(csrf_exempt, name="dispatch")
class CountView(FastAPIDependsMixin, View):  # every handler is decorated
    def get(
        self, request: HttpRequest, *, user: CurrentUser, repo: Repo
    ) -> JsonResponse:
        return JsonResponse({"user": user, "count": len(repo.list_for(user))})
