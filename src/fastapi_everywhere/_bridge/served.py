"""The loop a server runs: where async steps go while it serves this process.

When an ASGI server (uvicorn) runs the FastAPI app's lifespan on its loop,
that loop serves the whole process: a WSGI app mounted under the FastAPI app
runs in worker threads, and their async steps go to the server's loop, next
to the lifespan's resources, instead of to a loop thread of our own.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable

__all__ = ["ServedLoop", "current", "forget", "serve", "served_loop"]


class ServedLoop:
    """A loop that a server runs (uvicorn's), in the thread that runs it.

    The same face as the process's own loop thread (``loop``, ``thread``,
    ``ident``, ``pid``, ``usable()``), so an :class:`OwnerTask` runs its
    steps on either.
    """

    __slots__ = ("ident", "loop", "pid", "thread")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.pid = os.getpid()
        self.loop = loop
        self.thread = threading.current_thread()
        self.ident: int | None = threading.get_ident()

    def usable(self) -> bool:
        return (
            self.pid == os.getpid()
            and self.thread.is_alive()
            and self.loop.is_running()
            and not self.loop.is_closed()
        )

    def __repr__(self) -> str:
        state = "running" if self.usable() else "stopped"
        return f"<ServedLoop pid={self.pid} {state}>"


#: The loop serving this process's requests while a server runs the app's
#: lifespan on it (see ``_bridge.lifespan.served_lifespan``).
current: ServedLoop | None = None


def serve(loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
    """Make ``loop`` (running in the caller's thread) the loop that serves.

    From now on sync callers on other threads run their async steps there,
    next to the lifespan's resources, and no loop thread is started for them.
    Returns the function that ends it.
    """
    global current
    served = current = ServedLoop(loop)

    def unserve() -> None:
        global current
        if current is served:
            current = None

    return unserve


def served_loop() -> ServedLoop | None:
    """The loop a server runs this process's lifespan on, if any."""
    served = current
    if served is not None and served.usable():
        return served
    return None


def forget() -> None:
    """In a forked child: the parent's server loop does not run here."""
    global current
    current = None
