"""Run each feature's own binding module: ``register_bindings``; ``Binding``.

A feature-oriented code base binds its interfaces in a small module per
feature (``features/orders/di.py`` with a ``register()``). FastAPI reads a
route's whole tree when the route is declared, so every binding must be in
place before the routers are included: one call here runs them all first.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import sys
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any, NamedTuple

__all__ = ["Binding", "caller_package", "package_of", "register_bindings"]

logger = logging.getLogger("fastapi_everywhere")


class Binding(NamedTuple):
    """One interface and what it is bound to (what ``auto_bindings`` returns).

    ``already_bound``: the interface had this binding before the call, which
    left it alone.

    .. versionadded:: 0.2
    """

    interface: type[Any]
    implementation: Callable[..., Any]
    already_bound: bool


def caller_package(depth: int) -> str | None:
    """The package of the code ``depth`` frames up (anchors ``".features"``)."""
    frame = sys._getframe(depth + 1)
    package = frame.f_globals.get("__package__")
    return package if isinstance(package, str) else None


def package_of(
    entry: str | ModuleType,
    owner: str,
    anchor: str | None = None,
    *,
    modules_too: bool = False,
) -> ModuleType:
    """``entry`` (a dotted name or a module) imported; a package unless ``modules_too``.

    A name starting with ``.`` is relative to ``anchor``, as in ``from .``.
    """
    if isinstance(entry, str):
        if entry.startswith(".") and not anchor:
            raise ValueError(
                f"{owner}: {entry!r} is relative but the caller is not in a package"
            )
        module = importlib.import_module(
            entry, anchor if entry.startswith(".") else None
        )
    elif isinstance(entry, ModuleType):
        module = entry
    else:
        raise TypeError(f"{owner}: expected a package name or module, got {entry!r}")
    if not modules_too and not hasattr(module, "__path__"):
        raise ValueError(
            f"{owner}: {module.__name__} is a module, not a package; pass the "
            "package that holds the features"
        )
    return module


def _subpackages(package: ModuleType, recursive: bool) -> Iterator[str]:
    yield package.__name__
    prefix = package.__name__ + "."
    if recursive:
        found = pkgutil.walk_packages(package.__path__, prefix)
    else:
        found = pkgutil.iter_modules(package.__path__, prefix)
    for info in found:
        if info.ispkg:
            yield info.name


def _import_optional(name: str) -> ModuleType | None:
    """``name`` imported, or None when it (or a package on its path) is absent."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        # Only the binding module's own absence is "no bindings here"; a
        # missing import *inside* it is the author's error and propagates.
        if e.name is not None and (name == e.name or name.startswith(e.name + ".")):
            return None
        raise


def register_bindings(
    *packages: str | ModuleType,
    module: str = "di",
    attr: str = "register",
    recursive: bool = False,
    warn_missing: bool = True,
) -> None:
    """Import ``<package>.<module>`` in each package and subpackage; call its ``attr``.

    ``packages``: dotted names (``".features"`` is relative to the caller's
    package) or modules, each a package; each
    one's own ``module`` runs too, and with ``recursive=True`` every nested
    subpackage's. A package without the module is skipped; one whose module
    has no callable ``attr`` is logged (``warn_missing``). Each binding
    module runs at most once per call, however the packages overlap.

    .. versionadded:: 0.2
    """
    owner = "register_bindings"
    if not module or not attr:
        raise ValueError(f"{owner}: module and attr must not be empty")
    anchor = caller_package(1)
    seen: set[str] = set()
    for entry in packages:
        for name in _subpackages(package_of(entry, owner, anchor), recursive):
            target = f"{name}.{module}"
            if target in seen:
                continue
            seen.add(target)
            found = _import_optional(target)
            if found is None:
                continue
            register = getattr(found, attr, None)
            if callable(register):
                register()
            elif warn_missing:
                logger.warning(
                    "%s: %s has no callable %r; its bindings were not registered",
                    owner,
                    target,
                    attr,
                )
