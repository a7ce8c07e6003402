"""``RegistrableDependency``: depend on an interface, get its implementation."""

from __future__ import annotations

from abc import ABC, ABCMeta
from typing import Any, ClassVar, TypeVar

T = TypeVar("T", bound="RegistrableDependency")


class RegistrableDependency(ABC):  # noqa: B024 - a marker ABC
    """An ABC mixin for interfaces whose implementation is chosen at start-up.

    ``Interface.register(Impl)`` binds the implementation; a dependency on
    ``Interface`` (``Depends(Interface)``, ``Annotated[Interface, Depends()]``)
    then resolves ``Impl`` -- its own parameters and sub-dependencies
    included. ``dependency_overrides`` keyed by the interface still win.
    Inside a real FastAPI route, depend on ``Interface.dependency()``.
    Bindings are per class: a sub-interface does not inherit its parent's.
    """

    __fe_impl__: ClassVar[Any] = None

    @classmethod
    def register(cls, subclass: type[Any] | None) -> Any:  # type: ignore[override]
        """Bind ``subclass`` as the implementation (None unbinds)."""
        if subclass is not None:
            if not isinstance(subclass, type):
                raise TypeError(
                    f"{cls.__qualname__}.register: expected a class, got {subclass!r}"
                )
            ABCMeta.register(cls, subclass)
        type.__setattr__(cls, "__fe_impl__", subclass)
        return subclass

    @classmethod
    def dependency(cls) -> type[Any]:
        """The bound implementation; ``LookupError`` when none is."""
        impl = implementation_of(cls)
        if impl is None:
            raise LookupError(
                f"{cls.__qualname__}: no implementation registered; call "
                f"{cls.__qualname__}.register(Impl) at start-up"
            )
        return impl  # type: ignore[no-any-return]


def implementation_of(call: Any) -> Any:
    """The implementation bound to ``call`` if it is a registrable interface."""
    if isinstance(call, type) and issubclass(call, RegistrableDependency):
        impl = call.__dict__.get("__fe_impl__")
        if impl is not None and impl is not call:
            return impl
    return None
