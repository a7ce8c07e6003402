"""One place that absorbs FastAPI's internal churn (0.115 .. newest).

Everything the engine needs from ``fastapi.dependencies`` goes through here, so
a FastAPI release that renames a private helper is a one-file change.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi.dependencies import models as _models
from fastapi.dependencies import utils as _utils
from fastapi.dependencies.models import Dependant

get_dependant = _utils.get_dependant
request_params_to_args = _utils.request_params_to_args
request_body_to_args = _utils.request_body_to_args

_GET_DEPENDANT_PARAMS = frozenset(inspect.signature(get_dependant).parameters)
#: FastAPI >= 0.123 splits security scopes into own/parent lists.
_SPLIT_OAUTH_SCOPES = "parent_oauth_scopes" in _GET_DEPENDANT_PARAMS
#: FastAPI >= 0.121 has ``Depends(scope="function" | "request")``.
HAS_DEPENDS_SCOPE = "scope" in _GET_DEPENDANT_PARAMS
#: FastAPI >= 0.163 has ``Depends(max_concurrency=...)``.
HAS_CONCURRENCY = "concurrency" in _GET_DEPENDANT_PARAMS


def _first(*names: str, module: Any = _utils) -> Any:
    for name in names:
        found = getattr(module, name, None)
        if found is not None:
            return found
    for name in names:  # the helpers moved from utils to models in 0.140
        found = getattr(_models, name, None)
        if found is not None:
            return found
    raise ImportError(f"fastapi-everywhere: none of {names} found in FastAPI")


is_gen_callable: Callable[[Any], bool] = _first("_is_gen_callable", "is_gen_callable")
is_async_gen_callable: Callable[[Any], bool] = _first(
    "_is_async_gen_callable", "is_async_gen_callable"
)
is_coroutine_callable: Callable[[Any], bool] = _first(
    "_is_coroutine_callable", "is_coroutine_callable"
)
_should_embed = _first("_should_embed_body_fields")
_get_body_field = _first("_get_body_field", "get_body_field")
_BODY_FIELD_PARAMS = frozenset(inspect.signature(_get_body_field).parameters)

_models_get_cache_key = getattr(_models, "_get_cache_key", None)
_models_get_oauth_scopes = getattr(_models, "_get_oauth_scopes", None)


def cache_key(dependant: Dependant) -> Any:
    """FastAPI's own per-request cache key of ``dependant``."""
    if _models_get_cache_key is not None:
        return _models_get_cache_key(dependant=dependant)
    return getattr(dependant, "cache_key")  # noqa: B009 - FastAPI < 0.140


def oauth_scopes(dependant: Dependant) -> list[str]:
    """All security scopes accumulated down to ``dependant``, in FastAPI's order."""
    if _models_get_oauth_scopes is not None:
        return list(_models_get_oauth_scopes(dependant=dependant))
    return list(getattr(dependant, "security_scopes", None) or [])


def depends_scope(dependant: Dependant) -> str | None:
    """``Depends(scope=...)`` as declared (None before FastAPI 0.121)."""
    return getattr(dependant, "scope", None)


def concurrency(dependant: Dependant) -> Any:
    """The ``Depends(max_concurrency=...)`` limiter, or None."""
    return getattr(dependant, "concurrency", None)


def override_dependant(sub: Dependant, call: Callable[..., Any]) -> Dependant:
    """Build the dependant FastAPI builds for an overridden sub-dependency."""
    kwargs: dict[str, Any] = {"path": sub.path or "", "call": call, "name": sub.name}
    if _SPLIT_OAUTH_SCOPES:
        kwargs["parent_oauth_scopes"] = oauth_scopes(sub)
    else:
        kwargs["security_scopes"] = getattr(sub, "security_scopes", None)
    if HAS_DEPENDS_SCOPE:
        kwargs["scope"] = depends_scope(sub)
    if HAS_CONCURRENCY:
        kwargs["concurrency"] = concurrency(sub)
    return get_dependant(**kwargs)


def flat_body_params(dependant: Dependant) -> list[Any]:
    """Every body parameter of the tree, in FastAPI's order."""
    helper = getattr(_utils, "_get_flat_body_params", None)
    if helper is not None:
        return list(helper(dependant))
    flat = _utils.get_flat_dependant(dependant)  # type: ignore[attr-defined]
    return list(flat.body_params)


def body_field_and_embed(dependant: Dependant, name: str) -> tuple[Any, bool]:
    """The combined body field and the ``embed_body_fields`` flag, as in APIRoute."""
    body_params = flat_body_params(dependant)
    embed = bool(_should_embed(body_params))
    kwargs: dict[str, Any] = {"name": name, "embed_body_fields": embed}
    if "body_params" in _BODY_FIELD_PARAMS:
        kwargs["body_params"] = body_params
    else:
        kwargs["flat_dependant"] = _utils.get_flat_dependant(dependant)  # type: ignore[attr-defined]
    return _get_body_field(**kwargs), embed


_shielded_exit = getattr(
    __import__("fastapi.concurrency", fromlist=["x"]),
    "_asynccontextmanager_with_shielded_exit",
    None,
)


def shielded_exit(
    cm: AbstractAsyncContextManager[Any], cleanup_scope: Any
) -> AbstractAsyncContextManager[Any]:
    """Wrap an async generator dependency like FastAPI >= 0.162 does."""
    if _shielded_exit is None or cleanup_scope is None:
        return cm
    return _shielded_exit(cm, cleanup_scope)  # type: ignore[no-any-return]


HAS_SHIELDED_EXIT = _shielded_exit is not None
