"""Hostile exports from issue 9: no hang, no silent loss, bounded memory (each failed before)."""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from pathlib import Path

import pytest

from secondbrain_assets.core.notion import Limits, parse_export
from secondbrain_assets.core.notion.databases import read_table
from secondbrain_assets.core.notion.links import extract_links, strip_trailing
from secondbrain_assets.core.notion.pages import decode, parse_page
from secondbrain_assets_tests.core.notion.notion_factory import (
    CHILD_ID,
    DB_ID,
    ROOT_ID,
    write_folder,
    write_zip,
)

GOOD = {f"Good {ROOT_ID}.md": b"# Good\n\nkept"}


def _timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def test_fifo_named_like_a_page_is_skipped_not_read(tmp_path: Path) -> None:
    root = write_folder(tmp_path / "Export-f", GOOD)
    os.mkfifo(root / f"Pipe {CHILD_ID}.md")
    box: dict = {}
    worker = threading.Thread(target=lambda: box.update(r=parse_export(root)), daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "parse_export blocked on a FIFO"
    result = box["r"]
    assert {d.doc_id for d in result.documents} == {ROOT_ID}
    assert [p.path for p in result.problems] == [f"Pipe {CHILD_ID}.md"]
    assert "not a regular file" in result.problems[0].message


def _walk_as_nobody(root: Path) -> list[tuple[str, str]]:
    """parse_export's problems, computed in a forked child without root's read-anything power."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            os.close(read_fd)
            os.setgid(65534)
            os.setuid(65534)
            result = parse_export(root)
            payload = [(p.path, p.message) for p in result.problems]
            payload.append(("docs", ",".join(sorted(d.doc_id for d in result.documents))))
            os.write(write_fd, json.dumps(payload).encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd) as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    return [tuple(x) for x in json.loads(data)]


def test_unreadable_sub_folder_is_a_problem_not_a_silent_loss() -> None:
    base = Path(tempfile.mkdtemp(prefix="sb-perm-"))
    try:
        base.chmod(0o755)
        root = write_folder(
            base / "Export-p",
            {**GOOD, f"Good {ROOT_ID}/Hidden/Page {CHILD_ID}.md": b"# Hidden\n\nlost?"},
        )
        for d in (root, root / f"Good {ROOT_ID}"):
            d.chmod(0o755)
        (root / f"Good {ROOT_ID}" / "Hidden").chmod(0)
        if os.geteuid() == 0:
            problems = _walk_as_nobody(root)
        else:
            result = parse_export(root)
            problems = [(p.path, p.message) for p in result.problems]
        assert (f"Good {ROOT_ID}/Hidden",) == problems[0][:1]
        assert "unreadable folder" in problems[0][1] and "chmod" in problems[0][1]
    finally:
        (base / "Export-p" / f"Good {ROOT_ID}" / "Hidden").chmod(0o755)
        import shutil

        shutil.rmtree(base)


def test_title_line_with_150000_spaces_parses_in_linear_time() -> None:
    page, seconds = _timed(parse_page, "# a" + " " * 150_000 + "b\n\nbody", "f", False)
    assert seconds < 1.0
    assert page.title.startswith("a ") and page.title.endswith("b") and page.content == "body"
    assert parse_page("# Title ##  \n\nx", "f", False).title == "Title"


@pytest.mark.parametrize("tail", [".", ")"])
def test_bare_url_followed_by_4_mb_of_punctuation(tail: str) -> None:
    links, seconds = _timed(extract_links, "see http://example.org/a" + tail * 4_000_000, "p.md")
    assert seconds < 10.0  # was 224 s for '.' and hours for ')'
    assert links.urls() == ["http://example.org/a"]
    assert strip_trailing("https://en.wikipedia.org/wiki/A_(b))).") == (
        "https://en.wikipedia.org/wiki/A_(b)"
    )


def test_100000_links_to_missing_pages_resolve_in_linear_time(tmp_path: Path) -> None:
    body = "".join(f"[x](m{i}.md)\n" for i in range(100_000))
    path = write_zip(tmp_path / "e.zip", {f"Hub {ROOT_ID}.md": f"# Hub\n\n{body}".encode()})
    result, seconds = _timed(parse_export, path)
    assert seconds < 20.0  # was ~75 s
    assert len(result.documents[0].unresolved_links) == 100_000


def test_utf16_and_utf32_pages_and_csvs_with_bom(tmp_path: Path) -> None:
    page = "# Café\n\nnaïve text ✓\n"
    csv_text = "Name,Note\nÉté,ok\n"
    files = {
        f"Wide {ROOT_ID}.md": "\ufeff".encode("utf-16-le") + page.encode("utf-16-le"),
        f"Big {CHILD_ID}.md": page.encode("utf-16"),  # BOM + native order
        f"Db {DB_ID}.csv": "\ufeff".encode("utf-16-be") + csv_text.encode("utf-16-be"),
    }
    result = parse_export(write_zip(tmp_path / "u.zip", files))
    by_id = {d.doc_id: d for d in result.documents}
    assert by_id[ROOT_ID].title == "Café" and "\x00" not in by_id[ROOT_ID].content
    assert by_id[CHILD_ID].content == "naïve text ✓"
    assert by_id[DB_ID].properties["columns"] == "Name, Note"
    assert {d.title for d in result.documents if d.kind == "database_row"} == {"Été"}
    assert result.problems == []
    assert decode(page.encode("utf-32")) == (page, None)
    assert decode(page.encode("utf-16-le"))[0] == page  # no BOM: found by its NUL pattern


def test_csv_unterminated_quote_keeps_later_rows_and_says_so(tmp_path: Path) -> None:
    csv_text = 'Name,Notes\nA,"never closed\nB,two\nC,three\n'
    table = read_table(csv_text)
    assert [r["Name"] for r in table.rows] == ["A", "B", "C"]
    assert table.notes and "line 2" in table.notes[0] and "never closed" in table.notes[0]
    result = parse_export(write_zip(tmp_path / "q.zip", {f"Db {DB_ID}.csv": csv_text.encode()}))
    assert {d.title for d in result.documents if d.kind == "database_row"} == {"A", "B", "C"}
    assert any("quote is never closed" in p.message for p in result.problems)


def test_csv_cells_beyond_the_header_are_kept() -> None:
    table = read_table("Name,Status\nA,Done,extra1,extra2\nB,Todo\n")
    assert table.rows[0] == {
        "Name": "A",
        "Status": "Done",
        "column_3": "extra1",
        "column_4": "extra2",
    }
    assert "more cells than the 2 header columns" in table.notes[0]


def test_csv_of_4_mib_of_commas_is_bounded(tmp_path: Path) -> None:
    result = parse_export(write_zip(tmp_path / "c.zip", {f"Db {DB_ID}.csv": b"," * (4 << 20)}))
    db = result.documents[0]
    assert len(db.properties["columns"]) < 20_000 and len(db.content) < 100_000
    assert "columns after the first 1000 were dropped" in result.problems[0].message


def test_default_text_budget_is_one_gib_and_counts_only_text(tmp_path: Path) -> None:
    assert Limits().max_total_bytes == 1 << 30
    zeros = b"0" * (1 << 20)
    files = {**GOOD, **{f"Bomb {i:032x}.md": zeros for i in range(10, 20)}}
    result = parse_export(write_zip(tmp_path / "b.zip", files), Limits(max_total_bytes=4 << 20))
    assert len(result.documents) <= 5 and result.bytes_read <= 4 << 20
    assert any("zip bomb" in p.message and "raise the limit" in p.message for p in result.problems)
