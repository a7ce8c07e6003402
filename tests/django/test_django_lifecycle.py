"""The request scope: teardown timing, Response/BackgroundTasks, errors, caching,
isolation, class-based and async views, settings and the process lifespan."""

from __future__ import annotations

import asyncio
import inspect
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import dj_views
import pytest
from asgiref.sync import AsyncToSync
from asgiref.sync import iscoroutinefunction as asgiref_iscoroutinefunction
from dj_views import EVENTS
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import got_request_exception
from django.test import AsyncClient, Client, override_settings
from fastapi import FastAPI

import fastapi_everywhere
from fastapi_everywhere import ScopeError
from fastapi_everywhere._engine._compat import TEARDOWN_BEFORE_BACKGROUND
from fastapi_everywhere.django import _settings, resolve, with_fastapi_depends


def _asyncio_iscoroutinefunction(view: Any) -> bool:
    with warnings.catch_warnings():  # deprecated on Python 3.14
        warnings.simplefilter("ignore", DeprecationWarning)
        return asyncio.iscoroutinefunction(view)


@pytest.fixture(autouse=True)
def _events() -> Any:
    EVENTS.clear()
    dj_views.LIFESPAN.clear()
    yield
    EVENTS.clear()
    dj_views.LIFESPAN.clear()


@pytest.fixture(params=["middleware", "no middleware"])
def any_client(request) -> Client:  # type: ignore[no-untyped-def]
    if request.param == "middleware":
        yield Client(raise_request_exception=False)
    else:
        with override_settings(MIDDLEWARE=[]):
            yield Client(raise_request_exception=False)


def test_streaming_response_tears_down_after_the_last_chunk(any_client) -> None:
    r = any_client.get("/stream")
    assert EVENTS == ["setup"]  # the view returned; nothing streamed yet
    assert b"".join(r.streaming_content) == b"0\n1\n2\n"
    assert EVENTS == ["setup"] + [f"chunk {i} with resource" for i in range(3)] + [
        "teardown"
    ]


def test_injected_response_and_background_tasks(any_client) -> None:
    r = any_client.get("/response")
    assert r.status_code == 202
    assert r.content == b"made"
    assert r["X-From-Dep"] == "yes"
    assert r.cookies["flavour"].value == "oat"
    assert r.cookies["flavour"]["httponly"] is True
    assert r.cookies["size"].value == "large"
    # Background tasks ran after the response, in FastAPI's order with teardown.
    after = (
        ["teardown", "background task"]
        if TEARDOWN_BEFORE_BACKGROUND
        else ["background task", "teardown"]
    )
    assert EVENTS == ["setup", "view", *after]


@pytest.mark.parametrize(
    "path, message", [("/boom", "view failed"), ("/aboom", "async view failed")]
)
def test_other_exceptions_reach_django_after_teardown_saw_them(
    any_client, path, message
) -> None:
    def handled(**kwargs: Any) -> None:
        EVENTS.append("django handles it")

    got_request_exception.connect(handled)
    try:
        r = any_client.get(path)
    finally:
        got_request_exception.disconnect(handled)
    assert r.status_code == 500
    assert EVENTS == [
        "setup",
        f"teardown saw RuntimeError: {message}",
        "django handles it",
    ]


def test_an_error_response_ignores_what_dependencies_set_on_response(
    any_client,
) -> None:
    # FastAPI's exception handler builds the 403 from scratch: the injected
    # Response's status and cookies belong to the success path only.
    r = any_client.get("/forbid")
    assert (r.status_code, r.content) == (403, b'{"detail":"no"}')
    assert "flavour" not in r.cookies and "X-From-Dep" not in r


def test_an_undecorated_views_error_is_thrown_into_resolved_deps() -> None:
    r = Client(raise_request_exception=False).get("/plain-boom")
    assert r.status_code == 500
    r.close()
    assert EVENTS == ["setup", "teardown saw RuntimeError: plain view failed"]


def test_raise_request_exception_gives_the_original_error() -> None:
    with pytest.raises(RuntimeError, match="view failed"):
        Client().get("/boom")
    assert EVENTS[-1] == "teardown saw RuntimeError: view failed"


