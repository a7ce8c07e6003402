"""A container's constructor arguments, checked once: what every call uses."""

from __future__ import annotations

from .._scope import ScopeSpec, SourceLike, as_source
from .scopes import DefaultScope, ScopeMap, ScopeRules

__all__ = ["ContainerOptions"]


class ContainerOptions:
    """The fixed configuration of one container, checked at construction.

    ``rules`` give every dependency its :class:`DependencyScope`; ``spec``
    holds the request parameter sources; ``security_scopes`` are the scopes
    ``SecurityScopes`` sees at the top of each resolution. Errors name
    ``owner``.
    """

    __slots__ = ("rules", "security_scopes", "spec")

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
    ) -> None:
        self.rules = ScopeRules(scopes, default_scope, owner)
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
