"""The typed pieces a call site needs: the ``INJECTED`` default and ``with_scope``.

A checker (mypy, pyright) sees the parameters a wrapper keeps, not which
ones FastAPI injects, and ``Annotated`` metadata means nothing to it. A
parameter written ``user: CurrentUser`` (``Annotated[User,
Depends(get_user)]``) therefore stays required for it. Writing ``user:
CurrentUser = INJECTED`` gives it a default the checker sees; FastAPI ignores
a plain default next to a ``Depends`` in ``Annotated``, so the same function
still works as a FastAPI route.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Annotated, Any, ParamSpec, TypeVar, get_args, get_origin

from fastapi import params

__all__ = ["INJECTED", "accepts_scope", "check_injected_defaults", "with_scope"]

P = ParamSpec("P")
R = TypeVar("R")

_SCOPE_ATTR = "__fastapi_everywhere_scope__"


class _Injected:
    """The type of :data:`INJECTED` (one instance)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "INJECTED"

    def __reduce__(self) -> str:
        return "INJECTED"


#: The default of an injected ``Annotated[T, Depends(...)]`` parameter:
#: ``user: CurrentUser = INJECTED``. Typed ``Any`` so it fits every
#: annotation; it makes the parameter optional for type checkers and is
#: never passed to the function (the dependency's value is).
INJECTED: Any = _Injected()


def _is_field(annotation: Any) -> bool:
    """Whether an ``Annotated`` parameter is a request field (``Query``,
    ``Header``, ``Body``...): FastAPI takes a plain default as its value."""
    if get_origin(annotation) is not Annotated:
        return False
    meta = get_args(annotation)[1:]
    if any(isinstance(m, params.Depends) for m in meta):
        return False
    return any(isinstance(m, (params.Param, params.Body)) for m in meta)


def check_injected_defaults(
    signature: inspect.Signature,
    injected: list[inspect.Parameter],
    owner: str,
    name: str,
) -> None:
    """Refuse an :data:`INJECTED` default FastAPI would not honour: on a
    parameter it does not inject, or on a request field (where FastAPI would
    take the marker itself as the field's default)."""
    typed = {p.name: p for p in injected}
    for p in signature.parameters.values():
        if p.default is not INJECTED:
            continue
        if p.name not in typed:
            raise TypeError(
                f"{owner}: parameter {p.name!r} of {name} has the INJECTED default "
                "but nothing injects it; annotate it Annotated[T, Depends(...)]"
            )
        if _is_field(typed[p.name].annotation):
            raise TypeError(
                f"{owner}: parameter {p.name!r} of {name} is a request field "
                "(Query, Header, Body...): INJECTED is for Depends parameters; "
                "give the field a real default, or none"
            )


def accepts_scope(wrapper: Callable[P, R]) -> Callable[P, R]:
    """Mark ``wrapper`` as taking a call-time ``_scope=`` (for :func:`with_scope`)."""
    setattr(wrapper, _SCOPE_ATTR, True)
    return wrapper


def with_scope(func: Callable[P, R], scope: Mapping[str, Any] | None) -> Callable[P, R]:
    """``func`` with ``scope`` merged into the ASGI scope of each call.

    The typed form of the call-time ``_scope=`` keyword (which a checker
    cannot see on a wrapper that keeps the function's parameters):
    ``await with_scope(report, request.scope)("2026-12-01")``. ``func`` is a
    function decorated with ``with_fastapi_depends``,
    ``aiter_with_fastapi_depends``, ``iter_with_fastapi_depends`` or
    ``runnify_with_fastapi_depends`` (either vocabulary), or a bound method
    of one.
    """
    if not getattr(func, _SCOPE_ATTR, False):
        raise TypeError(
            f"with_scope: {func!r} takes no call-time scope; decorate it with "
            "with_fastapi_depends (or the generator or runnify variant) first"
        )
    scoped: Callable[..., R] = func
    return functools.partial(scoped, _scope=scope)
