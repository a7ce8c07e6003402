from fastapi import FastAPI

from .deps import CurrentUser, SettingsDep

app = FastAPI()


@app.get("/me")
def me(user: CurrentUser, settings: SettingsDep) -> dict[str, str]:
    return {"message": f"{settings.greeting}, {user}"}