@pytest.mark.parametrize("path", ["/cached", "/acached"])
def test_one_cache_per_request_shared_with_resolve(any_client, path) -> None:
    first = any_client.get(path).json()
    second = any_client.get(path).json()
    assert first["view"] == first["resolved"]
    assert second["view"] == second["resolved"] != first["view"]


def test_resolve_in_an_undecorated_view_uses_the_middleware_scope(client) -> None:
    assert client.get("/plain").status_code == 200


def test_resolve_without_middleware_or_decorator_names_the_fix() -> None:
    from django.test import RequestFactory

    with pytest.raises(ScopeError, match="FastAPIDependsMiddleware"):
        resolve(RequestFactory().get("/"), dj_views.counted)


def test_concurrent_requests_never_share_a_user(client) -> None:
    def call(i: int) -> tuple[str, Any]:
        token = f"user-{i}"
        r = Client().get("/who", headers={"Authorization": f"Bearer {token}"})
        return token, r.json()

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(call, range(200)))
    assert all(body == {"who": token, "again": token} for token, body in results)


def test_class_based_views_direct_and_method_decorator() -> None:
    c = Client()
    assert c.get("/cbv/3?q=x").json() == {"cls": "ItemView", "item_id": 3, "q": "x"}
    assert c.put("/cbv/4").json() == {"method": "put", "item_id": 4, "res": "resource"}
    assert EVENTS == ["setup", "teardown"]


def test_class_based_view_mixin() -> None:
    c = Client()
    r = c.get("/mixin/3?q=x")
    assert r.json() == {"cls": "MixinItemView", "item_id": 3, "q": "x"}
    assert c.delete("/mixin/4").json() == {"method": "delete", "res": "resource"}
    assert EVENTS == ["setup", "teardown"]
    # The handler decorated already was not wrapped a second time.
    inner = dj_views.MixinItemView.delete.__wrapped__
    assert not hasattr(inner, "__fastapi_everywhere_view__")
    # Injected parameters are hidden from the handler's signature.
    assert "q" not in inspect.signature(dj_views.MixinItemView.get).parameters


async def test_async_class_based_view_with_async_client() -> None:
    r = await AsyncClient().get("/acbv/5")
    assert r.json() == {"item_id": 5, "res": "resource"}
    assert EVENTS == ["setup", "teardown"]


def test_async_view_under_the_sync_client() -> None:
    assert Client().get("/acbv/6").json() == {"item_id": 6, "res": "resource"}
    assert EVENTS == ["setup", "teardown"]


def test_signature_hides_injected_params_and_keeps_attributes() -> None:
    assert list(inspect.signature(dj_views.sources_view).parameters) == [
        "request",
        "item_id",
    ]
    assert dj_views.items_view.csrf_exempt is True
    assert dj_views.aorm_view._non_atomic_requests == {"default"}
    assert dj_views.sources_view.__name__ == "sources_view"


def test_async_view_is_a_coroutine_function_only_in_an_event_loop() -> None:
    # What Django's handlers ask (asgiref's check; asyncio's on Django 4.2).
    def checks() -> set[bool]:
        view = dj_views.aboom_view
        return {asgiref_iscoroutinefunction(view), _asyncio_iscoroutinefunction(view)}

    async def in_loop() -> set[bool]:
        return checks()

    assert checks() == {False}
    assert asyncio.run(in_loop()) == {True}
    # The marks are the class's: other attributes Django asks for are misses.
    assert not hasattr(dj_views.aboom_view, "view_class")
    assert "__getattr__" not in vars(type(dj_views.aboom_view))


def test_sync_client_runs_async_function_views_without_a_loop_per_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Django's sync handler runs async views through async_to_sync: a new
    # event loop in a new thread per request. Ours are plain calls there; a
    # class-based async view (a coroutine function as Django sees it) is not.
    calls: list[Any] = []
    original = AsyncToSync.__call__

    def spy(self: AsyncToSync, *args: Any, **kwargs: Any) -> Any:
        calls.append(self.awaitable)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(AsyncToSync, "__call__", spy)
    client = Client()
    body = client.get("/acached").json()
    assert body["view"] == body["resolved"]  # one cache for view and aresolve
    assert calls == []
    assert client.get("/acbv/6").json() == {"item_id": 6, "res": "resource"}
    assert len(calls) == 1


