"""The API reference documents every public name.

Every name in the ``__all__`` of a public module (no part of its dotted path
starts with ``_``) must be documented under ``docs/reference/``: by a
``::: module.name`` mkdocstrings block, by such a block for the same object
exported from another public module (``sync.runners`` re-exports
``sync``'s names), or by an explicit ``{ #module.name }`` heading for a
name mkdocstrings cannot read statically (``django.FastAPIError`` is made on
first use).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import pytest

import fastapi_everywhere

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "reference"
BLOCK = re.compile(r"^:::\s+(?P<path>[\w.]+)\s*$", re.M)
ANCHOR = re.compile(r"\{\s*#(?P<path>fastapi_everywhere[\w.]*)\s*\}")


def public_modules() -> list[ModuleType]:
    modules = [fastapi_everywhere]
    for info in pkgutil.walk_packages(
        fastapi_everywhere.__path__, "fastapi_everywhere."
    ):
        if not any(part.startswith("_") for part in info.name.split(".")):
            modules.append(importlib.import_module(info.name))
    return modules


def documented() -> set[str]:
    text = "\n".join(p.read_text() for p in sorted(REFERENCE.glob("*.md")))
    return {m["path"] for m in BLOCK.finditer(text)} | {
        m["path"] for m in ANCHOR.finditer(text)
    }


def _resolve(path: str) -> object:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def test_the_public_modules_are_found() -> None:
    names = {m.__name__ for m in public_modules()}
    assert {
        "fastapi_everywhere",
        "fastapi_everywhere.sync",
        "fastapi_everywhere.sync.runners",
        "fastapi_everywhere.django",
        "fastapi_everywhere.django.asgi",
        "fastapi_everywhere.flask",
        "fastapi_everywhere.celery",
        "fastapi_everywhere.testing",
    } <= names


@pytest.mark.parametrize("module", public_modules(), ids=lambda m: m.__name__)
def test_every_name_in_all_is_in_the_reference(module: ModuleType) -> None:
    paths = documented()
    missing = []
    for name in getattr(module, "__all__", ()):
        path = f"{module.__name__}.{name}"
        if path in paths:
            continue
        obj = getattr(module, name)
        elsewhere = [
            p for p in paths if p.rpartition(".")[2] == name and _resolve(p) is obj
        ]
        if not elsewhere:
            missing.append(path)
    assert not missing, (
        f"public names missing from docs/reference/ (add a `::: name` block): {missing}"
    )


def test_every_block_names_something_that_exists() -> None:
    for path in documented():
        module, _, name = path.rpartition(".")
        try:
            importlib.import_module(path)
        except ImportError:
            if path.endswith(".FastAPIError"):  # made on first use (DRF)
                continue
            assert hasattr(importlib.import_module(module), name), path


def test_rest_roles_and_directives_become_markdown() -> None:
    import importlib.util

    pytest.importorskip("griffe")  # the docs tools: in .[dev] and .[docs]

    path = REFERENCE.parent / "_griffe_rst.py"
    spec = importlib.util.spec_from_file_location("_griffe_rst", path)
    assert spec and spec.loader
    rst = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rst)
    text = (
        "Call :func:`~fastapi_everywhere.configure` or :class:`fastapi.FastAPI`.\n"
        "\n"
        "    .. versionadded:: 0.2\n"
        ".. versionchanged:: 0.2 ``mount=``.\n"
        ".. code-block:: python\n"
        "\n"
        "    x = 1\n"
    )
    assert rst.to_markdown(text) == (
        "Call `configure` or `fastapi.FastAPI`.\n"
        "\n"
        "    *Added in version 0.2*\n"
        "*Changed in version 0.2: ``mount=``.*\n"
        "\n"
        "    x = 1\n"
    )
