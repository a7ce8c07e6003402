"""The Celery task decorator, task base class and per-worker-process lifespan.

A task run is one :class:`~fastapi_everywhere._host.RequestScope` (one
FastAPI request), closed after the task body with the body's exception. The
app's lifespan is a :class:`~fastapi_everywhere._host.ProcessLifespan` per
Celery app: started in each prefork child on ``worker_process_init`` (or on
the first task, for the solo/threads pools and eager runs), shut down on
``worker_process_shutdown`` / ``worker_shutdown``. Prefork children leave
with ``os._exit``, so interpreter-exit hooks never run there: the signal is
what shuts their lifespan down.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import os
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast, overload

from celery import Celery, Task, signals
from celery._state import get_current_task
from celery.utils.functional import head_from_fun
from fastapi import FastAPI, HTTPException
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import _config
from .._host import ProcessLifespan, RequestScope
from .._lifecycle import caller_error
from .._target import Target, dependency_resolver, target_wrapper

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

#: The reserved task keyword carrying request headers into the task's scope.
HEADERS_KWARG = "_headers"


class _Integration:
    """The FastAPI app and its process lifespan for one Celery app."""

    def __init__(self, fastapi_app: FastAPI | None, timeout: float | None) -> None:
        self._app = fastapi_app
        self.timeout = timeout
        self._lifespan: ProcessLifespan | None = None
        self._lock = threading.Lock()

    @property
    def app(self) -> FastAPI | None:
        """The app given to :func:`setup`, else the configured one (read late)."""
        return _config.app_for(self._app)

    @property
    def lifespan(self) -> ProcessLifespan:
        lifespan = self._lifespan
        if lifespan is None or lifespan.app is not self.app:
            with self._lock:
                stale = self._lifespan
                if stale is not None and stale.app is not self.app:
                    # configure() named another app since: end the old one's lifespan.
                    stale.close()
                    self._lifespan = None
                if self._lifespan is None:
                    self._lifespan = ProcessLifespan(
                        self.app, name="celery worker", timeout=self.timeout
                    )
                lifespan = self._lifespan
        return lifespan

    def close(self) -> None:
        if self._lifespan is not None:
            self._lifespan.close()


_integrations: weakref.WeakKeyDictionary[Celery, _Integration] = (
    weakref.WeakKeyDictionary()
)
_default = _Integration(None, None)  # tasks run outside any set-up Celery app
_current: contextvars.ContextVar[RequestScope | None] = contextvars.ContextVar(
    "fastapi_everywhere_celery_scope", default=None
)


def setup(
    celery_app: Celery,
    fastapi_app: FastAPI | None = None,
    *,
    timeout: float | None = None,
) -> None:
    """Run ``fastapi_app``'s lifespan in each Celery worker process of ``celery_app``.

    ``fastapi_app`` defaults to the app given to
    :func:`fastapi_everywhere.configure` (read when the lifespan starts); it
    also supplies ``dependency_overrides`` and the lifespan state
    (``request.state``) to the tasks' dependencies. The lifespan starts in
    each prefork child as it starts (``worker_process_init``) or on the first
    task (solo/threads pools, ``task_always_eager``), never in the parent that
    forks the pool, and shuts down with the process (``worker_process_shutdown``,
    ``worker_shutdown``; interpreter exit otherwise). ``timeout`` bounds each
    wait on the loop thread. Calling it again replaces the app.
    """
    if not isinstance(celery_app, Celery):
        raise TypeError(
            f"fastapi_everywhere.celery.setup: expected a Celery app, got {celery_app!r}"
        )
    previous = _integrations.get(celery_app)
    if previous is not None:
        previous.close()
    _integrations[celery_app] = _Integration(fastapi_app, timeout)


def shutdown(celery_app: Celery) -> None:
    """Shut ``celery_app``'s FastAPI lifespan down in this process now.

    For eager runs and tests; a worker does it on its own. Idempotent; the
    next task starts the lifespan again.
    """
    integration = _integrations.get(celery_app)
    if integration is not None:
        integration.close()


def _reset_locks_after_fork() -> None:
    # Another thread may have held a lock at fork: the child gets fresh ones.
    for integration in [*_integrations.values(), _default]:
        integration._lock = threading.Lock()


os.register_at_fork(after_in_child=_reset_locks_after_fork)


def _integration_of(task: Any) -> _Integration:
    app = getattr(task, "app", None)
    found = _integrations.get(app) if isinstance(app, Celery) else None
    return found if found is not None else _default


def _on_worker_process_init(**_: Any) -> None:
    for integration in list(_integrations.values()):
        integration.lifespan.ensure_started()


def _on_worker_shutdown(**_: Any) -> None:
    # A no-op where the lifespan never started (the prefork parent).
    for integration in [*_integrations.values(), _default]:
        integration.close()


signals.worker_process_init.connect(_on_worker_process_init, weak=False)
signals.worker_process_shutdown.connect(_on_worker_shutdown, weak=False)
signals.worker_shutdown.connect(_on_worker_shutdown, weak=False)


def _task_scope(task_name: str, headers: Mapping[str, str] | None) -> dict[str, Any]:
    """The ASGI scope of one task run: ``POST /celery/<task name>``."""
    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "path": f"/celery/{task_name}",
        "raw_path": f"/celery/{task_name}".encode(),
    }
    if headers:
        scope["headers"] = [
            (str(k).lower().encode("latin-1"), str(v).encode("latin-1"))
            for k, v in headers.items()
        ]
    return scope


def _run_task(target: Target, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    headers = kwargs.pop(HEADERS_KWARG, None)
    if headers is not None and not isinstance(headers, Mapping):
        raise TypeError(
            f"fastapi_everywhere.celery: task {target.name} got {HEADERS_KWARG}="
            f"{headers!r}; expected a mapping of header names to values"
        )
    task = get_current_task()
    task_name = getattr(task, "name", None) or target.name
    integration = _integration_of(task)
    integration.lifespan.ensure_started()
    request = RequestScope(
        _task_scope(task_name, headers),
        app=integration.app,
        name=f"celery task {task_name}",
        timeout=integration.timeout,
    )
    token = _current.set(request)
    try:
        try:
            result = request.call(target.func, *args, **kwargs)
        except BaseException as exc:  # Retry and Ignore too: the run did not complete
            # Thrown into the yield dependencies (a session rolls back); an
            # error their teardown raises instead replaces it.
            request.close(exc)
            _portable(exc)
            if isinstance(exc, RequestValidationError):
                # The host seam raises FastAPI's exact error; a task's caller
                # gets the subclass that names the task.
                raise caller_error(target.name, exc) from None
            raise
        request.close()
        return result
    finally:
        _current.reset(token)


def _portable(exc: BaseException) -> None:
    """Let an ``HTTPException`` reach the caller through a result backend as itself.

    Celery rebuilds a task's exception from its ``args`` (JSON) or pickles it;
    Starlette's ``HTTPException`` keeps none, so it would arrive wrapped in
    ``UnpickleableExceptionWrapper``. Its own constructor's arguments fix both.
    """
    if type(exc) in (StarletteHTTPException, HTTPException) and not exc.args:
        http = cast(StarletteHTTPException, exc)
        exc.args = (http.status_code, http.detail, http.headers)


def _public_signature(target: Target) -> Any:
    """The task's own parameters plus the reserved ``_headers`` keyword."""
    signature = target.public_signature
    params = list(signature.parameters.values())
    header = inspect.Parameter(
        HEADERS_KWARG, inspect.Parameter.KEYWORD_ONLY, default=None
    )
    if params and params[-1].kind is inspect.Parameter.VAR_KEYWORD:
        params.insert(len(params) - 1, header)
    else:
        params.append(header)
    return signature.replace(parameters=params)


