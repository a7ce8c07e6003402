"""The same login on both sides of a migration: Django's session in FastAPI routes.

``auth_app.py`` (FastAPI with Django mounted) in a process of its own: a user
logs in on the Django side and the FastAPI routes see the same user, with
Django's CSRF check on an unsafe method.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

SCRIPT = """
import json
from django.core.management import call_command
from fastapi.testclient import TestClient
import auth_app

call_command("migrate", verbosity=0)
from django.contrib.auth.models import User
User.objects.create_user("carol", password="pw")

seen = {}
with TestClient(auth_app.api) as client:
    seen["before"] = client.get("/api/me").json()
    seen["django_csrf"] = client.post(
        "/django/login", data={"username": "carol", "password": "pw"}
    ).status_code
    form_token = client.get("/django/login").json()["csrf"]
    r = client.post(
        "/django/login",
        data={"username": "carol", "password": "pw", "csrfmiddlewaretoken": form_token},
    )
    token = r.json()["csrf"]
    seen["django"] = client.get("/django/me").json()
    seen["fastapi"] = client.get("/api/me").json()
    seen["no_csrf"] = client.post("/api/notes").status_code
    seen["csrf"] = client.post("/api/notes", headers={"X-CSRFToken": token}).json()
    client.cookies.clear()
    seen["logged_out"] = client.post(
        "/api/notes", headers={"X-CSRFToken": token}
    ).status_code
print(json.dumps(seen))
"""


def test_login_on_django_seen_by_fastapi(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "AUTH_APP_DB": str(tmp_path / "auth.db"),
        "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT / "src"), str(ROOT)]),
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {
        "before": {"user": "AnonymousUser", "side": "fastapi"},
        "django_csrf": 403,
        "django": {"user": "carol", "side": "django"},
        "fastapi": {"user": "carol", "side": "fastapi"},
        "no_csrf": 403,
        "csrf": {"by": "carol"},
        "logged_out": 403,
    }
