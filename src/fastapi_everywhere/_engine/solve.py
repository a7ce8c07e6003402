"""How async code solves a plan: its steps compiled into one coroutine function.

``solve(res)`` runs a fresh :class:`~.run.Resolution` to the end, doing what
the step loop (``Resolution.advance`` and ``async_step``, which the sync
driver still steps through) would do, with every decision that does not
depend on the request taken once per plan, as ``compiled.py`` does for
all-sync plans: one flat block per dependency in FastAPI's solving order,
each run of consecutive sync dependencies in one nested function that
``res.run_sync`` runs in a worker thread (no hop when every one of them is
cached already). Async steps are awaited in place; parameters are read by
the node's own readers from the resolution's request data, and specials,
body values and generators go through the resolution's own methods, so a
container's routing of exits, FastAPI's shielded teardown and concurrency
limits are exactly the step loop's. The conformance suite runs every entry
point's random trees through it against a real FastAPI route.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable
from typing import Any

from . import _compat
from .compiled import can_fail, define
from .plan import AGEN, ASYNC, GEN, Node, Plan
from .run import Resolution

__all__ = ["AsyncSolver", "async_solver", "solve"]


#: ``await solve(res)``: runs a fresh ``Resolution`` of its plan to the end,
#: as the step loop (``Resolution.advance``) would.
AsyncSolver = Callable[[Any], Awaitable[None]]


def async_solver(plan: Plan) -> AsyncSolver:
    """The compiled async solver of ``plan`` (made on first use, kept on it).

    Every step the step loop would take, in its order, written out: sync
    dependencies (not loop_safe) run in worker threads through
    ``res.run_sync``, the consecutive ones between two steps that await in
    one hop (none when each of them is cached already); async steps are
    awaited in place. Parameters are read as the step loop reads them;
    specials, body values and generators go through the resolution's own
    methods, so containers' routing, FastAPI's shielded exits and
    concurrency limits are the step loop's exactly.
    """
    solver = plan.inline_solvers.get(_ASYNC)
    if solver is None:
        solver = plan.inline_solvers[_ASYNC] = _AsyncWriter(plan).compile()
    return solver  # type: ignore[no-any-return]


_ASYNC = "async"

#: Where the solver's code reads each parameter source from.
_SOURCE_DATA = {
    "path": "res.get_request().path_params",
    "query": "res.get_request().query_params",
    "header": "res.get_headers()",
    "cookie": "res.get_request().cookies",
}


class _AsyncWriter:
    """Writes one plan's async solver: a flat block per dependency.

    Blocks follow the step loop's closing order (children first). Every
    local is bound at the top, so that the nested functions holding a run
    of sync blocks (one thread hop each) can assign them (``nonlocal``).
    """

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.namespace: dict[str, Any] = {
            "copy_context": contextvars.copy_context,
            "request_body_to_args": _compat.request_body_to_args,
        }
        self.count = 0
        self.ids: dict[int, int] = {}  # id(node) -> its number
        self.bound: list[str] = []  # locals a nested function may assign

    def _n(self, node: Node) -> int:
        number = self.ids.get(id(node))
        if number is None:
            number = self.ids[id(node)] = len(self.ids)
            self.namespace[f"NODE{number}"] = node
            self.namespace[f"K{number}"] = node.key
            if node.name is not None:
                self.namespace[f"N{number}"] = node.name
        return number

    def compile(self) -> AsyncSolver:
        plan = self.plan
        order = [node for node, closing in plan.steps if closing]
        parent: dict[int, Node] = {}
        for node in order:
            for child in node.children:
                parent[id(child)] = node
            self._n(node)
        body: list[str] = []
        segment: list[str] = []  # a run of sync blocks, in one hop
        hop_keys: list[str] = []  # what must be cached for no hop at all
        for node in order:
            block = self._block(node, parent.get(id(node)))
            if node is plan.root or _awaits(node):
                self._close_segment(body, segment, hop_keys)
                body += block
            elif node.sync_dependency:
                segment += block
                n = self._n(node)
                hop_keys.append(f"K{n} in cache" if node.use_cache else "False")
            elif segment:  # loop_safe between sync ones: in the same hop
                segment += block
            else:
                body += block
        self._close_segment(body, segment, hop_keys)
        root = self._n(plan.root)
        head = ["    cache = res.cache"]
        head += [f"    v{self._n(n)} = {{}}" for n in order]
        head += [f"    e{self._n(n)} = []" for n in order if can_fail(n)]
        if self.bound:
            head.append("    " + " = ".join(self.bound) + " = None")
        tail = [
            f"    res.values = v{root}",
            f"    res.errors = e{root}"
            if can_fail(plan.root)
            else "    res.errors = []",
            "    res.pc = len(res.plan.steps)",
        ]
        source = "\n".join(["async def solve(res):", *head, *body, *tail, ""])
        solver: AsyncSolver = define(source, "async solver", plan, self.namespace)
        return solver

    def _close_segment(
        self, body: list[str], segment: list[str], hop_keys: list[str]
    ) -> None:
        """Emit the pending run of sync blocks as a function run in one hop."""
        if not segment:
            return
        self.count += 1
        name = f"_run{self.count}"
        body.append(f"    def {name}():")
        if self.bound:
            body.append("        nonlocal " + ", ".join(self.bound))
        body += ["    " + line for line in segment]
        cached = " and ".join(hop_keys)
        body.append(f"    if {cached}:")  # every sync step cached: no hop
        body.append(f"        {name}()")
        body.append("    else:")
        body.append(f"        await res.run_sync({name})")
        segment.clear()
        hop_keys.clear()

    def _block(self, node: Node, parent: Node | None) -> list[str]:
        """The closing step of ``node``: read its inputs, call it, store it."""
        n = self._n(node)
        lines: list[str] = []
        # ``read_params``, written out: the node's own readers, in order.
        for where, reader in node.param_readers:
            self.count += 1
            name = f"READ{self.count}"
            self.namespace[name] = reader
            lines.append(f"    _f, _x = {name}({_SOURCE_DATA[where]})")
            lines.append(f"    v{n}.update(_f)")
            lines.append("    if _x:")  # (extend: a nested function may run it)
            lines.append(f"        e{n}.extend(_x)")
        if node.body_params:
            lines += [
                "    _v, _e = await request_body_to_args(",
                f"        body_fields=NODE{n}.body_params,",
                "        received_body=res.body,",
                "        embed_body_fields=res.plan.embed_body_fields,",
                "    )",
                f"    v{n}.update(_v)",
                f"    e{n}.extend(_e)",
            ]
        if node.has_specials:
            lines.append(f"    res.specials(NODE{n}, v{n})")
        if parent is None:  # the root: its values are the target's
            return lines
        p, s = self._n(parent), f"s{n}"
        self.bound.append(s)
        solved: list[str] = []
        call = self._call(node, n)
        if node.use_cache:
            solved.append(f"    if K{n} in cache:")
            solved.append(f"        {s} = cache[K{n}]")
            solved.append("    else:")
            solved.append(f"        {s} = {call}")
        else:
            solved.append(f"    {s} = {call}")
        solved.append(f"    if K{n} not in cache:")
        solved.append(f"        cache[K{n}] = {s}")
        if node.name is not None:
            solved.append(f"    v{p}[N{n}] = {s}")
        if not can_fail(node):  # no error can stop it: no check
            return lines + solved
        lines.append(f"    if e{n}:")
        lines.append(f"        e{p}.extend(e{n})")
        lines.append("    else:")
        return lines + ["    " + line for line in solved]

    def _call(self, node: Node, n: int) -> str:
        """The expression that solves ``node`` from its arguments ``v{n}``."""
        if node.kind == GEN or node.kind == AGEN:
            if _awaits(node):
                return f"await res.enter_gen(NODE{n}, v{n})"
            return f"res.enter_sync_gen(NODE{n}, v{n})"
        if node.concurrency is not None:
            return f"await res.call_limited(NODE{n}, v{n})"
        self.namespace[f"CALL{n}"] = node.call
        if node.kind == ASYNC:
            return f"await CALL{n}(**v{n})"
        # The step loop's rule: each sync call in a copy of the context.
        return (
            f"(copy_context().run(CALL{n}, **v{n}) if res.isolate_context "
            f"else CALL{n}(**v{n}))"
        )


def _awaits(node: Node) -> bool:
    """Whether solving ``node`` awaits (an async step, a body, a limit)."""
    return node.await_always or node.await_unless_cached


async def solve(res: Resolution) -> None:
    """Drive a fresh ``res`` to the end from async code (FastAPI's threading
    rules), through its plan's compiled solver."""
    if res.plan.body_field is not None:
        await res.read_body()
    await async_solver(res.plan)(res)
