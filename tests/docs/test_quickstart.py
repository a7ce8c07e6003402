"""The quickstart: the README's first Python block is docs_src/quickstart.py,
which runs as a plain script and prints what the pages say."""

from __future__ import annotations

import re
import subprocess
import sys

from ._run import ROOT, lines

QUICKSTART = ROOT / "docs_src" / "quickstart.py"
README = ROOT / "README.md"
EXPECTED = "2026-12-03: report for Ann Smith"


def first_python_block(markdown: str) -> str:
    match = re.search(r"^```python\n(.*?)^```$", markdown, re.M | re.S)
    assert match, "the README has no python block"
    return match[1]


def test_readme_quickstart_is_the_file() -> None:
    assert first_python_block(README.read_text()) == QUICKSTART.read_text()


def test_readme_stays_short() -> None:
    assert len(README.read_bytes()) <= 9000


def test_quickstart_runs_as_a_script(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # From another directory, by path: only fastapi and the package are needed.
    done = subprocess.run(
        [sys.executable, str(QUICKSTART)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == EXPECTED + "\n"


def test_quickstart_imports_no_web_framework() -> None:
    code = (
        "import runpy, sys; runpy.run_path(sys.argv[1], run_name='__main__'); "
        "print(sorted(m for m in ('django', 'flask', 'celery', 'sqlalchemy') "
        "if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(QUICKSTART)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [EXPECTED, "[]"]


def test_quickstart_in_process() -> None:
    assert lines("docs_src.quickstart") == [EXPECTED]
