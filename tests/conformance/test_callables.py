"""Every kind of dependency callable FastAPI accepts, resolved like FastAPI."""

# No "from __future__ import annotations": the trees are local functions and
# FastAPI must evaluate their annotations at runtime.

import asyncio
import functools
from typing import Annotated

import pytest
from fastapi import Depends, Header

from ._harness import PARTIAL_ASYNC_AWAITED, Recorder, Req, conforms


async def test_sync_and_async_functions(rec: Recorder) -> None:
    def sync_dep() -> str:
        rec("sync_dep", rec.hit("sync_dep"))
        return "s"

    async def async_dep(s: Annotated[str, Depends(sync_dep)]) -> str:
        rec("async_dep", s)
        return s + "a"

    async def target(
        a: Annotated[str, Depends(async_dep)], s: Annotated[str, Depends(sync_dep)]
    ):
        rec("target", a, s)
        return {"a": a, "s": s}

    out = await conforms(rec, target)
    assert out.body == {"a": "sa", "s": "s"}
    assert out.log == [("sync_dep", 1), ("async_dep", "s"), ("target", "sa", "s")]


async def test_sync_target(rec: Recorder) -> None:
    async def dep() -> int:
        return 41

    def target(x: Annotated[int, Depends(dep)]):
        rec("target", x)
        return x + 1

    out = await conforms(rec, target)
    assert out.body == 42


async def test_sync_and_async_generators(rec: Recorder) -> None:
    def gen():
        rec("gen", "enter")
        yield "g"
        rec("gen", "exit")

    async def agen(g: Annotated[str, Depends(gen)]):
        rec("agen", "enter", g)
        yield g + "a"
        rec("agen", "exit")

    async def target(a: Annotated[str, Depends(agen)]):
        rec("target", a)
        return a

    out = await conforms(rec, target)
    assert out.body == "ga"
    assert out.log == [
        ("gen", "enter"),
        ("agen", "enter", "g"),
        ("target", "ga"),
        ("agen", "exit"),
        ("gen", "exit"),
    ]


async def test_classes_as_dependencies(rec: Recorder) -> None:
    class Settings:
        def __init__(self, x_env: Annotated[str, Header()] = "dev") -> None:
            rec("Settings", x_env)
            self.env = x_env

    class Service:
        def __init__(self, settings: Annotated[Settings, Depends()]) -> None:
            rec("Service", settings.env)
            self.settings = settings

    async def target(
        svc: Annotated[Service, Depends()], settings: Annotated[Settings, Depends()]
    ):
        rec("target", svc.settings is settings)
        return {"env": svc.settings.env, "same": svc.settings is settings}

    out = await conforms(rec, target, Req(headers=[("x-env", "prod")]))
    assert out.body == {"env": "prod", "same": True}
    assert out.counts == {}
    assert out.log == [("Settings", "prod"), ("Service", "prod"), ("target", True)]


async def test_callable_instances(rec: Recorder) -> None:
    class SyncCall:
        def __call__(self, q: int = 1) -> int:
            rec("SyncCall", q)
            return q

    class AsyncCall:
        async def __call__(self, n: Annotated[int, Depends(SyncCall())]) -> int:
            rec("AsyncCall", n)
            return n * 10

    class GenCall:
        def __call__(self):
            rec("GenCall", "enter")
            yield "gen"
            rec("GenCall", "exit")

    class AsyncGenCall:
        async def __call__(self):
            rec("AsyncGenCall", "enter")
            yield "agen"
            rec("AsyncGenCall", "exit")

    async def target(
        a: Annotated[int, Depends(AsyncCall())],
        g: Annotated[str, Depends(GenCall())],
        ag: Annotated[str, Depends(AsyncGenCall())],
    ):
        rec("target", a, g, ag)
        return [a, g, ag]

    out = await conforms(rec, target, Req(query="q=4"))
    assert out.body == [40, "gen", "agen"]
    assert out.log[-2:] == [("AsyncGenCall", "exit"), ("GenCall", "exit")]


@pytest.mark.skipif(
    not PARTIAL_ASYNC_AWAITED,
    reason="this FastAPI runs partial(async_function) in a thread and gets a coroutine",
)
async def test_functools_partial(rec: Recorder) -> None:
    def sync_base(prefix: str, q: str = "q") -> str:
        rec("sync", prefix, q)
        return prefix + q

    async def async_base(prefix: str) -> str:
        rec("async", prefix)
        return prefix

    def gen_base(prefix: str):
        rec("gen", "enter", prefix)
        yield prefix
        rec("gen", "exit", prefix)

    async def agen_base(prefix: str):
        rec("agen", "enter", prefix)
        yield prefix
        rec("agen", "exit", prefix)

    async def target(
        s: Annotated[str, Depends(functools.partial(sync_base, "S"))],
        a: Annotated[str, Depends(functools.partial(async_base, "A"))],
        g: Annotated[str, Depends(functools.partial(gen_base, "G"))],
        ag: Annotated[str, Depends(functools.partial(agen_base, prefix="AG"))],
    ):
        rec("target")
        return [s, a, g, ag]

    out = await conforms(rec, target, Req(query="q=x"))
    assert out.body == ["Sx", "A", "G", "AG"]
    assert out.log[-2:] == [("agen", "exit", "AG"), ("gen", "exit", "G")]


