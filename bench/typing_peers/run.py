"""Run the peer typing cases under mypy --strict and pyright strict; print a table.

Needs a venv with the peers (see docs/typing.md): not run by the test suite.
Each peer_*.py marks lines ``# CASE name``. "result" and "omit" pass when the
checker reports nothing on the line (and, for "result", the type is not Any:
checked with ``--disallow-any-expr`` off, so read from reveal below); the
error cases pass when the checker reports an error there.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent
FILES = sorted(HERE.glob("peer_*.py"))
CASES = ["result", "omit", "wrong", "missing", "unknown"]
WANT_ERROR = {"wrong", "missing", "unknown"}


def case_lines(path):
    out = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        m = re.search(r"# CASE (\w+)", line)
        if m:
            out[n] = m.group(1)
    return out


def mypy_errors():
    cmd = [str(BIN / "mypy"), "--strict", "--no-incremental", "--warn-return-any"]
    res = subprocess.run([*cmd, *map(str, FILES)], capture_output=True, text=True)
    errs = set()
    for line in res.stdout.splitlines():
        m = re.match(r"(.+?):(\d+): error", line)
        if m:
            errs.add((Path(m.group(1)).name, int(m.group(2))))
    return errs


def pyright_errors():
    cmd = [str(BIN / "pyright"), "--outputjson", "--pythonpath", sys.executable]
    res = subprocess.run([*cmd, *map(str, FILES)], capture_output=True, text=True)
    errs = set()
    for d in json.loads(res.stdout)["generalDiagnostics"]:
        if d["severity"] == "error" and d.get("rule") != "reportUnusedExpression":
            errs.add((Path(d["file"]).name, d["range"]["start"]["line"] + 1))
    return errs


def main():
    results = {"mypy": mypy_errors(), "pyright": pyright_errors()}
    print("| library | checker | " + " | ".join(CASES) + " |")
    print("|---|---|" + "---|" * len(CASES))
    for path in FILES:
        lines = {v: k for k, v in case_lines(path).items()}
        for checker, errs in results.items():
            cells = []
            for case in CASES:
                erred = (path.name, lines[case]) in errs
                cells.append("yes" if erred == (case in WANT_ERROR) else "**no**")
            print(f"| {path.stem[5:]} | {checker} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
