"""``app.dependency_overrides`` (``configure(app=app)``) resolved like FastAPI."""

# No "from __future__ import annotations": FastAPI evaluates the local trees.

from typing import Annotated

import pytest
from fastapi import Depends, FastAPI, Header, Security
from fastapi.security import SecurityScopes

from ._harness import (
    HAS_DEPENDS_SCOPE,
    SPLIT_SECURITY_SCOPES,
    Recorder,
    Req,
    conforms,
    exc_name,
)


async def test_override_of_a_nested_dependency(rec: Recorder) -> None:
    def real_db():
        rec("real_db")
        yield "real"

    async def fake_db():
        rec("fake_db", "enter")
        yield "fake"
        rec("fake_db", "exit")

    def repo(db: Annotated[str, Depends(real_db)]) -> str:
        return f"repo({db})"

    async def target(
        r: Annotated[str, Depends(repo)], db: Annotated[str, Depends(real_db)]
    ):
        return [r, db]

    app = FastAPI()
    app.dependency_overrides[real_db] = fake_db
    out = await conforms(rec, target, app=app)
    assert out.body == ["repo(fake)", "fake"]
    assert out.log == [("fake_db", "enter"), ("fake_db", "exit")]


async def test_override_parses_its_own_parameters(rec: Recorder) -> None:
    def current_user() -> str:
        rec("current_user")
        return "real"

    def as_header(x_user: Annotated[str, Header()], n: int = 1) -> str:
        rec("as_header", x_user, n)
        return x_user * n

    async def target(user: Annotated[str, Depends(current_user)]):
        return user

    app = FastAPI()
    app.dependency_overrides[current_user] = as_header
    ok = await conforms(
        rec, target, Req(headers=[("x-user", "ann")], query="n=2"), app=app
    )
    assert ok.body == "annann"
    missing = await conforms(rec, target, app=app)
    assert missing.kind == "invalid"
    assert missing.body[0]["loc"] == ["header", "x-user"]


async def test_override_keeps_the_original_cache_key(rec: Recorder) -> None:
    def original() -> int:
        return -1

    def replacement() -> int:
        return rec.hit("replacement")

    async def target(
        a: Annotated[int, Depends(original)],
        b: Annotated[int, Depends(original)],
        c: Annotated[int, Depends(original, use_cache=False)],
        d: Annotated[int, Depends(replacement)],
    ):
        return [a, b, c, d]

    app = FastAPI()
    app.dependency_overrides[original] = replacement
    out = await conforms(rec, target, app=app)
    # d is keyed by `replacement` itself: a different entry from `original`.
    assert out.body == [1, 1, 2, 3]


async def test_override_inside_an_override(rec: Recorder) -> None:
    def leaf() -> str:
        return "leaf"

    def fake_leaf() -> str:
        return "fake_leaf"

    def branch() -> str:
        return "branch"

    def fake_branch(x: Annotated[str, Depends(leaf)]) -> str:
        rec("fake_branch", x)
        return f"fake_branch({x})"

    async def target(b: Annotated[str, Depends(branch)]):
        return b

    app = FastAPI()
    app.dependency_overrides.update({branch: fake_branch, leaf: fake_leaf})
    out = await conforms(rec, target, app=app)
    assert out.body == "fake_branch(fake_leaf)"


async def test_override_inherits_security_scopes(rec: Recorder) -> None:
    def auth(security_scopes: SecurityScopes) -> list[str]:
        return ["real", *security_scopes.scopes]

    def fake_auth(security_scopes: SecurityScopes) -> list[str]:
        rec("fake_auth", security_scopes.scope_str)
        return ["fake", *security_scopes.scopes]

    def guarded(u: Annotated[list[str], Security(auth, scopes=["items"])]) -> list[str]:
        return u

    async def target(u: Annotated[list[str], Security(guarded, scopes=["me"])]):
        return u

    app = FastAPI()
    app.dependency_overrides[auth] = fake_auth
    out = await conforms(rec, target, app=app)
    # Older FastAPI extends the stored scope list in place when it re-parses.
    tail = ["items"] if SPLIT_SECURITY_SCOPES else ["items", "items"]
    assert out.body == ["fake", "me", *tail]


async def test_any_override_reparses_every_dependency(rec: Recorder) -> None:
    # With any override set, FastAPI re-parses each sub-dependency at request
    # time, passing the inherited scopes through a deduplicating helper: the
    # same tree then sees other SecurityScopes than without overrides.
    def leaf(security_scopes: SecurityScopes) -> list[str]:
        return security_scopes.scopes

    def middle(scopes: Annotated[list[str], Depends(leaf)]) -> list[str]:
        return scopes

    async def target(m: Annotated[list[str], Security(middle, scopes=["a", "a", "b"])]):
        return m

    def unrelated() -> None:
        pass

    app = FastAPI()
    plain = await conforms(rec, target, app=app)
    app.dependency_overrides[unrelated] = lambda: None
    overridden = await conforms(rec, target, app=app)
    if SPLIT_SECURITY_SCOPES:
        assert plain.body == ["a", "a", "b"]
        assert overridden.body == ["a", "b"]


async def test_overrides_changed_between_calls(rec: Recorder) -> None:
    def dep() -> str:
        return "real"

    async def target(d: Annotated[str, Depends(dep)]):
        return d

    app = FastAPI()
    first = await conforms(rec, target, app=app)
    app.dependency_overrides[dep] = lambda: "first"
    second = await conforms(rec, target, app=app)
    app.dependency_overrides[dep] = lambda: "second"
    third = await conforms(rec, target, app=app)
    app.dependency_overrides.clear()
    fourth = await conforms(rec, target, app=app)
    assert [first.body, second.body, third.body, fourth.body] == [
        "real",
        "first",
        "second",
        "real",
    ]


@pytest.mark.skipif(
    not HAS_DEPENDS_SCOPE, reason="this FastAPI has no Depends(scope=...)"
)
async def test_invalid_override_fails_when_reached(rec: Recorder) -> None:
    # FastAPI parses an override when the request reaches it: what ran before
    # it has run (and is torn down with the error thrown in).
    def leaf() -> str:
        return "leaf"

    def first():
        rec("first", "enter")
        try:
            yield "first"
        except Exception as e:
            rec("first", exc_name(e))
            raise

    def original() -> str:
        return "original"

    def request_scoped(x: Annotated[str, Depends(leaf, scope="function")]):
        yield x  # a request-scoped generator may not depend on a function-scoped one

    def after() -> None:
        rec("after")

    async def target(
        f: Annotated[str, Depends(first)],
        o: Annotated[str, Depends(original)],
        a: Annotated[None, Depends(after)],
    ):
        rec("target")

    app = FastAPI()
    app.dependency_overrides[original] = request_scoped
    for _ in range(2):  # the second call runs the cached plan
        out = await conforms(rec, target, app=app)
        assert out.body[0] == "DependencyScopeError"
        assert out.log == [("first", "enter"), ("first", "DependencyScopeError")]
