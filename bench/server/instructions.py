"""Instructions per request under valgrind's cachegrind: a measure that does not drift.

    python instructions.py wsgi|asgi MODULE:ATTR PATH [VARIANT ...]

For each variant (``BENCH_VARIANT``; default: hand, ours, wireup), runs the
in-process caller (``inproc.py``) twice under ``valgrind --tool=cachegrind
--branch-sim=yes``, 200 warm-up requests (then ``gc.freeze()``) then 0 or
2,000 more, and prints the difference per request: instructions,
first-level cache misses (instruction, data) and mispredicted branches, as
cachegrind simulates them. Needs ``valgrind`` (a Debian package ``make system-deps`` installs);
a diagnostic, not part of ``make bench-server``.

Wall-clock CPU per request moves by a microsecond or two between processes
on a VM; instruction counts do not. The two disagree when the same number
of instructions runs more slowly: the cache-miss and misprediction columns
say where.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: Requests measured per variant (``BENCH_REQUESTS``; the smoke test uses few).
N = int(os.environ.get("BENCH_REQUESTS", "2000"))
#: cachegrind's summary line (a pattern) -> the column it fills.
EVENTS = {
    r"I\s+refs": "instructions",
    r"I1\s+misses": "I1 misses",
    r"D1\s+misses": "D1 misses",
    r"Mispredicts": "mispredicted",
}

_RUN = """
import gc, os, sys
sys.path.insert(0, {here!r})
import inproc
app = inproc._load({target!r})
caller = inproc.wsgi_caller if {kind!r} == "wsgi" else inproc.asgi_caller
call = caller(app, {path!r})
for _ in range(200):
    call()
# What the warm-up left goes to the permanent generation: a full collection
# of it landing in one run's window and not the other's would otherwise
# weigh thousands of instructions per request.
gc.collect()
gc.freeze()
for _ in range(int(os.environ["BENCH_N"])):
    call()
for stop in inproc._STOPS:
    stop()
"""


def _counts(kind: str, target: str, path: str, variant: str, n: int) -> dict[str, int]:
    code = _RUN.format(here=str(HERE), target=target, kind=kind, path=path)
    env = {**os.environ, "BENCH_VARIANT": variant, "BENCH_N": str(n)}
    env.setdefault("PYTHONHASHSEED", "0")
    done = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=yes",
            "--branch-sim=yes",
            "--cachegrind-out-file=/dev/null",
            sys.executable,
            "-c",
            code,
        ],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    counts: dict[str, int] = {}
    for line in done.stderr.splitlines():
        for label, name in EVENTS.items():
            found = re.search(rf"{label}:\s+([\d,]+)", line)
            if found and name not in counts:
                counts[name] = int(found.group(1).replace(",", ""))
    missing = set(EVENTS.values()) - set(counts)
    if missing:
        raise RuntimeError(
            f"no {sorted(missing)} in cachegrind's output:\n{done.stderr[-2000:]}"
        )
    return counts


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__)
        return 2
    if shutil.which("valgrind") is None:
        print("instructions.py: valgrind is not installed (apt install valgrind)")
        return 2
    kind, target, path, *variants = argv
    print(f"| {target} | " + " | ".join(EVENTS.values()) + " |")
    print("|---|" + "---:|" * len(EVENTS))
    for variant in variants or ["hand", "ours", "wireup"]:
        before = _counts(kind, target, path, variant, 0)
        after = _counts(kind, target, path, variant, N)
        cells = [f"{(after[k] - before[k]) / N:,.0f}" for k in EVENTS.values()]
        print(f"| {variant} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
