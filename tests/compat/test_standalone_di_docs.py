"""fastapi-standalone-di 0.13.0's documentation examples, run against this library.

The predecessor's sdist is downloaded once into ``.venvs/compat`` (or read
from ``FE_SDI_SRC``, an unpacked copy). Every ```python block of its README
and ``docs/`` that its own docs test treats as a module (the ones not marked
``<!-- docs-test: skip -->``) runs in a fresh interpreter with one change:
the import of ``fastapi_standalone_di`` becomes ``fastapi_everywhere``. The
examples that wire bindings name a ``myapp`` package: an empty one with the
feature packages they mention is on the path.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

NAME, VERSION = "fastapi-standalone-di", "0.13.0"
ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("FE_COMPAT_CACHE", ROOT / ".venvs" / "compat"))
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
SKIP_BLOCK, SKIP_FILE = "<!-- docs-test: skip -->", "<!-- docs-test: skip-file"

#: Examples that fail here on purpose, and why (none so far).
KNOWN_FAILURES: dict[str, str] = {}


def _sources() -> Path:
    given = os.environ.get("FE_SDI_SRC")
    if given:
        return Path(given)
    unpacked = CACHE / f"fastapi_standalone_di-{VERSION}"
    if not (unpacked / "docs").is_dir():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--disable-pip-version-check",
                "--no-deps",
                "--no-binary",
                ":all:",
                "--ignore-requires-python",
                "-d",
                str(CACHE),
                f"{NAME}=={VERSION}",
            ],
            check=True,
            timeout=180,
            capture_output=True,
        )
        [sdist] = CACHE.glob(f"fastapi_standalone_di-{VERSION}.tar.gz")
        with tarfile.open(sdist) as tar:
            tar.extractall(CACHE, filter="data")
    return unpacked


def _examples(root: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for doc in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        text = doc.read_text("utf-8")
        if SKIP_FILE in text:
            continue
        for index, match in enumerate(BLOCK.finditer(text)):
            if text[: match.start()].rstrip().endswith(SKIP_BLOCK):
                continue
            found[f"{doc.relative_to(root)}#{index}"] = match.group(1)
    return found


@pytest.fixture(scope="module")
def examples() -> dict[str, str]:
    try:
        root = _sources()
    except (subprocess.SubprocessError, OSError, ValueError) as e:
        pytest.skip(f"{NAME} {VERSION} sdist unavailable: {e}")
    return _examples(root)


def _workspace(tmp_path: Path) -> Path:
    for package in (
        "myapp",
        "myapp/features",
        "myapp/features/config",
        "myapp/features/source",
    ):
        (tmp_path / package).mkdir(parents=True, exist_ok=True)
        (tmp_path / package / "__init__.py").write_text("")
    return tmp_path


def test_the_predecessor_doc_examples_run(
    examples: dict[str, str], tmp_path: Path
) -> None:
    cwd = _workspace(tmp_path)
    failed: dict[str, str] = {}
    for name, code in examples.items():
        ours = code.replace("fastapi_standalone_di", "fastapi_everywhere")
        done = subprocess.run(
            [sys.executable, "-c", ours],
            cwd=cwd,
            env={**os.environ, "PYTHONPATH": str(cwd)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0:
            failed[name] = done.stderr.strip().splitlines()[-1] if done.stderr else "?"
    passed = len(examples) - len(failed)
    print(f"\n{NAME} {VERSION} doc examples: {passed} of {len(examples)} run")
    unexpected = {k: v for k, v in failed.items() if k not in KNOWN_FAILURES}
    assert not unexpected, unexpected
    fixed = set(KNOWN_FAILURES) - set(failed)
    assert not fixed, f"now passing, remove from KNOWN_FAILURES: {sorted(fixed)}"
    assert len(examples) >= 25
