from typing import Annotated

from fastapi import Depends, HTTPException

from fastapi_everywhere.django import DjangoRequest, DjangoUser


def current_username(user: DjangoUser) -> str:
    if not user.is_authenticated:
        raise HTTPException(status_code=401, detail="Not authenticated")
    return user.get_username()


def client_ip(request: DjangoRequest) -> str:
    return request.META["REMOTE_ADDR"]


CurrentName = Annotated[str, Depends(current_username)]
ClientIp = Annotated[str, Depends(client_ip)]