@overload
def with_fastapi_depends(func: F) -> F: ...
@overload
def with_fastapi_depends(func: None = None) -> Callable[[F], F]: ...


def with_fastapi_depends(func: Callable[..., Any] | None = None) -> Any:
    """Resolve the FastAPI dependencies of a Celery task function at each run.

    Put it *under* ``@celery_app.task(...)``. Parameters FastAPI would inject
    (``Depends``, ``Security``, ``Header``, ``Request``, ``BackgroundTasks``...)
    are resolved and hidden from the signature Celery checks; the task's own
    arguments, including ``bind=True``'s ``self``, pass through. Each run is
    one FastAPI request (``POST /celery/<task name>``): ``yield`` dependencies
    close after the body, with its exception thrown in (also ``Retry``: a
    retried run rolls back, and the retry resolves afresh); background tasks
    run after a successful body. A caller may pass ``_headers={...}`` to the
    task (``.delay(..., _headers={"authorization": ...})``): they become the
    request's headers, for ``Header``/``OAuth2`` dependencies. Sync and async
    task functions both become sync (async ones run on the shared loop thread).
    """
    if func is None:
        return with_fastapi_depends
    if isinstance(func, Task) or hasattr(func, "apply_async"):
        raise TypeError(
            f"fastapi_everywhere.celery.with_fastapi_depends got the Celery task "
            f"{func!r}: put @with_fastapi_depends below @celery_app.task(...), "
            "or use base=FastAPIDependsTask"
        )
    if getattr(func, "__fastapi_everywhere_celery__", False):
        return func
    if HEADERS_KWARG in inspect.signature(func).parameters:
        raise TypeError(
            f"fastapi_everywhere.celery.with_fastapi_depends: {func!r} has a "
            f"parameter named {HEADERS_KWARG!r}, which is reserved for request headers"
        )
    target = Target(func, "fastapi_everywhere.celery.with_fastapi_depends")
    wrapper = target_wrapper(target, _run_task, _public_signature(target))
    wrapper.__fastapi_everywhere_celery__ = True  # type: ignore[attr-defined]
    return wrapper


