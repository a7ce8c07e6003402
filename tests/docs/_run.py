"""Run a ``docs_src`` example the way its page says: ``python -m <module>``."""

from __future__ import annotations

import io
import runpy
import sys
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def run_example(module: str) -> str:
    """Run ``module`` as ``__main__`` in this process; return what it printed.

    The example's own package is imported afresh, as in a new interpreter:
    its modules call ``configure()`` at import, and the tests reset the
    configuration after each test.
    """
    package = module.rsplit(".", 1)[0]
    for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
        if name != "docs_src":
            del sys.modules[name]
    out = io.StringIO()
    with redirect_stdout(out):
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    return out.getvalue()


def lines(module: str) -> list[str]:
    """The lines ``module`` printed."""
    return run_example(module).splitlines()
