from fastapi import APIRouter, Depends, HTTPException, Request

TRUSTED = {"https://app.example.com"}
SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}


def same_origin(request: Request) -> None:
    if request.method in SAFE:
        return
    origin = request.headers.get("origin")
    if origin is None:
        referer = request.headers.get("referer", "")
        origin = "/".join(referer.split("/", 3)[:3]) if referer else None
    if origin not in TRUSTED:
        raise HTTPException(
            status_code=403, detail="CSRF check failed: untrusted origin"
        )


moved = APIRouter(dependencies=[Depends(same_origin)])  # the moved, unsafe routes


@moved.post("/api/notes")
def add_note() -> dict[str, bool]:
    return {"added": True}
