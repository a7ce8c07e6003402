"""An app's lifespan run from sync code, on the loop thread.

Start-up and shutdown run in one owner task (a lifespan that opens a task
group or an ``httpx.AsyncClient`` must close it in the task that opened it),
so its resources live on the loop every later async step runs on. A lifespan
left running is shut down at interpreter exit; a forked child forgets the
parent's (its state is the parent's resources) and starts its own.
"""

from __future__ import annotations

import os
import weakref
from contextlib import AsyncExitStack
from functools import partial
from types import TracebackType
from typing import Any

from .. import _lifespan
from . import loop as _loop
from ._task import OwnerTask

#: Apps whose lifespan the sync API started in this process.
_started: weakref.WeakSet[Any] = weakref.WeakSet()


class LoopLifespan:
    """``app``'s lifespan, started and shut down in one task on the loop thread.

    ``timeout`` bounds each wait on the loop thread; ``limit`` the start-up
    (default: the process-wide ``configure(lifespan_timeout=...)``).
    """

    __slots__ = ("_pid", "_stack", "_unregister", "app", "limit", "owner")

    def __init__(
        self,
        app: Any,
        name: str,
        timeout: float | None = None,
        limit: _lifespan.StartupLimit | None = None,
    ) -> None:
        self.app = app
        self.limit = limit
        self.owner = OwnerTask(name, timeout)
        self._stack = AsyncExitStack()
        self._pid = 0
        self._unregister: Any = None

    def __repr__(self) -> str:
        state = "running" if self._pid == os.getpid() else "not running"
        return f"<LoopLifespan {type(self.app).__name__} {state}>"

    def start(self) -> dict[str, Any]:
        """Run start-up; return the lifespan state."""
        try:
            state: dict[str, Any] = self.owner.call(
                partial(
                    self._stack.enter_async_context,
                    _lifespan.run_lifespan(
                        self.app, owner=self.owner.name, limit=self.limit
                    ),
                )
            )
        except BaseException:
            self.owner.finish()
            raise
        self._pid = os.getpid()
        _started.add(self.app)
        self._unregister = _loop.on_shutdown(self._close_at_exit)
        return state

    def close(
        self,
        exc_type: type[BaseException] | None = None,
        exc: BaseException | None = None,
        tb: TracebackType | None = None,
    ) -> bool:
        """Run shutdown (in the task that ran start-up); idempotent.

        In a forked child this is a no-op: the lifespan is the parent's.
        """
        if self._pid != os.getpid():
            return False
        self._pid = 0
        self._unregister()
        return bool(
            self.owner.call(
                partial(self._stack.__aexit__, exc_type, exc, tb), last=True
            )
        )

    def _close_at_exit(self) -> None:
        self.close()

    def __enter__(self) -> dict[str, Any]:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        return self.close(exc_type, exc, tb)


def _forget_parent_lifespans() -> None:
    # Their tasks ran on the parent's loop thread, which the child lacks:
    # joining one would wait forever. The child starts its own on first use.
    for app in list(_started):
        for table in ("_states", "_running"):
            getattr(_lifespan, table, {}).pop(app, None)
    _started.clear()


_loop.after_fork_in_child(_forget_parent_lifespans)
