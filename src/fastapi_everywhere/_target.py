"""What every wrapper of a user function shares: the target and its call spec.

The async and sync vocabularies, the host seam and every adapter learn the
same things about the function they wrap (:class:`Target`, whose
:meth:`Target.plan_for` is the plan for one call), build a call's
ASGI scope spec the same way (:func:`call_spec`) and enter the configured
context factory the same way (:func:`call_context`). The host adapters wrap
a target the same way (:func:`target_wrapper`) and type their one-dependency
``resolve`` the same way (:func:`dependency_resolver`).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from typing import Any, Protocol, TypeVar, cast, overload

from . import _config
from ._engine import describe, plan_for_function
from ._engine.plan import Plan, injected_parameters
from ._injected import check_injected_defaults
from ._registrable import bindings
from ._scope import ScopeSpec

T = TypeVar("T")

#: ``run(target, args, kwargs)``: one call of a :func:`target_wrapper`.
TargetRun = Callable[["Target", tuple[Any, ...], dict[str, Any]], Any]


class Target:
    """What a decorator learns once about the function it wraps."""

    __slots__ = (
        "_injected_at",
        "_overridden",
        "_plain",
        "func",
        "injected",
        "is_async",
        "name",
        "positional",
        "public_signature",
    )

    def __init__(self, func: Callable[..., Any], owner: str) -> None:
        if not callable(func):
            raise TypeError(f"{owner}: expected a function, got {func!r}")
        self.func = func
        self.name = describe(func)
        injected = injected_parameters(func)
        self.injected = frozenset(p.name for p in injected)
        signature = inspect.signature(func)
        check_injected_defaults(signature, injected, owner, self.name)
        self.positional = [
            p.name
            for p in signature.parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        #: (bindings version, plan) of the usual call: no overrides, nothing
        #: supplied; a per-target shortcut past the engine's plan cache key.
        self._plain: tuple[int, str, Plan] | None = None
        #: The same for the last call with dependency overrides: (bindings
        #: version, path, the overrides' items, plan).
        self._overridden: tuple[int, str, tuple[Any, ...], Plan] | None = None
        #: How many leading positional arguments reach no injected
        #: parameter: a call passing no more supplies none of them.
        self._injected_at = next(
            (i for i, name in enumerate(self.positional) if name in self.injected),
            len(self.positional),
        )
        for p in signature.parameters.values():
            if p.name in self.injected and p.kind is p.POSITIONAL_ONLY:
                raise TypeError(
                    f"{owner}: parameter {p.name!r} of {self.name} is positional-only "
                    "and cannot be injected; make it keyword-capable"
                )
        try:
            # Evaluated annotations for tools that read the wrapper's
            # signature (Typer, Click) in modules using postponed annotations.
            shown = inspect.signature(func, eval_str=True)
        except Exception:  # a name only a type checker knows
            shown = signature
        self.public_signature = shown.replace(
            parameters=[
                p for p in shown.parameters.values() if p.name not in self.injected
            ]
        )
        self.is_async = inspect.iscoroutinefunction(
            func
        ) or inspect.iscoroutinefunction(
            getattr(func, "__call__", None)  # noqa: B004
        )

    def supplied(
        self, args: tuple[Any, ...], kwargs: Mapping[str, Any]
    ) -> frozenset[str]:
        """Injectable parameters the caller passed explicitly (they win)."""
        if len(args) <= self._injected_at and (
            not kwargs or self.injected.isdisjoint(kwargs)
        ):
            return _NONE  # the usual call: one shared empty set
        names = self.injected.intersection(kwargs) if kwargs else set()
        if args:
            names = set(names) | self.injected.intersection(
                self.positional[: len(args)]
            )
        return frozenset(names)

    def plan_for(
        self,
        app: Any,
        args: tuple[Any, ...],
        kwargs: Mapping[str, Any],
        path: str = "",
    ) -> Plan:
        """The plan for one call: ``app``'s dependency overrides (``app`` is
        any object with ``dependency_overrides``, or None), less what the
        caller passed in ``args``/``kwargs``; ``path`` is the route's path
        template (a host's URL parameters are path parameters everywhere)."""
        overrides = _config.overrides_of(app)
        if (
            overrides is None
            and len(args) <= self._injected_at
            and (not kwargs or self.injected.isdisjoint(kwargs))
        ):
            # The usual call (supplied() would say none), kept on the target.
            plain = self._plain
            if plain is None or plain[0] != bindings.version or plain[1] != path:
                plan = plan_for_function(self.func, path=path)
                plain = self._plain = (bindings.version, path, plan)
            return plain[2]
        supplied = self.supplied(args, kwargs)
        if supplied is not _NONE:
            return plan_for_function(
                self.func, overrides=overrides, supplied=supplied, path=path
            )
        if overrides is not None:
            # Overrides, nothing supplied: the last such plan is kept on the
            # target while the overrides map the same callables (a map
            # changed in place compares unequal, and is planned again).
            items = tuple(overrides.items())
            version = bindings.version
            last = self._overridden
            if (
                last is not None
                and last[0] == version
                and last[1] == path
                and last[2] == items
            ):
                return last[3]
            plan = plan_for_function(self.func, overrides=overrides, path=path)
            self._overridden = (version, path, items, plan)
            return plan
        return plan_for_function(self.func, path=path)  # nothing supplied after all


_NONE: frozenset[str] = frozenset()


@functools.lru_cache(maxsize=2048)
def _cached_target(func: Callable[..., Any], owner: str) -> Target:
    return Target(func, owner)


def target_of(func: Callable[..., Any], owner: str) -> Target:
    """``Target(func, owner)``, cached for callers that meet ``func`` per call
    (a host request's view, Django's ``method_decorator``)."""
    try:
        return _cached_target(func, owner)
    except TypeError:  # an unhashable callable
        return Target(func, owner)


def call_spec(
    static: Mapping[str, Any] | None, dynamic: Mapping[str, Any] | None
) -> ScopeSpec | None:
    """The scope spec of one call: the decorator's ``scope=`` under the
    call's ``_scope=``; None when there is neither."""
    if static is None and dynamic is None:
        return None
    if static is None or dynamic is None:
        # One of them: read as it is (the scope built from it is a copy).
        return ScopeSpec(base=dynamic if static is None else static)
    base = dict(static)
    if dynamic:
        base.update(dynamic)
    return ScopeSpec(base=base)


def call_context(context: Mapping[str, Any] | None) -> Any:
    """The configured context factory entered with ``context`` (or nothing)."""
    factory = _config.context_factory()
    if context is None or factory is None:
        return nullcontext()
    return factory(context)


def target_wrapper(
    target: Target, run: TargetRun, signature: inspect.Signature | None = None
) -> Callable[..., Any]:
    """A plain wrapper of ``target.func`` whose every call is ``run(target,
    args, kwargs)``; it shows ``signature`` (by default the target's public
    one, without the injected parameters) to tools that read it."""

    @functools.wraps(target.func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return run(target, args, kwargs)

    shown = target.public_signature if signature is None else signature
    wrapper.__signature__ = shown  # type: ignore[attr-defined]
    return wrapper


class DependencyResolver(Protocol):
    """An adapter's ``resolve(dependency)``: a class resolves to an instance."""

    @overload
    def __call__(self, dependency: type[T]) -> T: ...
    @overload
    def __call__(self, dependency: Any) -> Any: ...


def dependency_resolver(resolve: Callable[[Any], Any]) -> DependencyResolver:
    """Type ``resolve`` as a :class:`DependencyResolver`; returns it unchanged."""
    return cast(DependencyResolver, resolve)
