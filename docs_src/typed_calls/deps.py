"""The dependency the typing examples inject: the user named by a header."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header


@dataclass
class User:
    name: str


@dataclass
class Report:
    day: str
    author: str


def get_user(x_user: Annotated[str, Header()] = "ops") -> User:
    return User(x_user)


CurrentUser = Annotated[User, Depends(get_user)]
