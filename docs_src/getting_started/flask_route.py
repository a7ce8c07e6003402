from flask import Flask

from fastapi_everywhere.flask import FastAPIDepends, with_fastapi_depends

from .app import app as api
from .deps import CurrentUser, SettingsDep

app = Flask(__name__)
FastAPIDepends(app, fastapi_app=api)  # optional: the FastAPI app's overrides, lifespan


@app.get("/me")
@with_fastapi_depends
def me(*, user: CurrentUser, config: SettingsDep) -> dict[str, str]:
    return {"message": f"{config.greeting}, {user}"}


if __name__ == "__main__":
    client = app.test_client()
    response = client.get("/me", headers={"X-Token": "bob-token"})
    print(response.status_code, response.json)  # 200 {'message': 'Hello, Bob'}
    response = client.get("/me", headers={"X-Token": "eve-token"})
    print(response.status_code, response.json)  # 401 {'detail': 'Unknown token'}
