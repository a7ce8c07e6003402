"""The architecture, checked: no import cycles, no private names across modules.

Parses every module of the package (imports inside functions included) and
checks the rules that keep the layers readable (docs/architecture.md):

* no cycle in the import graph between the package's modules;
* no module imports, or reads as ``module._name``, a ``_private`` name
  defined in another module (private *modules* such as ``_engine`` are
  fine: they are the package's internal API);
* no module over 400 lines but the engine's compile and run modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import fastapi_everywhere

PACKAGE = Path(fastapi_everywhere.__file__).parent
NAME = "fastapi_everywhere"
LONG_ALLOWED = {"_engine/plan.py", "_engine/run.py"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, tuple[Path, ast.Module]]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        found[_module_name(path)] = (path, ast.parse(path.read_text(), str(path)))
    return found


MODULES = _modules()


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str) -> list[tuple[str, str | None, int]]:
    """(imported module, imported name or None, line) for every import."""
    path, tree = MODULES[module]
    is_package = path.name == "__init__.py"
    out: list[tuple[str, str | None, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                out.append((alias.name, None, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node, is_package)
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in MODULES:  # "from . import loop": a module
                    out.append((sub, None, node.lineno))
                else:
                    out.append((target, alias.name, node.lineno))
    return [(m, n, line) for m, n, line in out if m.startswith(NAME)]


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module in MODULES:
        for target, _, _ in _imports(module):
            while target not in MODULES and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in MODULES and target != module:
                graph[module].add(target)
    return graph


def _is_ancestor_package(a: str, b: str) -> bool:
    return b.startswith(a + ".")


def test_no_import_cycles() -> None:
    graph = _graph()
    # A package's __init__ re-exporting its own submodules is not a cycle
    # between concepts: leave package -> own submodule edges out.
    for module, targets in graph.items():
        graph[module] = {t for t in targets if not _is_ancestor_package(module, t)}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert cycles == []


def test_no_private_names_across_modules() -> None:
    leaks: list[str] = []
    for module in MODULES:
        path, tree = MODULES[module]
        aliases: dict[str, str] = {}
        for target, name, line in _imports(module):
            if name is not None and name.startswith("_") and not name.startswith("__"):
                if f"{target}.{name}" not in MODULES:
                    leaks.append(f"{module}:{line} imports {target}.{name}")
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                target = _resolve(module, node, path.name == "__init__.py")
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    if sub in MODULES:
                        aliases[alias.asname or alias.name] = sub
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                leaks.append(
                    f"{module}:{node.lineno} reads {aliases[node.value.id]}.{node.attr}"
                )
    assert leaks == []


def test_no_module_over_400_lines() -> None:
    long = {
        str(path.relative_to(PACKAGE)): n
        for path, _ in MODULES.values()
        if (n := len(path.read_text().splitlines())) > 400
    }
    assert {k: v for k, v in long.items() if k not in LONG_ALLOWED} == {}
