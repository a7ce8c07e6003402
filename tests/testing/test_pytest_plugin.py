"""The pytest plugin, run for real: pytest in a subprocess on a sample project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

BARE_INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
SAMPLE = Path(__file__).parent / "sample"
PLUGINS = [
    "-p",
    "fastapi_everywhere.testing.plugin",
    "-p",
    "pytest_asyncio.plugin",
    "-p",
    "anyio.pytest_plugin",
]


def run_pytest(
    tmp_path: Path, *args: str, ini: str | None = None, conftest: str | None = None
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Copy the sample project, run pytest on it; the run and its event log."""
    project = tmp_path / "project"
    shutil.copytree(SAMPLE, project)
    if ini is not None:
        (project / "pytest.ini").write_text(ini)
    if conftest is not None:
        (project / "conftest.py").write_text(conftest)
    log = tmp_path / "events.log"
    log.touch()
    env = {
        **os.environ,
        "SAMPLE_LOG": str(log),
        # Only the plugins named on the command line: the entry point may or
        # may not be installed in this environment.
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        "PYTHONPATH": str(project),
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            *PLUGINS,
            "check_sample.py",  # not test_*.py: the outer suite must not collect it
            *args,
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc, log.read_text().splitlines()


def test_sample_project_passes_with_one_lifespan(tmp_path: Path) -> None:
    proc, events = run_pytest(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "7 passed" in proc.stdout, proc.stdout
    # One lifespan for the whole session, shut down at its end; the per-test
    # session dependency opened and closed in the one test that used it.
    assert events.count("startup") == 1 and events.count("shutdown") == 1
    assert events[0] == "startup" and events[-1] == "shutdown"
    assert events.count("session-open") == events.count("session-close") == 1


def test_missing_configuration_fails_clearly(tmp_path: Path) -> None:
    proc, events = run_pytest(tmp_path, "-k", "stack", ini=BARE_INI)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "set `fastapi_everywhere_app = package.module:app`" in proc.stdout
    assert events == []


def test_fastapi_app_fixture_can_be_overridden(tmp_path: Path) -> None:
    conftest = (
        "import pytest, sample_app\n"
        "@pytest.fixture(scope='session')\n"
        "def fastapi_app():\n"
        "    return sample_app.app\n"
    )
    proc, events = run_pytest(
        tmp_path, "-k", "stack or restored", ini=BARE_INI, conftest=conftest
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 passed" in proc.stdout
    assert events.count("startup") == events.count("shutdown") == 1


def test_installed_entry_point_loads_the_plugin(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(SAMPLE, project)
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_DISABLE_PLUGIN_AUTOLOAD"}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--fixtures"],
        cwd=project,
        env={**env, "PYTHONPATH": str(project)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # pytest11 entry point "fastapi_everywhere": no -p, no conftest import.
    assert "fastapi_deps_stack" in proc.stdout
    assert "fastapi_override" in proc.stdout


def test_a_hung_lifespan_fails_the_fixture_instead_of_hanging(tmp_path: Path) -> None:
    conftest = (
        "import asyncio, contextlib, pytest, fastapi, fastapi_everywhere\n"
        "@contextlib.asynccontextmanager\n"
        "async def hung(app):\n"
        "    await asyncio.Event().wait()\n"
        "    yield\n"
        "fastapi_everywhere.configure(lifespan_timeout=0.5)\n"
        "@pytest.fixture(scope='session')\n"
        "def fastapi_app():\n"
        "    return fastapi.FastAPI(title='Hung start-up', lifespan=hung)\n"
    )
    proc, events = run_pytest(
        tmp_path, "-k", "stack", ini=BARE_INI, conftest=conftest
    )  # run_pytest's subprocess timeout bounds a regression
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "LifespanError" in proc.stdout
    assert "'Hung start-up' did not finish start-up within 0.5 s" in proc.stdout


def test_on_event_handlers_run_for_the_fixtures(tmp_path: Path) -> None:
    conftest = (
        "import warnings, pytest, fastapi, sample_app\n"
        "@pytest.fixture(scope='session')\n"
        "def fastapi_app():\n"
        "    app = fastapi.FastAPI()\n"
        "    with warnings.catch_warnings():\n"
        "        warnings.simplefilter('ignore', DeprecationWarning)\n"
        "        app.on_event('startup')(lambda: sample_app.log('startup'))\n"
        "        app.on_event('shutdown')(lambda: sample_app.log('shutdown'))\n"
        "    app.router.lifespan_context = None\n"
        "    return app\n"
    )
    proc, events = run_pytest(
        tmp_path, "-k", "per_test_cache", ini=BARE_INI, conftest=conftest
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert events == ["startup", "session-open", "session-close", "shutdown"]
