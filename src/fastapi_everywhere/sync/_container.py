"""``FastAPIContainer`` for sync code: the async container, driven on the loop thread.

Every method submits the same method of :class:`fastapi_everywhere.
FastAPIContainer` to the loop thread and waits; the async container already
enters and exits every dependency in its one owner task, so teardown runs in
the task that set up. Fork-safe: in a forked child the container starts
afresh (same configuration) instead of touching the parent's instances. A
container left open is closed at interpreter exit.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from functools import partial
from typing import Any, ParamSpec, TypeVar, overload

from .._bridge import loop as _loop
from .._bridge.owner import OwnerTask
from .._closing import Closing
from .._container import ContainerScope as _AsyncScope
from .._container import FastAPIContainer as _AsyncContainer
from .._container import ResolvedDependencies
from .._errors import ScopeError
from .._typing import Generated

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")


def _run(fn: Callable[[], Awaitable[T]], what: str, timeout: float | None) -> T:
    return OwnerTask(f"sync.FastAPIContainer.{what}", timeout).call(fn, last=True)


class _SyncResolver:
    """The methods a container and its open scopes share.

    Each is one trip to the loop thread, where the async resolver (given by
    :meth:`_on_loop`) runs the same method.
    """

    _timeout: float | None

    def _on_loop(self) -> Callable[[], Awaitable[_AsyncContainer | _AsyncScope]]:
        """How the loop thread gets the async resolver of the call."""
        raise NotImplementedError

    def _submit(self, what: str, *args: Any, **kwargs: Any) -> Any:
        resolver = self._on_loop()

        async def call() -> Any:
            return await getattr(await resolver(), what)(*args, **kwargs)

        return _run(call, what, self._timeout)

    @overload
    def get(self, dependency: Callable[..., Generated[T]]) -> T: ...
    @overload
    def get(self, dependency: Callable[..., T]) -> T: ...
    @overload
    def get(self, dependency: Any) -> Any: ...

    def get(self, dependency: Any) -> Any:
        """Resolve one dependency and return its instance."""
        return self._submit("get", dependency)

    def optional(self, dependency: Any) -> Any:
        """Resolve one dependency; its instance, which may be None.

        .. versionadded:: 0.2
        """
        return self._submit("optional", dependency)

    def resolve(self, *dependencies: Any) -> ResolvedDependencies:
        """Resolve several dependencies at once (one shared per-call cache)."""
        resolved: ResolvedDependencies = self._submit("resolve", *dependencies)
        return resolved

    @overload
    def invoke(
        self, func: Callable[P, Awaitable[R]], /, *args: P.args, **kwargs: P.kwargs
    ) -> R: ...
    @overload
    def invoke(
        self, func: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs
    ) -> R: ...

    def invoke(self, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """Resolve ``func``'s dependencies, then call it; return its result."""
        return self._submit("invoke", func, *args, **kwargs)

    def invoke_resolved(
        self, func: Callable[P, Any], /, *args: P.args, **kwargs: P.kwargs
    ) -> ResolvedDependencies:
        """Like :meth:`invoke`, but return every instance of the call."""
        resolved: ResolvedDependencies = self._submit(
            "invoke_resolved", func, *args, **kwargs
        )
        return resolved


class ContainerScope(_SyncResolver):
    """An open ``container.scope()`` block: SCOPED dependencies allowed.

    The async block is entered on the loop thread by the first call that
    uses it (in that call's trip), and ended there only if it has something
    to tear down or run: a scope costs no trip of its own.
    """

    def __init__(
        self,
        block: AbstractAsyncContextManager[_AsyncScope],
        timeout: float | None,
    ) -> None:
        self._block = block
        self._scope: _AsyncScope | None = None
        self._closed = False
        self._timeout = timeout

    def _on_loop(self) -> Callable[[], Awaitable[_AsyncScope]]:
        if self._closed:
            raise ScopeError("FastAPIContainer: this scope() block is closed")
        return self._entered

    async def _entered(self) -> _AsyncScope:
        scope = self._scope
        if scope is None:  # on the loop thread: no other call enters it meanwhile
            scope = self._scope = await self._block.__aenter__()
        return scope

    def _close(self, exc: BaseException | None) -> None:
        """End the block: on this thread if nothing is left to tear down or run.

        ``exc``, the exception the block raised, reaches the SCOPED ``yield``
        dependencies.
        """
        self._closed = True
        scope = self._scope
        if scope is None or scope.close_if_idle():
            return
        exit_block = partial(
            self._block.__aexit__,
            None if exc is None else type(exc),
            exc,
            None if exc is None else exc.__traceback__,
        )
        _run(exit_block, "scope", self._timeout)

    def __repr__(self) -> str:
        if self._scope is None:
            state = "closed" if self._closed else "not used yet"
            return f"<sync.ContainerScope {state}>"
        return f"<sync.{repr(self._scope)[1:]}"


class FastAPIContainer(Closing, _SyncResolver):
    """The sync twin of :class:`fastapi_everywhere.FastAPIContainer`.

    Takes the same arguments (plus ``timeout``, bounding each wait on the
    loop thread) and has the same methods, as plain sync methods: ``get``,
    ``resolve``, ``invoke``, ``invoke_resolved``, ``scope()`` (a sync context
    manager), ``clear_cache()``, ``close()`` and ``with``. Thread-safe.
    Dependencies run as in the async container (sync ones in worker
    threads): instances outlive the calling thread.
    """

    def __init__(self, *, timeout: float | None = None, **options: Any) -> None:
        self._options = options
        self._timeout = timeout
        self._lock = threading.Lock()
        self._inner = _AsyncContainer(**options)
        self._pid = os.getpid()
        self._unregister = self._close_at_exit()

    def _close_at_exit(self) -> Callable[[], None]:
        ref = weakref.ref(self)

        def close() -> None:
            container = ref()
            if container is not None:
                container.close()

        return _loop.on_shutdown(close)

    def _on_loop(self) -> Callable[[], Awaitable[_AsyncContainer]]:
        inner = self._target()

        async def on_loop() -> _AsyncContainer:
            return inner

        return on_loop

    def _target(self) -> _AsyncContainer:
        inner = self._inner
        if self._pid != os.getpid():
            with self._lock:
                if self._pid != os.getpid():
                    # A forked child: the instances are the parent's.
                    self._inner = inner = _AsyncContainer(**self._options)
                    self._pid = os.getpid()
                    self._unregister = self._close_at_exit()
        return inner

    @property
    def app(self) -> Any:
        """The FastAPI app of the container (or None)."""
        return self._target().app

    @property
    def dependency_overrides(self) -> dict[Any, Any]:
        """The container's own overrides (merged over the app's)."""
        return self._target().dependency_overrides

    @contextmanager
    def scope(self) -> Iterator[ContainerScope]:
        """Open a scope: SCOPED dependencies live until the block ends."""
        inner = self._target()
        if inner.closed:  # as the async block refuses on entry
            raise ScopeError("FastAPIContainer: the container is closed")
        opened = ContainerScope(inner.scope(), self._timeout)
        try:
            yield opened
        except BaseException as e:
            opened._close(e)
            raise
        opened._close(None)

    def clear_cache(self) -> None:
        """Forget cached instances; their teardown still runs at :meth:`close`."""
        self._target().clear_cache()

    def close(self) -> None:
        """Tear down every container-level ``yield`` dependency (idempotent)."""
        if self._pid != os.getpid():
            return  # the parent's container: not ours to close
        self._unregister()
        _run(self._inner.aclose, "close", self._timeout)

    def __repr__(self) -> str:
        return f"<sync.{repr(self._inner)[1:]}"