def test_decorating_a_non_view_call_is_a_clear_error() -> None:
    @with_fastapi_depends
    def not_a_view(x: int) -> int:
        return x

    with pytest.raises(TypeError, match="without a Django HttpRequest"):
        not_a_view(1)


def test_app_dependency_overrides_apply(client) -> None:
    app = FastAPI()
    app.dependency_overrides[dj_views.whoami] = lambda: "overridden"
    fastapi_everywhere.configure(app=app)
    assert client.get("/who", headers={"Authorization": "Bearer x"}).json() == {
        "who": "overridden",
        "again": "overridden",
    }


def test_error_renderer_setting(client) -> None:
    with override_settings(
        FASTAPI_EVERYWHERE={"ERROR_RENDERER": "dj_views.render_error"}
    ):
        r = client.get("/teapot")
    assert (r.status_code, r.content) == (418, b"custom 418")


@pytest.mark.parametrize(
    "value, message",
    [
        ({"APP": "no_such_module:app"}, r"\['APP'\]: cannot import"),
        ({"APP": "dj_views:EVENTS"}, r"\['APP'\] must name a FastAPI app"),
        ({"START_LIFESPAN": "now"}, r"\['START_LIFESPAN'\] must be 'lazy' or 'eager'"),
        ({"TIMEOUT": -1}, r"\['TIMEOUT'\] must be a positive"),
        ({"LIFESPAN_TIMEOUT": 0}, r"\['LIFESPAN_TIMEOUT'\] must be a positive"),
        ({"ERROR_RENDERER": 3}, r"\['ERROR_RENDERER'\] must be a callable"),
        ({"APPS": "x"}, r"unknown key\(s\) \['APPS'\]"),
        (["APP"], "must be a dict"),
    ],
)
def test_bad_settings_name_the_key(value, message) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        _settings.load(value)


def test_app_config_ready_starts_nothing() -> None:
    from django.apps import apps

    config = apps.get_app_config("fastapi_everywhere")
    with override_settings(FASTAPI_EVERYWHERE={"APP": "dj_views:lifespan_app"}):
        config.ready()
        assert _settings.current().lifespan is not None
        assert not _settings.current().lifespan.running
    assert dj_views.LIFESPAN == []


def test_lifespan_starts_once_per_process_and_its_state_is_request_state() -> None:
    dj_views.LIFESPAN.clear()
    with override_settings(FASTAPI_EVERYWHERE={"APP": "dj_views:lifespan_app"}):
        c = Client()
        with ThreadPoolExecutor(4) as pool:
            bodies = list(pool.map(lambda _: c.get("/lifespan").json(), range(20)))
        assert bodies == [{"greeting": "hello from the lifespan"}] * 20
        assert dj_views.LIFESPAN == ["startup"]
        assert _settings.current().lifespan.running
    # Leaving the setting shuts the old lifespan down instead of leaking it.
    assert dj_views.LIFESPAN == ["startup", "shutdown"]


def test_a_configured_apps_lifespan_is_one_for_every_request() -> None:
    """``configure(app=...)`` instead of the setting: one lifespan per app,
    started once, found again by every later request."""
    dj_views.LIFESPAN.clear()
    app = FastAPI(lifespan=dj_views.lifespan)
    fastapi_everywhere.configure(app=app)
    lifespan = _settings.current().lifespan_for(app)
    assert lifespan is not None
    try:
        c = Client()
        with ThreadPoolExecutor(4) as pool:
            bodies = list(pool.map(lambda _: c.get("/lifespan").json(), range(20)))
        assert bodies == [{"greeting": "hello from the lifespan"}] * 20
        assert dj_views.LIFESPAN == ["startup"]
        assert lifespan.running
        assert _settings.current().lifespan_for(app) is lifespan
    finally:
        lifespan.close()
    assert dj_views.LIFESPAN == ["startup", "shutdown"]


def test_eager_lifespan_starts_with_the_middleware() -> None:
    dj_views.LIFESPAN.clear()
    settings = {"APP": "dj_views:lifespan_app", "START_LIFESPAN": "eager"}
    with override_settings(FASTAPI_EVERYWHERE=settings):
        from django.core.handlers.wsgi import WSGIHandler

        WSGIHandler()  # builds the middleware chain
        assert dj_views.LIFESPAN == ["startup"]
    assert dj_views.LIFESPAN == ["startup", "shutdown"]


