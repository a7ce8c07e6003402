"""pytest support: fixtures for a started app, resolving and overriding dependencies.

The plugin (:mod:`fastapi_everywhere.testing.plugin`) is registered through
the ``pytest11`` entry point, so installing the package makes its fixtures
available: ``fastapi_app``, ``fastapi_deps_stack``, ``fastapi_resolve`` and
``fastapi_override``. Point them at your app with the ini option
``fastapi_everywhere_app = "pkg.module:app"`` or by overriding the
``fastapi_app`` fixture.
"""

from __future__ import annotations

from .plugin import Overrides, load_app

__all__ = ["Overrides", "load_app"]
