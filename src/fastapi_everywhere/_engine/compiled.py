"""An all-sync plan compiled into one Python function.

The step loop (``run.Resolution.advance``) interprets a plan: per step it
unpacks a tuple, pushes or pops a frame and reads half a dozen node
attributes to decide what to do. For a plan that needs no event loop (every
step sync, no body: ``Plan.needs_loop`` false) none of those decisions
depends on the request, so they can be taken once: :func:`inline_solver`
writes the plan out as straight-line Python (one block per dependency, in
FastAPI's solving order) and compiles it, as ``dataclasses`` and ``attrs``
compile their ``__init__``. The host's inline paths run it instead of the
loop: a sync Django or Flask view whose dependencies are all sync, on the
request thread, and an async view of such a plan on the serving loop, in one
hop (``solve.py`` does the same for plans that await).

It does exactly what the loop does with ``run_sync=True`` (the conformance
suite runs random trees through both):

* sub-dependencies are solved even when their parent is cached; errors are
  gathered, a dependency with errors below it (or in its own parameters) is
  not called and its parent gets the errors; ``use_cache`` and the cache key
  are the original dependant's;
* parameters are read in FastAPI's order (path, query, header, cookie) from
  the request source (a source whose parameters are all plain strings
  with one ``get`` each, FastAPI's reader only when one is missing or not a
  ``str``; plain headers from a WSGI source's environ), specials
  (``Request``, ``Response``, ``BackgroundTasks``, ``SecurityScopes``) made
  on first need;
* a request-scoped generator is entered as its ``contextmanager`` would
  enter it and handed, started, to ``push(gen)`` (the request's exits, which
  finish it as that manager's ``__exit__`` would: ``_host.inline``); a
  function-scoped one (``Plan.function_exits``) is entered through its
  ``contextmanager`` and handed to ``push_function(cm)``: which one is known
  when the plan is written, not asked per request.

The generated code names nothing the user wrote: every callable, key and
parameter name reaches it as a constant of its namespace, and parameter names
appear in the source only as keyword arguments, after a check that they are
plain identifiers.
"""

from __future__ import annotations

import contextvars
import keyword
from collections.abc import Callable, Generator
from contextlib import AbstractContextManager
from typing import Any

from fastapi import BackgroundTasks
from fastapi.security.oauth2 import SecurityScopes
from starlette.responses import Response

from .._source import environ_key
from ._compat import as_is_fields
from .plan import GEN, SYNC, Node, Plan
from .run import new_response

__all__ = ["InlineSolver", "can_fail", "define", "inline_solver"]

#: ``solve(cache, source, push, push_function, response, tasks)`` ->
#: ``(values, errors, response, tasks)``: the root's values and the errors
#: gathered; ``response`` and ``tasks`` as given, or made by a dependency.
#: ``push`` takes a started request-scoped generator, ``push_function`` a
#: function-scoped generator's entered manager (None unless the plan has
#: ``function_exits``).
InlineSolver = Callable[
    [
        dict[Any, Any],
        Any,
        Callable[[Generator[Any, None, None]], None],
        "Callable[[AbstractContextManager[Any]], None] | None",
        "Response | None",
        "BackgroundTasks | None",
    ],
    tuple[dict[str, Any], list[Any], "Response | None", "BackgroundTasks | None"],
]


def inline_solver(plan: Plan, *, isolate_context: bool = False) -> InlineSolver:
    """The compiled solver of ``plan`` (made on first use, kept on the plan).

    ``isolate_context``: each sync step runs in a copy of the context, as
    FastAPI runs it in a worker thread (the host path passes False: context
    variables set by dependencies reach the view).
    """
    if plan.needs_loop:
        raise ValueError(f"{plan.target!r}: only a plan with no async step compiles")
    solvers = plan.inline_solvers
    solver = solvers.get(isolate_context)
    if solver is None:
        solver = solvers[isolate_context] = _Writer(plan, isolate_context).compile()
    return solver


#: Where the solver's code reads each parameter source from.
_SOURCE_DATA = {
    "path": "source.request.path_params",
    "query": "source.request.query_params",
    "header": "source.headers",
    "cookie": "source.request.cookies",
}


