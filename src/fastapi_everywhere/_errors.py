"""The exception hierarchy: one base class, one subclass per kind of misuse."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi.exceptions import RequestValidationError

__all__ = [
    "AutoBindingError",
    "CyclicDependencyError",
    "FastAPIEverywhereError",
    "LifespanError",
    "LoopThreadError",
    "MissingParameterError",
    "NoContainerError",
    "NotConfiguredError",
    "NotRegisteredError",
    "ParameterError",
    "ParameterValidationError",
    "ScopeError",
]


class FastAPIEverywhereError(Exception):
    """Base class of every error raised by fastapi-everywhere itself."""


class NotConfiguredError(FastAPIEverywhereError, LookupError, RuntimeError):
    """No FastAPI app was configured where one is needed.

    Also a ``RuntimeError``, which fastapi-depends-anywhere raises here.
    """


class NotRegisteredError(FastAPIEverywhereError, LookupError, RuntimeError):
    """An abstract ``RegistrableDependency`` was resolved with nothing bound.

    It is a ``LookupError`` and, like the error fastapi-standalone-di raises
    in this case, a ``RuntimeError``.

    .. versionadded:: 0.2
    """


class ScopeError(FastAPIEverywhereError, RuntimeError):
    """A dependency was resolved outside the scope it lives in.

    For example a ``DependencyScope.SCOPED`` dependency requested from a
    container with no open ``scope()``.
    """


class LifespanError(FastAPIEverywhereError):
    """The FastAPI app's lifespan failed to start or to shut down."""


class LoopThreadError(FastAPIEverywhereError, RuntimeError):
    """The sync API was called on the event-loop thread it would wait on."""


class CyclicDependencyError(FastAPIEverywhereError, RuntimeError):
    """A dependency depends on itself, directly or through others.

    Raised before anything runs, where FastAPI itself would recurse until
    ``RecursionError``; ``cycle`` lists the callables, first repeated last.
    Also raised when a lazy ``singleton`` re-enters its own build at run time.

    .. versionadded:: 0.2
    """

    def __init__(self, message: str, *, cycle: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.cycle = list(cycle)


class NoContainerError(NotConfiguredError, RuntimeError):
    """``get_container`` (or a lazy ``singleton``) found no container.

    .. versionadded:: 0.2
    """


class AutoBindingError(FastAPIEverywhereError, ValueError):
    """``auto_bindings`` could not wire every interface it found.

    ``problems`` lists each one (an interface with no implementation, an
    unresolved tie, two primaries, a ``@provides`` with no interface);
    nothing was registered.

    .. versionadded:: 0.2
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(
            "auto_bindings: "
            + str(len(self.problems))
            + " problem(s), nothing was registered:\n  - "
            + "\n  - ".join(self.problems)
        )


class ParameterError(FastAPIEverywhereError, RuntimeError):
    """A request parameter (query, path, header, cookie) could not be supplied.

    The base of :class:`MissingParameterError` and
    :class:`ParameterValidationError`, as in fastapi-standalone-di. ``source``
    (``"query"``, ``"header"``...) and ``name`` (the request name) are the
    first failing parameter's, from FastAPI's ``errors()``.

    .. versionadded:: 0.2
    """

    @property
    def source(self) -> str | None:
        """Where the first failing parameter comes from (``"query"``, ...)."""
        loc = self._first_loc()
        return str(loc[0]) if loc else None

    @property
    def name(self) -> str | None:
        """The request name of the first failing parameter."""
        loc = self._first_loc()
        return str(loc[-1]) if len(loc) > 1 else None

    def _first_loc(self) -> tuple[Any, ...]:
        errors = getattr(self, "errors", None)
        found: Any = errors() if callable(errors) else ()
        return tuple(found[0].get("loc", ())) if found else ()


class ParameterValidationError(ParameterError, RequestValidationError):
    """A supplied request parameter has a value its type refuses.

    Also FastAPI's :class:`~fastapi.exceptions.RequestValidationError`, with
    its exact ``errors()``.

    .. versionadded:: 0.2
    """

    def __init__(
        self, errors: Sequence[Any], *, function: str = "", body: Any = None
    ) -> None:
        RequestValidationError.__init__(self, errors, body=body)
        self.function = function

    def __str__(self) -> str:
        where = f"{self.function}: " if self.function else ""
        return f"{where}invalid parameter value(s).\n" + RequestValidationError.__str__(
            self
        )


class MissingParameterError(ParameterError, RequestValidationError):
    """Required request parameters had no value.

    It is also a :class:`fastapi.exceptions.RequestValidationError` carrying
    FastAPI's exact ``errors()``, so code (and HTTP adapters) that handle
    FastAPI's validation errors handle this one the same way.
    """

    def __init__(
        self, errors: Sequence[Any], *, function: str = "", body: Any = None
    ) -> None:
        # ``function`` has a default so that the error can be rebuilt from its
        # ``args`` alone (a Celery result backend, pickle).
        RequestValidationError.__init__(self, errors, body=body)
        self.function = function
        self.missing = [".".join(str(p) for p in err.get("loc", ())) for err in errors]

    def __str__(self) -> str:
        names = ", ".join(self.missing)
        where = f"{self.function}: " if self.function else ""
        return (
            f"{where}missing required parameter(s) {names}; pass them "
            "with query=/headers=/cookies=/path= (ParamSource) or _scope=.\n"
            + RequestValidationError.__str__(self)
        )
