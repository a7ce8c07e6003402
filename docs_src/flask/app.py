from typing import Any

from flask import Flask

from fastapi_everywhere.flask import FastAPIDepends

from . import commands, helpers, routes, routes_async, routes_class

fastapi_depends = FastAPIDepends(fastapi_app="docs_src.flask.api:app")


def create_app(**config: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(config)
    app.config.from_prefixed_env()  # FLASK_FASTAPI_EVERYWHERE_APP=... works too
    fastapi_depends.init_app(app)  # app.extensions["fastapi_everywhere"]
    app.register_blueprint(routes.bp, url_prefix="/notes")
    app.register_blueprint(routes_async.bp)
    app.register_blueprint(helpers.bp)
    app.add_url_rule("/mv/notes", view_func=routes_class.NotesView.as_view("mv_notes"))
    app.cli.add_command(commands.notes_cli)  # flask notes add alice 'buy bread'
    return app
