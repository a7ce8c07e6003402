from flask import Flask, request
from flask_login import LoginManager, UserMixin, login_user, logout_user

from fastapi_everywhere.flask import FastAPIDepends

from . import views


class User(UserMixin):
    def __init__(self, user_id: str, name: str, password: str) -> None:
        self.id = user_id
        self.name = name
        self.password = password


USERS = {"1": User("1", "alice", "wonderland"), "2": User("2", "bob", "builder")}

flask_app = Flask(__name__)
flask_app.config["SECRET_KEY"] = "change-me"  # signs Flask's session cookie
login_manager = LoginManager(flask_app)
FastAPIDepends(flask_app)
flask_app.register_blueprint(views.bp)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return USERS.get(user_id)


@flask_app.post("/login")
def login():
    user = next((u for u in USERS.values() if u.name == request.form["name"]), None)
    if user is None or user.password != request.form["password"]:
        return {"error": "bad credentials"}, 401
    login_user(user)
    return {"user": user.name}


@flask_app.post("/logout")
def logout():
    logout_user()
    return {"user": None}
