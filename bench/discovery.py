"""auto_bindings start-up on a large code base: cold, cached, and ast=False.

Generates a package of MODULES modules (a few hundred lines of ordinary
classes and functions in most, an interface or an implementation in a few),
then times ``auto_bindings`` in a fresh interpreter each run (nothing
imported beforehand, as at a process start):

* no cache: every module's source is read and parsed;
* cold: the same, writing the cache file (the first start);
* cached: the cache file is valid, so no module is parsed again;
* ast=False: every module is imported instead.

    .venv/bin/python bench/discovery.py [--modules 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

INTERFACES = 50

FILLER = '''
class Record{i}(dict):
    """An ordinary class with a base that is not an interface."""

    def total(self) -> int:
        return sum(len(k) for k in self)


def helper_{i}(values: list[int]) -> int:
    acc = 0
    for v in values:
        if v % 3 == 0:
            acc += v * 2
        elif v % 5 == 0:
            acc -= v
        else:
            acc += 1
    return acc
'''


def generate(root: Path, modules: int) -> int:
    """Write the package; return how many interfaces it implements."""
    package = root / "bigapp"
    per_feature = 20
    features = modules // per_feature
    interfaces = min(INTERFACES, features)
    (package / "ports").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    ports = ["from fastapi_everywhere import RegistrableDependency\n"]
    ports += [
        f"class IPort{n}(RegistrableDependency): ...\n" for n in range(interfaces)
    ]
    (package / "ports" / "__init__.py").write_text("\n".join(ports))
    written = 1
    for f in range(features):
        feature = package / f"feature{f}"
        feature.mkdir()
        (feature / "__init__.py").write_text("")
        written += 1
        for m in range(per_feature - 1):
            if written >= modules:
                break
            body = "".join(FILLER.format(i=i) for i in range(8))
            if m == 0 and f < interfaces:
                body += f"\nfrom bigapp.ports import IPort{f}\n\nclass Port{f}(IPort{f}): ...\n"
            (feature / f"mod{m}.py").write_text(body)
            written += 1
    return interfaces


def run_once(root: Path, ast: bool, cache: Path | None, interfaces: int) -> float:
    code = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(root)!r})
        from fastapi_everywhere import auto_bindings
        start = time.perf_counter()
        bindings = auto_bindings("bigapp", ast={ast}, cache_file={str(cache) if cache else None!r})
        elapsed = time.perf_counter() - start
        assert len(bindings) == {interfaces}, len(bindings)
        print(elapsed)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        interfaces = generate(root, args.modules)
        cache = root / "cache" / "auto_bindings.json"
        rows: dict[str, list[float]] = {
            "no cache": [],
            "cold": [],
            "cached": [],
            "ast=False": [],
        }
        for _ in range(args.runs):
            rows["no cache"].append(run_once(root, True, None, interfaces))
            cache.unlink(missing_ok=True)
            rows["cold"].append(run_once(root, True, cache, interfaces))
            rows["cached"].append(run_once(root, True, cache, interfaces))
            rows["ast=False"].append(run_once(root, False, None, interfaces))
        print(
            f"auto_bindings on {args.modules} modules ({interfaces} interfaces), "
            f"median of {args.runs} fresh processes"
        )
        for name, times in rows.items():
            print(f"  {name:<10} {statistics.median(times) * 1000:8.1f} ms")
        cold = statistics.median(rows["cold"])
        cached = statistics.median(rows["cached"])
        print(f"  cached / cold: {cached / cold:.2f}")


if __name__ == "__main__":
    main()
