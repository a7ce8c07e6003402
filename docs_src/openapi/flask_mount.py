from fastapi import FastAPI
from flask import Flask

from fastapi_everywhere.flask import FastAPIDepends, mount

from .flask_items import items

flask_app = Flask(__name__)
FastAPIDepends(flask_app)
flask_app.register_blueprint(items)

api = FastAPI(title="Shop")


@api.get("/health")
def health() -> dict[str, bool]:
    return {"ok": True}


mount(api, "/legacy", flask_app)  # Flask through a2wsgi, documented in /openapi.json
