"""Load time of the code location against `import dagster` alone, alternated in one run.

Every Dagster step process re-loads the code location, so this is paid per step. "Load" is
importing `secondbrain_assets.definitions` and calling `defs()`, which imports every module of
`defs/` (the autoloading), as Dagster does. Goal (issues 2 and 8): the difference stays under 0.5 s.
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
LOAD = "from secondbrain_assets.definitions import defs; defs()"
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
    _time(LOAD)  # warm the disk cache and .pyc files
    dagster_times, ours_times, heavy = [], [], ""
    for _ in range(ROUNDS):
        dagster_times.append(_time("import dagster")[0])
        elapsed, heavy = _time(LOAD)
        ours_times.append(elapsed)
    base, ours = statistics.median(dagster_times), statistics.median(ours_times)
    print(f"load: {machine()['loadavg_1m']}")
    print(f"import dagster                     median {base:.3f} s")
    print(f"load the code location (defs())    median {ours:.3f} s")
    print(f"difference {ours - base:+.3f} s (goal < 0.5 s), ratio {ours / base:.2f}x")
    print(f"heavy modules imported: {heavy or 'none'}")
    write_result(
        "import",
        {
            "rounds": ROUNDS,
            "dagster_s": dagster_times,
            "definitions_s": ours_times,
            "median_dagster_s": base,
            "median_definitions_s": ours,
            "difference_s": ours - base,
            "heavy_modules_imported": heavy,
        },
    )


if __name__ == "__main__":
    main()
