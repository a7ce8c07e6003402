"""The package as PyPI would get it, and as a user would install it.

``python -m build`` makes the sdist and, from it, the wheel; ``twine check
--strict`` accepts both (metadata, and the README rendering as the long
description); the wheel holds the package and its ``py.typed`` and nothing
else of the repository; the sdist holds only what a build from source needs.
The wheel is then installed into a fresh virtualenv (its dependencies from
the index) and the docs' quickstart, ``docs_src/quickstart.py``, runs there
from a directory of its own, importing the installed package.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from email.message import Message
from email.parser import Parser
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest's own dependency there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "fastapi_everywhere"
QUICKSTART = ROOT / "docs_src" / "quickstart.py"

# Every subprocess is bounded: a build or an install that hangs on the
# network fails the test instead of the run.
BUILD_TIMEOUT = 300
INSTALL_TIMEOUT = 300
RUN_TIMEOUT = 60

# Top-level folders of the repository that must never ship.
NOT_SHIPPED = {
    "tests",
    "examples",
    "docs",
    "docs_src",
    "demo",
    "bench",
    "example_django",
    "example_flask",
    "site",
    ".ci",
}

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


@dataclass(frozen=True)
class Dists:
    wheel: Path
    sdist: Path


def _run(
    cmd: list[str], *, timeout: float, cwd: Path | None = None, env=None
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, (
        f"{' '.join(map(str, cmd))} exited {proc.returncode}\n"
        f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    )
    return proc


def _clean_env() -> dict[str, str]:
    """This process's environment without what would leak the dev venv or src/."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PYTHON") and k not in {"VIRTUAL_ENV", "PIP_USER"}
    }


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    out = tmp_path_factory.mktemp("dist")
    # The sdist first, then the wheel built from the unpacked sdist: a wheel
    # that builds proves the sdist holds what a build needs.
    _run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        timeout=BUILD_TIMEOUT,
        env=_clean_env(),
    )
    wheels = sorted(out.glob("*.whl"))
    sdists = sorted(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(out.iterdir())
    return Dists(wheel=wheels[0], sdist=sdists[0])


def _wheel_metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        return Parser().parsestr(zf.read(name).decode())


def test_twine_check_strict_accepts_both(dists: Dists) -> None:
    proc = _run(
        [
            sys.executable,
            "-m",
            "twine",
            "check",
            "--strict",
            str(dists.wheel),
            str(dists.sdist),
        ],
        timeout=RUN_TIMEOUT,
    )
    assert proc.stdout.count("PASSED") == 2, proc.stdout


def test_wheel_holds_the_package_and_py_typed_only(dists: Dists) -> None:
    with zipfile.ZipFile(dists.wheel) as zf:
        names = zf.namelist()
    version = PROJECT["version"]
    dist_info = f"{PACKAGE}-{version}.dist-info/"
    assert f"{PACKAGE}/py.typed" in names
    assert f"{dist_info}licenses/LICENSE" in names
    strays = [n for n in names if not n.startswith((f"{PACKAGE}/", dist_info))]
    assert not strays, f"the wheel ships more than the package: {strays}"
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    # ... and all of it: every module and data file under src/.
    src = ROOT / "src" / PACKAGE
    expected = {
        f"{PACKAGE}/{p.relative_to(src).as_posix()}"
        for p in src.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    missing = sorted(expected - set(names))
    assert not missing, f"files of src/{PACKAGE} missing from the wheel: {missing}"
    with zipfile.ZipFile(dists.wheel) as zf:
        entry_points = zf.read(f"{dist_info}entry_points.txt").decode()
    assert "[pytest11]" in entry_points
    assert "fastapi_everywhere.testing.plugin" in entry_points


def test_sdist_holds_only_what_a_build_needs(dists: Dists) -> None:
    top = f"{PACKAGE}-{PROJECT['version']}/"
    with tarfile.open(dists.sdist) as tf:
        names = [m.name for m in tf.getmembers() if m.isfile()]
    assert all(n.startswith(top) for n in names), names
    rel = sorted(n[len(top) :] for n in names)
    needed = {"pyproject.toml", "README.md", "LICENSE", "PKG-INFO"}
    assert needed <= set(rel)
    assert f"src/{PACKAGE}/py.typed" in rel
    # hatchling always ships the .gitignore: building the wheel from the sdist
    # applies the same exclusions as building it from the repository.
    extra = [
        n
        for n in rel
        if n not in needed | {".gitignore"} and not n.startswith(f"src/{PACKAGE}/")
    ]
    assert not extra, f"the sdist ships more than src, README, LICENSE: {extra}"
    assert not {n.split("/")[0] for n in rel} & NOT_SHIPPED


def test_metadata_is_complete(dists: Dists) -> None:
    meta = _wheel_metadata(dists.wheel)
    assert meta["Name"] == "fastapi-everywhere"
    assert meta["Version"] == PROJECT["version"]
    assert meta["Summary"] == PROJECT["description"]
    assert meta["License-Expression"] == "MIT"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert meta["Requires-Python"] == ">=3.10"
    assert meta["Author"] or meta["Author-email"]
    assert "fastapi" in (meta["Keywords"] or "")
    assert any(r.startswith("fastapi") for r in meta.get_all("Requires-Dist", []))
    classifiers = set(meta.get_all("Classifier", []))
    for required in (
        "Framework :: FastAPI",
        "Framework :: Django",
        "Framework :: Flask",
        "Typing :: Typed",
        *(f"Programming Language :: Python :: 3.{m}" for m in range(10, 14)),
    ):
        assert required in classifiers, required
    # PEP 639: the license expression replaces the License :: classifiers.
    assert not [c for c in classifiers if c.startswith("License ::")]
    # The long description is the README, rendered as Markdown.
    assert meta["Description-Content-Type"] == "text/markdown"
    assert meta.get_payload().strip() == (ROOT / "README.md").read_text().strip()


def test_project_urls_point_into_the_docs_site(dists: Dists) -> None:
    meta = _wheel_metadata(dists.wheel)
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL", []))
    assert {"Documentation", "Changelog", "Source", "Issues"} <= set(urls)
    mkdocs = (ROOT / "mkdocs.yml").read_text()
    site_url = re.search(r"^site_url:\s*(\S+)\s*$", mkdocs, re.M)
    assert site_url, "mkdocs.yml has no site_url"
    base = site_url[1].rstrip("/") + "/"
    assert urls["Documentation"] == base
    assert urls["Changelog"].startswith(base)
    repo_url = re.search(r"^repo_url:\s*(\S+)\s*$", mkdocs, re.M)
    assert repo_url and urls["Source"] == repo_url[1]
    assert urls["Issues"] == urls["Source"] + "/issues"
    # Each docs URL is a page of the site (use_directory_urls: a/ is a.md).
    for label, url in urls.items():
        if not url.startswith(base):
            continue
        path = url[len(base) :].strip("/")
        page = "index.md" if not path else f"{path}.md"
        candidates = [ROOT / "docs" / page, ROOT / "docs" / path / "index.md"]
        assert any(c.is_file() for c in candidates), (
            f"{label} = {url}: no page docs/{page}"
        )


# Inline links and images, reference definitions, HTML href/src.
LINK = re.compile(
    r"\]\(\s*<?(?P<md>[^)\s>]+)"
    r"|^[ ]{0,3}\[[^\]]+\]:\s*<?(?P<ref>[^\s>]+)"
    r"|\b(?:href|src)=[\"'](?P<html>[^\"']+)",
    re.M,
)


def test_readme_links_work_on_pypi() -> None:
    """PyPI shows the README away from the repository: a relative link is dead."""
    text = (ROOT / "README.md").read_text()
    prose = re.sub(r"^(`{3,}|~{3,}).*?^\1", "", text, flags=re.M | re.S)
    prose = re.sub(r"`[^`\n]*`", "", prose)
    relative = sorted(
        {
            target
            for m in LINK.finditer(prose)
            if not (target := m["md"] or m["ref"] or m["html"]).startswith(
                ("https://", "http://", "mailto:", "#")
            )
        }
    )
    assert not relative, (
        f"README.md links that are dead on PyPI (use the docs site's URLs): {relative}"
    )


@pytest.fixture(scope="module")
def installed(dists: Dists, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv (no system site-packages) with the wheel installed."""
    venv = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", str(venv)], timeout=RUN_TIMEOUT)
    python = venv / "bin" / "python"
    _run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            str(dists.wheel),
        ],
        timeout=INSTALL_TIMEOUT,
        env=_clean_env(),
    )
    return python


def test_the_wheel_installs_and_imports_from_the_venv(
    installed: Path, tmp_path: Path
) -> None:
    probe = (
        "import json, sys, sysconfig\n"
        "from importlib.metadata import version\n"
        "import fastapi_everywhere, fastapi_everywhere.sync\n"
        "print(json.dumps({'file': fastapi_everywhere.__file__,"
        " 'purelib': sysconfig.get_paths()['purelib'],"
        " 'prefix': sys.prefix,"
        " 'version': version('fastapi-everywhere'),"
        " 'django': 'django' in sys.modules, 'flask': 'flask' in sys.modules}))\n"
    )
    proc = _run(
        [str(installed), "-c", probe],
        cwd=tmp_path,
        env=_clean_env(),
        timeout=RUN_TIMEOUT,
    )
    info = json.loads(proc.stdout)
    venv = installed.parent.parent
    assert Path(info["prefix"]) == venv
    assert Path(info["file"]).is_relative_to(info["purelib"])
    assert Path(info["purelib"]).is_relative_to(venv)
    assert not Path(info["file"]).is_relative_to(ROOT)
    assert info["version"] == PROJECT["version"]
    assert not info["django"] and not info["flask"]


def test_the_quickstart_runs_from_the_installed_wheel(
    installed: Path, tmp_path: Path
) -> None:
    assert QUICKSTART.is_file(), f"{QUICKSTART.relative_to(ROOT)} is missing"
    script = tmp_path / "quickstart.py"
    shutil.copyfile(QUICKSTART, script)
    # `python quickstart.py`, as the docs say, from a directory holding only
    # the script: nothing but the venv's site-packages to import from.
    env = _clean_env()
    proc = _run(
        [str(installed), script.name], cwd=tmp_path, env=env, timeout=RUN_TIMEOUT
    )
    assert proc.stdout.strip(), f"the quickstart printed nothing\n{proc.stderr}"
    # The same interpreter, directory and environment, asked where it imports
    # the package from.
    where = _run(
        [
            str(installed),
            "-c",
            "import fastapi_everywhere; print(fastapi_everywhere.__file__)",
        ],
        cwd=tmp_path,
        env=env,
        timeout=RUN_TIMEOUT,
    )
    origin = Path(where.stdout.strip())
    assert origin.is_relative_to(installed.parent.parent), origin
    assert "site-packages" in origin.parts, origin
