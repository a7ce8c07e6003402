"""One endpoint signature written three ways: FastAPI route, Flask and Django view.

Each :class:`Sig` is compiled from source text, so the three functions have
the very same parameters, return annotation and docstring; the Django one
takes ``request`` first, as Django views do.
"""

from __future__ import annotations

import dataclasses
import random
import types
from typing import Any

import oa_common
from django.urls import path, re_path
from django.views.decorators.http import require_http_methods
from fastapi import FastAPI
from flask import Flask

from fastapi_everywhere.django import with_fastapi_depends as django_depends
from fastapi_everywhere.flask import with_fastapi_depends as flask_depends


@dataclasses.dataclass
class Sig:
    """One endpoint signature; its parameters are all FastAPI's to inject
    (marked), since an unmarked one of a legacy view is the host's argument
    (and path parameters, which are both)."""

    name: str
    params: str
    fastapi_path: str = "/things"
    flask_rule: str = "/things"
    django: str = "things"  # a path() route, or "re:" and a re_path regex
    returns: str | None = None
    methods: tuple[str, ...] = ("GET",)
    options: dict[str, Any] = dataclasses.field(default_factory=dict)
    doc: str | None = None
    legacy_params: str | None = None  # when the views differ (unannotated)

    def _compile(self, params: str) -> Any:
        returns = f" -> {self.returns}" if self.returns else ""
        body = f"    {self.doc!r}\n" if self.doc else ""
        source = f"def {self.name}({params}){returns}:\n{body}    return None\n"
        namespace = dict(vars(oa_common))
        exec(compile(source, f"<sig {self.name}>", "exec"), namespace)
        return namespace[self.name]

    def fastapi_function(self) -> Any:
        return self._compile(self.params)

    def legacy_function(self, *, django: bool) -> Any:
        params = self.legacy_params if self.legacy_params is not None else self.params
        if django:
            params = f"request, {params}" if params else "request"
        return self._compile(params)

    def add_to_fastapi(self, api: FastAPI, prefix: str = "") -> None:
        api.add_api_route(
            prefix + self.fastapi_path,
            self.fastapi_function(),
            methods=list(self.methods),
            **self.options,
        )

    def add_to_flask(self, app: Flask) -> None:
        view = flask_depends(**self.options)(self.legacy_function(django=False))
        app.add_url_rule(self.flask_rule, view_func=view, methods=list(self.methods))

    def django_pattern(self, index: int = 0) -> Any:
        func = self.legacy_function(django=True)
        if index % 2:  # the methods from the decorator's option
            view = django_depends(methods=list(self.methods), **self.options)(func)
        else:  # the methods from require_http_methods around it
            view = require_http_methods(list(self.methods))(
                django_depends(**self.options)(func)
            )
        if self.django.startswith("re:"):
            return re_path(self.django[3:], view)
        return path(self.django, view)


def fastapi_document(sigs: list[Sig]) -> dict[str, Any]:
    api = FastAPI()
    for sig in sigs:
        sig.add_to_fastapi(api)
    return api.openapi()


def flask_app(sigs: list[Sig]) -> Flask:
    app = Flask("oa_flask")
    for sig in sigs:
        sig.add_to_flask(app)
    return app


def django_urlconf(sigs: list[Sig]) -> types.ModuleType:
    module = types.ModuleType("oa_dynamic_urls")
    module.urlpatterns = [sig.django_pattern(i) for i, sig in enumerate(sigs)]  # type: ignore[attr-defined]
    return module


ID = {
    "fastapi_path": "/items/{id}",
    "flask_rule": "/items/<int:id>",
    "django": "items/<int:id>",
}

