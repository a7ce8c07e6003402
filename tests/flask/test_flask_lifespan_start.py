"""A lifespan that cannot start never hangs a Flask request (issue 13, part 6).

``FASTAPI_EVERYWHERE_TIMEOUT`` bounds each loop-thread wait: a regression
fails, not hangs.
"""

from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI

from _lifespans import Hung, bad_app, on_event_app, returns_none
from fastapi_everywhere import LifespanError
from fastapi_everywhere.flask import with_fastapi_depends


def one() -> int:
    return 1


def started_app(make_app: Any, fastapi_app: FastAPI, **config: Any) -> Any:
    app = make_app(fastapi_app, TESTING=True, FASTAPI_EVERYWHERE_TIMEOUT=5, **config)

    @app.get("/")
    @with_fastapi_depends
    def view(*, n: Annotated[int, Depends(one)]) -> Any:
        return {"n": n}

    return app


def test_on_event_handlers_run_when_lifespan_context_is_none(make_app: Any) -> None:
    events: list[str] = []
    app = started_app(make_app, on_event_app(events))
    assert app.test_client().get("/").get_json() == {"n": 1}
    assert events == ["startup"]
    app.extensions["fastapi_everywhere"].close_lifespan()
    assert events == ["startup", "shutdown"]


def test_a_lifespan_that_is_no_async_context_manager_fails_at_once(
    make_app: Any,
) -> None:
    app = started_app(make_app, bad_app(returns_none))
    with pytest.raises(LifespanError, match=r"^flask app .*'Broken lifespan'"):
        app.test_client().get("/")


def test_a_hung_start_up_fails_naming_the_config_key(make_app: Any) -> None:
    hung = Hung()
    app = started_app(make_app, hung.app, FASTAPI_EVERYWHERE_LIFESPAN_TIMEOUT=0.2)
    with pytest.raises(LifespanError) as info:
        app.test_client().get("/")
    assert "within 0.2 s" in str(info.value)
    assert "FASTAPI_EVERYWHERE_LIFESPAN_TIMEOUT" in str(info.value)
    assert hung.events == ["startup", "cancelled"]
    hung.hang = False  # the next request starts it afresh
    assert app.test_client().get("/").get_json() == {"n": 1}
    assert hung.events == ["startup", "cancelled", "startup"]


def test_a_bad_lifespan_timeout_fails_at_init_app(make_app: Any) -> None:
    with pytest.raises(ValueError, match="FASTAPI_EVERYWHERE_LIFESPAN_TIMEOUT must"):
        make_app(FastAPI(), FASTAPI_EVERYWHERE_LIFESPAN_TIMEOUT=-1)
