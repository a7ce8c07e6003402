"""Check the built documentation site in a real browser (``make docs-check``).

Serves ``site/`` on 127.0.0.1 (a free port, ``http.server`` in a thread) and
opens the home page, one guide and the API reference in headless Chromium:
Debian's ``chromium``, driven by Playwright's Python package with
``executable_path`` (Playwright downloads no browser). For each page it asserts
that the styled header and the navigation render, that the search box is there
and answers a query with results, that a code block renders, and that nothing
went wrong: no console error, no uncaught exception, no request to the site
that failed or answered >= 400. A screenshot of each page is saved under
``site/_screenshots/``.

The browser runs offline: a request to any other host (web fonts, a CDN) is
refused and listed; the console error that such a refusal causes is not
counted, any other is.

Before the real site it checks a planted broken copy of the home page and
fails unless every planted fault is reported, so the check cannot pass by
seeing nothing.

    python tests/browser/check_site.py [--site site] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Request,
    Response,
    Route,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parents[2]

# (name, path under the site): the home page, the concepts page (its diagrams
# are local files: a missing one is a failed request), one guide, the API reference
# (its first page of signatures; reference/ itself is a table of contents).
PAGES = [
    ("home", ""),
    ("concepts", "concepts/"),
    ("django", "django/"),
    ("reference", "reference/async/"),
]
SEARCH_QUERY = "depends"

# Every wait is bounded (milliseconds).
LAUNCH_TIMEOUT = 60_000
STEP_TIMEOUT = 15_000
SETTLE_TIMEOUT = 5_000

# Chromium flags for a root, headless, offline run (Playwright adds its own
# --headless, --no-sandbox when run as root, and background-networking ones).
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 900}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 at a free port; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass
class PageReport:
    name: str
    url: str
    problems: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    screenshot: Path | None = None
    search_results: int = 0


def _is_local(url: str, base: str) -> bool:
    return urlsplit(url).netloc == urlsplit(base).netloc or url.startswith(
        ("data:", "blob:", "about:")
    )


def check_page(
    browser: Browser,
    base: str,
    name: str,
    path: str,
    *,
    shots: Path | None,
    query: str = SEARCH_QUERY,
) -> PageReport:
    """Open one page and report every check that failed."""
    report = PageReport(name=name, url=base + path)
    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
    context.set_default_timeout(STEP_TIMEOUT)
    context.set_default_navigation_timeout(STEP_TIMEOUT)

    def route(route: Route) -> None:
        if _is_local(route.request.url, base):
            route.continue_()
        else:
            report.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type != "error":
            return
        origin = msg.location.get("url", "") if msg.location else ""
        if origin and origin in report.blocked:
            return  # the refused off-site request, listed already
        where = f" ({origin}:{msg.location.get('lineNumber')})" if origin else ""
        report.problems.append(f"console error: {msg.text}{where}")

    def on_page_error(exc: PlaywrightError) -> None:
        report.problems.append(f"uncaught exception: {exc}")

    def on_request_failed(req: Request) -> None:
        if _is_local(req.url, base):
            report.problems.append(f"request failed: {req.url} ({req.failure})")

    def on_response(resp: Response) -> None:
        if _is_local(resp.url, base) and resp.status >= 400:
            report.problems.append(f"HTTP {resp.status}: {resp.url}")

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)
    try:
        response = page.goto(report.url, wait_until="load")
        if response is None or response.status != 200:
            status = response.status if response else "no response"
            report.problems.append(f"opening the page: {status}")
            return report
        _settle(page)
        report.problems.extend(_check_layout(page))
        if shots is not None:
            shots.mkdir(parents=True, exist_ok=True)
            report.screenshot = shots / f"{name}.png"
            page.screenshot(path=str(report.screenshot))
        report.search_results, search_problems = _check_search(page, query)
        report.problems.extend(search_problems)
        if shots is not None and report.search_results:
            page.screenshot(path=str(shots / f"{name}-search.png"))
        _settle(page)
    except PlaywrightError as exc:
        report.problems.append(f"{type(exc).__name__}: {exc}")
    finally:
        context.close()
    return report


def _settle(page: Page) -> None:
    """Let late requests and scripts finish (bounded: a busy page still goes on)."""
    try:
        page.wait_for_load_state("networkidle", timeout=SETTLE_TIMEOUT)
    except PlaywrightError:
        pass


def _visible_count(page: Page, selector: str) -> int:
    return int(
        page.evaluate(
            """(sel) => [...document.querySelectorAll(sel)].filter((el) => {
                const r = el.getBoundingClientRect();
                const s = getComputedStyle(el);
                return r.width > 0 && r.height > 0 && s.visibility !== "hidden";
            }).length""",
            selector,
        )
    )


def _check_layout(page: Page) -> list[str]:
    problems = []
    # The theme's stylesheet applied: a coloured header of real height.
    header = page.evaluate(
        """() => {
            const h = document.querySelector("header.md-header");
            if (!h) return null;
            return {height: h.getBoundingClientRect().height,
                    bg: getComputedStyle(h).backgroundColor};
        }"""
    )
    if not header:
        problems.append("no header (header.md-header)")
    elif header["height"] < 24 or header["bg"] in ("", "rgba(0, 0, 0, 0)"):
        problems.append(f"the header is not styled: {header}")
    # The navigation: the primary sidebar's links, shown.
    links = _visible_count(page, ".md-sidebar--primary .md-nav__link")
    if links < 5:
        problems.append(f"navigation: {links} visible links in the sidebar (< 5)")
    if not _visible_count(page, ".md-sidebar--primary .md-nav__link--active"):
        problems.append("navigation: the current page is not marked in the sidebar")
    # A code block, rendered with its text.
    code = page.evaluate(
        """() => [...document.querySelectorAll(
                ".md-content pre code, .md-content .highlight pre")]
            .filter((el) => el.getBoundingClientRect().height > 0)
            .map((el) => el.innerText.trim().length)"""
    )
    if not any(code):
        problems.append("no code block renders in the page (.md-content pre code)")
    return problems


def _check_search(page: Page, query: str) -> tuple[int, list[str]]:
    """Type ``query`` into the search box; the number of results shown."""
    box = page.locator("input.md-search__input")
    if box.count() != 1:
        return 0, [f"search box: {box.count()} input.md-search__input"]
    try:
        box.click()
        box.press_sequentially(query, delay=20)
        results = page.locator(".md-search-result__item")
        results.first.wait_for(state="visible", timeout=STEP_TIMEOUT)
    except PlaywrightError as exc:
        meta = page.locator(".md-search-result__meta")
        said = meta.first.inner_text(timeout=1000) if meta.count() else "nothing"
        first_line = str(exc).splitlines()[0]
        return 0, [f"search for {query!r} showed no result ({said}): {first_line}"]
    return results.count(), []


def _plant_faults(site: Path, into: Path) -> str:
    """A copy of the site whose home page has every fault the check must see."""
    shutil.copytree(site, into, dirs_exist_ok=True)
    home = into / "index.html"
    html = home.read_text()
    html = re.sub(r"<pre\b.*?</pre>", "", html, flags=re.S)
    html = html.replace(
        "</body>",
        '<img src="planted-missing.png" alt="">'
        '<script>console.error("planted console error")</script>'
        '<script>throw new Error("planted exception")</script>'
        "</body>",
    )
    home.write_text(html)
    return ""


# What the check must report on the planted page: (kind, report line's start,
# text in that line).
PLANTED = [
    ("console error", "console error:", "planted console error"),
    ("uncaught exception", "uncaught exception:", "planted exception"),
    ("missing file", "HTTP 404:", "planted-missing.png"),
    ("page without a code block", "no code block", ""),
]


def self_test(browser: Browser, site: Path) -> list[str]:
    """The check's own faults: what it failed to report on the planted page."""
    with tempfile.TemporaryDirectory(prefix="docs-check-") as tmp:
        path = _plant_faults(site, Path(tmp))
        with serve(Path(tmp)) as base:
            report = check_page(browser, base, "planted", path, shots=None)
    return [
        f"the check missed the planted {kind}"
        for kind, start, needle in PLANTED
        if not any(p.startswith(start) and needle in p for p in report.problems)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site")
    parser.add_argument(
        "--chromium",
        default=shutil.which("chromium") or "/usr/bin/chromium",
        help="the browser binary (default: Debian's chromium on PATH)",
    )
    parser.add_argument("--query", default=SEARCH_QUERY)
    parser.add_argument("--screenshots", type=Path, help="default: SITE/_screenshots")
    args = parser.parse_args(argv)
    site: Path = args.site.resolve()
    shots: Path = (args.screenshots or site / "_screenshots").resolve()
    if not (site / "index.html").is_file():
        print(f"docs-check: no built site at {site} (run make docs)", file=sys.stderr)
        return 2
    if not Path(args.chromium).exists():
        print(f"docs-check: no browser at {args.chromium}", file=sys.stderr)
        return 2

    start = time.monotonic()
    failed = False
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=args.chromium,
            headless=True,
            args=CHROMIUM_ARGS,
            timeout=LAUNCH_TIMEOUT,
        )
        print(f"docs-check: {args.chromium} (Chromium {browser.version})")
        try:
            missed = self_test(browser, site)
            for line in missed:
                print(f"docs-check: SELF-TEST FAILED: {line}")
            failed |= bool(missed)
            if not missed:
                print("docs-check: self-test: every planted fault reported")
            with serve(site) as base:
                for name, path in PAGES:
                    report = check_page(
                        browser, base, name, path, shots=shots, query=args.query
                    )
                    failed |= bool(report.problems)
                    _print_report(report)
        finally:
            browser.close()
    verdict = "FAILED" if failed else "passed"
    print(f"docs-check: {verdict} ({time.monotonic() - start:.1f}s)")
    return 1 if failed else 0


def _print_report(report: PageReport) -> None:
    status = "FAIL" if report.problems else "ok"
    print(f"  {status:4} {report.name:10} {report.url}")
    if report.search_results:
        print(f"       search: {report.search_results} results")
    for problem in report.problems:
        print(f"       - {problem}")
    for url in sorted(set(report.blocked)):
        print(f"       (off-site request refused: {url})")
    if report.screenshot:
        print(f"       screenshot: {report.screenshot}")


if __name__ == "__main__":
    sys.exit(main())
