"""Real-server benchmark: the same endpoint through real servers, with wrk.

    make bench-server                         # installs wrk and the peers, runs all
    python bench/server/run.py [--quick] [--systems flask,django-wsgi]
                               [--duration 5] [--rounds 3] [--connections 8]
                               [--no-server] [--requests 2000] [--inproc-rounds 30]

Every system serves ``GET /items/<id>`` (endpoint.py) with each wiring in a
server process of its own (gunicorn, one sync worker; uvicorn, one worker) on
127.0.0.1, or, for the FastAPI and mixed systems, as routes of one process.
The server is pinned to core 0 and wrk to core 1 when ``taskset`` exists.
Before timing, every row's body is checked and so is its teardown (the
connections opened and closed so far must match). Then rounds of wrk runs,
the rows of one system interleaved (A B C, C B A, ...): req/s, latency, and
the server's CPU time per request (from /proc). Each row's ratio to its
hand-wired baseline is the median of the per-round ratios.

The in-process table sends the same requests straight into the WSGI/ASGI app
(inproc.py, no socket), rows interleaved the same way, each round in fresh
worker processes (a process's memory layout alone moves its CPU per request
by up to 10%): CPU µs per request and the difference to the hand-wired row
(medians over the rounds, with the quartiles of the per-round differences),
plus the objects left per request for the cyclic garbage collector.

The WSGI systems have an A/A control row: the hand-wired view again, in a
server and worker processes of its own. Its ratio and difference to the
hand-wired row show the table's resolution in that run; rows closer than
that are not told apart.

Environment (for CI): BENCH_SERVER_QUICK=1, BENCH_SERVER_DURATION,
BENCH_SERVER_ROUNDS, BENCH_SERVER_SYSTEMS, BENCH_SERVER_CONNECTIONS,
BENCH_SERVER_INPROC_ROUNDS.
"""

import argparse
import contextlib
import datetime
import importlib.util
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from endpoint import ITEM_ID, USER, USER_HEADER  # noqa: E402

EXPECTED = {"id": ITEM_ID, "user": USER}
HAND = "hand-wired"
OURS = "fastapi-everywhere"
#: The async Django view by hand with its sync graph in one thread hop: what
#: FastAPI's rule (sync dependencies never on the loop) costs any wiring.
HOP_FLOOR = "hand-wired, sync deps in 1 hop (floor)"
#: The hand-wired view again, in a server and processes of its own: its
#: difference to the hand-wired row is the table's resolution (A/A control).
AGAIN = "hand-wired again (A/A control)"


@dataclass(frozen=True)
class ServerSpec:
    """One server process: ``kind`` is gunicorn (WSGI) or uvicorn (ASGI)."""

    kind: str
    target: str
    variant: str = "hand"
    copy: int = 0  # a second server of the same app (the A/A control row)

    def argv(self, port: int) -> list[str]:
        bindir = Path(sys.executable).parent
        if self.kind == "gunicorn":
            return [
                str(bindir / "gunicorn"),
                *("--workers", "1", "--worker-class", "sync"),
                *("--bind", f"127.0.0.1:{port}", "--log-level", "warning"),
                self.target,
            ]
        return [
            str(bindir / "uvicorn"),
            *("--host", "127.0.0.1", "--port", str(port), "--workers", "1"),
            *("--log-level", "warning", "--no-access-log"),
            # Django's own handler refuses lifespan events; ours runs them.
            *(("--lifespan", self.lifespan) if self.lifespan else ()),
            self.target,
        ]

    @property
    def lifespan(self) -> str | None:
        """uvicorn's ``--lifespan`` for this app (None: uvicorn's default)."""
        if not self.target.startswith("djangoapp"):
            return None
        return "on" if self.variant == "ours" else "off"

    @property
    def app_kind(self) -> str:
        return "wsgi" if self.kind == "gunicorn" else "asgi"


@dataclass(frozen=True)
class Row:
    label: str
    server: ServerSpec
    path: str
    base: str | None = HAND  # the row this one's ratio is taken to
    ref: str | None = None  # a second ratio (the mixed app: the FastAPI route)
    needs: str | None = None  # the peer package it imports


@dataclass
class System:
    key: str
    title: str
    rows: list[Row]