HAND: list[Sig] = [
    Sig("plain", ""),
    Sig("int_path", "id: int", **ID),
    Sig("unannotated_path", "id: int", legacy_params="id", **ID),
    Sig(
        "uuid_path",
        "key: uuid.UUID",
        fastapi_path="/keys/{key}",
        flask_rule="/keys/<uuid:key>",
        django="keys/<uuid:key>",
    ),
    Sig(
        "path_converter",
        "rest: str",
        fastapi_path="/files/{rest:path}",
        flask_rule="/files/<path:rest>",
        django="files/<path:rest>",
    ),
    Sig(
        "slug_and_string",
        "slug: str, page: int",
        fastapi_path="/blog/{slug}/{page}",
        flask_rule="/blog/<string:slug>/<int:page>",
        django="blog/<slug:slug>/<int:page>",
    ),
    Sig(
        "float_regex",
        "x: float",
        fastapi_path="/points/{x}",
        flask_rule="/points/<float:x>",
        django=r"re:^points/(?P<x>[0-9.]+)$",
    ),
    Sig(
        "path_constraint",
        "*, id: Annotated[int, Path(ge=1, description='The id', examples=[3])]",
        **ID,
    ),
    Sig(
        "query_kinds",
        "*, q: Annotated[str | None, Query(max_length=20, alias='search', "
        "description='Search text', examples=['pen'])] = None, "
        "page: Annotated[int, Query(ge=1, le=50)] = 1, "
        "tags: Annotated[list[str], Query()] = [], "
        "color: Annotated[Color, Query()] = Color.red, "
        "old: Annotated[str | None, Query(deprecated=True)] = None",
    ),
    Sig(
        "headers_cookies",
        "*, user_agent: Annotated[str, Header()], "
        "x_raw_name: Annotated[str | None, Header(convert_underscores=False)] = None, "
        "x_count: Annotated[int, Header(alias='X-Count', gt=0)] = 1, "
        "session: Annotated[str | None, Cookie(description='Session id')] = None",
    ),
    Sig(
        "body_model",
        "*, item: Annotated[Item, Body()]",
        methods=("POST",),
        returns="ItemOut",
        options={"status_code": 201},
    ),
    Sig(
        "body_embed_and_more",
        "id: int, *, item: Annotated[Item, Body(embed=True)], "
        "importance: Annotated[int, Body(gt=0)] = 1, note: Annotated[str, Body()] = ''",
        methods=("PUT",),
        **ID,
    ),
    Sig(
        "body_examples",
        "*, item: Annotated[Item, Body(openapi_examples={'a': {'summary': 'A pen', "
        "'value': {'name': 'pen'}}})]",
        methods=("POST",),
    ),
    Sig(
        "form_fields",
        "*, username: Annotated[str, Form(min_length=3)], "
        "password: Annotated[str, Form()], remember: Annotated[bool, Form()] = False",
        methods=("POST",),
    ),
    Sig(
        "upload",
        "*, upload: Annotated[UploadFile, File()], title: Annotated[str, Form()] = ''",
        methods=("POST",),
    ),
    Sig(
        "oauth_scopes",
        "*, user: Annotated[str, Security(current_user, scopes=['read', 'write'])]",
    ),
    Sig(
        "mixed_security",
        "*, creds: Annotated[Any, Depends(bearer)], "
        "key: Annotated[str | None, Depends(api_key)], b: Annotated[Any, Depends(basic)]",
    ),
    Sig(
        "sub_dependencies",
        "*, page: Annotated[dict, Depends(pagination)], "
        "common: Annotated[CommonQuery, Depends()], who: Annotated[str, Depends(tenant)]",
    ),
    Sig(
        "specials",
        "*, req: Request, response: Response, tasks: BackgroundTasks, "
        "q: Annotated[str, Query()] = 'x'",
    ),
    Sig("returns_list", "", returns="list[ItemOut]"),
    Sig("returns_dict", "", returns="dict[str, int]"),
    Sig("returns_dataclass", "", returns="Point"),
    Sig(
        "returns_none",
        "",
        returns="None",
        methods=("DELETE",),
        options={"status_code": 204},
    ),
    Sig(
        "response_model_option",
        "",
        returns="dict",
        options={
            "response_model": oa_common.ItemOut,
            "response_model_exclude_unset": True,
            "response_description": "The item",
        },
    ),
    Sig("response_model_none", "", returns="ItemOut", options={"response_model": None}),
    Sig(
        "metadata",
        "",
        doc="Long text.\n\n    More lines.\n    \f\n    Hidden from the document.",
        options={
            "tags": ["items", "admin"],
            "summary": "A summary",
            "deprecated": True,
            "operation_id": "custom_op",
            "responses": {
                404: {"description": "Not there", "model": oa_common.Address}
            },
        },
    ),
    Sig("docstring_only", "", doc="Summary from the name, description from here."),
    Sig("hidden", "", options={"include_in_schema": False}),
    Sig("named", "", options={"name": "other_name", "description": "Given."}),
    Sig("two_methods", "*, q: Annotated[int, Query()] = 0", methods=("GET", "POST")),
]


