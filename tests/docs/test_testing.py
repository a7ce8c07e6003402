"""The examples of docs/testing.md: pytest run on them in a subprocess, with the plugin.

The page's test functions are collected by their dotted module names
(``--pyargs``); only the plugins named on the command line are loaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = [
    "-p",
    "fastapi_everywhere.testing.plugin",
    "-p",
    "pytest_asyncio.plugin",
    "-p",
    "anyio.pytest_plugin",
]


def pytest_run(
    tmp_path: Path, *args: str, app: str | None
) -> subprocess.CompletedProcess[str]:
    ini = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
    if app is not None:
        ini += f"fastapi_everywhere_app = {app}\n"
    (tmp_path / "pytest.ini").write_text(ini)
    env = {
        **os.environ,
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", *PLUGINS]
        + list(args),
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


EXAMPLE_TESTS = [
    "test_settings",
    "test_one_cache_per_test",
    "test_as_mallory",
    "test_override_is_gone",
    "test_async",
]


def test_the_pages_tests_pass_with_the_ini_option(tmp_path: Path) -> None:
    run = pytest_run(
        tmp_path,
        "--pyargs",
        "docs_src.testing.example_tests",
        "docs_src.testing.without_plugin",
        app="docs_src.testing.app:app",
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for name in [*EXAMPLE_TESTS, "test_greet_as_mallory"]:
        assert f"::{name} PASSED" in run.stdout, run.stdout
    assert "6 passed" in run.stdout


def test_the_pages_tests_pass_with_the_fixture_override(tmp_path: Path) -> None:
    run = pytest_run(
        tmp_path,
        "-p",
        "docs_src.testing.conftest_app",
        "--pyargs",
        "docs_src.testing.example_tests",
        app=None,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "5 passed" in run.stdout


def test_without_configuration_the_fixtures_fail_clearly(tmp_path: Path) -> None:
    run = pytest_run(
        tmp_path,
        "--pyargs",
        "docs_src.testing.example_tests",
        "-k",
        "settings",
        app=None,
    )
    assert run.returncode == 1
    assert "set `fastapi_everywhere_app = package.module:app`" in run.stdout


def test_the_plain_test_function_restores_the_overrides() -> None:
    """The page's test without the plugin, called here directly too."""
    import docs_src.testing.app as app
    import docs_src.testing.without_plugin as without_plugin

    without_plugin.test_greet_as_mallory()
    assert app.app.dependency_overrides == {}
    assert without_plugin.greet() == "greetings, hello alice"
