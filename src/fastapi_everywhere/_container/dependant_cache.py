"""``DependantCache``: fastapi-standalone-di's introspection cache, kept by name.

Our engine compiles each tree once into a plan and caches plans for every
caller (``_engine/plan.py``), so a container needs no cache of its own. The
class stays for code that builds one, shares one between containers, or
stores FastAPI ``Dependant`` objects in it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.dependencies.models import Dependant

__all__ = ["DependantCache", "as_dependant_cache"]


class DependantCache:
    """A mapping from a dependency callable to its FastAPI ``Dependant``.

    .. versionadded:: 0.2
    """

    __slots__ = ("dependants",)

    def __init__(self) -> None:
        self.dependants: dict[Callable[..., Any], Dependant] = {}

    def get_dependant(self, call: Callable[..., Any]) -> Dependant | None:
        """The ``Dependant`` stored for ``call``, or None."""
        return self.dependants.get(call)

    def set_dependant(self, call: Callable[..., Any], dependant: Dependant) -> None:
        """Store ``dependant`` for ``call``."""
        self.dependants[call] = dependant

    def clear(self) -> None:
        """Forget every entry."""
        self.dependants.clear()

    def __len__(self) -> int:
        return len(self.dependants)

    def __repr__(self) -> str:
        return f"<DependantCache {len(self.dependants)} entries>"


def as_dependant_cache(
    value: DependantCache | bool, owner: str
) -> DependantCache | None:
    """A container's ``dependant_cache=`` argument: True makes one, False none."""
    if isinstance(value, DependantCache):
        return value
    if value is True:
        return DependantCache()
    if value is False:
        return None
    raise TypeError(
        f"{owner}: dependant_cache must be a DependantCache or a bool, got {value!r}"
    )
