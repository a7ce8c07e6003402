import asyncio
import contextlib

from fastapi import Depends

from fastapi_everywhere import with_fastapi_depends

log: list[str] = []


async def get_session():
    log.append("begin")
    try:
        yield "session"
    except ValueError as exc:  # the caller's exception is thrown in here...
        log.append(f"rollback ({exc})")
        raise
    else:
        log.append("commit")
    finally:
        log.append("close")  # ...and teardown always runs


@with_fastapi_depends
async def import_row(row: str, *, session=Depends(get_session)) -> str:
    if not row:
        raise ValueError("empty row")
    return f"imported {row!r} in {session}"


async def main() -> None:
    print(await import_row("a,b"))  # imported 'a,b' in session
    with contextlib.suppress(ValueError):
        await import_row("")
    print(log)  # ['begin', 'commit', 'close', 'begin', 'rollback (empty row)', 'close']


if __name__ == "__main__":
    asyncio.run(main())
