"""A pytest plugin mapping ``fastapi_standalone_di`` onto this library.

Loaded with ``-p standalone_di_alias`` when the predecessor's own test suite
runs against fastapi-everywhere: the package and each of its modules become
modules forwarding attribute look-ups to ``fastapi_everywhere`` (and, for a
module whose documented constant lives elsewhere here, to that module).
Three private names its test modules import at the top (so that every test
of the module depends on them) are given stand-ins here (``PRIVATE``); any
other private name is not mapped, and the tests that use one are excluded
by name in the runner. Test-only code: the package itself never installs
these aliases.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from fastapi import Depends

import fastapi_everywhere
from fastapi_everywhere import AppState, _loop_safe, get_app_state, loop_safe
from fastapi_everywhere._container.app_container import find_container
from fastapi_everywhere._engine import _compat


@loop_safe
def _get_container_optional(
    app_state: AppState = Depends(get_app_state),
) -> fastapi_everywhere.FastAPIContainer | None:
    return find_container(app_state)


#: Stand-ins for the predecessor's private names its test modules import.
PRIVATE = types.SimpleNamespace(
    # the class attribute marking fastapi.params.Depends as patched
    _PATCHED_FLAG="_fe_registrable_patch",
    DEPENDS_SUPPORTS_SCOPE=_compat.HAS_DEPENDS_SCOPE,
    _get_container_optional=_get_container_optional,
)

PREDECESSOR = "fastapi_standalone_di"

#: Predecessor module -> where its names are found here, in order.
MODULES: dict[str, tuple[Any, ...]] = {
    "": (fastapi_everywhere,),
    "._compat": (fastapi_everywhere, PRIVATE),
    ".app_state": (fastapi_everywhere,),
    ".discovery": (fastapi_everywhere,),
    ".execution": (fastapi_everywhere, _loop_safe),
    ".provides": (fastapi_everywhere,),
    ".registration": (fastapi_everywhere, PRIVATE),
    ".resolve": (fastapi_everywhere, PRIVATE),
    ".singleton": (fastapi_everywhere,),
}


def _alias(name: str, targets: tuple[Any, ...]) -> types.ModuleType:
    module = types.ModuleType(name, "test alias of fastapi_everywhere")

    def __getattr__(attr: str) -> Any:
        for target in targets:
            try:
                return getattr(target, attr)
            except AttributeError:
                continue
        raise AttributeError(
            f"module {name!r} has no attribute {attr!r} (fastapi-everywhere test alias)"
        )

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    module.__path__ = []  # a package, so its submodules import
    return module


def install() -> None:
    """Put the aliases in ``sys.modules`` (idempotent)."""
    root = sys.modules.setdefault(PREDECESSOR, _alias(PREDECESSOR, MODULES[""]))
    for suffix, targets in MODULES.items():
        if not suffix:
            continue
        module = sys.modules.setdefault(
            PREDECESSOR + suffix, _alias(PREDECESSOR + suffix, targets)
        )
        if not hasattr(fastapi_everywhere, suffix[1:]):  # `singleton` is the function
            setattr(root, suffix[1:], module)


install()
