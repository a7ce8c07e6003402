"""One place that absorbs FastAPI's internal churn (0.115 .. newest).

Everything the engine needs from ``fastapi.dependencies`` goes through here, so
a FastAPI release that renames a private helper is a one-file change.
"""

from __future__ import annotations

import functools
import inspect
import re
import types
import weakref
from collections.abc import Callable, Generator
from contextlib import AbstractAsyncContextManager
from typing import Any, cast

import fastapi as _fastapi
import fastapi.routing
from fastapi._compat import Undefined
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies import models as _models
from fastapi.dependencies import utils as _utils
from fastapi.dependencies.models import Dependant

get_dependant = _utils.get_dependant
request_params_to_args = _utils.request_params_to_args
request_body_to_args = _utils.request_body_to_args

FASTAPI_VERSION = tuple(int(p) for p in _fastapi.__version__.split(".")[:2])
#: FastAPI < 0.120 closes ``yield`` dependencies *before* running background
#: tasks; later versions run background tasks first.
TEARDOWN_BEFORE_BACKGROUND = FASTAPI_VERSION < (0, 120)
#: FastAPI < 0.118 closes request-scoped ``yield`` dependencies *before*
#: sending the response (a teardown error is a 500); later versions after it
#: (the response stands, the server logs the error).
TEARDOWN_BEFORE_RESPONSE = FASTAPI_VERSION < (0, 118)

_GET_DEPENDANT_PARAMS = frozenset(inspect.signature(get_dependant).parameters)
#: FastAPI >= 0.123 splits security scopes into own/parent lists.
SPLIT_OAUTH_SCOPES = "parent_oauth_scopes" in _GET_DEPENDANT_PARAMS
#: FastAPI >= 0.121 has ``Depends(scope="function" | "request")``.
HAS_DEPENDS_SCOPE = "scope" in _GET_DEPENDANT_PARAMS
#: FastAPI >= 0.163 has ``Depends(max_concurrency=...)``.
HAS_CONCURRENCY = "concurrency" in _GET_DEPENDANT_PARAMS


def _first(*names: str) -> Any:
    for module in (_utils, _models):  # the helpers moved to models in 0.140
        for name in names:
            found = getattr(module, name, None)
            if found is not None:
                return found
    return None


# FastAPI 0.115-0.120 and >= 0.140 have module functions taking the callable;
# 0.121-0.139 have properties on the Dependant instead.
_is_gen = _first("_is_gen_callable", "is_gen_callable")
_is_async_gen = _first("_is_async_gen_callable", "is_async_gen_callable")
_is_coroutine = _first("_is_coroutine_callable", "is_coroutine_callable")

SYNC, ASYNC, GEN, AGEN = 0, 1, 2, 3


def call_kind(dependant: Dependant) -> int:
    """SYNC, ASYNC, GEN or AGEN: how FastAPI would run ``dependant.call``."""
    call = dependant.call
    if _is_gen is not None:
        if _is_gen(call):
            return GEN
        if _is_async_gen(call):
            return AGEN
        return ASYNC if _is_coroutine(call) else SYNC
    if dependant.is_gen_callable:  # type: ignore[attr-defined]
        return GEN
    if dependant.is_async_gen_callable:  # type: ignore[attr-defined]
        return AGEN
    return ASYNC if dependant.is_coroutine_callable else SYNC  # type: ignore[attr-defined]


_should_embed = _first("_should_embed_body_fields")
_get_body_field = _first("_get_body_field", "get_body_field")
if _should_embed is None or _get_body_field is None:  # pragma: no cover
    raise ImportError("fastapi-everywhere: unsupported FastAPI version")
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
    if _models_get_oauth_scopes is not None:  # FastAPI >= 0.140
        return list(_models_get_oauth_scopes(dependant=dependant))
    if hasattr(dependant, "oauth_scopes"):  # 0.123 - 0.139
        return list(dependant.oauth_scopes or [])  # pyright: ignore[reportAttributeAccessIssue]
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
    if SPLIT_OAUTH_SCOPES:
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


