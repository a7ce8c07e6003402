"""Names the endpoint signatures of the differential suite use (their globals)."""

from __future__ import annotations

import dataclasses
import enum
import uuid
from typing import Annotated, Any, Literal

from fastapi import (
    BackgroundTasks,
    Body,
    Cookie,
    Depends,
    File,
    Form,
    Header,
    Path,
    Query,
    Request,
    Response,
    Security,
    UploadFile,
)
from fastapi.security import (
    APIKeyHeader,
    HTTPBasic,
    HTTPBearer,
    OAuth2PasswordBearer,
    SecurityScopes,
)
from pydantic import BaseModel, ConfigDict, Field


class Color(str, enum.Enum):
    red = "red"
    blue = "blue"


class Address(BaseModel):
    street: str
    city: str = "Paris"


class Item(BaseModel):
    """An item."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "pen"}]})

    name: str = Field(min_length=1, description="What it is called")
    price: float = Field(0.0, ge=0)
    tags: list[str] = []
    color: Color | None = None
    internal_id: int | None = Field(None, alias="internalId")
    address: Address | None = None


class ItemOut(BaseModel):
    id: int
    name: str
    secret: str | None = None


@dataclasses.dataclass
class Point:
    x: int
    y: int = 0


oauth2 = OAuth2PasswordBearer(
    tokenUrl="token", scopes={"read": "Read items", "write": "Write items"}
)
bearer = HTTPBearer(description="A bearer token")
api_key = APIKeyHeader(name="X-Key", auto_error=False)
basic = HTTPBasic()


def current_user(scopes: SecurityScopes, token: Annotated[str, Depends(oauth2)]) -> str:
    return token


def pagination(skip: int = 0, limit: Annotated[int, Query(le=100)] = 10) -> dict:
    return {"skip": skip, "limit": limit}


class CommonQuery:
    def __init__(self, q: str | None = None, sort: Literal["asc", "desc"] = "asc"):
        self.q = q
        self.sort = sort


def tenant(x_tenant: Annotated[str, Header(description="The tenant")]) -> str:
    return x_tenant


__all__ = [
    "Address",
    "Annotated",
    "Any",
    "BackgroundTasks",
    "Body",
    "Color",
    "CommonQuery",
    "Cookie",
    "Depends",
    "File",
    "Form",
    "Header",
    "Item",
    "ItemOut",
    "Literal",
    "Path",
    "Point",
    "Query",
    "Request",
    "Response",
    "Security",
    "UploadFile",
    "api_key",
    "basic",
    "bearer",
    "current_user",
    "oauth2",
    "pagination",
    "tenant",
    "uuid",
]