class _Writer:
    """Writes one plan's solver: one block of source per node."""

    def __init__(self, plan: Plan, isolate_context: bool) -> None:
        self.plan = plan
        self.isolate = isolate_context
        self.lines: list[str] = []
        self.namespace: dict[str, Any] = {
            "BackgroundTasks": BackgroundTasks,
            "SecurityScopes": SecurityScopes,
            "new_response": new_response,
            "copy_context": contextvars.copy_context,
        }
        self.count = 0
        #: The children's locals of a node called without a dict (see _call).
        self._solved_args: dict[Node, list[tuple[str, str]]] = {}

    def compile(self) -> InlineSolver:
        root = self.plan.root
        body: list[str] = []
        self.lines = body
        values, errors = self._node(root, 1)
        assert values is not None
        returned = f"{values}, {errors or '[]'}, response, tasks"
        body.append(f"    return {returned}")
        source = "\n".join(
            [
                "def solve(cache, source, push, push_function, response, tasks):",
                *body,
                "",
            ]
        )
        solver: InlineSolver = define(source, "solver", self.plan, self.namespace)
        return solver

    # -- helpers -------------------------------------------------------------

    def _const(self, prefix: str, value: Any) -> str:
        self.count += 1
        name = f"{prefix}{self.count}"
        self.namespace[name] = value
        return name

    def _var(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def _emit(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    # -- one node ------------------------------------------------------------

    def _node(self, node: Node, depth: int) -> tuple[str | None, str | None]:
        """Emit the code gathering ``node``'s arguments and errors.

        Returns the names of the local holding its keyword arguments (a dict;
        None when it is called with its children's locals as keywords, see
        :meth:`_call`) and of its errors list (None when nothing below it
        can fail).
        """
        errors = self._var("e") if can_fail(node) else None
        if errors:
            self._emit(depth, f"{errors} = []")
        # The target's values are a dict, as are the arguments of a node that
        # reads parameters or specials into them.
        values = None
        if node is self.plan.root or node.has_params or node.has_specials:
            values = self._var("v")
            self._emit(depth, f"{values} = {{}}")
        solved: list[tuple[str, str]] = []  # (parameter name, local) in order
        for child in node.children:
            local = self._child(child, depth, errors, values)
            if child.name is not None:
                solved.append((child.name, local))
        if values is None:
            self._solved_args[node] = solved
            return None, errors
        self._params(node, depth, values, errors)
        self._specials(node, depth, values)
        return values, errors

    def _child(
        self, node: Node, depth: int, parent_errors: str | None, into: str | None
    ) -> str:
        """Emit ``node``'s block in its parent; return the local of its value.

        ``into``: the parent's arguments dict, given the value once solved.
        """
        values, errors = self._node(node, depth)
        local = self._var("s")
        if errors:
            assert parent_errors is not None  # a child that can fail fails its parent
            self._emit(depth, f"if {errors}:")
            self._emit(depth + 1, f"{parent_errors} += {errors}")
            self._emit(depth, "else:")
            depth += 1
        key = self._const("K", node.key)
        if node.use_cache:
            self._emit(depth, f"if {key} in cache:")
            self._emit(depth + 1, f"{local} = cache[{key}]")
            self._emit(depth, "else:")
            self._call(node, depth + 1, values, local)
            self._emit(depth + 1, f"if {key} not in cache:")
            self._emit(depth + 2, f"cache[{key}] = {local}")
        else:
            self._call(node, depth, values, local)
            self._emit(depth, f"if {key} not in cache:")
            self._emit(depth + 1, f"cache[{key}] = {local}")
        if into is not None and node.name is not None:
            self._emit(depth, f"{into}[{self._const('N', node.name)}] = {local}")
        return local

    def _call(self, node: Node, depth: int, values: str | None, local: str) -> None:
        """Emit the call of ``node`` (its arguments in ``values``, or its
        children's locals) into ``local``."""
        if values is not None:
            args = f"**{values}"
        else:
            solved = self._solved_args.pop(node)
            if all(_plain_name(name) for name, _ in solved):
                args = ", ".join(f"{name}={value}" for name, value in solved)
            else:  # a name only a dict can carry
                items = ", ".join(
                    f"{self._const('N', name)}: {value}" for name, value in solved
                )
                args = f"**{{{items}}}"
        if node.kind == SYNC:
            call = self._const("CALL", node.call)
            if self.isolate:
                sep = ", " if args else ""
                self._emit(depth, f"{local} = copy_context().run({call}{sep}{args})")
            else:
                self._emit(depth, f"{local} = {call}({args})")
            return
        assert node.kind == GEN, node  # needs_loop is false: no async step
        if node.function_scope:  # the call's own exit stack takes a manager
            factory = self._const("GEN", node.cm_factory)
            cm = self._var("cm")
            self._emit(depth, f"{cm} = {factory}({args})")
            if self.isolate:
                self._emit(depth, f"{local} = copy_context().run({cm}.__enter__)")
            else:
                self._emit(depth, f"{local} = {cm}.__enter__()")
            self._emit(depth, f"push_function({cm})")
            return
        # A request-scoped generator is entered as its contextmanager's
        # __enter__ would (the same error if it does not yield) and handed
        # over as it is: no manager object, no four calls through it.
        gen, started = self._const("GEN", node.call), self._var("g")
        self._emit(depth, f"{started} = {gen}({args})")
        self._emit(depth, "try:")
        if self.isolate:
            self._emit(depth + 1, f"{local} = copy_context().run(next, {started})")
        else:
            self._emit(depth + 1, f"{local} = next({started})")
        self._emit(depth, "except StopIteration:")
        self._emit(depth + 1, 'raise RuntimeError("generator didn\'t yield") from None')
        self._emit(depth, f"push({started})")

    def _params(self, node: Node, depth: int, values: str, errors: str | None) -> None:
        for where, reader in node.param_readers:  # in FastAPI's order
            data = _SOURCE_DATA[where]
            assert errors is not None  # parameters can fail
            plain = as_is_fields(reader)
            read_at = depth
            if plain:
                # Plain str fields: present as str, each is its own value
                # (what the reader returns then); else the reader decides.
                mapping, got = self._var("d"), [self._var("a") for _ in plain]
                keys = [environ_key(alias) for _, alias in plain]
                get_at = depth
                if where == "header" and all(keys):
                    # A WSGI source's header is its environ value, as
                    # EnvironHeaders reads it, with no Headers made.
                    self._emit(depth, f"{mapping} = source.environ")
                    self._emit(depth, f"if {mapping} is not None:")
                    for key, local in zip(keys, got, strict=True):
                        self._emit(
                            depth + 1,
                            f"{local} = {mapping}.get({self._const('A', key)})",
                        )
                    self._emit(depth, "else:")
                    get_at = depth + 1
                self._emit(get_at, f"{mapping} = {data}")
                for (_, alias), local in zip(plain, got, strict=True):
                    self._emit(
                        get_at, f"{local} = {mapping}.get({self._const('A', alias)})"
                    )
                self._emit(
                    depth, "if " + " and ".join(f"type({a}) is str" for a in got) + ":"
                )
                for (name, _), local in zip(plain, got, strict=True):
                    self._emit(
                        depth + 1, f"{values}[{self._const('N', name)}] = {local}"
                    )
                self._emit(depth, "else:")
                if get_at == depth:  # else the mapping may be the environ
                    data = mapping
                read_at = depth + 1
            found, failed = self._var("f"), self._var("x")
            self._emit(
                read_at, f"{found}, {failed} = {self._const('READ', reader)}({data})"
            )
            self._emit(read_at, f"{values}.update({found})")
            self._emit(read_at, f"if {failed}:")
            self._emit(read_at + 1, f"{errors} += {failed}")

    def _specials(self, node: Node, depth: int, values: str) -> None:
        # The loop's order: connection, request, tasks, response, scopes.
        for name in (node.connection_name, node.request_name):
            if name:
                self._emit(
                    depth, f"{values}[{self._const('N', name)}] = source.request"
                )
        if node.background_name:
            self._emit(depth, "if tasks is None:")
            self._emit(depth + 1, "tasks = BackgroundTasks()")
            self._emit(
                depth, f"{values}[{self._const('N', node.background_name)}] = tasks"
            )
        if node.response_name:
            self._emit(depth, "if response is None:")
            self._emit(depth + 1, "response = new_response()")
            self._emit(
                depth, f"{values}[{self._const('N', node.response_name)}] = response"
            )
        if node.security_scopes_name:
            scopes = self._const("SCOPES", tuple(node.oauth_scopes))
            self._emit(
                depth,
                f"{values}[{self._const('N', node.security_scopes_name)}] = "
                f"SecurityScopes(scopes=list({scopes}))",
            )


def define(source: str, what: str, plan: Plan, namespace: dict[str, Any]) -> Any:
    """The function ``solve`` that ``source`` defines, its constants in
    ``namespace``; the source stays on it (``.source``) for debugging."""
    code = compile(source, f"<fastapi-everywhere {what} {plan.target!r}>", "exec")
    exec(code, namespace)
    function = namespace["solve"]
    function.source = source
    return function


def can_fail(node: Node) -> bool:
    """Whether solving ``node`` may gather a validation error (a parameter
    or a body value of it or below it). Both solver writers ask it."""
    return (
        node.has_params
        or bool(node.body_params)
        or any(can_fail(child) for child in node.children)
    )


def _plain_name(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)