def _systems() -> list[System]:
    def gun(target: str, variant: str, copy: int = 0) -> ServerSpec:
        return ServerSpec("gunicorn", target, variant, copy)

    def uvi(target: str, variant: str = "hand") -> ServerSpec:
        return ServerSpec("uvicorn", target, variant)

    item = f"/items/{ITEM_ID}"
    aitem = f"/aitems/{ITEM_ID}"
    dj, fl = "djangoapp:application", "flaskapp:app"
    dja = "djangoapp:asgi_application"
    fa, mixed = uvi("fastapiapp:app"), uvi("mixedapp:app")
    fastapi_route = "FastAPI route, Depends"
    return [
        System(
            "django-wsgi",
            "Django WSGI, gunicorn 1 sync worker, sync view",
            [
                Row(HAND, gun(dj, "hand"), item, base=None),
                Row(AGAIN, gun(dj, "hand", copy=1), item),
                Row(OURS, gun(dj, "ours"), item),
                Row("wireup", gun(dj, "wireup"), item, needs="wireup"),
            ],
        ),
        System(
            "flask",
            "Flask, gunicorn 1 sync worker",
            [
                Row(HAND, gun(fl, "hand"), item, base=None),
                Row(AGAIN, gun(fl, "hand", copy=1), item),
                Row(OURS, gun(fl, "ours"), item),
                Row("wireup", gun(fl, "wireup"), item, needs="wireup"),
                Row("dishka", gun(fl, "dishka"), item, needs="dishka"),
                Row("svcs", gun(fl, "svcs"), item, needs="svcs"),
            ],
        ),
        System(
            "django-asgi",
            "Django ASGI, uvicorn 1 worker, async def view",
            [
                Row(HAND, uvi(dja, "hand"), aitem, base=None),
                Row(HOP_FLOOR, uvi(dja, "hand"), f"/hop{aitem}"),
                Row(OURS, uvi(dja, "ours"), aitem),
                Row("wireup", uvi(dja, "wireup"), aitem, needs="wireup"),
            ],
        ),
        System(
            "fastapi",
            "FastAPI, uvicorn 1 worker, async def route (reference)",
            [
                Row(HAND, fa, f"/hand{item}", base=None),
                Row(fastapi_route, fa, item),
            ],
        ),
        System(
            "mixed",
            "Mixed app (issue 15): Flask (a2wsgi) and Django ASGI mounted under FastAPI, uvicorn 1 worker",
            [
                Row(HAND, mixed, f"/hand{item}", base=None),
                Row(fastapi_route, mixed, item),
                Row(
                    "Flask legacy, hand-wired",
                    mixed,
                    f"/legacy/flask-hand{item}",
                    ref=fastapi_route,
                ),
                Row(
                    f"Flask legacy, {OURS}",
                    mixed,
                    f"/legacy/flask{item}",
                    base="Flask legacy, hand-wired",
                    ref=fastapi_route,
                ),
                Row(
                    "Django legacy, hand-wired",
                    mixed,
                    f"/legacy/django/hand{aitem}",
                    ref=fastapi_route,
                ),
                Row(
                    f"Django legacy, {OURS}",
                    mixed,
                    f"/legacy/django{aitem}",
                    base="Django legacy, hand-wired",
                    ref=fastapi_route,
                ),
            ],
        ),
    ]


# -- processes ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pinned(argv: list[str], core: int) -> list[str]:
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", str(core), *argv]
    return argv


def child_env(variant: str) -> dict[str, str]:
    env = dict(os.environ)
    env["BENCH_VARIANT"] = variant
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(HERE), env.get("PYTHONPATH", "")) if p
    )
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


