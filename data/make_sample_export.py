"""Build the sample Notion export in `data/notion/` from `sample_workspace.py`, byte-stable.

    python data/make_sample_export.py            # writes data/notion/Export-<uuid>.zip
    python data/make_sample_export.py --out DIR  # somewhere else (tests, benchmarks)

The layout copies Notion's "Markdown & CSV" export: `Title <32-hex id>.md` files, sub-pages in a
folder of the same name, a database as `Title <id>.csv` + `_all.csv` with its rows as pages
(`Key: value` block under the title), URL-encoded relative links, an image attachment, and the
whole thing wrapped as `Export-<uuid>.zip` holding `Export-<uuid>-Part-1.zip`, as Notion does.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import posixpath
import re
import struct
import sys
import zipfile
import zlib
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sample_workspace import PAGES, READING_COLUMNS, READING_ROWS  # noqa: E402

EXPORT_UUID = "2f6c1d0e-5a3b-4c8d-9e7f-1a2b3c4d5e6f"
EXPORT_NAME = f"Export-{EXPORT_UUID}.zip"
_FIXED_TIME = (2024, 3, 12, 9, 30, 0)
_LINK = re.compile(r"\[\[(db:)?([\w-]+)(?:\|([^\]]+))?\]\]")


def page_id(key: str) -> str:
    return hashlib.md5(f"secondbrain-sample:{key}".encode()).hexdigest()


def _png(width: int = 8, height: int = 8) -> bytes:
    """A tiny valid PNG (a blue square), built without any imaging library."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + tag
            + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\x30\x60\xc0" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def build_files() -> dict[str, bytes]:
    """Export path -> bytes, for every file of the sample export."""
    parents = {key: parent for key, _, parent, _ in PAGES}
    titles = {key: title for key, title, _, _ in PAGES}

    def folder(key: str | None) -> str:
        parts = []
        while key is not None:
            parts.append(f"{titles[key]} {page_id(key)}")
            key = parents.get(key)
        return "/".join(reversed(parts))

    def join(*parts: str) -> str:
        return "/".join(p for p in parts if p)

    paths = {key: join(folder(parents[key]), f"{titles[key]} {page_id(key)}.md") for key in titles}
    db_dir = join(folder("home"), f"Reading List {page_id('reading')}")
    paths["db:reading"] = f"{db_dir}.csv"
    rows = [(f"row:{title}", title, props, body) for title, props, body in READING_ROWS]
    for key, title, _, body in rows:
        titles[key] = title
        if body is not None:
            paths[key] = f"{db_dir}/{title.replace(':', '')} {page_id(key)}.md"

    def render(body: str, source: str) -> str:
        def link(m: re.Match[str]) -> str:
            key = f"db:{m[2]}" if m[1] else m[2]
            anchor = m[3] or titles.get(key, "Reading List")
            rel = posixpath.relpath(paths[key], posixpath.dirname(source) or ".")
            return f"[{anchor}]({quote(rel)})"

        return _LINK.sub(link, body).strip()

    files: dict[str, bytes] = {}
    for key, title, _, body in PAGES:
        text = render(body.replace("{id}", page_id(key)), paths[key])
        files[paths[key]] = f"# {title}\n\n{text}\n".encode()
    files[join(folder("rag"), "architecture.png")] = _png()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(READING_COLUMNS)
    for title, props, _ in READING_ROWS:
        writer.writerow([title] + [props.get(c, "") for c in READING_COLUMNS[1:]])
    files[paths["db:reading"]] = buf.getvalue().encode("utf-8-sig")  # Notion writes a BOM
    files[f"{db_dir}_all.csv"] = buf.getvalue().encode("utf-8-sig")
    for key, title, props, body in rows:
        if body is None:
            continue
        block = "\n".join(f"{c}: {props[c]}" for c in READING_COLUMNS[1:] if props.get(c))
        text = render(body, paths[key])
        files[paths[key]] = f"# {title}\n\n{block}\n\n{text}\n".rstrip().encode() + b"\n"
    return files


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name])
    return buf.getvalue()


def build_zip() -> bytes:
    """The export as Notion ships it: a zip holding one `-Part-1.zip`."""
    return _zip({f"Export-{EXPORT_UUID}-Part-1.zip": _zip(build_files())})


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "notion")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / EXPORT_NAME
    target.write_bytes(build_zip())
    print(f"wrote {target} ({target.stat().st_size} bytes, {len(build_files())} files)")
    return target


if __name__ == "__main__":
    main()