def _source_has(func: Any, pattern: str) -> bool:
    try:
        return re.search(pattern, inspect.getsource(func)) is not None
    except (OSError, TypeError):  # pragma: no cover - no source shipped
        return False


#: What FastAPI's request handler passes as the body when there is none:
#: ``None`` before 0.141, ``Undefined`` since (then ``None`` means JSON null).
EMPTY_BODY: Any = (
    Undefined
    if _source_has(_fastapi.routing.get_request_handler, r"\bbody: Any = Undefined")
    else None
)

#: Before ``strict_content_type`` (0.140), a body with no content-type
#: header was parsed as JSON.
JSON_WITHOUT_CONTENT_TYPE = not _source_has(
    _fastapi.routing.get_request_handler, "strict_content_type"
)

_validate_field = getattr(_utils, "_validate_value_with_model_field", None)
if _validate_field is not None and not _source_has(
    _validate_field, r"value is Undefined"
):
    _validate_field = None  # the fast reader mirrors the Undefined-based code
_param_aliases = getattr(_utils, "_get_param_aliases", None)
_param_model = getattr(_utils, "_get_param_model", None)
_is_sequence = getattr(_utils, "field_annotation_is_sequence", None)


#: Core-schema keys that change nothing about validating a present value.
_INERT_KEYS = frozenset({"type", "metadata", "ref", "serialization"})


def _str_as_is(field: Any) -> bool:
    """Whether pydantic returns any ``str`` given for ``field`` as it is.

    True when the field's core schema is a plain ``str`` (no constraint, no
    strictness, no config transform), possibly with a default or ``None``
    allowed around it: then validating a ``str`` from the request is the
    identity, and a reader may skip it. Anything else is validated.
    """
    schema = getattr(getattr(field, "_type_adapter", None), "core_schema", None)
    for _ in range(3):  # default(nullable(str)) at most
        if not isinstance(schema, dict):
            return False
        kind = schema.get("type")
        if kind == "str":
            return schema.keys() <= _INERT_KEYS
        if kind == "default" and schema.keys() <= _INERT_KEYS | {"schema", "default"}:
            schema = schema["schema"]  # a value is present: its default is unused
        elif kind == "nullable" and schema.keys() <= _INERT_KEYS | {"schema"}:
            schema = schema["schema"]  # a str is not None
        else:
            return False
    return False


def params_reader(
    fields: list[Any],
) -> Callable[[Any], tuple[dict[str, Any], list[Any]]]:
    """A function reading ``fields`` from a request mapping, as FastAPI does.

    FastAPI's ``request_params_to_args`` re-derives each field's aliases and
    shape on every request. For plain scalar fields (no param model, one
    alias, not a sequence) the reader precomputes that and then does exactly
    what ``request_params_to_args`` does per field; other fields, and FastAPI
    versions this was not checked against, use ``request_params_to_args``.
    """
    full = functools.partial(request_params_to_args, fields)
    validate, param_aliases = _validate_field, _param_aliases
    param_model, is_sequence = _param_model, _is_sequence
    if validate is None or param_aliases is None:
        return full
    if param_model is None or is_sequence is None:
        return full
    plan: list[tuple[Any, str, str, tuple[str, str], bool]] = []
    for field in fields:
        if param_model(field) is not None or is_sequence(field.field_info.annotation):
            return full
        aliases = param_aliases(field)
        if len(aliases) != 1:
            return full
        alias = aliases[0][1]
        loc = (field.field_info.in_.value, alias)
        plan.append((field, field.name, alias, loc, _str_as_is(field)))
    undefined = Undefined

    def read(received: Any) -> tuple[dict[str, Any], list[Any]]:
        values: dict[str, Any] = {}
        errors: list[Any] = []
        get = received.get
        for field, name, alias, loc, as_is in plan:
            value = get(alias, None)
            if value is None:
                value = undefined
            elif as_is and type(value) is str:
                values[name] = value  # what pydantic would return for it
                continue
            v, e = validate(field=field, value=value, values=values, loc=loc)
            if e:
                errors.extend(e)
            else:
                values[name] = v
        return values, errors

    if all(as_is for *_, as_is in plan):
        _AS_IS[read] = tuple((name, alias) for _, name, alias, _, _ in plan)
    return read


