"""``singleton``: one instance of a dependency for the application's life.

The instance is kept in the :class:`AppState` (``request.app.state`` in a
FastAPI request, the container's or the process-wide state standalone), so
FastAPI routes and containers share it. The gate lives in the callable both
run, which is why the same wrapper works under FastAPI and under our engine.

* eager (default): the factory's body runs once; its own dependencies are
  resolved again on each access (keep them cheap). No container is needed;
  ``yield`` factories are refused (nothing would own their teardown).
* lazy (``lazy=True``): the current container builds it once, tree and all,
  and owns its teardown; when the container closes, the value is torn down
  and forgotten, so the next container builds its own.

A value preset under ``key`` (``set_app_state_value``) is used as is.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import typing
import weakref
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from typing import Any, TypeVar, overload

from fastapi import Depends
from starlette.concurrency import run_in_threadpool

from ._app_state import AppState, get_app_state
from ._callables import is_async_gen_callable, is_coroutine_callable, is_gen_callable
from ._container.app_container import find_container
from ._errors import CyclicDependencyError, NoContainerError
from ._loop_safe import is_loop_safe
from ._provides import PROVIDES_ATTR

__all__ = ["SINGLETON_ATTR", "singleton", "singleton_factory"]

T = TypeVar("T")

#: Set on a singleton wrapper: the factory it wraps (read by auto_bindings).
SINGLETON_ATTR = "__fe_singleton_of__"

_MISSING: Any = object()
_LOCKS_KEY = "__fe_singleton_locks__"
#: Keys of the lazy singletons being built in this task (a re-entry is a cycle).
_building: ContextVar[frozenset[str]] = ContextVar(
    "fastapi_everywhere_singletons_building", default=frozenset()
)


def singleton_factory(call: Any) -> Any:
    """The factory a :func:`singleton` wrapper wraps, or None."""
    return getattr(call, SINGLETON_ATTR, None)


def _name(factory: Any) -> str:
    return str(getattr(factory, "__qualname__", None) or repr(factory))


def _default_key(factory: Any) -> str:
    return f"__singleton__:{getattr(factory, '__module__', '?')}.{_name(factory)}"


def _lock(app_state: AppState, key: str) -> asyncio.Lock:
    """The build lock of ``key`` on this loop (an asyncio lock is per loop)."""
    per_loop = app_state.get(_LOCKS_KEY)
    if per_loop is None:
        per_loop = weakref.WeakKeyDictionary()
        app_state.set(_LOCKS_KEY, per_loop)
    locks = per_loop.setdefault(asyncio.get_running_loop(), {})
    lock = locks.get(key)
    if lock is None:
        lock = locks[key] = asyncio.Lock()
    return lock  # type: ignore[no-any-return]


def _parameters(factory: Any) -> list[inspect.Parameter]:
    """``factory``'s parameters with their annotations evaluated.

    Evaluated against the factory's own module (a class's ``__init__``), so
    ``from __future__ import annotations`` in that module still works.
    """
    signature = inspect.signature(factory)
    owner: Any = factory
    target = owner.__init__ if isinstance(factory, type) else factory
    try:
        hints = typing.get_type_hints(target, include_extras=True)
    except Exception:  # unresolvable: FastAPI reports it at resolution
        hints = {}
    found = []
    for param in signature.parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise TypeError(
                f"singleton: factory {_name(factory)} takes *{param.name}; a "
                "dependency's parameters must be named"
            )
        found.append(
            param.replace(
                kind=param.KEYWORD_ONLY,
                annotation=hints.get(param.name, param.annotation),
            )
        )
    return found


def _dress(wrapper: Any, factory: Any, parameters: list[inspect.Parameter]) -> Any:
    """Give ``wrapper`` the factory's names and markers, and its own signature.

    No ``__wrapped__``: FastAPI unwraps it to decide how to call a dependency.
    """
    for attr in ("__module__", "__name__", "__qualname__", "__doc__"):
        with contextlib.suppress(AttributeError, TypeError):
            setattr(wrapper, attr, getattr(factory, attr))
    marker = vars(factory).get(PROVIDES_ATTR)
    if marker is not None:  # @provides under @singleton: the wrapper is bound
        setattr(wrapper, PROVIDES_ATTR, marker)
    wrapper.__signature__ = inspect.Signature(parameters)
    setattr(wrapper, SINGLETON_ATTR, factory)
    return wrapper


def _eager(factory: Callable[..., Any], key: str) -> Callable[..., Any]:
    if is_gen_callable(factory) or is_async_gen_callable(factory):
        raise TypeError(
            f"singleton: {_name(factory)} is a generator dependency (yield); an "
            "eager singleton has no owner for its teardown: use singleton(lazy=True)"
        )
    parameters = _parameters(factory)
    state_name = "__fe_app_state__"
    while any(p.name == state_name for p in parameters):
        state_name += "_"
    is_async = is_coroutine_callable(factory)
    # Only the factory's own marker: the wrapper also runs in FastAPI routes,
    # where no container option reaches it.
    inline = is_loop_safe(factory)

    async def eager_singleton(**kwargs: Any) -> Any:
        app_state: AppState = kwargs.pop(state_name)
        value = app_state.get(key, _MISSING)
        if value is not _MISSING:
            return value
        async with _lock(app_state, key):
            value = app_state.get(key, _MISSING)
            if value is _MISSING:
                if is_async:
                    value = await factory(**kwargs)
                elif inline:
                    value = factory(**kwargs)
                else:
                    value = await run_in_threadpool(factory, **kwargs)
                app_state.set(key, value)
        return value

    state_param = inspect.Parameter(
        state_name,
        inspect.Parameter.KEYWORD_ONLY,
        default=Depends(get_app_state),
        annotation=AppState,
    )
    return _dress(eager_singleton, factory, [*parameters, state_param])  # type: ignore[no-any-return]


def _lazy(factory: Callable[..., Any], key: str) -> Callable[..., Any]:
    async def keep(
        value: Any = Depends(factory), app_state: AppState = Depends(get_app_state)
    ) -> AsyncIterator[Any]:
        # Built once by the container, which tears it down at aclose(); the
        # key is forgotten then, unless someone replaced the value meanwhile.
        app_state.set(key, value)
        try:
            yield value
        finally:
            if app_state.get(key, _MISSING) is value:
                app_state.delete(key)

    keep.__qualname__ = f"singleton({_name(factory)})"

    async def lazy_singleton(app_state: AppState) -> Any:
        value = app_state.get(key, _MISSING)
        if value is not _MISSING:
            return value
        container = find_container(app_state)
        if container is None:
            raise NoContainerError(
                f"singleton: the lazy singleton {_name(factory)} needs a "
                "FastAPIContainer to build it and none is here; use "
                "FastAPI(lifespan=container_lifespan), or preset the value with "
                f"set_app_state_value({key!r}, ...)"
            )
        building = _building.get()
        if key in building:
            raise CyclicDependencyError(
                f"singleton: {_name(factory)} depends on itself at run time "
                "(its build resolves it again); break the cycle",
                cycle=[factory, factory],
            )
        token = _building.set(building | {key})
        try:
            value = await container.get(keep)
        finally:
            _building.reset(token)
        app_state.set(key, value)
        return value

    state_param = inspect.Parameter(
        "app_state",
        inspect.Parameter.KEYWORD_ONLY,
        default=Depends(get_app_state),
        annotation=AppState,
    )
    return _dress(lazy_singleton, factory, [state_param])  # type: ignore[no-any-return]


@overload
def singleton(
    factory: Callable[..., T], *, key: str | None = ..., lazy: bool = ...
) -> Callable[..., T]: ...
@overload
def singleton(
    *, key: str | None = ..., lazy: bool = ...
) -> Callable[[Callable[..., T]], Callable[..., T]]: ...


def singleton(
    factory: Callable[..., T] | None = None,
    *,
    key: str | None = None,
    lazy: bool = False,
) -> Callable[..., T] | Callable[[Callable[..., T]], Callable[..., T]]:
    """Make a dependency an application-lifetime singleton.

    ``get_db = singleton(build_db, key="db")``, ``@singleton`` or
    ``@singleton(key="db", lazy=True)``; the result is a dependency like any
    other (``Depends(get_db)``, ``container.get(get_db)``). ``key`` is the
    :class:`AppState` entry holding the instance (default: derived from the
    factory's name); a value preset there is used instead of building one.
    ``lazy``: see the module's documentation (eager by default).

    .. versionadded:: 0.2
    """
    if key is not None and not isinstance(key, str):
        raise TypeError(f"singleton: key must be a str, got {key!r}")

    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        if not callable(fn):
            raise TypeError(f"singleton: factory must be callable, got {fn!r}")
        chosen = key if key is not None else _default_key(fn)
        return (_lazy if lazy else _eager)(fn, chosen)

    return decorate if factory is None else decorate(factory)
