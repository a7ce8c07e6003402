"""``FastAPIDependsMiddleware``: the per-process lifespan and the per-request scope."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponseBase

from .._engine._compat import TEARDOWN_BEFORE_RESPONSE
from . import _settings
from ._cancel import close_if_cancelled
from ._state import attach, defer_close, lifespan_to_start, state_of

__all__ = ["FastAPIDependsMiddleware"]


class FastAPIDependsMiddleware:
    """Owns the FastAPI side of every Django request.

    * Starts the FastAPI app's lifespan on the first request of each process
      (thread-safe, restarted in a forked worker, shut down at exit), or when
      the middleware is built with ``"START_LIFESPAN": "eager"``.
    * Gives each request one resolution scope, shared by the decorated view
      and every ``resolve(request, Dep)`` call, closed when Django closes the
      response (after the body, streaming or not, was sent): background
      tasks run, then request-scoped ``yield`` dependencies are torn down.

    Sync and async capable; the mode follows the next handler, as Django's
    own middleware do. Put it near the top of ``MIDDLEWARE`` so the response
    it closes is the one the server sends.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)
        if _settings.current().eager and (lifespan := lifespan_to_start()):
            lifespan.ensure_started()

    def __repr__(self) -> str:
        mode = "async" if self.is_async else "sync"
        return f"<FastAPIDependsMiddleware {mode} get_response={self.get_response!r}>"

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        state = attach(request, managed=True)
        if (lifespan := lifespan_to_start(state)) is not None:
            lifespan.ensure_started()
        try:
            response = self.get_response(request)
        except BaseException as exc:
            state.close(exc)
            raise
        if TEARDOWN_BEFORE_RESPONSE:  # FastAPI < 0.118 tears down here: a 500
            state.respond(response)
        defer_close(state, response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """Tear the request's dependencies down with the view's exception.

        Django turns it into a 500 response before this middleware sees the
        response, so without this hook ``resolve(request, Dep)`` dependencies
        of an undecorated view would commit instead of rolling back.
        """
        state = state_of(request)
        if state is not None:
            state.close(exception)  # idempotent: a decorated view closed it already

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        state = attach(request, managed=True)
        if (lifespan := lifespan_to_start(state)) is not None:
            await sync_to_async(lifespan.ensure_started, thread_sensitive=False)()
        close_if_cancelled(state)  # Django then never closes the response
        get_response: Callable[[HttpRequest], Awaitable[HttpResponseBase]]
        get_response = self.get_response
        try:
            response = await get_response(request)
            await state.arespond(response)
        except BaseException as exc:
            await state.aclose(exc)
            raise
        defer_close(state, response)
        return response
