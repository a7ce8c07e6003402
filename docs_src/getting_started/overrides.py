from .app import app
from .deps import Settings, get_settings
from .first_function_sync import greet


def main() -> None:
    app.dependency_overrides[get_settings] = lambda: Settings(greeting="Good evening")
    try:
        print(greet(".", _scope={"headers": {"x-token": "ann-token"}}))
        # Good evening, Ann.
    finally:
        app.dependency_overrides.clear()


if __name__ == "__main__":
    main()
