"""The per-resolution cache: keys, ``use_cache=False`` and FastAPI's quirks."""

# No "from __future__ import annotations": FastAPI evaluates the local trees.

from typing import Annotated

from fastapi import Depends, Header, Security
from fastapi.security import SecurityScopes

from ._harness import Recorder, Req, conforms


async def test_shared_dependency_is_called_once(rec: Recorder) -> None:
    def db() -> str:
        return f"db{rec.hit('db')}"

    async def repo(conn: Annotated[str, Depends(db)]) -> str:
        rec("repo", conn)
        return conn

    def service(
        r: Annotated[str, Depends(repo)], conn: Annotated[str, Depends(db)]
    ) -> str:
        rec("service", r, conn)
        return r

    async def target(
        s: Annotated[str, Depends(service)], conn: Annotated[str, Depends(db)]
    ):
        return [s, conn]

    out = await conforms(rec, target)
    assert out.body == ["db1", "db1"]
    assert out.counts == {"db": 1}


async def test_use_cache_false_is_rebuilt_at_every_injection_point(
    rec: Recorder,
) -> None:
    async def counter() -> int:
        return rec.hit("counter")

    def fresh_gen():
        n = rec.hit("fresh_gen")
        rec("enter", n)
        yield n
        rec("exit", n)

    async def target(
        a: Annotated[int, Depends(counter, use_cache=False)],
        b: Annotated[int, Depends(counter, use_cache=False)],
        g1: Annotated[int, Depends(fresh_gen, use_cache=False)],
        g2: Annotated[int, Depends(fresh_gen, use_cache=False)],
    ):
        return [a, b, g1, g2]

    out = await conforms(rec, target)
    assert out.body == [1, 2, 1, 2]
    assert out.log == [("enter", 1), ("enter", 2), ("exit", 2), ("exit", 1)]


async def test_uncached_first_use_fills_the_cache(rec: Recorder) -> None:
    # FastAPI stores every solved value under its key if the key is free,
    # even for use_cache=False, so a later cached use reuses it.
    def dep() -> int:
        return rec.hit("dep")

    async def target(
        a: Annotated[int, Depends(dep, use_cache=False)],
        b: Annotated[int, Depends(dep)],
        c: Annotated[int, Depends(dep, use_cache=False)],
    ):
        return [a, b, c]

    out = await conforms(rec, target)
    assert out.body == [1, 1, 2]


async def test_sub_dependencies_of_a_cached_dependency_are_solved_again(
    rec: Recorder,
) -> None:
    # The FastAPI quirk: a cached dependency is not called again, but the
    # recursion into its sub-dependencies still happens, so an uncached
    # sub-dependency runs once per occurrence of its cached parent.
    def inner():
        n = rec.hit("inner")
        rec("inner enter", n)
        yield n
        rec("inner exit", n)

    async def outer(i: Annotated[int, Depends(inner, use_cache=False)]) -> str:
        return f"outer{rec.hit('outer')}:{i}"

    async def target(
        a: Annotated[str, Depends(outer)],
        b: Annotated[str, Depends(outer)],
    ):
        return [a, b]

    out = await conforms(rec, target)
    assert out.body == ["outer1:1", "outer1:1"]
    assert out.counts == {"inner": 2, "outer": 1}
    assert out.log == [
        ("inner enter", 1),
        ("inner enter", 2),
        ("inner exit", 2),
        ("inner exit", 1),
    ]


async def test_cached_dependency_params_are_validated_at_each_occurrence(
    rec: Recorder,
) -> None:
    # The same recursion reads (and reports) a cached dependency's request
    # parameters once per occurrence: the 422 body repeats the error.
    def token(x_token: Annotated[int, Header()]) -> int:
        rec("token", x_token)
        return x_token

    async def user(t: Annotated[int, Depends(token)]) -> int:
        return t

    async def target(
        u: Annotated[int, Depends(user)], t: Annotated[int, Depends(token)]
    ):
        rec("target")
        return u + t

    bad = await conforms(rec, target, Req(headers=[("x-token", "nope")]))
    assert bad.kind == "invalid"
    assert [e["loc"] for e in bad.body] == [
        ["header", "x-token"],
        ["header", "x-token"],
    ]
    assert bad.log == []

    good = await conforms(rec, target, Req(headers=[("x-token", "21")]))
    assert good.body == 42
    assert good.log == [("token", 21), ("target",)]


async def test_cache_key_includes_security_scopes(rec: Recorder) -> None:
    def scoped(security_scopes: SecurityScopes) -> list[str]:
        rec.hit("scoped")
        return security_scopes.scopes

    def plain() -> int:
        return rec.hit("plain")

    async def target(
        a: Annotated[list[str], Security(scoped, scopes=["read"])],
        b: Annotated[list[str], Depends(scoped)],
        c: Annotated[list[str], Security(scoped, scopes=["read"])],
        p1: Annotated[int, Security(plain, scopes=["read"])],
        p2: Annotated[int, Depends(plain)],
    ):
        return {"a": a, "b": b, "c": c, "p": [p1, p2]}

    out = await conforms(rec, target)
    assert out.body["a"] == ["read"]
    assert out.body["b"] == []
    assert out.body["c"] == ["read"]
    assert out.counts["scoped"] == 2


async def test_cache_is_per_resolution(rec: Recorder) -> None:
    # One call is one request: nothing is cached across calls.
    async def dep() -> int:
        return rec.hit("dep")

    async def target(a: Annotated[int, Depends(dep)]):
        return a

    first = await conforms(rec, target)
    second = await conforms(rec, target)
    assert first.body == second.body == 1
