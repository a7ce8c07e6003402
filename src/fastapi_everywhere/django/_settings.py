"""The ``FASTAPI_EVERYWHERE`` Django setting, validated once.

```python
FASTAPI_EVERYWHERE = {
    "APP": "myproject.api:app",          # optional: overrides, lifespan, state
    "ERROR_RENDERER": "myproject.errors:render",  # optional
    "DRF_ERRORS": "handler",             # or "response" (DRF views' FastAPI errors)
    "START_LIFESPAN": "lazy",            # or "eager"
    "TIMEOUT": None,                      # seconds, bounds each loop-thread wait
    "LIFESPAN_TIMEOUT": None,             # seconds for start-up (None: configure's, 60)
}
```

Reading the setting builds objects but starts nothing: no thread, no loop,
no lifespan (it runs in ``manage.py`` commands and gunicorn's master too).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponseBase
from django.utils.module_loading import import_string
from fastapi import FastAPI

from .. import _config
from .._host import ProcessLifespan
from .._lifespan import StartupLimit

__all__ = ["SETTING", "AdapterConfig", "current", "load"]

SETTING = "FASTAPI_EVERYWHERE"
_KEYS = {
    "APP",
    "DRF_ERRORS",
    "ERROR_RENDERER",
    "LIFESPAN_TIMEOUT",
    "START_LIFESPAN",
    "TIMEOUT",
}
_DRF_ERRORS = ("handler", "response")

ErrorRenderer = Callable[[HttpRequest, Exception], HttpResponseBase | None]


@dataclass(frozen=True)
class AdapterConfig:
    """The validated setting, plus the process lifespan it implies."""

    app: FastAPI | None
    error_renderer: ErrorRenderer | None
    eager: bool
    timeout: float | None
    limit: StartupLimit | None
    lifespan: ProcessLifespan | None
    #: How a DRF view's FastAPI errors are answered: "handler" (through DRF's
    #: exception handler and renderers) or "response" (FastAPI's response).
    drf_errors: str = "handler"

    def lifespan_for(self, app: FastAPI | None) -> ProcessLifespan | None:
        """The lifespan to start: the setting's app, else the configured one."""
        if self.lifespan is not None or app is None:
            return self.lifespan
        return _configured_lifespan(app, self.timeout, self.limit)


def _seconds(raw: Mapping[str, Any], key: str) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    try:
        return _config.positive_seconds(value, f"{SETTING}[{key!r}]")
    except ValueError as e:
        raise ImproperlyConfigured(str(e)) from None


def _import(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    # Accept both "pkg.module:attr" (uvicorn style) and Django's "pkg.module.attr".
    try:
        return import_string(value.replace(":", "."))
    except ImportError as e:
        raise ImproperlyConfigured(
            f"{SETTING}[{key!r}]: cannot import {value!r}: {e}"
        ) from e


def load(raw: Any) -> AdapterConfig:
    """Validate the setting's value; :class:`ImproperlyConfigured` names the key."""
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ImproperlyConfigured(
            f"{SETTING} must be a dict, got {type(raw).__name__}"
        )
    unknown = set(raw) - _KEYS
    if unknown:
        raise ImproperlyConfigured(
            f"{SETTING}: unknown key(s) {sorted(unknown)}; known: {sorted(_KEYS)}"
        )
    app = _import("APP", raw.get("APP"))
    if app is not None and not isinstance(app, FastAPI):
        raise ImproperlyConfigured(
            f"{SETTING}['APP'] must name a FastAPI app, got {type(app).__name__}"
        )
    renderer = _import("ERROR_RENDERER", raw.get("ERROR_RENDERER"))
    if renderer is not None and not callable(renderer):
        raise ImproperlyConfigured(
            f"{SETTING}['ERROR_RENDERER'] must be a callable "
            f"(request, exc) -> HttpResponse | None, got {renderer!r}"
        )
    start = raw.get("START_LIFESPAN", "lazy")
    if start not in ("lazy", "eager"):
        raise ImproperlyConfigured(
            f"{SETTING}['START_LIFESPAN'] must be 'lazy' or 'eager', got {start!r}"
        )
    drf_errors = raw.get("DRF_ERRORS", "handler")
    if drf_errors not in _DRF_ERRORS:
        raise ImproperlyConfigured(
            f"{SETTING}['DRF_ERRORS'] must be 'handler' or 'response', "
            f"got {drf_errors!r}"
        )
    timeout = _seconds(raw, "TIMEOUT")
    lifespan_timeout = _seconds(raw, "LIFESPAN_TIMEOUT")
    limit = None
    if lifespan_timeout is not None:
        limit = StartupLimit(lifespan_timeout, f"{SETTING}['LIFESPAN_TIMEOUT']")
    return AdapterConfig(
        app=app,
        error_renderer=renderer,  # pyright: ignore[reportArgumentType]
        eager=start == "eager",
        timeout=timeout,
        limit=limit,
        lifespan=(
            ProcessLifespan(app, name=f"{SETTING}['APP']", timeout=timeout, limit=limit)
            if app is not None
            else None
        ),
        drf_errors=drf_errors,
    )


_lock = threading.Lock()
_current: AdapterConfig | None = None
_by_app: dict[int, ProcessLifespan] = {}


def current() -> AdapterConfig:
    """The validated setting of this process (read once, reset on change)."""
    config = _current
    if config is None:
        config = _reload()
    return config


def _reload() -> AdapterConfig:
    global _current
    from django.conf import settings

    with _lock:
        if _current is None:
            _current = load(getattr(settings, SETTING, None))
        return _current


def _configured_lifespan(
    app: FastAPI, timeout: float | None, limit: StartupLimit | None
) -> ProcessLifespan:
    # configure(app=...) instead of the setting: one lifespan per app object.
    lifespan = _by_app.get(id(app))
    if lifespan is not None and lifespan.app is app:
        return lifespan  # every request after the first: no lock
    with _lock:
        lifespan = _by_app.get(id(app))
        if lifespan is None or lifespan.app is not app:
            lifespan = _by_app[id(app)] = ProcessLifespan(
                app,
                name="fastapi_everywhere.configure(app)",
                timeout=timeout,
                limit=limit,
            )
        return lifespan


def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    # override_settings(FASTAPI_EVERYWHERE=...) in tests: read it again. The
    # old lifespan, if it ran, is shut down rather than leaked.
    global _current
    if setting != SETTING:
        return
    with _lock:
        old, _current = _current, None
    if old is not None and old.lifespan is not None:
        old.lifespan.close()


setting_changed.connect(_on_setting_changed)


def configured_app(config: AdapterConfig | None = None) -> FastAPI | None:
    """The app requests use: the setting's, else ``fastapi_everywhere.configure``'s.

    ``config`` is :func:`current`'s value, if the caller has it.
    """
    return _config.app_for((config or current()).app)