async def test_parameterised_dependency_factories(rec: Recorder) -> None:
    def require_role(role: str):
        async def checker(x_role: Annotated[str, Header()]) -> bool:
            rec("checker", role, x_role)
            return x_role == role

        return checker

    class Pager:
        def __init__(self, max_size: int) -> None:
            self.max_size = max_size

        def __call__(self, size: int = 10) -> int:
            rec("Pager", self.max_size, size)
            return min(size, self.max_size)

    is_admin = require_role("admin")
    is_user = require_role("user")
    pager = Pager(max_size=50)

    async def target(
        admin: Annotated[bool, Depends(is_admin)],
        user: Annotated[bool, Depends(is_user)],
        size: Annotated[int, Depends(pager)],
        admin_again: Annotated[bool, Depends(is_admin)],
    ):
        return {"admin": admin, "user": user, "size": size, "again": admin_again}

    out = await conforms(
        rec, target, Req(headers=[("x-role", "admin")], query="size=80")
    )
    assert out.body == {"admin": True, "user": False, "size": 50, "again": True}
    # Two factory products are two dependencies; the repeated one is cached.
    assert out.log == [
        ("checker", "admin", "admin"),
        ("checker", "user", "admin"),
        ("Pager", 50, 80),
    ]


async def test_sync_code_runs_off_the_event_loop(rec: Recorder) -> None:
    # FastAPI runs sync dependencies (and their teardown) and sync targets in
    # worker threads; async ones on the loop. A sync call on the loop blocks it.
    def on_loop() -> bool:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return False
        return True

    def sync_dep() -> bool:
        rec("sync_dep", on_loop())
        return True

    def sync_gen():
        rec("sync_gen enter", on_loop())
        yield
        rec("sync_gen exit", on_loop())

    class SyncClass:
        def __init__(self) -> None:
            rec("SyncClass", on_loop())

    async def async_dep(s: Annotated[bool, Depends(sync_dep)]) -> None:
        rec("async_dep", on_loop())

    def target(
        a: Annotated[None, Depends(async_dep)],
        g: Annotated[None, Depends(sync_gen)],
        c: Annotated[SyncClass, Depends()],
    ):
        rec("target", on_loop())

    out = await conforms(rec, target)
    assert out.log == [
        ("sync_dep", False),
        ("async_dep", True),
        ("sync_gen enter", False),
        ("SyncClass", False),
        ("target", False),
        ("sync_gen exit", False),
    ]


async def test_bound_methods(rec: Recorder) -> None:
    class Service:
        def __init__(self, name: str) -> None:
            self.name = name

        def get(self, q: str = "-") -> str:
            return f"{self.name}:{q}:{rec.hit(self.name)}"

        async def aget(self) -> str:
            return f"a{self.name}:{rec.hit('a' + self.name)}"

    one, two = Service("one"), Service("two")

    async def target(
        a: Annotated[str, Depends(one.get)],
        b: Annotated[str, Depends(one.get)],  # an equal bound method: cached
        c: Annotated[str, Depends(two.get)],
        d: Annotated[str, Depends(one.aget)],
    ):
        return [a, b, c, d]

    out = await conforms(rec, target, Req(query="q=x"))
    assert out.body == ["one:x:1", "one:x:1", "two:x:1", "aone:1"]


def logged(rec: Recorder, kind: str):
    """A functools.wraps decorator, the way instrumentation libraries write them."""

    def decorate(fn):
        if kind == "async":

            @functools.wraps(fn)
            async def wrapper(*args, **kwargs):
                rec("before", fn.__name__)
                return await fn(*args, **kwargs)

        else:

            @functools.wraps(fn)
            def wrapper(*args, **kwargs):
                rec("before", fn.__name__)
                return fn(*args, **kwargs)

        return wrapper

    return decorate


async def test_decorated_dependencies(rec: Recorder) -> None:
    @logged(rec, "async")
    async def token(x_token: Annotated[str, Header()] = "none") -> str:
        return x_token

    @logged(rec, "sync")
    def settings(t: Annotated[str, Depends(token)]) -> dict:
        return {"token": t}

    @logged(rec, "sync")
    async def passthrough(s: Annotated[dict, Depends(settings)]) -> dict:
        return s  # a sync wrapper returning a coroutine: FastAPI looks inside

    async def target(s: Annotated[dict, Depends(passthrough)]):
        return s

    out = await conforms(rec, target, Req(headers=[("x-token", "t")]))
    assert out.log[:2] == [("before", "token"), ("before", "settings")]
