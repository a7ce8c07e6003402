"""A request body that Django or DRF parsed already, encoded again for FastAPI.

Once Django parsed a multipart body (``request.POST`` was read: a
middleware, DRF's session authentication checking CSRF) or DRF parsed a
JSON body (``request.data``), the stream is consumed and ``request.body``
raises ``RawPostDataException``. The parsed values are still there; they
are written back in the request's own content type, so ``Body()`` and
``Form()``/``File()`` parameters read what the client sent.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest

__all__ = ["encode_parsed"]


def encode_parsed(http: HttpRequest, drf: Any = None) -> bytes | None:
    """The body of ``http`` rebuilt from its parsed values, or None if unknown.

    ``drf`` is the view's DRF ``Request``, if any (its ``data`` for JSON).
    """
    content_type = http.content_type or ""
    if content_type == "multipart/form-data":
        boundary = http.content_params.get("boundary") if http.content_params else None
        if hasattr(http, "_post") and boundary:
            return _multipart(http, boundary)
        return None
    if content_type == "application/x-www-form-urlencoded":
        return http.POST.urlencode().encode("ascii") if hasattr(http, "_post") else None
    if drf is not None and (
        content_type == "application/json" or content_type.endswith("+json")
    ):
        return json.dumps(drf.data).encode("utf-8")
    return None


def _quoted(name: str) -> str:
    # What browsers do in a Content-Disposition parameter.
    return quote(name, safe=" !#$&'()*+,-./:;<=>?@[]^_`{|}~")


def _multipart(http: HttpRequest, boundary: str) -> bytes:
    """The fields and files of ``http`` as a multipart body with ``boundary``.

    The client's own boundary, so the request's Content-Type stays true.
    """
    sep = f"--{boundary}\r\n".encode("latin-1")
    parts: list[bytes] = []
    for name, values in http.POST.lists():
        for value in values:
            head = f'Content-Disposition: form-data; name="{_quoted(name)}"\r\n\r\n'
            parts += [sep, head.encode("utf-8"), str(value).encode("utf-8"), b"\r\n"]
    for name, files in http.FILES.lists():
        for upload in files:
            upload.seek(0)
            head = (
                f'Content-Disposition: form-data; name="{_quoted(name)}"; '
                f'filename="{_quoted(upload.name or "")}"\r\n'
                f"Content-Type: {upload.content_type or 'application/octet-stream'}"
                "\r\n\r\n"
            )
            parts += [sep, head.encode("utf-8"), upload.read(), b"\r\n"]
            upload.seek(0)
    parts.append(f"--{boundary}--\r\n".encode("latin-1"))
    return b"".join(parts)
