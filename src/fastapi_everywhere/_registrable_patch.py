"""Interfaces inside real FastAPI routes: ``patch_for_registrable_dependency_support``.

Our engine follows ``RegistrableDependency`` bindings by itself. FastAPI
does not: in a route, ``Depends(Interface)`` builds the interface. The patch
makes ``fastapi.params.Depends.dependency`` a property that answers with the
bound implementation, so FastAPI sees it when it reads a route's tree (at
route declaration: bind first). It changes the class in place, so every
``Depends`` object, old or new, follows it, and ``isinstance`` checks hold.
"""

from __future__ import annotations

from typing import Any

from fastapi import params

from ._registrable import RegistrableDependency

__all__ = ["patch_for_registrable_dependency_support", "undo_registrable_patch"]

# Where a patched Depends keeps the dependency it was given.
_RAW = "_fe_raw_dependency"
_MARK = "_fe_registrable_patch"


def _read(self: Any) -> Any:
    state = vars(self)
    # Objects built before the patch hold it under the field's own name.
    raw = state[_RAW] if _RAW in state else state.get("dependency")
    if isinstance(raw, type) and issubclass(raw, RegistrableDependency):
        impl = raw.__dict__.get("__fe_impl__")
        if impl is not None:
            return impl
    return raw


def _write(self: Any, value: Any) -> None:
    vars(self)[_RAW] = value


def patch_for_registrable_dependency_support() -> bool:
    """Make FastAPI's ``Depends(Interface)`` resolve the bound implementation.

    Needed only where FastAPI itself reads the tree (real routes, OpenAPI);
    containers and decorators follow bindings without it. Returns True when
    it patched, False when it already was.

    .. versionadded:: 0.2
    """
    depends: Any = params.Depends
    if depends.__dict__.get(_MARK):
        return False
    # The field's class-level default (None) is replaced by the property and
    # restored by ``undo_registrable_patch``.
    setattr(depends, _MARK, ("dependency", depends.__dict__.get("dependency")))
    depends.dependency = property(_read, _write)
    return True


def undo_registrable_patch() -> bool:
    """Remove the patch (for tests); False when it was not applied."""
    depends: Any = params.Depends
    mark = depends.__dict__.get(_MARK)
    if not mark:
        return False
    name, default = mark
    setattr(depends, name, default)
    delattr(depends, _MARK)
    return True
