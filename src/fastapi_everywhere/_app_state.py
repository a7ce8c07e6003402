"""Application-level shared objects, reachable from dependencies everywhere.

``get_app_state`` is a dependency: inside a real FastAPI request it returns
the request's ``app.state``; standalone, the configured app's state (our
requests carry ``request.app``); with no app at all, one process-wide store,
which is also the ``.state`` of the ``request.app`` such requests carry.
"""

from __future__ import annotations

import contextlib
from typing import Any

from starlette.datastructures import State
from starlette.requests import HTTPConnection

from . import _config
from ._loop_safe import loop_safe

_standalone = State()


class StandaloneApp:
    """``request.app`` of a resolution that has no FastAPI app.

    Its ``state`` is the process-wide store that ``set_app_state_value``
    fills when no app is configured, so ``request.app.state.db`` reads what
    was set there, as it would read a real app's state.
    """

    __slots__ = ()

    @property
    def state(self) -> State:
        """The process-wide application state."""
        return _standalone

    def __repr__(self) -> str:
        return "<fastapi_everywhere standalone app (no FastAPI app configured)>"


#: The one ``request.app`` of resolutions without an app.
STANDALONE_APP = StandaloneApp()


class StateApp:
    """``request.app`` of a container given ``app_state=`` and no app."""

    __slots__ = ("state",)

    def __init__(self, state: State) -> None:
        self.state = state

    def __repr__(self) -> str:
        return f"<fastapi_everywhere app stand-in, state={self.state._state!r}>"


class AppState:
    """A small typed facade over a Starlette ``State``."""

    __slots__ = ("_state",)

    def __init__(self, state: State | None = None) -> None:
        self._state = state if state is not None else State()

    @classmethod
    def from_app(cls, app: Any) -> AppState:
        """The state of a FastAPI/Starlette app."""
        return cls(app.state)

    @classmethod
    def from_request(cls, request: HTTPConnection) -> AppState:
        """The state of the app serving ``request``."""
        return cls._for(request.scope.get("app"))

    @classmethod
    def standalone(cls) -> AppState:
        """The process-wide store used when no app is configured (one object)."""
        return _standalone_store

    @classmethod
    def reset_standalone(cls) -> None:
        """Start a new, empty process-wide store (for tests).

        .. versionadded:: 0.2
        """
        global _standalone, _standalone_store
        _standalone = State()
        _standalone_store = AppState(_standalone)

    @classmethod
    def _for(cls, app: Any) -> AppState:
        state = getattr(app, "state", None)
        if isinstance(state, State):
            return cls(state)
        return cls.standalone()

    def get(self, key: str, default: Any = None) -> Any:
        """The value stored under ``key``, or ``default``."""
        return getattr(self._state, key, default)

    def set(self, key: str, value: Any) -> None:
        """Store ``value`` under ``key``."""
        setattr(self._state, key, value)

    def delete(self, key: str) -> None:
        """Remove ``key`` (nothing to do when it is absent)."""
        with contextlib.suppress(AttributeError, KeyError):
            delattr(self._state, key)

    def __contains__(self, key: str) -> bool:
        return hasattr(self._state, key)

    def as_state(self) -> State:
        """The underlying Starlette ``State``."""
        return self._state

    def __repr__(self) -> str:
        return f"AppState({self._state._state!r})"


#: ``AppState.standalone()``: the one facade of the process-wide store.
_standalone_store = AppState(_standalone)


@loop_safe
def get_app_state(request: HTTPConnection = None) -> AppState:  # type: ignore[assignment]
    """Dependency: the application state (``Depends(get_app_state)``).

    Called directly with no request, the process-wide store.
    """
    if request is None:
        return _standalone_store
    return AppState.from_request(request)


def set_app_state_value(key: str, value: Any, *, app: Any = None) -> None:
    """Set ``key`` on ``app``'s state (default: the configured app).

    The value is then visible to ``get_app_state`` both inside real FastAPI
    requests to that app and in standalone resolutions.
    """
    target = _config.app_for(app)
    AppState._for(target).set(key, value)
