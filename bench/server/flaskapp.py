"""The Flask app, one wiring per process: ``BENCH_VARIANT`` picks it.

    hand    the view resolves the graph by hand (the baseline)
    ours    ``fastapi_everywhere.flask.with_fastapi_depends``
    wireup  ``wireup.integration.flask``
    dishka  ``dishka.integrations.flask`` (auto-inject)
    svcs    ``svcs.flask``

Each app also answers ``GET /stats`` (connections opened and closed).
"""

import os

from endpoint import CurrentUser, User, body, stats, user_by_hand
from flask import Flask, request

VARIANTS = ("hand", "ours", "wireup", "dishka", "svcs")


def make_app(variant: str) -> Flask:
    app = Flask(f"bench_{variant}")
    app.get("/stats")(stats)

    if variant == "hand":

        @app.get("/items/<int:item_id>")
        def item(item_id: int) -> dict[str, object]:
            user, gen = user_by_hand(request.headers.get("X-User"))
            try:
                return body(item_id, user)
            finally:
                gen.close()

    elif variant == "ours":
        from fastapi_everywhere.flask import FastAPIDepends, with_fastapi_depends

        FastAPIDepends(app)

        @app.get("/items/<int:item_id>")
        @with_fastapi_depends
        def item(item_id: int, *, user: CurrentUser) -> dict[str, object]:
            return body(item_id, user)

    elif variant == "wireup":
        import wireup
        import wireup.integration.flask
        from peerwiring import wireup_injectables
        from wireup import Injected

        @app.get("/items/<int:item_id>")
        def item(item_id: int, user: Injected[User]) -> dict[str, object]:
            return body(item_id, user)

        container = wireup.create_sync_container(
            injectables=wireup_injectables("flask")
        )
        wireup.integration.flask.setup(container, app)

    elif variant == "dishka":
        from dishka.integrations.flask import FromDishka, setup_dishka
        from peerwiring import dishka_container

        @app.get("/items/<int:item_id>")
        def item(item_id: int, user: FromDishka[User]) -> dict[str, object]:
            return body(item_id, user)

        setup_dishka(dishka_container(), app, auto_inject=True)

    elif variant == "svcs":
        import svcs
        from peerwiring import svcs_register

        svcs_register(app)

        @app.get("/items/<int:item_id>")
        def item(item_id: int) -> dict[str, object]:
            return body(item_id, svcs.flask.get(User))

    else:
        raise ValueError(f"unknown Flask variant {variant!r}; one of {VARIANTS}")
    return app


app = make_app(os.environ.get("BENCH_VARIANT", "hand"))
