"""Load time of the code location against `import dagster` alone, alternated in one run.

Every Dagster step process re-loads the code location, so this is paid per step. "Load" is
importing `secondbrain_assets.definitions` and calling `defs()`, which imports every module of
`defs/` through Dagster's folder autoloading, as `dagster dev` and each step do. A third timing
imports the same modules by hand, without the autoloading, to show what the autoloading itself
costs. Goal (issues 2 and 8): load minus `import dagster` stays under 0.5 s.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from _common import machine, write_result

ROUNDS = 7
HEAVY = (
    "torch",
    "transformers",
    "crawl4ai",
    "datasets",
    "trafilatura",
    "playwright",
    "trl",
    "peft",
)
STATEMENTS = {
    "dagster": "import dagster",
    "modules": (
        "import importlib, pkgutil, secondbrain_assets.defs as d; "
        "[importlib.import_module(f'{d.__name__}.{m.name}') "
        "for m in pkgutil.iter_modules(d.__path__)]"
    ),
    "load": "from secondbrain_assets.definitions import defs; defs()",
}
PROBE = "import sys; {stmt}; print(','.join(m for m in {heavy} if m in sys.modules))"


def _time(stmt: str) -> tuple[float, str]:
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(stmt=stmt, heavy=HEAVY)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return time.perf_counter() - started, out


def main() -> None:
    _time(STATEMENTS["load"])  # warm the disk cache and .pyc files
    load_before = machine()["loadavg_1m"]
    times: dict[str, list[float]] = {name: [] for name in STATEMENTS}
    heavy = ""
    for _ in range(ROUNDS):
        for name, stmt in STATEMENTS.items():  # interleaved, so load changes hit all three
            elapsed, found = _time(stmt)
            times[name].append(elapsed)
            heavy = found if name == "load" else heavy
    median = {name: statistics.median(values) for name, values in times.items()}
    base, ours = median["dagster"], median["load"]
    print(f"load average: {load_before} before, {machine()['loadavg_1m']} after")
    print(f"import dagster                              median {base:.3f} s")
    print(f"import every defs/ module by hand           median {median['modules']:.3f} s")
    print(f"load the code location (defs(), autoload)   median {ours:.3f} s")
    print(f"difference {ours - base:+.3f} s (goal < 0.5 s), ratio {ours / base:.2f}x")
    print(f"of which Dagster's folder autoloading {ours - median['modules']:+.3f} s")
    print(f"heavy modules imported: {heavy or 'none'}")
    write_result(
        "import",
        {
            "rounds": ROUNDS,
            "loadavg_1m_before": load_before,
            "dagster_s": times["dagster"],
            "modules_by_hand_s": times["modules"],
            "definitions_s": times["load"],
            "median_dagster_s": base,
            "median_modules_by_hand_s": median["modules"],
            "median_definitions_s": ours,
            "difference_s": ours - base,
            "ratio": ours / base,
            "autoload_s": ours - median["modules"],
            "heavy_modules_imported": heavy,
        },
    )


if __name__ == "__main__":
    main()
