"""Notion export parsing throughput on a generated 5,000-page export.

    python benchmarks/bench_notion_parse.py [--pages 5000] [--repeat 3]

Compares, in one run, on the same export: the floor (just reading and decoding every .md/.csv
of the zip with zipfile, no parsing) against `parse_export` on the zip, the unzipped folder and a
zip of zips (Notion's `-Part-N.zip` layout). Each variant runs in a fresh process; peak memory
is the peak of Python allocations (tracemalloc) during one extra, untimed parse.
Writes benchmarks/results/notion_parse.json.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing as mp
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = [
    "model",
    "data",
    "pipeline",
    "asset",
    "partition",
    "training",
    "evaluation",
    "prompt",
    "latency",
    "token",
    "cache",
    "retrieval",
    "index",
    "vector",
    "schema",
    "backfill",
    "sensor",
]


def _paragraph(rng: random.Random, n_words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n_words)).capitalize() + "."


def generate(n_pages: int, seed: int = 7) -> dict[str, bytes]:
    """A workspace of `n_pages` pages in a tree (fan-out 8), 10% of them database rows."""
    rng = random.Random(seed)
    ids = [f"{rng.getrandbits(128):032x}" for _ in range(n_pages)]
    paths: list[str] = []
    files: dict[str, bytes] = {}
    n_rows = n_pages // 10
    n_plain = n_pages - n_rows
    for i in range(n_plain):
        parent = (i - 1) // 8 if i else None
        folder = paths[parent][:-3] if parent is not None else ""
        paths.append(f"{folder}/Page {i} {ids[i]}.md".lstrip("/"))
    db_id = f"{rng.getrandbits(128):032x}"
    db_base = f"{paths[0][:-3]}/Reading {db_id}"
    for i in range(n_plain, n_pages):
        paths.append(f"{db_base}/Row {i} {ids[i]}.md")
    for i, path in enumerate(paths):
        base = path.rsplit("/", 1)[0] if "/" in path else ""
        body = []
        for _ in range(rng.randint(3, 8)):
            words = _paragraph(rng, rng.randint(40, 90))
            target = paths[rng.randrange(n_pages)]
            rel = os.path.relpath(target, base or ".")
            body.append(
                f"{words} See [page]({quote(rel)}) and https://example.com/a/{rng.randrange(10**6)}."
            )
        props = "Status: Done\nTags: a, b\n\n" if i >= n_plain else ""
        files[path] = f"# Page {i}\n\n{props}" + "\n\n".join(body) + "\n"
        if i % 50 == 0:
            noise = bytes(rng.getrandbits(8) for _ in range(2000))
            files[f"{path[:-3]}/image.png"] = b"\x89PNG" + noise
    csv_rows = "\n".join(f"Page {i},Done,a" for i in range(n_plain, n_pages))
    files[f"{db_base}.csv"] = f"Name,Status,Tags\n{csv_rows}\n"
    files[f"{db_base}_all.csv"] = files[f"{db_base}.csv"]
    return {k: v if isinstance(v, bytes) else v.encode() for k, v in files.items()}


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _floor(path: str) -> int:
    n = 0
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if info.filename.endswith((".md", ".csv")):
                zf.read(info).decode("utf-8")
                n += 1
    return n


def _parse(path: str) -> int:
    from secondbrain_assets.core.notion import parse_export

    return len(parse_export(Path(path)).documents)


def _worker(kind: str, path: str, repeat: int, queue: mp.Queue) -> None:
    if kind != "floor":
        import secondbrain_assets.core.notion  # noqa: F401  (import cost not timed)
    fn = _floor if kind == "floor" else _parse
    times, count = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = fn(path)
        times.append(time.perf_counter() - start)
    # ru_maxrss survives fork+exec on Linux (it starts at the parent's size), so the peak of
    # Python allocations comes from tracemalloc, in an extra pass that is not timed.
    tracemalloc.start()
    fn(path)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    queue.put(
        {
            "seconds_median": statistics.median(times),
            "seconds_min": min(times),
            "items": count,
            "peak_traced_mb": traced_peak / 1e6,
            "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def run(kind: str, path: Path, repeat: int) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_worker, args=(kind, str(path), repeat, queue))
    proc.start()
    out = queue.get()
    proc.join()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = generate(args.pages)
    text_mb = sum(len(v) for k, v in files.items() if k.endswith((".md", ".csv"))) / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        flat = tmp_path / "Export-bench.zip"
        flat.write_bytes(_zip(files))
        names = sorted(files)
        half = len(names) // 2
        nested = tmp_path / "Export-nested.zip"
        nested.write_bytes(
            _zip(
                {
                    "Export-nested-Part-1.zip": _zip({n: files[n] for n in names[:half]}),
                    "Export-nested-Part-2.zip": _zip({n: files[n] for n in names[half:]}),
                }
            )
        )
        folder = tmp_path / "Export-folder"
        for name, data in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        variants = {
            "floor: zipfile read+decode": ("floor", flat),
            "parse_export zip": ("parse", flat),
            "parse_export folder": ("parse", folder),
            "parse_export zip of zips": ("parse", nested),
        }
        results = {name: run(kind, path, args.repeat) for name, (kind, path) in variants.items()}
    floor_s = results["floor: zipfile read+decode"]["seconds_median"]
    print(f"{args.pages} pages, {text_mb:.1f} MB of text, load {os.getloadavg()[0]:.2f}")
    header = ("variant", "s (median)", "pages/s", "MB/s", "x floor", "peak MB")
    print("peak MB: peak of Python allocations during one parse (tracemalloc)")
    print("{:28} {:>10} {:>9} {:>7} {:>8} {:>8}".format(*header))
    for name, r in results.items():
        r["pages_per_s"] = args.pages / r["seconds_median"]
        r["mb_per_s"] = text_mb / r["seconds_median"]
        r["ratio_to_floor"] = r["seconds_median"] / floor_s
        print(
            f"{name:28} {r['seconds_median']:10.3f} {r['pages_per_s']:9.0f} {r['mb_per_s']:7.1f} "
            f"{r['ratio_to_floor']:8.2f} {r['peak_traced_mb']:8.1f}"
        )
    out = ROOT / "benchmarks" / "results" / "notion_parse.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "pages": args.pages,
                "text_mb": text_mb,
                "repeat": args.repeat,
                "loadavg_1m": os.getloadavg()[0],
                "cpu_count": os.cpu_count(),
                "results": results,
            },
            indent=2,
        )
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
