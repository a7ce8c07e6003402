"""What a module's source can hold, read without importing it (and cached).

``auto_bindings`` imports only the modules that may declare an interface or
an implementation. Which ones is decided from the source alone: the simple
names of each class's bases (import aliases resolved back) and whether a
function is decorated with ``provides``. A module we cannot read or parse,
or whose bases we cannot name, is always imported: the filter may only skip
what provably holds nothing.

On a large tree the parsing dominates start-up, so the analysis can be kept
in a JSON file: an entry is reused while the file's size and modification
time are unchanged, or, when they changed, while its SHA-256 is.
"""

from __future__ import annotations

import ast
import hashlib
import json
import logging
import os
import pkgutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

__all__ = ["Analysis", "ModuleSource", "analyses", "module_sources"]

logger = logging.getLogger("fastapi_everywhere")

_INTERFACE_BASE = "RegistrableDependency"
_PROVIDER = "provides"


class Analysis(NamedTuple):
    """What one module's source says (None when it could not be read)."""

    #: A class has ``RegistrableDependency`` as a base: it may be an interface.
    declares_interface: bool
    #: The simple names of every class base (import aliases resolved).
    base_names: frozenset[str]
    #: A function is decorated with ``provides`` (an alias resolved).
    has_provider: bool
    #: A base we cannot name (``make_base()``, a star import): import it.
    unresolved: bool


class ModuleSource(NamedTuple):
    """A module found under a package, not imported: its name and file."""

    name: str
    path: str | None


def module_sources(
    package_dirs: list[str], prefix: str, recursive: bool
) -> Iterator[ModuleSource]:
    """Every module under ``package_dirs`` (one level, or all with ``recursive``)."""
    for info in pkgutil.iter_modules(package_dirs, prefix):
        base = getattr(info.module_finder, "path", None)
        leaf = info.name.rpartition(".")[2]
        if info.ispkg:
            folder = os.path.join(base, leaf) if base is not None else None
            init = os.path.join(folder, "__init__.py") if folder is not None else None
            yield ModuleSource(info.name, init)
            if recursive and folder is not None:
                yield from module_sources([folder], f"{info.name}.", recursive)
        else:
            path = os.path.join(base, f"{leaf}.py") if base is not None else None
            yield ModuleSource(info.name, path)


def _simple_name(node: ast.expr) -> str | None:
    """``Name`` -> its id; ``a.b.Name`` -> ``Name``; ``Name[T]`` -> ``Name``."""
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """The statements that can bind a module attribute: not function bodies.

    What ``auto_bindings`` looks at is the module's namespace, so a class
    made inside a function never counts; skipping those bodies halves the
    cost of the analysis.
    """
    found: list[ast.stmt] = []
    pending = list(reversed(body))
    while pending:
        node = pending.pop()
        found.append(node)
        if isinstance(node, ast.ClassDef):
            pending.extend(reversed(node.body))
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
            for part in ("body", "orelse", "finalbody"):
                pending.extend(reversed(getattr(node, part, [])))
            for handler in getattr(node, "handlers", []):
                pending.extend(reversed(handler.body))
    return found


def analyse(source: bytes) -> Analysis | None:
    """The :class:`Analysis` of one module's source; None if it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    aliases: dict[str, str] = {}
    star = False
    bases: set[str] = set()
    interface = provider = unresolved = False
    statements = _statements(tree.body)
    for node in statements:
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    star = True
                else:
                    aliases[alias.asname or alias.name] = alias.name
    for node in statements:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                target = (
                    decorator.func if isinstance(decorator, ast.Call) else decorator
                )
                name = _simple_name(target)
                provider = provider or aliases.get(name or "", name) == _PROVIDER
        elif isinstance(node, ast.ClassDef):
            for base in node.bases:
                name = _simple_name(base)
                if name is None or (star and name not in aliases):
                    unresolved = True
                    continue
                original = aliases.get(name, name)
                bases.add(original)
                interface = interface or original == _INTERFACE_BASE
    return Analysis(interface, frozenset(bases), provider, unresolved)


def _fingerprint() -> str:
    """Who wrote a cache file: another library version or Python rebuilds it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        ours = version("fastapi-everywhere")
    except PackageNotFoundError:
        ours = "0+unknown"
    return f"fastapi-everywhere {ours}; {sys.implementation.cache_tag}; format 1"


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        logger.info("auto_bindings: ignoring unreadable cache %s (%s)", path, e)
        return {}
    if not isinstance(data, dict) or data.get("fingerprint") != _fingerprint():
        return {}
    modules = data.get("modules")
    return modules if isinstance(modules, dict) else {}


def _decode(entry: Any) -> Analysis | None:
    analysis = entry.get("analysis") if isinstance(entry, dict) else None
    if analysis is None:
        return None
    interface, bases, provider, unresolved = analysis
    return Analysis(
        bool(interface), frozenset(map(str, bases)), bool(provider), bool(unresolved)
    )


def _encode(
    stat: os.stat_result, digest: str, analysis: Analysis | None
) -> dict[str, Any]:
    return {
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "sha256": digest,
        "analysis": None
        if analysis is None
        else [
            analysis.declares_interface,
            sorted(analysis.base_names),
            analysis.has_provider,
            analysis.unresolved,
        ],
    }


def _save(path: Path, modules: dict[str, Any]) -> None:
    """Write atomically (a sibling temporary file, then ``os.replace``)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"fingerprint": _fingerprint(), "modules": modules}, out)
            os.replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise
    except OSError as e:
        logger.warning("auto_bindings: could not write the cache %s: %s", path, e)


def _fresh(source: ModuleSource) -> tuple[os.stat_result | None, bytes | None]:
    if source.path is None:
        return None, None
    try:
        with open(source.path, "rb") as handle:
            return os.fstat(handle.fileno()), handle.read()
    except OSError:
        return None, None


def analyses(
    sources: list[ModuleSource], cache_file: Path | None, scanned: tuple[str, ...]
) -> dict[str, Analysis | None]:
    """The analysis of every module in ``sources``, from ``cache_file`` when valid.

    ``scanned`` are the package names swept: the cache's entries under them
    that no longer exist are dropped; others' entries are kept.
    """
    if cache_file is None:
        found: dict[str, Analysis | None] = {}
        for source in sources:
            _, data = _fresh(source)
            found[source.name] = None if data is None else analyse(data)
        return found
    stored = _load(cache_file)
    modules = {
        name: entry
        for name, entry in stored.items()
        if not any(name == root or name.startswith(root + ".") for root in scanned)
    }
    result: dict[str, Analysis | None] = {}
    for source in sources:
        entry = stored.get(source.name)
        stat = _stat(source.path)
        if stat is not None and _same_stat(entry, stat):
            modules[source.name] = entry
            result[source.name] = _decode(entry)
            continue
        stat, data = _fresh(source)
        if stat is None or data is None:
            result[source.name] = None
            continue
        digest = hashlib.sha256(data).hexdigest()
        if isinstance(entry, dict) and entry.get("sha256") == digest:
            analysis = _decode(entry)
        else:
            analysis = analyse(data)
        modules[source.name] = _encode(stat, digest, analysis)
        result[source.name] = analysis
    if modules != stored:
        _save(cache_file, modules)
    return result


def _stat(path: str | None) -> os.stat_result | None:
    if path is None:
        return None
    try:
        return os.stat(path)
    except OSError:
        return None


def _same_stat(entry: Any, stat: os.stat_result) -> bool:
    return (
        isinstance(entry, dict)
        and entry.get("size") == stat.st_size
        and entry.get("mtime_ns") == stat.st_mtime_ns
    )
