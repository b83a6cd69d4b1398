"""notion_export_sensor tick time with 200 exports present.

Ticks measured: the first (hashes every export), an idle one (nothing changed), one after a
single export changed, and one after every export was touched (mtime only, same bytes).
"""

from __future__ import annotations

import os
import random
import tempfile
import time
import zipfile
from pathlib import Path

import dagster as dg
from _common import machine, write_result

EXPORTS = 200
PAGES_PER_EXPORT = 100
# Varied words so the zips are about as large as real exports of this size (~0.1 MB each).
VOCABULARY = [f"{stem}{n}" for stem in ("note", "idea", "llm", "data", "asset") for n in range(400)]


def _make_exports(root: Path) -> list[Path]:
    rng = random.Random(7)
    paths = []
    for index in range(EXPORTS):
        path = root / f"Export-{index:04d}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for page in range(PAGES_PER_EXPORT):
                words = " ".join(rng.choice(VOCABULARY) for _ in range(400))
                archive.writestr(
                    f"Page {page} {rng.getrandbits(128):032x}.md", f"# Page {page}\n\n{words}"
                )
        paths.append(path)
    old = time.time() - 3600
    for path in paths:
        os.utime(path, (old, old))
    return paths


def main() -> None:
    from secondbrain_assets.defs.sensors import notion_export_sensor

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "notion"
        root.mkdir()
        paths = _make_exports(root)
        os.environ.update(SECONDBRAIN_NOTION_DIR=str(root), SECONDBRAIN_SENSOR_SETTLE_SECONDS="0")
        instance = dg.DagsterInstance.ephemeral()
        cursor, timings = None, {}

        def tick(label: str) -> int:
            nonlocal cursor
            started = time.perf_counter()
            result = notion_export_sensor(dg.build_sensor_context(instance=instance, cursor=cursor))
            timings[label] = time.perf_counter() - started
            for request in result.dynamic_partitions_requests or []:
                instance.add_dynamic_partitions(
                    request.partitions_def_name, list(request.partition_keys)
                )
            cursor = result.cursor
            return len(result.run_requests)

        runs = {"first": tick("first"), "idle": tick("idle")}
        with zipfile.ZipFile(paths[17], "a") as archive:
            archive.writestr("New page 00000000000000000000000000000001.md", "# New")
        os.utime(paths[17], (time.time() - 60,) * 2)
        runs["one_changed"] = tick("one_changed")
        for path in paths:
            os.utime(path, None)
        runs["all_touched"] = tick("all_touched")
        size_mb = sum(p.stat().st_size for p in paths) / 1e6

    print(f"load: {machine()['loadavg_1m']}; {EXPORTS} exports, {size_mb:.1f} MB of zips")
    for label, seconds in timings.items():
        print(f"{label:<12} {seconds * 1000:8.1f} ms  run requests: {runs[label]}")
    write_result("sensor", {"exports": EXPORTS, "zip_mb": size_mb, "tick_s": timings, "runs": runs})


if __name__ == "__main__":
    main()