_QUERIES = [
    "{n}: Annotated[int, Query()] = {d}",
    "{n}: Annotated[str, Query(min_length=2)] = 'ab'",
    "{n}: Annotated[float | None, Query(alias='{n}-alias', lt=9.5)] = None",
    "{n}: Annotated[list[int], Query(description='Many')] = []",
    "{n}: Annotated[bool, Query(title='Flag {n}')] = False",
    "{n}: Annotated[Color, Query()] = Color.blue",
]
_HEADERS = [
    "{n}: Annotated[str, Header()]",
    "{n}: Annotated[int | None, Header(alias='X-{n}', ge=0)] = None",
    "{n}: Annotated[str, Cookie(max_length=8)] = 'c'",
]
_BODIES = [
    ("item: Annotated[Item, Body()]", "POST"),
    ("item: Annotated[Item, Body(embed=True)]", "PUT"),
    ("a: Annotated[Address, Body()], b: Annotated[int, Body()]", "PATCH"),
    ("name: Annotated[str, Form()], count: Annotated[int, Form(gt=1)] = 2", "POST"),
    ("points: Annotated[list[Point], Body()]", "POST"),
]
_DEPS = [
    "user: Annotated[str, Security(current_user, scopes=['read'])]",
    "creds: Annotated[Any, Depends(bearer)]",
    "page: Annotated[dict, Depends(pagination)]",
    "apikey: Annotated[str | None, Security(api_key)]",
]
_RETURNS = [None, "ItemOut", "list[Item]", "dict[str, list[int]]", "Point", "Any"]
_PATHS = [
    ({}, ""),
    (ID, "id: int"),
    (
        {
            "fastapi_path": "/u/{key}/{n}",
            "flask_rule": "/u/<uuid:key>/<int:n>",
            "django": "u/<uuid:key>/<int:n>",
        },
        "key: uuid.UUID, n: int",
    ),
]


def generated(count: int, seed: int = 15) -> list[Sig]:
    """``count`` signatures combining parameter kinds, bodies, security, models."""
    rng = random.Random(seed)
    sigs = []
    for i in range(count):
        where, path_params = rng.choice(_PATHS)
        keyword: list[str] = []
        for j, form in enumerate(rng.sample(_QUERIES, rng.randint(0, 3))):
            keyword.append(form.format(n=f"q{j}", d=j))
        for j, form in enumerate(rng.sample(_HEADERS, rng.randint(0, 2))):
            keyword.append(form.format(n=f"h{j}"))
        method = "GET"
        if rng.random() < 0.5:
            body, method = rng.choice(_BODIES)
            keyword.append(body)
        keyword += rng.sample(_DEPS, rng.randint(0, 2))
        # Parameters with defaults may come first among keyword-only ones.
        params = ", ".join(p for p in [path_params, "*" if keyword else ""] if p)
        if keyword:
            params += ", " + ", ".join(keyword)
        options: dict[str, Any] = {}
        if rng.random() < 0.3:
            options["status_code"] = rng.choice([201, 202])
        if rng.random() < 0.3:
            options["tags"] = [rng.choice(["a", "b"])]
        if rng.random() < 0.2:
            options["deprecated"] = True
        sigs.append(
            Sig(
                f"gen_{i}",
                params.lstrip(", "),
                returns=rng.choice(_RETURNS),
                methods=(method,),
                options=options,
                doc=f"Generated endpoint {i}." if rng.random() < 0.5 else None,
                **where,
            )
        )
    return sigs
