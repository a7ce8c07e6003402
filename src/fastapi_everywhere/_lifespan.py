"""Running a FastAPI app's lifespan outside a server.

``app.router.lifespan_context(app)`` is exactly what Starlette runs at server
start-up (``on_startup``/``on_shutdown`` handlers included). The state dict it
yields is what Starlette copies into every request's ``request.state``; we
keep it per app while the lifespan runs, so standalone resolutions see it too.
"""

from __future__ import annotations

import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from ._errors import LifespanError

_states: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()
_depth: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()


def lifespan_state(app: Any) -> dict[str, Any] | None:
    """The state of ``app``'s running lifespan, or None when it is not running."""
    if app is None:
        return None
    try:
        return _states.get(app)
    except TypeError:
        return None


def lifespan_running(app: Any) -> bool:
    """Whether a lifespan of ``app`` is running in this process."""
    return app is not None and _depth.get(app, 0) > 0


@asynccontextmanager
async def run_lifespan(app: Any) -> AsyncIterator[dict[str, Any]]:
    """Start ``app``'s lifespan, yield its state, shut it down on exit.

    Nested use for the same app shares the running lifespan (started once).
    Start-up failures raise :class:`LifespanError` and leave nothing behind.
    """
    if _depth.get(app, 0) > 0:
        _depth[app] += 1
        try:
            yield _states[app]
        finally:
            _depth[app] -= 1
        return
    router = getattr(app, "router", None)
    if router is None or not hasattr(router, "lifespan_context"):
        raise LifespanError(f"run_lifespan: {app!r} is not a FastAPI/Starlette app")
    cm = router.lifespan_context(app)
    try:
        maybe_state = await cm.__aenter__()
    except Exception as e:
        raise LifespanError(
            f"lifespan of {type(app).__name__} failed at start-up: {e!r}"
        ) from e
    state: dict[str, Any] = dict(maybe_state or {})
    _states[app] = state
    _depth[app] = 1
    try:
        yield state
    except BaseException as exc:
        # A server never throws into the lifespan: it shuts down cleanly
        # whatever happened, so a lifespan written as in FastAPI's docs
        # (code after a bare ``yield``) still runs its shutdown.
        _forget(app)
        try:
            await cm.__aexit__(None, None, None)
        except Exception as e:
            if hasattr(exc, "add_note"):  # Python >= 3.11
                exc.add_note(f"lifespan shutdown also failed: {e!r}")
        raise
    else:
        _forget(app)
        try:
            await cm.__aexit__(None, None, None)
        except Exception as e:
            raise LifespanError(
                f"lifespan of {type(app).__name__} failed at shutdown: {e!r}"
            ) from e


def _forget(app: Any) -> None:
    _depth.pop(app, None)
    _states.pop(app, None)
