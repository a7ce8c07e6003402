"""One call of a sync wrapper: what is fixed at decoration, what each call opens.

The sync decorator (``_decorator``) and the generator wrapper
(``_generator``) set a call up the same way: refuse the loop thread, pick the
app, plan the call, build its driver (``_bridge.drive``). :class:`CallSetup`
is that one place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI

from .. import _config
from .._bridge import loop as _loop
from .._bridge.drive import SyncDriver, new_driver
from .._target import Target, call_spec

__all__ = ["CallSetup"]


class CallSetup:
    """What a sync wrapper of ``func`` fixes when it decorates it.

    ``owner`` is the decorator's name (``"with_fastapi_depends"``); the
    wrapper's name in errors is ``sync.<owner>(<func>)``.
    """

    __slots__ = ("app", "name", "scope", "target", "timeout")

    def __init__(
        self,
        func: Callable[..., Any],
        owner: str,
        *,
        scope: Mapping[str, Any] | None,
        app: FastAPI | None,
        timeout: float | None,
    ) -> None:
        self.target = Target(func, owner)
        self.name = f"sync.{owner}({self.target.name})"
        self.scope = scope
        self.app = app
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"<CallSetup {self.name}>"

    def driver(
        self,
        args: tuple[Any, ...],
        kwargs: Mapping[str, Any],
        dynamic: Mapping[str, Any] | None,
    ) -> SyncDriver:
        """The driver of one call with ``args``/``kwargs`` and ``_scope=dynamic``.

        Raises :class:`~fastapi_everywhere.LoopThreadError` on the loop thread.
        """
        _loop.check_not_loop_thread(self.name)
        app = _config.app_for(self.app)
        return new_driver(
            self.target.plan_for(app, args, kwargs),
            app=app,
            spec=call_spec(self.scope, dynamic),
            name=self.name,
            timeout=self.timeout,
        )