class FastAPIDependsTask(Task):  # type: ignore[misc]
    """A Celery ``Task`` base whose ``run`` gets FastAPI dependencies.

    ``@celery_app.task(base=FastAPIDependsTask)`` on a function, or a
    subclass defining ``run``: the same as :func:`with_fastapi_depends`
    under ``@celery_app.task``.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        run = cls.__dict__.get("run")
        if run is None:
            return
        bound = not isinstance(run, staticmethod)
        wrapped = with_fastapi_depends(run if bound else run.__func__)
        cls.run = wrapped if bound else staticmethod(wrapped)
        if "__wrapped__" in cls.__dict__:  # made by @celery_app.task from a function
            cls.__wrapped__ = cls.run
        if cls.__dict__.get("__header__") is not None:
            cls.__header__ = staticmethod(head_from_fun(wrapped, bound=bound))  # pyright: ignore[reportArgumentType]


def _running_request(owner: str, dependency: Any) -> RequestScope:
    request = _current.get()
    if request is None:
        raise RuntimeError(
            f"fastapi_everywhere.celery.{owner}({dependency!r}): no running task "
            "decorated with with_fastapi_depends in this context"
        )
    return request


@dependency_resolver
def resolve(dependency: Any) -> Any:
    """Resolve one dependency in the running task's request (its cache).

    ``dependency`` is a callable, ``Depends(f)`` or ``Annotated[T, Depends(f)]``.
    Only inside a task decorated with :func:`with_fastapi_depends` (or based
    on :class:`FastAPIDependsTask`). In an ``async def`` task use
    :func:`aresolve`.
    """
    request = _running_request("resolve", dependency)
    if _on_running_loop():
        raise RuntimeError(
            f"fastapi_everywhere.celery.resolve({dependency!r}) was called in an "
            "async def task, where it would block the loop the task runs on: "
            "use `await fastapi_everywhere.celery.aresolve(...)`"
        )
    return request.resolve(dependency)


@overload
async def aresolve(dependency: type[T]) -> T: ...
@overload
async def aresolve(dependency: Any) -> Any: ...


async def aresolve(dependency: Any) -> Any:
    """:func:`resolve` for ``async def`` task functions (``await aresolve(Dep)``).

    The same run, the same cache: a dependency the task's parameters already
    resolved is not built again.
    """
    return await _running_request("aresolve", dependency).aresolve(dependency)


def _on_running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
