"""The graph of graph.py in each peer's vocabulary (benchmark-only packages).

Each peer gets what its documentation shows for a Django or Flask app: a
singleton settings, a request-scoped connection from a generator (closed when
the request's scope closes), a request-scoped ``Repo`` and the current user
read from the host request's ``X-User`` header through the repo. Imported
lazily: a peer that is not installed just has no rows.
"""

from collections.abc import Iterator
from typing import Any

from endpoint import Connection, Repo, Settings, User, get_settings

# -- wireup (Django and Flask integrations) --------------------------------------


def wireup_injectables(host: str) -> list[Any]:
    from wireup import injectable

    @injectable
    def settings() -> Settings:
        return get_settings()

    @injectable(lifetime="scoped")
    def db(settings: Settings) -> Iterator[Connection]:
        conn = Connection(settings.dsn)
        try:
            yield conn
        finally:
            conn.close()

    @injectable(lifetime="scoped")
    def repo(db: Connection) -> Repo:
        return Repo(db)

    if host == "django":
        from django.http import HttpRequest

        @injectable(lifetime="scoped")
        def user(request: HttpRequest, repo: Repo) -> User:
            return repo.user(request.headers["X-User"])

    else:
        from flask import request

        @injectable(lifetime="scoped")
        def user(repo: Repo) -> User:
            return repo.user(request.headers["X-User"])

    return [settings, db, repo, user]


# -- dishka (Flask integration) --------------------------------------------------


def dishka_container() -> Any:
    from dishka import Provider, Scope, make_container, provide
    from dishka.integrations.flask import FlaskProvider
    from flask import Request

    class Graph(Provider):
        @provide(scope=Scope.APP)
        def settings(self) -> Settings:
            return get_settings()

        @provide(scope=Scope.REQUEST)
        def db(self, settings: Settings) -> Iterator[Connection]:
            conn = Connection(settings.dsn)
            try:
                yield conn
            finally:
                conn.close()

        @provide(scope=Scope.REQUEST)
        def repo(self, db: Connection) -> Repo:
            return Repo(db)

        @provide(scope=Scope.REQUEST)
        def user(self, request: Request, repo: Repo) -> User:
            return repo.user(request.headers["X-User"])

    return make_container(Graph(), FlaskProvider())


# -- svcs (Flask integration) ----------------------------------------------------


def svcs_register(app: Any) -> None:
    import svcs
    from flask import request

    svcs.flask.init_app(app)
    svcs.flask.register_value(app, Settings, get_settings())

    def db(svcs_container: svcs.Container) -> Iterator[Connection]:
        conn = Connection(svcs_container.get(Settings).dsn)
        try:
            yield conn
        finally:
            conn.close()

    def repo(svcs_container: svcs.Container) -> Repo:
        return Repo(svcs_container.get(Connection))

    def user(svcs_container: svcs.Container) -> User:
        return svcs_container.get(Repo).user(request.headers["X-User"])

    svcs.flask.register_factory(app, Connection, db)
    svcs.flask.register_factory(app, Repo, repo)
    svcs.flask.register_factory(app, User, user)
