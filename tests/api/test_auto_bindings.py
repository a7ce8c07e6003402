"""auto_bindings: discovery, ranking, conflicts, the source filter and its cache."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fastapi_everywhere import (
    AutoBindingError,
    Binding,
    FastAPIContainer,
    auto_bindings,
    provides,
)

Make = Callable[[str, dict[str, str]], str]

IFACES = """
from fastapi_everywhere import RegistrableDependency

class ICache(RegistrableDependency): ...

class IClock(RegistrableDependency): ...
"""


def _impl(name: str) -> Any:
    module, _, attr = name.rpartition(".")
    return getattr(sys.modules[module], attr)


def test_binds_each_interface_to_its_direct_subclass(make_package: Make) -> None:
    root = make_package(
        "ab_simple",
        {
            "ports.py": IFACES,
            "adapters/__init__.py": "",
            "adapters/redis.py": """
                from ab_simple.ports import ICache as Cache

                class RedisCache(Cache): ...
            """,
            "adapters/clock.py": """
                from ab_simple import ports

                class SystemClock(ports.IClock): ...
            """,
            "unrelated.py": "raise RuntimeError('never imported: the filter skips it')\n",
        },
    )
    bindings = auto_bindings(root)
    cache, clock = _impl("ab_simple.ports.ICache"), _impl("ab_simple.ports.IClock")
    assert bindings == [
        Binding(cache, _impl("ab_simple.adapters.redis.RedisCache"), False),
        Binding(clock, _impl("ab_simple.adapters.clock.SystemClock"), False),
    ]
    assert cache.dependency() is bindings[0].implementation
    assert "ab_simple.unrelated" not in sys.modules
    # A second call keeps what is bound and says so.
    assert [b.already_bound for b in auto_bindings(root)] == [True, True]
    for b in bindings:
        b.interface.register(None)


def test_ranking_primary_then_marked_then_the_solver(make_package: Make) -> None:
    root = make_package(
        "ab_rank",
        {
            "ports.py": IFACES,
            "impls.py": """
                from fastapi_everywhere import provides, singleton
                from ab_rank.ports import ICache, IClock

                class MemCache(ICache): ...

                @provides(primary=True)
                class RedisCache(ICache): ...

                class SystemClock(IClock): ...

                @singleton
                @provides
                def build_clock() -> IClock:
                    return SystemClock()
            """,
        },
    )
    by_name = {b.interface.__name__: b.implementation for b in auto_bindings(root)}
    assert by_name["ICache"] is _impl("ab_rank.impls.RedisCache")
    assert by_name["IClock"] is _impl("ab_rank.impls.build_clock")  # the singleton
    for iface in ("ICache", "IClock"):
        _impl(f"ab_rank.ports.{iface}").register(None)


def test_ties_go_to_the_solver_and_problems_register_nothing(
    make_package: Make,
) -> None:
    root = make_package(
        "ab_tie",
        {
            "ports.py": IFACES + "\nclass IOrphan(RegistrableDependency): ...\n",
            "impls.py": """
                from typing import Any
                from fastapi_everywhere import provides
                from ab_tie.ports import ICache, IClock

                class ACache(ICache): ...
                class BCache(ICache): ...

                @provides(primary=True)
                class AClock(IClock): ...
                @provides(primary=True)
                class BClock(IClock): ...

                @provides
                def vague() -> Any: ...
            """,
        },
    )
    with pytest.raises(AutoBindingError) as caught:
        auto_bindings(root)
    text = str(caught.value)
    assert (
        "ab_tie.ports.ICache has several matching implementations: ab_tie.impls.ACache, ab_tie.impls.BCache"
        in text
    )
    assert "ab_tie.ports.IClock has several @provides(primary=True)" in text
    assert "ab_tie.ports.IOrphan has no matching implementation" in text
    assert (
        "@provides has no resolvable return type; annotate the interface it builds (ab_tie.impls.vague)"
        in text
    )
    assert len(caught.value.problems) == 4 and isinstance(caught.value, ValueError)
    assert _impl("ab_tie.ports.ICache").__dict__.get("__fe_impl__") is None

    seen: list[tuple[str, list[str]]] = []

    def last(interface: type, contenders: list[Callable[..., Any]]) -> Any:
        seen.append((interface.__name__, [c.__name__ for c in contenders]))
        return contenders[-1]

    with pytest.raises(AutoBindingError):  # the solver settles only ties
        auto_bindings(root, conflict_solver=last)
    assert seen == [("ICache", ["ACache", "BCache"])]
    with pytest.raises(AutoBindingError, match="conflict_solver returned"):
        auto_bindings(root, conflict_solver=lambda i, c: object)


async def test_yield_factory_and_interface_split(make_package: Make) -> None:
    make_package("ab_ports", {"ports.py": IFACES})
    root = make_package(
        "ab_adapters",
        {
            "factories.py": """
                from collections.abc import AsyncIterator
                from fastapi_everywhere import provides, singleton
                from ab_ports.ports import ICache, IClock

                class Cache(ICache):
                    closed = False

                @singleton(lazy=True)
                @provides
                async def open_cache() -> AsyncIterator[ICache]:
                    cache = Cache()
                    yield cache
                    cache.closed = True

                @provides
                def clock() -> "IClock":
                    return IClock()
            """,
        },
    )
    bindings = auto_bindings(interfaces=["ab_ports"], implementations=[root])
    cache_iface = _impl("ab_ports.ports.ICache")
    try:
        assert [b.implementation.__name__ for b in bindings] == ["open_cache", "clock"]
        async with FastAPIContainer() as container:
            cache = await container.get(cache_iface)
            assert await container.get(cache_iface) is cache
        assert cache.closed
    finally:
        for b in bindings:
            b.interface.register(None)


def test_provides_marks_without_changing(make_package: Make) -> None:
    def f() -> int:
        return 1

    assert provides(f) is f and f() == 1
    with pytest.raises(TypeError, match="provides: primary must be a bool"):
        provides(primary="yes")  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="auto_bindings: name at least one package"):
        auto_bindings()


def test_the_cache_file_skips_parsing_unchanged_modules(
    make_package: Make, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi_everywhere._discovery import sources

    root = make_package(
        "ab_cached",
        {
            "ports.py": IFACES.replace(
                "\nclass IClock(RegistrableDependency): ...\n", ""
            ),
            "impl.py": "from ab_cached.ports import ICache\nclass C(ICache): ...\n",
            "other.py": "x = 1\n",
        },
    )
    parsed: list[int] = []
    real = sources.analyse
    monkeypatch.setattr(sources, "analyse", lambda data: parsed.append(1) or real(data))
    cache_file = tmp_path / "cache" / "bindings.json"
    first = auto_bindings(root, cache_file=cache_file)
    assert len(parsed) == 3 and cache_file.exists()
    first[0].interface.register(None)
    parsed.clear()
    assert auto_bindings(root, cache_file=cache_file) == first
    assert parsed == []  # every module came from the cache
    first[0].interface.register(None)

    (tmp_path / "ab_cached" / "other.py").write_text("y = 2  # changed\n")
    auto_bindings(root, cache_file=cache_file)
    assert len(parsed) == 1
    first[0].interface.register(None)

    cache_file.write_text("{not json")  # corrupt: ignored and rebuilt
    auto_bindings(root, cache_file=cache_file)
    assert json.loads(cache_file.read_text())["modules"]
    first[0].interface.register(None)
