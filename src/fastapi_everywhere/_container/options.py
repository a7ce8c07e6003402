"""A container's constructor arguments, checked once: what every call uses."""

from __future__ import annotations

from typing import Any

from .._app_state import AppState, StateApp
from .._engine.plan import Plan
from .._scope import ScopeSpec, SourceLike, as_source
from .layout import Layout
from .scopes import DefaultScope, ScopeMap, ScopeRules

__all__ = ["ContainerOptions"]


class ContainerOptions:
    """The fixed configuration of one container, checked at construction.

    ``rules`` give every dependency its :class:`DependencyScope`; ``spec``
    holds the request parameter sources; ``security_scopes`` are the scopes
    ``SecurityScopes`` sees at the top of each resolution; ``layouts`` where
    each plan resolved so far lives at the levels. Errors name
    ``owner``. ``inline_classes`` runs every class dependency inline (as if
    ``loop_safe``); ``request_app`` is the ``request.app`` given by
    ``app_state`` (None: the container's app).
    """

    __slots__ = (
        "inline_classes",
        "layouts",
        "request_app",
        "rules",
        "security_scopes",
        "spec",
    )

    def __init__(
        self,
        *,
        owner: str,
        scopes: ScopeMap | None,
        default_scope: DefaultScope,
        query: SourceLike,
        path: SourceLike,
        headers: SourceLike,
        cookies: SourceLike,
        security_scopes: list[str] | tuple[str, ...] | None,
        inline_classes: bool = False,
        app_state: AppState | None = None,
        app: Any = None,
    ) -> None:
        self.rules = ScopeRules(scopes, default_scope, owner)
        #: Each plan resolved so far at these rules' levels (``layout_of``).
        self.layouts: dict[Plan, Layout] = {}
        sources = {
            name: as_source(value, name=name, owner=owner)
            for name, value in (
                ("query", query),
                ("path", path),
                ("headers", headers),
                ("cookies", cookies),
            )
        }
        self.spec = ScopeSpec(
            query=sources["query"],
            path=sources["path"],
            headers=sources["headers"],
            cookies=sources["cookies"],
        )
        self.security_scopes = tuple(security_scopes or ())
        if not isinstance(inline_classes, bool):
            raise TypeError(
                f"{owner}: inline_classes must be a bool, got {inline_classes!r}"
            )
        self.inline_classes = inline_classes
        self.request_app = _request_app(app_state, app, owner)


def _request_app(app_state: AppState | None, app: Any, owner: str) -> Any:
    if app_state is None:
        return None
    if not isinstance(app_state, AppState):
        raise TypeError(f"{owner}: app_state must be an AppState, got {app_state!r}")
    if app is None:
        return StateApp(app_state.as_state())
    if getattr(app, "state", None) is not app_state.as_state():
        # get_app_state reads request.app.state: the two must agree.
        raise TypeError(
            f"{owner}: app_state is not the state of app; pass "
            "app_state=AppState.from_app(app), or leave app_state out"
        )
    return None
