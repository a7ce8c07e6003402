"""``RegistrableDependency``: depend on an interface, get its implementation."""

from __future__ import annotations

from abc import ABCMeta
from inspect import isabstract
from typing import Any, ClassVar, TypeVar

from ._errors import NotRegisteredError

T = TypeVar("T")


class Bindings:
    """How many times an interface was bound or unbound in this process."""

    __slots__ = ("version",)

    def __init__(self) -> None:
        #: Bumped by every ``register`` call: compiled plans key on it, so
        #: a new binding takes effect at the next call.
        self.version = 0


#: The process's count (a hot path reads ``bindings.version``, no call).
bindings = Bindings()


def bindings_version() -> int:
    """A number that changes whenever an interface is bound or unbound."""
    return bindings.version


class _ClassProperty:
    """A read-only property of the class itself (``Interface.impl``)."""

    def __init__(self, fget: Any) -> None:
        self.fget = fget
        self.__doc__ = fget.__doc__

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        return self.fget(owner if owner is not None else type(obj))


class RegistrableDependency(metaclass=ABCMeta):  # noqa: B024 - a marker ABC
    """A mixin for interfaces whose implementation is chosen at start-up.

    ``Interface.register(Impl)`` binds the implementation; a dependency on
    ``Interface`` (``Depends(Interface)``, ``Annotated[Interface, Depends()]``)
    then resolves ``Impl`` -- its own parameters and sub-dependencies
    included. ``dependency_overrides`` keyed by the interface still win.
    Inside a real FastAPI route, depend on ``Interface.dependency()``.

    The metaclass is :class:`abc.ABCMeta` and the class has no ``ABC`` base,
    so ``class I(ABC, RegistrableDependency)``, ``class I(RegistrableDependency,
    ABC)`` and ``class I(RegistrableDependency)`` all work, with
    ``@abstractmethod`` honoured in each. Bindings are per class: a
    sub-interface does not inherit its parent's.
    """

    __fe_impl__: ClassVar[Any] = None

    @classmethod
    def register(cls, subclass: T) -> T:  # type: ignore[override]
        """Bind ``subclass`` as the implementation; ``None`` unbinds.

        ``subclass`` is a subclass of the interface, or a factory function
        (``@provides``, ``singleton``) returning an implementation. Binding
        the same class again changes nothing; binding another class replaces
        the previous binding (the last call wins) from the next call on.
        Returns ``subclass``, so it can be used as a class decorator.
        """
        name = f"{cls.__qualname__}.register"
        if subclass is not None:
            if not callable(subclass):
                raise TypeError(
                    f"{name}: expected a class or a factory function, got {subclass!r}"
                )
            if isinstance(subclass, type) and not issubclass(subclass, cls):
                raise TypeError(
                    f"{name}: {subclass.__qualname__} is not a subclass of "
                    f"{cls.__qualname__}; declare it as "
                    f"`class {subclass.__name__}({cls.__name__})`"
                )
        if cls.__dict__.get("__fe_impl__") is not subclass:
            type.__setattr__(cls, "__fe_impl__", subclass)
            bindings.version += 1
        return subclass  # pyright: ignore[reportReturnType]

    @_ClassProperty
    def impl(cls) -> Any:
        """The bound implementation, as :meth:`dependency` returns it.

        .. versionadded:: 0.2
        """
        return cls.dependency()

    @classmethod
    def dependency(cls) -> type[Any]:
        """The bound implementation (the interface itself if it is concrete).

        :class:`NotRegisteredError` when nothing is bound to an abstract
        interface.
        """
        impl = cls.__dict__.get("__fe_impl__")
        if impl is not None:
            return impl  # type: ignore[no-any-return]
        if isabstract(cls):
            raise _not_registered(cls)
        return cls


def _not_registered(interface: type[Any]) -> NotRegisteredError:
    return NotRegisteredError(
        f"No implementation registered for {interface.__qualname__} (an "
        f"abstract interface); call {interface.__qualname__}.register(Impl) at "
        "start-up (or override it in dependency_overrides)"
    )


def implementation_of(call: Any) -> Any:
    """What a dependency on ``call`` runs instead, if ``call`` is an interface.

    The bound implementation; for an abstract interface with none bound, a
    function that raises :class:`NotRegisteredError` where the dependency is
    reached; None for anything else (a concrete unbound interface is built
    itself).
    """
    if isinstance(call, type) and issubclass(call, RegistrableDependency):
        impl = call.__dict__.get("__fe_impl__")
        if impl is not None and impl is not call:
            return impl
        if impl is None and isabstract(call):

            def unbound() -> Any:
                raise _not_registered(call)

            unbound.__qualname__ = f"{call.__qualname__}.dependency"
            return unbound
    return None
