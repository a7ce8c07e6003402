"""A bridged view as a FastAPI route: its options, its ``APIRoute``, its response.

The Django and Flask view decorators take the options FastAPI's path
decorators take (``response_model``, ``status_code``, ``tags``...). A
decorated view carries a :class:`ViewRoute` (attribute :data:`ROUTE_ATTR`,
copied by ``functools.wraps`` onto outer wrappers): the view's target and
those options. From them it builds real ``fastapi.routing.APIRoute`` objects
for a stand-in endpoint with the view's FastAPI-visible signature: one to
serialise what the view returns exactly as FastAPI's request handler does,
and, given a URL, one per method for FastAPI's OpenAPI generator.
"""

from __future__ import annotations

import dataclasses
import inspect
import types
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from typing import Any, TypedDict

from fastapi.datastructures import Default, DefaultPlaceholder
from fastapi.dependencies.utils import get_typed_return_annotation, get_typed_signature
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.utils import is_body_allowed_for_status_code
from starlette.responses import Response

from ._engine._compat import endpoint_context, route_serializer
from ._target import Target

__all__ = ["ROUTE_ATTR", "RouteKwargs", "RouteOptions", "ViewRoute", "route_of"]

#: The attribute of a decorated view (and of wrappers around it) holding its
#: :class:`ViewRoute`.
ROUTE_ATTR = "__fastapi_everywhere_route__"


class RouteKwargs(TypedDict, total=False):
    """The keyword arguments of FastAPI's path decorators a bridged view takes."""

    response_model: Any
    status_code: int | None
    tags: list[str | Enum] | None
    summary: str | None
    description: str | None
    response_description: str
    responses: dict[int | str, dict[str, Any]] | None
    deprecated: bool | None
    operation_id: str | None
    response_model_include: Any
    response_model_exclude: Any
    response_model_by_alias: bool
    response_model_exclude_unset: bool
    response_model_exclude_defaults: bool
    response_model_exclude_none: bool
    include_in_schema: bool
    response_class: type[Response]
    name: str | None
    methods: list[str] | None


@dataclasses.dataclass(frozen=True, eq=False)
class RouteOptions:
    """A view's route options, with FastAPI's defaults and meaning.

    ``methods`` is used for the OpenAPI document only, when the host's URL
    configuration does not say which methods the view answers.
    """

    response_model: Any = dataclasses.field(default_factory=lambda: Default(None))
    status_code: int | None = None
    tags: list[str | Enum] | None = None
    summary: str | None = None
    description: str | None = None
    response_description: str = "Successful Response"
    responses: dict[int | str, dict[str, Any]] | None = None
    deprecated: bool | None = None
    operation_id: str | None = None
    response_model_include: Any = None
    response_model_exclude: Any = None
    response_model_by_alias: bool = True
    response_model_exclude_unset: bool = False
    response_model_exclude_defaults: bool = False
    response_model_exclude_none: bool = False
    include_in_schema: bool = True
    response_class: Any = dataclasses.field(
        default_factory=lambda: Default(JSONResponse)
    )
    name: str | None = None
    methods: list[str] | None = None

    @classmethod
    def given(cls, owner: str, kwargs: Mapping[str, Any]) -> RouteOptions:
        """The options from a decorator's keyword arguments (unknown ones fail)."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(kwargs) - known)
        if unknown:
            raise TypeError(
                f"{owner}: unexpected keyword argument {unknown[0]!r}; it takes "
                f"FastAPI's route options: {', '.join(sorted(known))}"
            )
        return cls(**kwargs)

    @property
    def shapes_response(self) -> bool:
        """Whether an option changes how the view's return value is rendered."""
        return any(
            getattr(self, name) != getattr(_DEFAULTS, name)
            for name in _RESPONSE_OPTIONS
        )


