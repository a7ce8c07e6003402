"""A pytest plugin mapping ``fastapi_depends_anywhere`` onto this library.

Loaded with ``-p depends_anywhere_alias`` when the predecessor's own test
suite runs against fastapi-everywhere: each public module of the
predecessor becomes a module that forwards attribute look-ups to ours
(``fastapi_everywhere`` for the async API, ``fastapi_everywhere.sync`` for
the sync one). Its private modules (``sync._loop``, ``_internal``) are not
mapped: tests that patch them are excluded by name in the runner. Test-only
code: the package itself never installs these aliases.
"""

from __future__ import annotations

import sys
import types
from typing import Any

import fastapi_everywhere
import fastapi_everywhere.sync

PREDECESSOR = "fastapi_depends_anywhere"

#: Predecessor module -> the module of ours whose names it exposes.
MODULES: dict[str, Any] = {
    "": fastapi_everywhere,
    ".config": fastapi_everywhere,
    ".core": fastapi_everywhere,
    ".lifecycle": fastapi_everywhere,
    ".runners": fastapi_everywhere,
    ".stack": fastapi_everywhere,
    ".sync": fastapi_everywhere.sync,
    ".sync.core": fastapi_everywhere.sync,
    ".sync.lifecycle": fastapi_everywhere.sync,
    ".sync.runners": fastapi_everywhere.sync,
    ".sync.stack": fastapi_everywhere.sync,
}


def _alias(name: str, target: Any) -> types.ModuleType:
    module = types.ModuleType(name, f"test alias of {target.__name__}")

    def __getattr__(attr: str) -> Any:
        try:
            return getattr(target, attr)
        except AttributeError:
            raise AttributeError(
                f"module {name!r} has no attribute {attr!r} (fastapi-everywhere test alias)"
            ) from None

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    module.__path__ = []  # a package, so its submodules import
    return module


def install() -> None:
    """Put the aliases in ``sys.modules`` (idempotent)."""
    for suffix, target in MODULES.items():
        name = PREDECESSOR + suffix
        module = sys.modules.setdefault(name, _alias(name, target))
        parent, _, child = name.rpartition(".")
        if parent in sys.modules:
            setattr(sys.modules[parent], child, module)


install()