#: Readers whose every field takes a ``str`` as it is -> (name, alias) of each.
_AS_IS: weakref.WeakKeyDictionary[Any, tuple[tuple[str, str], ...]] = (
    weakref.WeakKeyDictionary()
)


def as_is_fields(reader: Any) -> tuple[tuple[str, str], ...] | None:
    """(name, alias) of each field of a :func:`params_reader` reader when each
    takes a ``str`` as it is (:func:`_str_as_is`), else None.

    For such a reader, a mapping whose ``get(alias)`` is a ``str`` for every
    alias reads as ``{name: that str}`` with no error: a compiled solver
    writes that out and calls the reader only when one is not.
    """
    return _AS_IS.get(reader)


_SERIALIZE_PARAMS = frozenset(
    inspect.signature(_fastapi.routing.serialize_response).parameters
)
#: Newer FastAPI renders a response model straight to JSON bytes (pydantic's
#: serializer) unless the route names its own ``response_class``.
SERIALIZES_TO_JSON_BYTES = "dump_json" in _SERIALIZE_PARAMS


def endpoint_context(func: Any) -> dict[str, Any]:
    """Where ``func`` is defined, for ``ResponseValidationError``'s message.

    It reads the source file: a caller keeps it per view, as FastAPI keeps
    it per endpoint.
    """
    context: dict[str, Any] = {"function": getattr(func, "__name__", repr(func))}
    try:
        context["file"] = inspect.getsourcefile(func)
        context["line"] = inspect.getsourcelines(func)[1]
    except (OSError, TypeError):
        pass
    return context


def route_serializer(
    route: fastapi.routing.APIRoute, context: dict[str, Any]
) -> Callable[[Any], tuple[Any, bool]]:
    """``route``'s request handler's serialiser of an endpoint's return value.

    The function returned serialises content as that handler does, and says
    whether the result is already JSON bytes (the fast path of newer
    FastAPI). It raises FastAPI's ``ResponseValidationError`` for an invalid
    response, with ``context`` (:func:`endpoint_context` of the view) in its
    message. The validation runs inline, as FastAPI runs it for ``async
    def`` endpoints, so it needs no event loop. The route's options are read
    here, once: a view's values are rendered per request.
    """
    dump_json = SERIALIZES_TO_JSON_BYTES and (
        route.response_field is not None
        and isinstance(route.response_class, DefaultPlaceholder)
    )
    options: dict[str, Any] = {
        "field": route.response_field,
        "include": route.response_model_include,
        "exclude": route.response_model_exclude,
        "by_alias": route.response_model_by_alias,
        "exclude_unset": route.response_model_exclude_unset,
        "exclude_defaults": route.response_model_exclude_defaults,
        "exclude_none": route.response_model_exclude_none,
        "is_coroutine": True,
    }
    if dump_json:
        options["dump_json"] = True
    if "endpoint_ctx" in _SERIALIZE_PARAMS:
        options["endpoint_ctx"] = context
    serialize_response = _fastapi.routing.serialize_response

    def serialize(content: Any) -> tuple[Any, bool]:
        done: list[Any] = []
        driver = _finish(serialize_response(response_content=content, **options), done)
        if next(driver, None) is None and done:
            return done[0], dump_json
        driver.close()  # pragma: no cover - FastAPI awaited something after all
        raise RuntimeError(
            "fastapi-everywhere: serialize_response did not finish inline"
        )

    return serialize


def _finishing(coroutine: Any, done: list[Any]) -> Generator[Any, None, None]:
    """Run ``coroutine``, its value appended to ``done``.

    Driven with ``next(driver, None)``, a coroutine that finishes without
    waiting raises nothing: ``coroutine.send(None)`` would hand its value
    over in a ``StopIteration``, an exception per response.
    """
    done.append((yield from coroutine))


#: :func:`_finishing`, allowed to ``yield from`` a coroutine (still a
#: generator: typeshed's ``types.coroutine`` says it returns an awaitable).
_finish = cast(
    "Callable[[Any, list[Any]], Generator[Any, None, None]]",
    types.coroutine(_finishing),
)
