"""Hostile input (issue 9): zip bombs' peak memory, former quadratic cases' wall time.

Each zip bomb is parsed in its own subprocess (peak RSS = that process's ru_maxrss); the quadratic
cases run here at 100,000 items (the issue's figures for the old code: 94 s, 224 s, ~2.7 h, 75 s,
65 s). Run: `.venv/bin/python benchmarks/bench_hostile.py` -> benchmarks/results/hostile.json
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import write_result  # noqa: E402


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def raw_zip(entries: list[tuple[str, int, int, bytes]]) -> bytes:
    """A zip of (name, crc32, uncompressed size, raw deflate data): compress once, copy many."""
    out, central = bytearray(), bytearray()
    for name, crc, size, data in entries:
        encoded = name.encode()
        offset = len(out)
        out += (
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                20,
                0,
                8,
                0,
                0x5821,
                crc,
                len(data),
                size,
                len(encoded),
                0,
            )
            + encoded
            + data
        )
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            8,
            0,
            0x5821,
            crc,
            len(data),
            size,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += encoded
    eocd = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(out), 0
    )
    return bytes(out + central + eocd)


def _entry(name: str, payload: bytes) -> tuple[str, int, int, bytes]:
    return name, zlib.crc32(payload), len(payload), _deflate(payload)


def wide_bomb(path: Path) -> dict:
    """2,000 page entries declaring ~10 GiB (5 MiB of text each), about 10 MiB on disk."""
    name, crc, size, data = _entry("x", (b"lorem ipsum dolor sit amet " * 40 + b"\n") * 4854)
    entries = [(f"Page {i:032x}.md", crc, size, data) for i in range(2000)]
    path.write_bytes(raw_zip(entries))
    return {"entries": 2000, "declared_bytes": size * 2000, "zip_bytes": path.stat().st_size}


def nested_bomb(path: Path) -> dict:
    """zip of 5 zips of 16 zips of 16 pages of 64 MiB: 80 GiB of leaves in a few KiB."""
    leaf = _entry("x", b"a" * (64 << 20))
    inner = raw_zip([(f"Leaf {i:032x}.md", *leaf[1:]) for i in range(16)])
    middle = raw_zip([(f"Inner-{i}.zip", *_entry("x", inner)[1:]) for i in range(16)])
    outer = raw_zip([(f"Middle-{i}.zip", *_entry("x", middle)[1:]) for i in range(5)])
    path.write_bytes(outer)
    return {"declared_leaf_bytes": 5 * 16 * 16 * (64 << 20), "zip_bytes": path.stat().st_size}


_CHILD = """
import json, resource, sys, time
from pathlib import Path
from secondbrain_assets.core.notion import parse_export
start = time.perf_counter()
result = parse_export(Path(sys.argv[1]))
print(json.dumps({
    "seconds": round(time.perf_counter() - start, 2),
    "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    "documents": len(result.documents), "text_bytes_read": result.bytes_read,
    "problems": len(result.problems),
    "stopped_by_budget": any("zip bomb" in p.message for p in result.problems),
}))
"""


def run_bomb(path: Path) -> dict:
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return round(time.perf_counter() - start, 3)


def quadratic_cases(tmp: Path) -> dict:
    from secondbrain_assets.core.crawl.crawler import CrawlItem, _group
    from secondbrain_assets.core.notion import parse_export
    from secondbrain_assets.core.notion.links import extract_links
    from secondbrain_assets.core.notion.pages import parse_page
    from secondbrain_assets_tests.core.notion.notion_factory import write_zip

    n = 100_000
    links = "".join(f"[x](m{i}.md)\n" for i in range(n))
    export = write_zip(tmp / "links.zip", {f"Hub {'0' * 31}1.md": f"# Hub\n\n{links}".encode()})
    items = [CrawlItem("https://example.org/a", f"d{i % 7}", f"anchor {i}") for i in range(n)]
    return {
        "title_150000_spaces_s": _timed(parse_page, "# a" + " " * 150_000 + "b\n", "f", False),
        "bare_url_4mb_dots_s": _timed(extract_links, "http://x.org/a" + "." * 4_000_000, "p.md"),
        "bare_url_4mb_parens_s": _timed(extract_links, "http://x.org/a" + ")" * 4_000_000, "p"),
        "links_to_100000_missing_pages_s": _timed(parse_export, export),
        "one_url_100000_anchor_texts_s": _timed(_group, items),
        "old_code_s_from_issue_9": {
            "title": 94,
            "dots": 224,
            "parens": 9720,
            "links": 75,
            "anchors": 65,
        },
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        wide, nested = tmp / "wide.zip", tmp / "nested.zip"
        result = {
            "wide_bomb": {**wide_bomb(wide), **run_bomb(wide)},
            "nested_bomb": {**nested_bomb(nested), **run_bomb(nested)},
            "quadratic_at_100000": quadratic_cases(tmp),
        }
    path = write_result("hostile", result)
    print(json.dumps(result, indent=2))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
