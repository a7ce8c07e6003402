"""register_bindings: each feature's binding module, run once, before routes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest

from fastapi_everywhere import Binding, register_bindings

CALLS = "import builtins\ncalls = builtins.__dict__.setdefault('_rb_calls', [])\n"


@pytest.fixture(autouse=True)
def _calls() -> Iterator[list[str]]:
    import builtins

    calls: list[str] = []
    builtins._rb_calls = calls  # type: ignore[attr-defined]
    yield calls
    del builtins._rb_calls  # type: ignore[attr-defined]


def _di(name: str) -> str:
    return CALLS + f"def register():\n    calls.append({name!r})\n"


def test_runs_each_feature_module_once(
    make_package: Callable[..., str], _calls: list[str]
) -> None:
    root = make_package(
        "rb_app",
        {
            "di.py": _di("root"),
            "orders/__init__.py": "",
            "orders/di.py": _di("orders"),
            "users/__init__.py": "",  # no di module: skipped
            "users/deep/__init__.py": "",
            "users/deep/di.py": _di("deep"),
            "notes.py": "",
        },
    )
    register_bindings(root, f"{root}.orders")
    assert sorted(_calls) == ["orders", "root"]  # overlap: orders ran once
    _calls.clear()
    register_bindings(root, recursive=True)
    assert sorted(_calls) == ["deep", "orders", "root"]


def test_module_and_attr_names_and_the_missing_callable_warning(
    make_package: Callable[..., str],
    _calls: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    root = make_package(
        "rb_named",
        {
            "shop/__init__.py": "",
            "shop/api/__init__.py": "",
            "shop/api/wiring.py": CALLS + "def setup():\n    calls.append('shop')\n",
            "blog/__init__.py": "",
            "blog/api/__init__.py": "",
            "blog/api/wiring.py": "setup = 3\n",
        },
    )
    with caplog.at_level(logging.WARNING, "fastapi_everywhere"):
        register_bindings(root, module="api.wiring", attr="setup")
    assert _calls == ["shop"]
    assert "rb_named.blog.api.wiring has no callable 'setup'" in caplog.text


def test_errors(make_package: Callable[..., str]) -> None:
    root = make_package(
        "rb_bad",
        {"feat/__init__.py": "", "feat/di.py": "import rb_no_such_module\n"},
    )
    with pytest.raises(ModuleNotFoundError, match="rb_no_such_module"):
        register_bindings(root)  # an import error inside a binding module
    with pytest.raises(ValueError, match=r"register_bindings: .* is a module, not"):
        register_bindings("textwrap")
    register_bindings()  # nothing to do


def test_binding_is_a_named_tuple() -> None:
    binding = Binding(int, int, already_bound=False)
    assert binding.interface is int and tuple(binding) == (int, int, False)
