"""``Security(dep, scopes=[...])``, ``SecurityScopes`` and FastAPI's security schemes."""

# No "from __future__ import annotations": FastAPI evaluates the local trees.

from typing import Annotated

import pytest
from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import (
    APIKeyCookie,
    APIKeyHeader,
    APIKeyQuery,
    HTTPBasic,
    HTTPBearer,
    OAuth2PasswordBearer,
    SecurityScopes,
)

from ._harness import SPLIT_SECURITY_SCOPES, Recorder, Req, conforms

oauth2 = OAuth2PasswordBearer(
    tokenUrl="token", scopes={"me": "", "items": "", "admin": ""}
)


async def test_security_scopes_accumulate_down_the_tree(rec: Recorder) -> None:
    def get_token(
        security_scopes: SecurityScopes, token: Annotated[str, Depends(oauth2)]
    ) -> str:
        rec("get_token", security_scopes.scopes, security_scopes.scope_str, token)
        return token

    def current_user(
        security_scopes: SecurityScopes,
        token: Annotated[str, Security(get_token, scopes=["me"])],
    ) -> dict:
        rec("current_user", security_scopes.scopes)
        return {"token": token}

    def active_user(
        user: Annotated[dict, Security(current_user, scopes=["items", "me"])],
    ) -> dict:
        return user

    async def target(
        user: Annotated[dict, Security(active_user, scopes=["admin"])],
        again: Annotated[dict, Depends(current_user)],
    ):
        return [user, again]

    out = await conforms(rec, target, Req(headers=[("authorization", "Bearer tok")]))
    assert out.body == [{"token": "tok"}, {"token": "tok"}]
    # Older FastAPI extended one shared list, so "me" came twice.
    scopes = (
        ["admin", "items", "me"]
        if SPLIT_SECURITY_SCOPES
        else ["admin", "items", "me", "me"]
    )
    assert out.log[:2] == [
        ("get_token", scopes, " ".join(scopes), "tok"),
        ("current_user", scopes),
    ]


async def test_security_scopes_with_scopes_on_the_target(rec: Recorder) -> None:
    def check(security_scopes: SecurityScopes) -> list[str]:
        return security_scopes.scopes

    async def target(
        a: Annotated[list[str], Security(check, scopes=["a", "b"])],
        b: Annotated[list[str], Security(check, scopes=["b", "a"])],
        c: Annotated[list[str], Security(check)],
    ):
        return {"a": a, "b": b, "c": c}

    out = await conforms(rec, target)
    assert out.body["a"] == ["a", "b"]


@pytest.mark.parametrize(
    ("headers", "token"),
    [
        ([], None),
        ([("authorization", "Bearer abc")], "abc"),
        ([("authorization", "Basic abc")], None),
        ([("authorization", "bearer")], ""),  # FastAPI accepts an empty token
    ],
)
async def test_oauth2_password_bearer(
    rec: Recorder, headers: list, token: str | None
) -> None:
    async def target(token: Annotated[str, Depends(oauth2)]):
        return token

    out = await conforms(rec, target, Req(headers=headers))
    if token is not None:
        assert (out.kind, out.body) == ("ok", token)
    else:
        assert (out.kind, out.status) == ("http", 401)
        assert out.headers == {"www-authenticate": "Bearer"}


@pytest.mark.parametrize(
    ("scheme", "req"),
    [
        (APIKeyHeader(name="X-API-Key"), Req(headers=[("x-api-key", "k1")])),
        (APIKeyHeader(name="X-API-Key"), Req()),
        (APIKeyHeader(name="X-API-Key", auto_error=False), Req()),
        (APIKeyQuery(name="api_key"), Req(query="api_key=k2")),
        (APIKeyQuery(name="api_key"), Req()),
        (APIKeyCookie(name="session"), Req(cookies={"session": "k3"})),
        (APIKeyCookie(name="session"), Req()),
        (HTTPBearer(), Req(headers=[("authorization", "Bearer t")])),
        (HTTPBearer(), Req(headers=[("authorization", "Token t")])),
        (HTTPBearer(), Req()),
        (HTTPBasic(), Req(headers=[("authorization", "Basic dXNlcjpwdw==")])),
        (HTTPBasic(), Req(headers=[("authorization", "Basic !!!")])),
        (HTTPBasic(), Req()),
    ],
    ids=lambda v: type(v).__name__,
)
async def test_security_schemes(rec: Recorder, scheme, req: Req) -> None:
    async def target(credentials: Annotated[object, Depends(scheme)]):
        return credentials

    out = await conforms(rec, target, req)
    assert out.kind in {"ok", "http"}
    if out.kind == "http":
        assert out.status in {401, 403}


async def test_scopes_checked_by_the_dependency(rec: Recorder) -> None:
    def require(
        security_scopes: SecurityScopes, token: Annotated[str, Depends(oauth2)]
    ) -> str:
        granted = set(token.split(","))
        for scope in security_scopes.scopes:
            if scope not in granted:
                raise HTTPException(
                    403,
                    f"missing scope {scope}",
                    headers={
                        "WWW-Authenticate": f'Bearer scope="{security_scopes.scope_str}"'
                    },
                )
        return token

    async def target(t: Annotated[str, Security(require, scopes=["items", "admin"])]):
        return t

    denied = await conforms(
        rec, target, Req(headers=[("authorization", "Bearer items")])
    )
    assert (denied.status, denied.body) == (403, "missing scope admin")
    assert denied.headers == {"www-authenticate": 'Bearer scope="items admin"'}
    allowed = await conforms(
        rec, target, Req(headers=[("authorization", "Bearer items,admin")])
    )
    assert allowed.body == "items,admin"


async def test_security_scheme_cache_keys(rec: Recorder) -> None:
    # A security scheme uses scopes, so Security(scheme, scopes=...) and
    # Depends(scheme) are different cache entries; equal scope sets share one.
    class CountingBearer(OAuth2PasswordBearer):
        async def __call__(self, request: Request) -> str | None:
            rec.hit("scheme")
            return await super().__call__(request)

    scheme = CountingBearer(tokenUrl="token")

    async def target(
        a: Annotated[str, Depends(scheme)],
        b: Annotated[str, Security(scheme, scopes=["x", "y"])],
        c: Annotated[str, Security(scheme, scopes=["y", "x"])],
        d: Annotated[str, Depends(scheme)],
    ):
        return [a, b, c, d]

    out = await conforms(rec, target, Req(headers=[("authorization", "Bearer t")]))
    assert out.body == ["t"] * 4
    assert out.counts == {"scheme": 2}
