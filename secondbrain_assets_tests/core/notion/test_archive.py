"""Hostile and broken exports: each problem is named, the rest of the export survives."""

from __future__ import annotations

import io
import os
import struct
import zipfile
from pathlib import Path

from secondbrain_assets.core.notion import Limits, parse_export
from secondbrain_assets.core.notion.archive import iter_export, safe_name
from secondbrain_assets_tests.core.notion.notion_factory import (
    CHILD_ID,
    ROOT_ID,
    write_folder,
    write_zip,
    zip_bytes,
)

GOOD = {f"Good {ROOT_ID}.md": b"# Good\n\nkept"}


def _ids(result) -> set[str]:
    return {d.doc_id for d in result.documents}


def test_safe_name_rejects_escapes() -> None:
    assert safe_name("a/./b\\c.md") == "a/b/c.md"
    for bad in ("../x.md", "a/../../x.md", "/etc/passwd.md", "C:\\x.md", "a/..", ""):
        assert safe_name(bad) is None, bad


def test_path_traversal_entries_are_skipped_with_a_problem(tmp_path: Path) -> None:
    files = {**GOOD, f"../evil {CHILD_ID}.md": b"# evil", f"/abs {CHILD_ID}.md": b"# abs"}
    result = parse_export(write_zip(tmp_path / "e.zip", files))
    assert _ids(result) == {ROOT_ID}
    assert sorted(p.path for p in result.problems) == [
        f"e.zip:../evil {CHILD_ID}.md",
        f"e.zip:/abs {CHILD_ID}.md",
    ]
    assert all("unsafe path" in p.message for p in result.problems)


def test_zip_bomb_stops_at_the_total_budget(tmp_path: Path) -> None:
    zeros = b"0" * (2 << 20)  # 2 MiB each, a few KB compressed
    files = {**GOOD, **{f"Bomb {i:032x}.md": zeros for i in range(10, 30)}}
    path = write_zip(tmp_path / "bomb.zip", files)
    assert path.stat().st_size < 200_000
    limits = Limits(max_text_bytes=4 << 20, max_total_bytes=8 << 20)
    result = parse_export(path, limits)
    assert ROOT_ID in _ids(result) and len(result.documents) <= 5
    assert any("zip bomb" in p.message for p in result.problems)


def test_lying_size_header_reads_no_more_than_declared(tmp_path: Path) -> None:
    # Patch the central directory to declare 10 bytes for a 1 MiB entry: zipfile stops at the
    # declared size, the CRC check fails, and the entry is reported instead of inflated.
    data = bytearray(zip_bytes({**GOOD, f"Liar {CHILD_ID}.md": b"# Liar\n" + b"x" * (1 << 20)}))
    cd = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, cd + 24, 10)
    path = tmp_path / "liar.zip"
    path.write_bytes(bytes(data))
    result = parse_export(path)
    assert _ids(result) == {ROOT_ID}
    assert [p.path for p in result.problems] == [f"liar.zip:Liar {CHILD_ID}.md"]


def test_per_file_limit_counts_decompressed_bytes(tmp_path: Path) -> None:
    files = {**GOOD, f"Huge {CHILD_ID}.md": b"# Huge\n" + b"word " * 400_000}
    path = write_zip(tmp_path / "e.zip", files)
    entries, problems = iter_export(path, Limits(max_text_bytes=1000))
    huge = next(e for e in entries if e.path.startswith("Huge"))
    assert huge.truncated and len(huge.data) <= 1000
    assert "truncated" in problems[0].message


def test_too_many_entries_and_too_deep_nesting(tmp_path: Path) -> None:
    many = {f"P {i:032x}.md": b"# p\n\nx" for i in range(20)}
    result = parse_export(write_zip(tmp_path / "many.zip", many), Limits(max_entries=5))
    assert len(result.documents) == 5
    assert "more than 5 files" in result.problems[0].message
    deep = zip_bytes(GOOD)
    for level in range(4):
        deep = zip_bytes({f"level{level}.zip": deep})
    nested = write_zip(tmp_path / "deep.zip", {f"Top {CHILD_ID}.md": b"# Top\n\nx", "d.zip": deep})
    result = parse_export(nested, Limits(max_depth=3))
    assert _ids(result) == {CHILD_ID}
    assert "nested deeper than 3" in result.problems[0].message


def test_corrupt_nested_zip_is_skipped_and_the_rest_kept(tmp_path: Path) -> None:
    broken = zip_bytes({f"Lost {CHILD_ID}.md": b"# Lost"})[:-30]
    path = write_zip(
        tmp_path / "Export-x.zip",
        {"Export-x-Part-1.zip": zip_bytes(GOOD), "Export-x-Part-2.zip": broken},
    )
    result = parse_export(path)
    assert _ids(result) == {ROOT_ID}
    assert result.problems[0].path == "Export-x.zip:Export-x-Part-2.zip"
    assert "corrupt nested zip" in result.problems[0].message


def test_corrupt_entry_crc_is_skipped(tmp_path: Path) -> None:
    other = f"Other {CHILD_ID}.md"
    data = bytearray(zip_bytes({**GOOD, other: b"# Other\n\nsome text"}, zipfile.ZIP_STORED))
    pos = data.find(b"some text")
    data[pos] ^= 0xFF
    path = tmp_path / "crc.zip"
    path.write_bytes(bytes(data))
    result = parse_export(path)
    assert _ids(result) == {ROOT_ID}
    assert result.problems[0].path == f"crc.zip:{other}"


def test_symlinks_are_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("# Secret\n\npassword")
    root = write_folder(tmp_path / "Export-f", GOOD)
    os.symlink(secret, root / f"Link {CHILD_ID}.md")
    result = parse_export(root)
    assert _ids(result) == {ROOT_ID}
    assert "symbolic link" in result.problems[0].message
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(next(iter(GOOD)), GOOD[next(iter(GOOD))])
        info = zipfile.ZipInfo(f"Link {CHILD_ID}.md")
        info.external_attr = 0o120777 << 16
        zf.writestr(info, "/etc/passwd")
    (tmp_path / "l.zip").write_bytes(buf.getvalue())
    result = parse_export(tmp_path / "l.zip")
    assert _ids(result) == {ROOT_ID} and "symbolic link" in result.problems[0].message


def test_attachments_are_listed_not_read(tmp_path: Path) -> None:
    files = {**GOOD, f"Good {ROOT_ID}/video.mp4": b"\x00" * 5000}
    entries, problems = iter_export(write_zip(tmp_path / "e.zip", files))
    video = next(e for e in entries if e.path.endswith("mp4"))
    assert video.data is None and video.size == 5000 and problems == []