_RESPONSE_OPTIONS = frozenset(
    {
        "response_model",
        "response_class",
        "status_code",
        "response_model_include",
        "response_model_exclude",
        "response_model_by_alias",
        "response_model_exclude_unset",
        "response_model_exclude_defaults",
        "response_model_exclude_none",
    }
)
_DEFAULTS = RouteOptions()
_ROUTE_ARGS = tuple(
    f.name for f in dataclasses.fields(RouteOptions) if f.name != "methods"
)
_KEYWORD = inspect.Parameter.KEYWORD_ONLY


def _never_called(**kwargs: Any) -> Any:  # pragma: no cover - documentation only
    raise RuntimeError("fastapi-everywhere: a stand-in endpoint is never called")


class ViewRoute:
    """One decorated view as FastAPI sees it (see the module docstring)."""

    __slots__ = (
        "_declares",
        "_model",
        "_owner",
        "_response",
        "_serialize",
        "_shapes",
        "options",
        "target",
    )

    def __init__(self, target: Target, options: RouteOptions, owner: str) -> None:
        self.target = target
        self.options = options
        self._owner = owner
        self._model: Any = options.response_model
        self._response: APIRoute | None = None
        # Settled once per view, not per request (see declares_model, respond).
        self._shapes = options.shapes_response
        self._declares: bool | None = None
        self._serialize: Callable[[Any], tuple[Any, bool]] | None = None
        if self._shapes:
            self.response_route()  # options FastAPI rejects fail at decoration

    def __repr__(self) -> str:
        return f"<ViewRoute {self.target.name}>"

    @property
    def declares_model(self) -> bool:
        """A response option, or a return annotation FastAPI takes as a model
        (``Any`` aside: it says nothing about the body)."""
        declares = self._declares
        if declares is None:
            route = self.response_route()
            declares = self._declares = self._shapes or (
                route.response_field is not None and route.response_model is not Any
            )
        return declares

    def _endpoint(self, parameters: list[inspect.Parameter]) -> Any:
        """A function FastAPI reads like the view: name, docstring, signature."""
        func = self.target.func
        endpoint = _copy_function(_never_called)
        endpoint.__name__ = getattr(func, "__name__", "view")
        endpoint.__qualname__ = getattr(func, "__qualname__", endpoint.__name__)
        endpoint.__doc__ = getattr(func, "__doc__", None)
        endpoint.__module__ = getattr(func, "__module__", __name__)
        try:
            returned = get_typed_return_annotation(func)
        except Exception:  # a name only a type checker knows
            returned = None
        endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            parameters,
            return_annotation=inspect.Signature.empty if returned is None else returned,
        )
        return endpoint

    def _build(
        self,
        path: str,
        parameters: list[inspect.Parameter],
        methods: Iterable[str],
        **extra: Any,
    ) -> APIRoute:
        options = {name: getattr(self.options, name) for name in _ROUTE_ARGS}
        options["response_model"] = self._model
        endpoint = self._endpoint(parameters)
        return APIRoute(path, endpoint, methods=list(methods), **options, **extra)

    def response_route(self) -> APIRoute:
        """The route whose response field and options render the view's values."""
        if self._response is not None:
            return self._response
        try:
            route = self._build("/", [], ["GET"])
        except Exception as exc:
            self._reject(exc)
            # A return annotation that is no FastAPI model (HttpResponse, a
            # Flask response union): the view's values are not validated.
            self._model = None
            route = self._build("/", [], ["GET"])
        self._response = route
        return route

    def _reject(self, exc: Exception) -> None:
        """Raise for an option FastAPI rejected, naming it (the status code
        first: FastAPI asserts it allows a body)."""
        for name in ("status_code", "response_model"):
            value = getattr(self.options, name)
            if name == "status_code" and not isinstance(exc, AssertionError):
                continue
            if value is not None and not isinstance(value, DefaultPlaceholder):
                raise TypeError(
                    f"{self._owner}: FastAPI rejects {name}={value!r} "
                    f"of {self.target.name}: {exc}"
                ) from exc

    def api_route(
        self,
        path: str,
        methods: Iterable[str],
        path_types: Mapping[str, Any],
        **extra: Any,
    ) -> APIRoute:
        """The ``APIRoute`` FastAPI would have for the view at ``path``.

        ``path`` is a FastAPI path (``/items/{id}``); ``path_types`` maps its
        parameters to the URL converter's type, used for those the view does
        not annotate. The view's URL parameters are path parameters, its
        injected parameters are what FastAPI makes of them, and its host
        parameters (``request``, ``self``) are left out. ``extra`` goes to
        ``APIRoute`` (``generate_unique_id_function``).
        """
        self.response_route()  # settles the response model
        return self._build(path, self._parameters(path_types), methods, **extra)

    def _parameters(self, path_types: Mapping[str, Any]) -> list[inspect.Parameter]:
        left = dict(path_types)
        kept: list[inspect.Parameter] = []
        takes_any = False
        for p in get_typed_signature(self.target.func).parameters.values():
            if p.kind is p.VAR_KEYWORD:
                takes_any = True
            elif p.kind is p.VAR_POSITIONAL:
                continue
            elif p.name in self.target.injected:
                kept.append(p.replace(kind=_KEYWORD))
            elif p.name in left:
                annotation = left.pop(p.name)
                if p.annotation is not p.empty:
                    annotation = p.annotation
                kept.append(p.replace(kind=_KEYWORD, annotation=annotation))
        if takes_any:  # URL parameters the view takes through **kwargs
            kept += [
                inspect.Parameter(name, _KEYWORD, annotation=annotation)
                for name, annotation in left.items()
                if name not in self.target.injected
            ]
        return kept

    def render(
        self, content: Any, sub_response: Response | None
    ) -> tuple[bytes, int] | Response:
        """What FastAPI's handler makes of an endpoint's return value, cheaply.

        ``(body, status)`` when that response is a JSON body and nothing else
        (the default response class with a response model: exactly the
        ``content-length`` and ``content-type: application/json`` headers), so
        a host builds its own response from the bytes; otherwise the Starlette
        response :meth:`respond` returns. Raises ``ResponseValidationError``
        for content the response model rejects.
        """
        route = self._response  # response_route(), without its call once built
        if route is None:
            route = self.response_route()
        serialize = self._serialize
        if serialize is None:  # reads the view's source file: once
            context = endpoint_context(self.target.func)
            serialize = self._serialize = route_serializer(route, context)
        rendered, is_json = serialize(content)
        sub_status = None if sub_response is None else sub_response.status_code
        status = route.status_code or sub_status
        if is_json:
            if status is None:
                status = 200
            # Starlette's headers for a body; FastAPI empties one a status
            # forbids (205 keeps its content-length): those take the long way.
            if status >= 200 and status not in _NO_BODY:
                return rendered, status
        args: dict[str, Any] = {} if status is None else {"status_code": status}
        if is_json:
            response = Response(rendered, media_type="application/json", **args)
        else:
            cls = route.response_class
            if isinstance(cls, DefaultPlaceholder):
                cls = cls.value
            response = cls(rendered, **args)
        if not is_body_allowed_for_status_code(response.status_code):
            response.body = b""
        return response

    def respond(self, content: Any, sub_response: Response | None) -> Response:
        """The response FastAPI's handler makes of an endpoint's return value.

        Raises ``ResponseValidationError`` for content the response model
        rejects. Headers set on the injected ``sub_response`` are left to the
        host adapter, which applies them to every response of the view.
        """
        rendered = self.render(content, sub_response)
        if isinstance(rendered, Response):
            return rendered
        body, status = rendered
        return Response(body, status_code=status, media_type="application/json")


#: Statuses whose response FastAPI sends without a body.
_NO_BODY = frozenset({204, 205, 304})


def _copy_function(func: Callable[..., Any]) -> Any:
    """A new function object with ``func``'s code (attributes of its own)."""
    return types.FunctionType(func.__code__, func.__globals__)


def route_of(view: Any) -> ViewRoute | None:
    """The :class:`ViewRoute` of a decorated view (or a wrapper of one)."""
    found = getattr(view, ROUTE_ATTR, None)
    return found if isinstance(found, ViewRoute) else None
