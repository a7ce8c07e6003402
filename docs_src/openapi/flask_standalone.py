from flask import Flask

from fastapi_everywhere.flask import FastAPIDepends, openapi_blueprint

from .flask_items import items


def create_app() -> Flask:
    app = Flask(__name__)
    FastAPIDepends(app)
    app.register_blueprint(items)
    # /api/openapi.json and /api/docs (Swagger UI), with nothing mounted
    app.register_blueprint(openapi_blueprint(title="Shop"), url_prefix="/api")
    return app
