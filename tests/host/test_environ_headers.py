"""``EnvironHeaders`` reads a WSGI environ as ``Headers(raw=environ_headers(...))`` does."""

from typing import Annotated, Any

import pytest
from starlette.datastructures import Headers

from fastapi_everywhere._source import EnvironHeaders, environ_headers

ENVIRON: dict[str, Any] = {
    "REQUEST_METHOD": "GET",
    "PATH_INFO": "/",
    "SERVER_NAME": "localhost",
    "HTTP_HOST": "localhost:8000",
    "HTTP_X_USER": "ann",
    "HTTP_X_EMPTY": "",
    "HTTP_ACCEPT": "a/b, c/d",
    "HTTP_X_LATIN": "caf\xe9",
    "CONTENT_TYPE": "application/json",
    "CONTENT_LENGTH": "",
    "wsgi.url_scheme": "http",
}

NAMES = [
    "x-user",
    "X-User",
    "X-USER",
    "x_user",
    "host",
    "x-empty",
    "accept",
    "x-latin",
    "content-type",
    "content-length",
    "missing",
    "x-missing",
    "x-\u0101",
]


def outcome(fn: Any, *args: Any) -> Any:
    try:
        return ("value", fn(*args))
    except Exception as exc:  # the same error type both ways
        return ("error", type(exc))


@pytest.mark.parametrize("name", NAMES)
def test_reads_like_the_full_list(name: str) -> None:
    full = Headers(raw=environ_headers(ENVIRON))
    lazy = EnvironHeaders(ENVIRON)
    for read in (
        lambda h: h.get(name),
        lambda h: name in h,
        lambda h: h.getlist(name),
        lambda h: h[name],
    ):
        assert outcome(read, lazy) == outcome(read, full)


def test_the_rest_of_the_mapping_is_the_full_list() -> None:
    full = Headers(raw=environ_headers(ENVIRON))
    lazy = EnvironHeaders(ENVIRON)
    assert lazy.raw == full.raw
    assert list(lazy.items()) == list(full.items())
    assert lazy == full
    assert len(lazy) == len(full)
    assert repr(lazy).endswith(repr(full)[len("Headers") :])


def test_one_header_is_read_without_building_the_list() -> None:
    lazy = EnvironHeaders(ENVIRON)
    assert lazy.get("x-user") == "ann"
    assert lazy._built is None


def _header_source(environ: dict[str, Any] | None) -> Any:
    from fastapi_everywhere._source import ScopeSource

    scope = {
        "type": "http",
        "headers": environ_headers(ENVIRON if environ is None else environ),
    }
    source = ScopeSource(scope)
    source.environ = environ  # as a WSGI host's source has it
    return source


@pytest.mark.parametrize(
    "alias", ["x-user", "x-empty", "accept", "x-latin", "x-missing", "content-type"]
)
def test_the_compiled_solver_reads_a_wsgi_environ_like_the_header_list(
    alias: str,
) -> None:
    """A plain ``Header()`` is read from a WSGI source's environ (no
    ``Headers`` built) with the value, or the error, FastAPI's reader gets
    from the full list; a name with no environ key reads the list."""
    from fastapi import FastAPI, Header

    from fastapi_everywhere._engine import plan_for_function
    from fastapi_everywhere._engine._compat import as_is_fields
    from fastapi_everywhere._host import RequestScope

    def view(value: Annotated[str, Header(alias=alias)]) -> str:
        return value

    # Where the FastAPI version lets a plain str be taken as it is.
    reader = plan_for_function(view).root.param_readers[0][1]
    as_is = as_is_fields(reader) is not None
    results = []
    for environ in (None, dict(ENVIRON)):
        source = _header_source(environ)
        scope = RequestScope(source, app=FastAPI())
        try:
            results.append(("value", scope.call(view)))
        except Exception as e:
            results.append(("error", type(e), getattr(e, "errors", lambda: None)()))
        scope.close()
        if as_is and environ is not None and alias not in ("x-missing", "content-type"):
            assert source._headers is None  # read from the environ
    assert results[0] == results[1]
