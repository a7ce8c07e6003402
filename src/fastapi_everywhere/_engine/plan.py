"""Compile a callable's FastAPI ``Dependant`` tree into a cached plan.

``get_dependant`` (FastAPI's own parser) runs once per (callable,
overrides, security scopes, caller-supplied names); afterwards a resolution is
a tight loop over precomputed nodes, with no introspection per call.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Hashable, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import Annotated, Any, get_args, get_origin

from fastapi import params
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_typed_signature
from fastapi.security.oauth2 import SecurityScopes
from starlette.background import BackgroundTasks
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from .._errors import FastAPIEverywhereError
from .._loop_safe import is_loop_safe
from .._registrable import bindings_version, implementation_of
from . import _compat
from .cycles import check_acyclic

SYNC, ASYNC, GEN, AGEN = _compat.SYNC, _compat.ASYNC, _compat.GEN, _compat.AGEN
_SPECIAL_TYPES = (
    Request,
    WebSocket,
    HTTPConnection,
    Response,
    BackgroundTasks,
    SecurityScopes,
)


def describe(call: Any) -> str:
    """A readable name for a dependency callable, for error messages."""
    target = call
    while hasattr(target, "func") and not hasattr(target, "__qualname__"):
        target = target.func  # functools.partial
    name = getattr(target, "__qualname__", None) or type(target).__qualname__
    module = getattr(target, "__module__", None)
    return f"{module}.{name}" if module and module != "builtins" else str(name)


def _is_class(call: Any) -> bool:
    """Whether ``call`` (through ``functools.partial``) is a class."""
    while isinstance(call, functools.partial):
        call = call.func
    return isinstance(call, type)


class Node:
    """One dependency of a plan, with everything precomputed."""

    __slots__ = (
        "_fields",
        "await_always",
        "await_unless_cached",
        "background_name",
        "body_params",
        "call",
        "children",
        "cm_factory",
        "concurrency",
        "connection_name",
        "cookie_params",
        "declared_scope",
        "function_scope",
        "has_params",
        "has_specials",
        "header_params",
        "key",
        "kind",
        "name",
        "oauth_scopes",
        "origin",
        "param_readers",
        "path_params",
        "query_params",
        "request_name",
        "response_name",
        "security_scopes_name",
        "sync_dependency",
        "use_cache",
    )

    def __init__(
        self, original: Dependant, used: Dependant, inline_classes: bool = False
    ) -> None:
        call = used.call
        assert call is not None
        self.call: Callable[..., Any] = call
        #: The dependency as declared (before overrides): what users name.
        self.origin: Callable[..., Any] = original.call or call
        self.declared_scope = _compat.depends_scope(original)
        self.name = original.name
        self.key: Hashable = _compat.cache_key(original)
        self.use_cache = original.use_cache
        self.function_scope = _compat.depends_scope(original) == "function"
        self.concurrency = _compat.concurrency(used)
        self.kind = _compat.call_kind(used)
        self.children: list[Node] = []
        self.path_params = used.path_params and _compat.params_reader(used.path_params)
        self.query_params = used.query_params and _compat.params_reader(
            used.query_params
        )
        self.header_params = used.header_params and _compat.params_reader(
            used.header_params
        )
        self.cookie_params = used.cookie_params and _compat.params_reader(
            used.cookie_params
        )
        #: (source, reader) of each source with parameters, in FastAPI's
        #: order: "path", "query", "header", "cookie".
        self.param_readers: tuple[tuple[str, Any], ...] = tuple(
            (source, reader)
            for source, reader in (
                ("path", self.path_params),
                ("query", self.query_params),
                ("header", self.header_params),
                ("cookie", self.cookie_params),
            )
            if reader
        )
        self._fields = (
            used.path_params,
            used.query_params,
            used.header_params,
            used.cookie_params,
        )
        #: The generator function as a context-manager factory, built once.
        if self.kind == GEN:
            self.cm_factory: Any = contextmanager(call)
        elif self.kind == AGEN:
            self.cm_factory = asynccontextmanager(call)
        else:
            self.cm_factory = None
        self.request_name = used.request_param_name
        self.connection_name = used.http_connection_param_name
        self.response_name = used.response_param_name
        self.background_name = used.background_tasks_param_name
        self.security_scopes_name = used.security_scopes_param_name
        self.oauth_scopes = _compat.oauth_scopes(used)
        if used.websocket_param_name:
            raise FastAPIEverywhereError(
                f"{describe(call)}: parameter {used.websocket_param_name!r} asks "
                "for a WebSocket, which exists only inside a FastAPI websocket "
                "route; fastapi-everywhere resolves HTTP-like scopes only."
            )
        self.body_params = used.body_params
        self.has_params = bool(
            used.path_params
            or used.query_params
            or used.header_params
            or used.cookie_params
        )
        self.has_specials = bool(
            self.request_name
            or self.connection_name
            or self.response_name
            or self.background_name
            or self.security_scopes_name
        )
        # Where the step loop must stop: awaited (unless cached) / run where
        # sync dependencies run. ``Plan.__init__`` resets them for the root,
        # the target's own parameters, never called as a dependency.
        self.await_always = bool(self.body_params) or self.concurrency is not None
        self.await_unless_cached = self.kind == ASYNC or self.kind == AGEN
        # A loop_safe function or class runs inline on the loop (opt-in), as
        # does every class of a container made with inline_classes=True.
        inline = is_loop_safe(call) or (inline_classes and _is_class(call))
        self.sync_dependency = self.kind == GEN or (self.kind == SYNC and not inline)

    def __repr__(self) -> str:
        return f"<Node {describe(self.call)} name={self.name!r} kind={self.kind}>"


class Plan:
    """A compiled dependency tree for one target callable.

    ``steps`` is the tree flattened in FastAPI's solving order:
    ``(node, False)`` opens a node (its children follow), ``(node, True)``
    closes it (its own parameters are read and it is called).
    """

    __slots__ = (
        "body_field",
        "embed_body_fields",
        "function_exits",
        "inline_classes",
        "inline_solvers",
        "is_body_form",
        "needs_loop",
        "needs_own_task",
        "needs_request",
        "needs_thread",
        "required",
        "root",
        "steps",
        "target",
    )

    def __init__(
        self,
        target: Any,
        root_dependant: Dependant,
        overrides: Any,
        inline_classes: bool = False,
    ) -> None:
        self.target = target
        self.inline_classes = inline_classes
        #: Its compiled solvers (``compiled.py``), made on first use: an
        #: all-sync plan's by ``isolate_context``, and ``"async"``.
        self.inline_solvers: dict[Any, Any] = {}
        self.root = self._compile(root_dependant, root_dependant, overrides)
        self.steps: list[tuple[Node, bool]] = []
        self._flatten(self.root)
        body_params = _compat.flat_body_params(root_dependant)
        if body_params:
            self.body_field, self.embed_body_fields = _compat.body_field_and_embed(
                root_dependant, name=describe(target).replace(".", "_")
            )
            self.is_body_form = isinstance(self.body_field.field_info, params.Form)
        else:
            self.body_field, self.embed_body_fields, self.is_body_form = (
                None,
                False,
                False,
            )
        nodes = [node for node, closing in self.steps if closing]
        root = self.root
        root.await_always = bool(root.body_params)
        root.await_unless_cached = root.sync_dependency = False
        #: False when every step can run on the calling thread (no async
        #: dependency, no body to read): a sync caller needs no event loop.
        self.needs_loop = self.body_field is not None or any(
            n.await_always or n.await_unless_cached for n in nodes
        )
        #: Whether a step must run off the event loop (FastAPI's threadpool
        #: rule): a sync dependency or generator not marked loop_safe.
        self.needs_thread = any(n.sync_dependency for n in nodes)
        #: Whether an async resolution may enter an exit that must run in a
        #: task of its own: an async generator (its exit runs in the task
        #: that entered it, where FastAPI's request stack keeps its cancel
        #: scope), a generator entered on the loop (a body parameter or a
        #: concurrency limit: its exit is async), a form body (closed on the
        #: request stack). Sync ``yield`` dependencies need none: their exits
        #: run on the thread that closes the request.
        self.needs_own_task = self.is_body_form or any(
            n.kind == AGEN
            or n.concurrency is not None
            or (n.kind == GEN and n.await_always)
            for n in nodes
        )
        #: Whether a generator's exit belongs to the call's function scope
        #: (``Depends(scope="function")``): a call of this plan needs a stack
        #: of its own for them.
        self.function_exits = any(
            n.function_scope and n.kind in (GEN, AGEN) for n in nodes
        )
        self.needs_request = self.body_field is not None or any(
            n.has_params or n.request_name or n.connection_name for n in nodes
        )
        required: dict[str, list[str]] = {}
        for node in nodes:
            for source, fields in zip(
                ("path", "query", "header", "cookie"), node._fields, strict=True
            ):
                for field in fields:
                    if field.field_info.is_required():
                        required.setdefault(source, []).append(field.alias)
        self.required = {k: tuple(v) for k, v in required.items()}

    def _compile(self, original: Dependant, used: Dependant, overrides: Any) -> Node:
        node = Node(original, used, self.inline_classes)
        for sub in used.dependencies:
            use_sub = sub
            override = overrides.get(sub.call, sub.call) if overrides else sub.call
            if override is sub.call:
                override = implementation_of(sub.call) or sub.call
                if override is not sub.call and overrides:
                    # An override keyed by the bound implementation applies
                    # too, as it does in a route that sees the binding.
                    override = overrides.get(override, override)
            # With any override set, FastAPI re-parses *every* sub-dependency
            # (inherited security scopes deduplicated on the way); it keeps
            # the original's name, cache key, use_cache and scope.
            if override is not sub.call or overrides:
                assert override is not None
                try:
                    use_sub = _compat.override_dependant(sub, override)
                except Exception as e:
                    # FastAPI parses an override when a request reaches it,
                    # after the dependencies before it ran: fail at that step.
                    node.children.append(_failing_node(sub, e))
                    continue
            node.children.append(self._compile(sub, use_sub, overrides))
        return node

    def _flatten(self, node: Node) -> None:
        self.steps.append((node, False))
        for child in node.children:
            self._flatten(child)
        self.steps.append((node, True))


def _failing_node(original: Dependant, error: Exception) -> Node:
    """A step that raises ``error`` (a fresh copy each time) where it is reached."""

    def raise_error() -> Any:
        try:
            fresh = type(error)(*error.args)
        except Exception:
            fresh = error
        raise fresh

    used = _compat.get_dependant(path="", call=raise_error, name=original.name)
    node = Node(original, used)
    node.use_cache = False  # FastAPI parses the override before the cache lookup
    return node


def _marker(param: inspect.Parameter) -> bool:
    """Whether FastAPI would inject ``param`` (rather than the caller pass it)."""
    default = param.default
    if isinstance(default, (params.Depends, params.Param, params.Body)):
        return True
    annotation = param.annotation
    if get_origin(annotation) is Annotated:
        args = get_args(annotation)
        if any(
            isinstance(a, (params.Depends, params.Param, params.Body)) for a in args[1:]
        ):
            return True
        annotation = args[0]
    return (
        isinstance(annotation, type)
        # ``list[str]`` passes the isinstance check on Python 3.10 but is no class.
        and get_origin(annotation) is None
        and issubclass(annotation, _SPECIAL_TYPES)
    )


def injected_parameters(func: Callable[..., Any]) -> list[inspect.Parameter]:
    """The parameters of ``func`` that are resolved rather than passed."""
    try:
        signature = get_typed_signature(func)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{describe(func)}: cannot read its signature: {e}") from e
    return [p for p in signature.parameters.values() if _marker(p)]


def _synthetic(name: str, parameters: list[inspect.Parameter]) -> Callable[..., Any]:
    def root(**kwargs: Any) -> None:  # pragma: no cover - never called
        raise AssertionError("synthetic root is never called")

    root.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in parameters]
    )
    root.__qualname__ = root.__name__ = name
    return root


def _root_dependant(
    call: Callable[..., Any], security_scopes: tuple[str, ...], path: str
) -> Dependant:
    kwargs: dict[str, Any] = {"path": path, "call": call}
    if security_scopes:
        if _compat.SPLIT_OAUTH_SCOPES:
            kwargs["own_oauth_scopes"] = list(security_scopes)
        else:
            kwargs["security_scopes"] = list(security_scopes)
    return _compat.get_dependant(**kwargs)


_PLAN_CACHE_SIZE = 2048
_plans: dict[Hashable, Plan] = {}
_plans_lock = threading.Lock()


def _overrides_key(overrides: Mapping[Any, Any] | None) -> Hashable:
    if not overrides:
        return ()
    try:
        key = tuple(overrides.items())
        hash(key)
        return key
    except TypeError:
        return tuple((id(k), id(v)) for k, v in overrides.items())


def _remember(key: Hashable, plan: Plan) -> Plan:
    with _plans_lock:
        if len(_plans) >= _PLAN_CACHE_SIZE:
            _plans.pop(next(iter(_plans)))
        _plans[key] = plan
    return plan


def plan_for_function(
    func: Callable[..., Any],
    *,
    overrides: Mapping[Any, Any] | None = None,
    supplied: frozenset[str] = frozenset(),
    security_scopes: tuple[str, ...] = (),
    path: str = "",
    inline_classes: bool = False,
) -> Plan:
    """The plan resolving the injectable parameters of ``func``.

    Parameters named in ``supplied`` (given by the caller) are left out;
    ``inline_classes`` runs every class dependency inline, as if loop_safe.
    """
    key: Hashable = (
        "f",
        func,
        _overrides_key(overrides),
        supplied,
        security_scopes,
        path,
        bindings_version(),
        inline_classes,
    )
    try:
        return _plans[key]
    except KeyError:
        pass
    except TypeError:  # unhashable callable: compile every time
        key = None
    parameters = [p for p in injected_parameters(func) if p.name not in supplied]
    root = _synthetic(getattr(func, "__name__", "target"), parameters)
    check_acyclic([root], overrides)
    plan = Plan(
        func, _root_dependant(root, security_scopes, path), overrides, inline_classes
    )
    return plan if key is None else _remember(key, plan)


def dependency_parameter(
    dependency: Any, name: str, *, owner: str
) -> inspect.Parameter:
    """A keyword parameter that depends on ``dependency``.

    Accepts ``Annotated[T, Depends(f)]`` (FastAPI reads it, including the bare
    ``Depends()`` form), ``Depends(f)``/``Security(f)`` or a plain callable.
    """
    kind = inspect.Parameter.KEYWORD_ONLY
    if isinstance(dependency, params.Depends):
        if dependency.dependency is None:
            raise TypeError(f"{owner}: Depends() without a dependency needs Annotated")
        return inspect.Parameter(name, kind, default=dependency)
    if get_origin(dependency) is Annotated:
        if not any(isinstance(a, params.Depends) for a in get_args(dependency)[1:]):
            raise TypeError(f"{owner}: {dependency!r} has no Depends(...) in it")
        return inspect.Parameter(name, kind, annotation=dependency)
    if callable(dependency):
        return inspect.Parameter(name, kind, default=params.Depends(dependency))
    raise TypeError(
        f"{owner}: expected a dependency (a callable, Depends(...) or "
        f"Annotated[T, Depends(...)]), got {dependency!r}"
    )


def plan_for_dependencies(
    dependencies: tuple[Any, ...],
    *,
    overrides: Mapping[Any, Any] | None = None,
    security_scopes: tuple[str, ...] = (),
    owner: str = "resolve",
    path: str = "",
    inline_classes: bool = False,
) -> Plan:
    """A plan whose root depends on each of ``dependencies`` (named d0, d1...).

    ``path``: the route's path template; its ``{names}`` are path
    parameters wherever a dependency declares them (as in a FastAPI route).
    """
    key = (
        "d",
        dependencies,
        _overrides_key(overrides),
        security_scopes,
        path,
        bindings_version(),
        inline_classes,
    )
    try:
        return _plans[key]
    except (KeyError, TypeError):
        pass
    parameters = [
        dependency_parameter(dep, f"d{i}", owner=owner)
        for i, dep in enumerate(dependencies)
    ]
    root = _synthetic(owner, parameters)
    check_acyclic([root], overrides)
    plan = Plan(
        root, _root_dependant(root, security_scopes, path), overrides, inline_classes
    )
    try:
        return _remember(key, plan)
    except TypeError:
        return plan
