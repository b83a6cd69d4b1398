"""parse_export on real exports built in tmp dirs: zip, zip of zips and folder give one answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from secondbrain_assets.core.notion import Limits, NotionExportError, parse_export, to_frame
from secondbrain_assets.core.notion.pages import derived_id
from secondbrain_assets_tests.core.notion.notion_factory import (
    CHILD_ID,
    DB_ID,
    OTHER_ID,
    ROOT_ID,
    ROW_ID,
    basic_files,
    write_folder,
    write_zip,
    zip_bytes,
)


def _by_id(result):
    return {d.doc_id: d for d in result.documents}


def test_pages_ids_parents_titles_and_links(tmp_path: Path) -> None:
    result = parse_export(write_zip(tmp_path / "Export-1.zip", basic_files()))
    docs = _by_id(result)
    assert result.problems == []
    home, child = docs[ROOT_ID], docs[CHILD_ID]
    assert (home.title, home.parent_id, home.kind) == ("Home", None, "page")
    assert (child.title, child.parent_id) == ("Child Page", ROOT_ID)
    assert home.internal_links == [CHILD_ID, DB_ID]
    assert child.internal_links == [ROOT_ID]
    assert child.unresolved_links == [f"Home {ROOT_ID}/Missing {'9' * 32}.md"]
    assert sorted(home.external_links, key=lambda e: e["url"]) == [
        {"url": "https://example.com/a-post", "anchor": ""},
        {"url": "https://example.org/auto", "anchor": ""},
    ]
    article = {"url": "https://blog.example.com/x?y=1", "anchor": "an article"}
    assert child.external_links == [article]
    assert child.attachments == [f"Home {ROOT_ID}/Child Page {CHILD_ID}/diagram.png"]
    assert not home.content.startswith("# Home")
    assert docs[OTHER_ID].is_empty and not home.is_empty


def test_database_rows_merge_csv_and_markdown(tmp_path: Path) -> None:
    docs = _by_id(parse_export(write_zip(tmp_path / "e.zip", basic_files())))
    db, row = docs[DB_ID], docs[ROW_ID]
    assert (db.kind, db.title, db.parent_id) == ("database", "Reading", ROOT_ID)
    assert "| First Book | Done |" in db.content
    assert row.kind == "database_row" and row.parent_id == DB_ID
    # Rating only in the page block, URL only in the CSV (the `_all` variant wins).
    assert row.properties == {"Status": "Done", "Rating": "5", "URL": "https://books.example.com/1"}
    assert row.content == "Great book about: things."
    assert {"url": "https://books.example.com/1", "anchor": "First Book"} in row.external_links
    csv_only = docs[derived_id("notion-row", DB_ID, "Only In Csv", "1")]
    assert (csv_only.kind, csv_only.title) == ("database_row", "Only In Csv")
    assert csv_only.is_empty and csv_only.parent_id == DB_ID
    assert csv_only.properties == {"Status": "To read"}


def test_zip_folder_and_zip_of_zips_agree(tmp_path: Path) -> None:
    files = basic_files()
    names = sorted(files)
    part1 = {n: files[n] for n in names[: len(names) // 2]}
    part2 = {n: files[n] for n in names[len(names) // 2 :]}
    nested = write_zip(
        tmp_path / "Export-n.zip",
        {"Export-n-Part-1.zip": zip_bytes(part1), "Export-n-Part-2.zip": zip_bytes(part2)},
    )
    flat = parse_export(write_zip(tmp_path / "Export-f.zip", files))
    folder = parse_export(write_folder(tmp_path / "Export-d", files))
    nest = parse_export(nested)
    frames = [to_frame(r, "k").drop("path") for r in (flat, folder, nest)]
    assert frames[0].equals(frames[1]) and frames[0].equals(frames[2])
    assert nest.problems == []


def test_dashed_ids_and_duplicate_titles(tmp_path: Path) -> None:
    dashed = "1a2b3c4d-0000-4000-8000-00000000abcd"
    files = {
        f"A {ROOT_ID}/Inbox {CHILD_ID}.md": b"# Inbox\n\none",
        f"B {OTHER_ID}/Inbox {dashed}.md": b"# Inbox\n\ntwo",
    }
    docs = _by_id(parse_export(write_zip(tmp_path / "e.zip", files)))
    assert docs[CHILD_ID].title == docs[dashed.replace("-", "")].title == "Inbox"
    assert docs[dashed.replace("-", "")].parent_id == OTHER_ID


def test_non_utf8_is_decoded_with_a_problem(tmp_path: Path) -> None:
    text = "# Café\n\nna\u00efve r\u00e9sum\u00e9 \u2013 ok"
    files = {f"Caf {ROOT_ID}.md": text.encode("cp1252")}
    result = parse_export(write_zip(tmp_path / "e.zip", files))
    assert result.documents[0].title == "Café"
    assert "r\u00e9sum\u00e9 \u2013" in result.documents[0].content
    assert [p.message for p in result.problems] == ["not UTF-8; decoded as cp1252"]
    assert result.problems[0].path == f"Caf {ROOT_ID}.md"


def test_long_file_is_truncated_at_a_line_and_reported(tmp_path: Path) -> None:
    body = "".join(f"line {i} of a very long page\n" for i in range(5000))
    files = {f"Long {ROOT_ID}.md": f"# Long\n\n{body}".encode(), f"Ok {CHILD_ID}.md": b"# Ok\n\nx"}
    result = parse_export(write_zip(tmp_path / "e.zip", files), Limits(max_text_bytes=10_000))
    long_doc = _by_id(result)[ROOT_ID]
    assert 9_000 < len(long_doc.content) < 10_000 and long_doc.content.endswith("very long page")
    assert len(result.problems) == 1 and "truncated" in result.problems[0].message
    assert _by_id(result)[CHILD_ID].content == "x"


def test_duplicate_ids_keep_the_first_and_report(tmp_path: Path) -> None:
    files = {f"A {ROOT_ID}.md": b"# A\n\nfirst", f"X/A {ROOT_ID}.md": b"# A\n\nsecond"}
    result = parse_export(write_zip(tmp_path / "e.zip", files))
    assert [d.content for d in result.documents] == ["first"]
    assert "duplicate page id" in result.problems[0].message


def test_unreadable_exports_raise_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "Export-bad.zip"
    bad.write_bytes(b"this is not a zip at all")
    with pytest.raises(NotionExportError, match="Export-bad.zip.*Markdown & CSV"):
        parse_export(bad)
    empty = write_zip(tmp_path / "Export-empty.zip", {"readme.txt": b"hi"})
    with pytest.raises(NotionExportError, match="No Notion pages could be read from Export-empty"):
        parse_export(empty)


def test_frame_matches_the_contract(tmp_path: Path) -> None:
    frame = to_frame(parse_export(write_zip(tmp_path / "e.zip", basic_files())), "export-e")
    assert frame.columns == [
        "doc_id",
        "export_key",
        "source",
        "kind",
        "title",
        "content",
        "parent_id",
        "path",
        "properties",
        "internal_links",
        "unresolved_links",
        "external_links",
        "attachments",
        "is_empty",
        "content_hash",
        "n_chars",
    ]
    assert frame["doc_id"].str.contains(r"^[0-9a-f]{32}$").all()
    assert set(frame["source"]) == {"notion"} and set(frame["export_key"]) == {"export-e"}
    row = frame.filter(frame["doc_id"] == ROW_ID).row(0, named=True)
    assert json.loads(row["properties"])["Rating"] == "5"
    assert row["n_chars"] == len(row["content"])


def test_windows_paths_all_only_database_and_parts_in_a_folder(tmp_path: Path) -> None:
    files = {
        f"Home {ROOT_ID}.md": f"# Home\n\n[db](Home%20{ROOT_ID}/Books%20{DB_ID}_all.csv)".encode(),
        f"Home {ROOT_ID}\\Books {DB_ID}_all.csv": b"Name,Stars\nDune,5\n",
        f"Home {ROOT_ID}\\Books {DB_ID}\\Dune {ROW_ID}.md": b"# Dune\n\nStars: 5\n\nSpice.",
    }
    folder = tmp_path / "Export-w"
    folder.mkdir()
    (folder / "Export-w-Part-1.zip").write_bytes(zip_bytes(files))
    result = parse_export(folder)
    docs = _by_id(result)
    assert result.problems == []
    assert docs[ROOT_ID].internal_links == [DB_ID]
    assert (docs[DB_ID].kind, docs[DB_ID].title, docs[DB_ID].parent_id) == (
        "database",
        "Books",
        ROOT_ID,
    )
    assert docs[ROW_ID].parent_id == DB_ID and docs[ROW_ID].properties == {"Stars": "5"}
    assert docs[ROW_ID].path == f"Home {ROOT_ID}/Books {DB_ID}/Dune {ROW_ID}.md"