class Server:
    """A server process in its own session; ``stop`` kills the whole group."""

    def __init__(self, spec: ServerSpec, logdir: Path) -> None:
        self.spec = spec
        self.port = free_port()
        self.log = (
            logdir / f"{spec.target.replace(':', '-')}-{spec.variant}-{self.port}.log"
        )
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                pinned(spec.argv(self.port), 0),
                cwd=HERE,
                env=child_env(spec.variant),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def get(self, path: str) -> tuple[int, Any]:
        req = urllib.request.Request(self.url(path), headers={USER_HEADER: USER})
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read() or b"null")

    def wait_ready(self, path: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.spec} exited at start-up:\n{self.output()}")
            with contextlib.suppress(OSError, ValueError):
                if self.get(path)[0] == 200:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{self.spec} not ready in {timeout:.0f} s:\n{self.output()}"
                )
            time.sleep(0.1)

    def cpu_seconds(self) -> float:
        """User + system CPU time of every live process of the server's group."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == self.proc.pid:  # pgrp: the session we started
                total += int(fields[11]) + int(fields[12])
        return total / tick

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # workers too, whatever happened
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)


# -- wrk ---------------------------------------------------------------------------


@dataclass
class Sample:
    rps: float
    requests: int
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_us: float


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _latency(out: str, pct: str) -> float:
    m = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    return float(m.group(1)) * _UNITS[m.group(2)] if m else float("nan")


def run_wrk(
    url: str, duration: float, connections: int
) -> tuple[float, int, float, float, int]:
    argv = pinned(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(duration))}s",
            "--latency",
            "-H",
            f"{USER_HEADER}: {USER}",
            url,
        ],
        1,
    )
    out = subprocess.run(
        argv, capture_output=True, text=True, timeout=duration + 60, check=True
    ).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    if not rps or not total:
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(m.group(1))
    if m := re.search(
        r"Socket errors: connect (\d+), read \d+, write (\d+), timeout (\d+)", out
    ):
        errors += int(m.group(1)) + int(m.group(2)) + int(m.group(3))
    return (
        float(rps.group(1)),
        int(total.group(1)),
        _latency(out, "50"),
        _latency(out, "99"),
        errors,
    )


# -- checks ------------------------------------------------------------------------


def check_body(status: int, data: Any, what: str) -> None:
    if status != 200 or data != EXPECTED:
        raise RuntimeError(f"{what}: got {status} {data!r}, expected 200 {EXPECTED!r}")


def check_teardown(get_stats: Any, what: str) -> dict[str, int]:
    """Every connection opened so far was closed (teardown may trail a moment)."""
    deadline = time.monotonic() + 3
    while True:
        s = get_stats()
        if s["opens"] > 0 and s["opens"] == s["closes"]:
            return s
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: teardown did not run for every request: {s}")
        time.sleep(0.05)


# -- the two measurements ----------------------------------------------------------


@dataclass
class Result:
    samples: list[Sample] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    refs: list[float] = field(default_factory=list)
    inproc_us: list[float] = field(default_factory=list)
    inproc_extra: list[float] = field(default_factory=list)
    gc_per_request: float | None = None
    unclosed: int = 0  # connections never closed: wrk hung up on requests in flight
    note: str = ""


def available(row: Row) -> str:
    if row.needs and importlib.util.find_spec(row.needs) is None:
        return f"{row.needs} not installed (make bench-server installs it)"
    return ""


def interleaved(rows: list[Any], r: int) -> list[Any]:
    return rows if r % 2 == 0 else rows[::-1]


def measure_servers(
    system: System, results: dict[str, Result], args: Any, logdir: Path
) -> None:
    rows = [row for row in system.rows if not results[row.label].note]
    servers: dict[ServerSpec, Server] = {}
    try:
        for row in rows:
            if row.server not in servers:
                servers[row.server] = Server(row.server, logdir)
        for row in rows:
            srv = servers[row.server]
            srv.wait_ready(row.path)
            check_body(*srv.get(row.path), f"{system.key} / {row.label}")
        for row in rows:  # warm-up, then the teardown check
            srv = servers[row.server]
            run_wrk(srv.url(row.path), args.warmup, args.connections)
            check_teardown(
                lambda srv=srv: srv.get("/stats")[1], f"{system.key} / {row.label}"
            )
        for r in range(args.rounds):
            for row in interleaved(rows, r):
                srv = servers[row.server]
                before = open_connections(srv)
                cpu = srv.cpu_seconds()
                rps, n, p50, p99, errors = run_wrk(
                    srv.url(row.path), args.duration, args.connections
                )
                cpu = srv.cpu_seconds() - cpu
                results[row.label].samples.append(
                    Sample(rps, n, p50, p99, errors, cpu / max(n, 1) * 1e6)
                )
                results[row.label].unclosed += open_connections(srv) - before
            for row in rows:
                own = results[row.label].samples[-1].rps
                if row.base and row.base in results and results[row.base].samples:
                    results[row.label].ratios.append(
                        own / results[row.base].samples[-1].rps
                    )
                if row.ref and results[row.ref].samples:
                    results[row.label].refs.append(
                        own / results[row.ref].samples[-1].rps
                    )
    finally:
        for srv in servers.values():
            srv.stop()


def open_connections(srv: Server) -> int:
    """Connections opened and not closed (yet), once teardown had a moment."""
    deadline = time.monotonic() + 2
    while True:
        s = srv.get("/stats")[1]
        if s["opens"] == s["closes"] or time.monotonic() > deadline:
            return int(s["opens"] - s["closes"])
        time.sleep(0.05)


class Worker:
    """An inproc.py process serving one row (pinned to core 0)."""

    def __init__(self, row: Row) -> None:
        argv = [
            sys.executable,
            str(HERE / "inproc.py"),
            row.server.app_kind,
            row.server.target,
            row.path,
        ]
        self.proc = subprocess.Popen(
            pinned(argv, 0),
            cwd=HERE,
            env=child_env(row.server.variant),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )

    def ask(self, command: str) -> dict[str, Any]:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(
                f"in-process worker died on {command!r} (see its stderr above)"
            )
        return json.loads(line)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            assert self.proc.stdin
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def measure_inproc(system: System, results: dict[str, Result], args: Any) -> None:
    rows = [row for row in system.rows if not results[row.label].note]
    for r in range(args.inproc_rounds):
        # Fresh workers every round: one process's memory layout (its hash
        # seed, its addresses) moves its CPU per request by up to 10%, a bias
        # a row measured in one process would carry whole.
        workers: dict[str, Worker] = {}
        try:
            for row in rows:
                workers[row.label] = Worker(row)
            for row in rows:
                w = workers[row.label]
                what = f"in-process {system.key} / {row.label}"
                first = w.ask("check")
                check_body(first["status"], first["body"], what)
                w.ask(f"time {max(50, args.requests // 2)}")  # warm-up
                check_teardown(lambda w=w: w.ask("check")["stats"], what)
            per: dict[str, float] = {}
            for row in interleaved(rows, r):
                reply = workers[row.label].ask(f"time {args.requests}")
                per[row.label] = reply["cpu"] / args.requests * 1e6
            for row in rows:
                results[row.label].inproc_us.append(per[row.label])
                if row.base and row.base in per:
                    results[row.label].inproc_extra.append(
                        per[row.label] - per[row.base]
                    )
            if r == args.inproc_rounds - 1:
                for row in rows:
                    n = max(100, args.requests // 4)
                    results[row.label].gc_per_request = (
                        workers[row.label].ask(f"gc {n}")["gc"] / n
                    )
        finally:
            for w in workers.values():
                w.stop()


# -- report ------------------------------------------------------------------------


def _v(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "-"


def parameters(args: Any) -> list[str]:
    wrk = shutil.which("wrk")
    wrk_version = "-"
    if wrk:
        out = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout
        wrk_version = out.split()[1] if out.split()[1:] else "?"
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    pkgs = (
        "fastapi-everywhere",
        "fastapi",
        "starlette",
        "pydantic",
        "django",
        "flask",
        "werkzeug",
        "gunicorn",
        "uvicorn",
        "a2wsgi",
        "wireup",
        "dishka",
        "svcs",
    )
    pin = (
        "server and in-process workers on core 0, wrk on 1 (taskset)"
        if pinned([], 0)
        else "not pinned (no taskset)"
    )
    return [
        f"date {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; {platform.node()}; {cpu}; {os.cpu_count()} cores; {pin}",
        f"Python {platform.python_version()}; wrk {wrk_version}; "
        + ", ".join(f"{p} {_v(p)}" for p in pkgs)
        + f"; commit {commit or '?'}",
        f"wrk -t1 -c{args.connections} -d{args.duration:g}s after a {args.warmup:g}s warm-up per row, {args.rounds} rounds interleaved; "
        f"in-process {args.inproc_rounds} rounds x {args.requests} requests",
    ]


def _med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def _spread(xs: list[float]) -> str:
    """The interquartile range of per-round differences (from 4 rounds)."""
    if len(xs) < 4:
        return ""
    q1, _, q3 = statistics.quantiles(xs, n=4)
    return f" ({q1:+.0f}..{q3:+.0f})"


def report(
    systems: list[System], results: dict[str, dict[str, Result]], args: Any
) -> str:
    lines = [
        f"# bench/server — {p}" if i == 0 else f"#   {p}"
        for i, p in enumerate(parameters(args))
    ]
    lines.append("")
    head = [
        "system",
        "row",
        "req/s",
        "x hand",
        "x FastAPI",
        "p50 ms",
        "p99 ms",
        "server CPU µs/req",
        "in-proc CPU µs/req",
        "in-proc vs hand (IQR)",
        "gc objs/req",
    ]
    lines.append("| " + " | ".join(head) + " |")
    lines.append(
        "|" + "|".join("---" if i < 2 else "---:" for i in range(len(head))) + "|"
    )
    for system in systems:
        for row in system.rows:
            res = results[system.key][row.label]
            if res.note:
                lines.append(
                    f"| {system.key} | {row.label} | n/a: {res.note} |"
                    + " |" * (len(head) - 3)
                )
                continue
            cells = [system.key, row.label]
            if res.samples:
                rps = _med([s.rps for s in res.samples])
                cells += [
                    f"{rps:,.0f}",
                    f"{_med(res.ratios):.2f}"
                    if res.ratios
                    else ("1.00" if row.base is None else ""),
                    f"{_med(res.refs):.2f}" if res.refs else "",
                    f"{_med([s.p50_ms for s in res.samples]):.2f}",
                    f"{_med([s.p99_ms for s in res.samples]):.2f}",
                    f"{_med([s.cpu_us for s in res.samples]):,.0f}",
                ]
                if any(s.errors for s in res.samples):
                    cells[2] += f" ({sum(s.errors for s in res.samples)} errors)"
            else:
                cells += ["-"] * 6
            if res.inproc_us:
                extra = _med(res.inproc_extra) if res.inproc_extra else None
                cells += [
                    f"{_med(res.inproc_us):.0f}",
                    "-"
                    if extra is None
                    else f"{extra:+.1f} µs{_spread(res.inproc_extra)}",
                    f"{res.gc_per_request:.1f}"
                    if res.gc_per_request is not None
                    else "",
                ]
            else:
                cells += ["-", "-", "-"]
            lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for system in systems:
        lines.append(f"{system.key}: {system.title}")
    for system in systems:
        for row in system.rows:
            res = results[system.key][row.label]
            if res.unclosed:
                lines.append(
                    f"TEARDOWN: {system.key} / {row.label}: {res.unclosed} connection(s) never "
                    "closed, from requests in flight when wrk hung up at the end of a run"
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        default=env("BENCH_SERVER_QUICK") == "1",
        help="1 s runs, 1 round (a smoke test)",
    )
    parser.add_argument(
        "--systems",
        default=env("BENCH_SERVER_SYSTEMS", ""),
        help="comma-separated: " + ",".join(s.key for s in _systems()),
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=float(env("BENCH_SERVER_DURATION", "5")),
        help="seconds per wrk run",
    )
    parser.add_argument(
        "--rounds", type=int, default=int(env("BENCH_SERVER_ROUNDS", "3"))
    )
    parser.add_argument(
        "--connections", type=int, default=int(env("BENCH_SERVER_CONNECTIONS", "8"))
    )
    parser.add_argument(
        "--requests", type=int, default=2000, help="in-process requests per round"
    )
    parser.add_argument(
        "--no-server",
        action="store_true",
        help="only the in-process table (no wrk needed)",
    )
    parser.add_argument("--no-inproc", action="store_true", help="only the servers")
    parser.add_argument(
        "--inproc-rounds",
        type=int,
        default=int(env("BENCH_SERVER_INPROC_ROUNDS", "30")),
        help="interleaved in-process rounds (the median is shown)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.rounds, args.requests = 1.0, 1, 200
        args.inproc_rounds = 1
    args.warmup = min(2.0, args.duration)

    systems = _systems()
    if args.systems:
        wanted = [s.strip() for s in args.systems.split(",") if s.strip()]
        unknown = set(wanted) - {s.key for s in systems}
        if unknown:
            parser.error(
                f"unknown systems {sorted(unknown)}; known: {[s.key for s in systems]}"
            )
        systems = [s for s in systems if s.key in wanted]
    if not args.no_server and not shutil.which("wrk"):
        print(
            "bench-server: wrk is not installed (Debian package `wrk`; `make bench-server` installs it), or pass --no-server",
            file=sys.stderr,
        )
        return 2

    results: dict[str, dict[str, Result]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp:
        for system in systems:
            results[system.key] = {
                row.label: Result(note=available(row)) for row in system.rows
            }
            print(f"== {system.key}: {system.title}", file=sys.stderr, flush=True)
            if not args.no_server:
                measure_servers(system, results[system.key], args, Path(tmp))
            if not args.no_inproc:
                measure_inproc(system, results[system.key], args)
    print(report(systems, results, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
