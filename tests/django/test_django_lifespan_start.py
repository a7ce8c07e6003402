"""A lifespan that cannot start never hangs a Django request (issue 13, part 6).

``TIMEOUT`` bounds each loop-thread wait: a regression fails, not hangs.
"""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from _lifespans import Hung, bad_app, on_event_app, returns_none
from fastapi_everywhere import LifespanError


def test_on_event_handlers_run_when_lifespan_context_is_none() -> None:
    events: list[str] = []
    setting = {"APP": on_event_app(events), "TIMEOUT": 5}
    with override_settings(FASTAPI_EVERYWHERE=setting):
        assert Client().get("/info").status_code == 200
        assert events == ["startup"]
    assert events == ["startup", "shutdown"]  # leaving the setting shuts it down


def test_a_lifespan_that_is_no_async_context_manager_fails_at_once() -> None:
    setting = {"APP": bad_app(returns_none), "TIMEOUT": 5}
    with override_settings(FASTAPI_EVERYWHERE=setting):
        with pytest.raises(LifespanError) as info:
            Client().get("/info")
    assert str(info.value).startswith("FASTAPI_EVERYWHERE['APP']: ")
    assert "'Broken lifespan'" in str(info.value)


def test_a_hung_start_up_fails_naming_the_lifespan_timeout_setting() -> None:
    hung = Hung()
    setting = {"APP": hung.app, "TIMEOUT": 5, "LIFESPAN_TIMEOUT": 0.2}
    with override_settings(FASTAPI_EVERYWHERE=setting):
        with pytest.raises(LifespanError) as info:
            Client().get("/info")
        assert "within 0.2 s" in str(info.value)
        assert "FASTAPI_EVERYWHERE['LIFESPAN_TIMEOUT']" in str(info.value)
        assert hung.events == ["startup", "cancelled"]
        hung.hang = False  # the next request starts it afresh
        assert Client().get("/info").status_code == 200
    assert hung.events == ["startup", "cancelled", "startup", "shutdown"]