def test_example_views_run_on_the_demo_deps(client) -> None:
    fastapi_everywhere.configure(app=None)
    alice = {"Authorization": "Bearer alice-token"}
    r = client.post(
        "/ex/notes/",
        data={"text": "from a test"},
        content_type="application/json",
        headers=alice,
    )
    assert r.status_code == 201
    note = r.json()
    r = client.get("/ex/notes/?limit=100", headers=alice)
    assert note in r.json() and int(r["X-Total-Count"]) >= 1
    assert client.get(f"/ex/notes/{note['id']}/", headers=alice).json() == note
    r = client.get("/ex/notes/export.csv", headers=alice)
    assert f"{note['id']},alice,from a test" in b"".join(r.streaming_content).decode()
    assert (
        client.get("/ex/notes/", headers={"Authorization": "Bearer nope"}).status_code
        == 401
    )
    assert client.get("/ex/notes/?limit=0", headers=alice).status_code == 422
    actions = client.get("/ex/activity/", headers=alice).json()
    assert actions == [
        "POST /ex/notes/",
        "GET /ex/notes/",
        f"GET /ex/notes/{note['id']}/",
    ]


def test_streaming_response_closed_early_tears_down_once(any_client) -> None:
    """A client gone after the first chunk: the server closes the response."""
    r = any_client.get("/stream")
    chunks = iter(r.streaming_content)
    assert next(chunks) == b"0\n"
    r.close()
    assert EVENTS == ["setup", "chunk 0 with resource", "teardown"]
    r.close()
    assert EVENTS == ["setup", "chunk 0 with resource", "teardown"]


def test_streamed_decorated_generator_closed_early_tears_down_once(any_client) -> None:
    """A decorated generator as the body: the server's close() closes it."""
    r = any_client.get("/stream-generator")
    chunks = iter(r.streaming_content)
    assert next(chunks) == b"0\n"
    r.close()
    # The dependency saw no exception: it exits as after a finished response.
    assert EVENTS == ["setup", "gen chunk 0 with resource", "teardown"]


def _on_a_cycle(obj: object, among: set[int]) -> bool:
    """Whether ``obj`` can reach itself through the objects whose ids are ``among``."""
    import gc
    from collections import deque

    seen = {id(obj)}
    queue = deque([obj])
    while queue:
        for ref in gc.get_referents(queue.popleft()):
            if ref is obj:
                return True
            if id(ref) in among and id(ref) not in seen:
                seen.add(id(ref))
                queue.append(ref)
    return False


@pytest.mark.parametrize(
    ("path", "body"),
    [("/stream", b"0\n1\n2\n"), ("/untouched", b"untouched")],
    ids=["decorated", "undecorated"],
)
def test_a_request_makes_no_reference_cycle_of_its_own(path: str, body: bytes) -> None:
    """Through Django's WSGI handler, a request dies by reference counting,
    the middleware's state attached to it, a decorated view's scope opened:
    no cycle runs through its scope, source, state or exits. (Django and
    asgiref may leave cycles of their own, e.g. exception tracebacks on
    Python 3.10, whose frames then hold the request: those run through
    frames and tracebacks and are not ours.)"""
    import gc
    import types

    from django.core.handlers.wsgi import WSGIHandler
    from django.test.client import RequestFactory

    from fastapi_everywhere._bridge.drive import Exits, SyncDriver
    from fastapi_everywhere._engine.run import Resolution
    from fastapi_everywhere._host import RequestScope
    from fastapi_everywhere.django._source import DjangoSource
    from fastapi_everywhere.django._state import RequestState

    ours = (RequestScope, RequestState, DjangoSource, SyncDriver, Resolution, Exits)
    handler = WSGIHandler()
    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET")

    def request() -> None:
        response = handler(dict(environ), lambda *args, **kwargs: None)
        assert b"".join(response) == body
        response.close()

    for _ in range(20):
        request()
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(20):
            request()
        gc.collect()
        garbage = list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    among = {
        id(o)
        for o in garbage
        if not isinstance(o, (types.FrameType, types.TracebackType))
    }
    on_cycles = [o for o in garbage if isinstance(o, ours) and _on_a_cycle(o, among)]
    assert on_cycles == []
    assert EVENTS[-1:] == (["teardown"] if path == "/stream" else [])
