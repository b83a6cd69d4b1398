"""Public entry point: a Notion "Markdown & CSV" export (zip or folder) -> documents + problems.

One pass reads every file (archive.py); pages and database CSVs become documents; a second pass
over the documents resolves links by id and path, which needs every page of the export known.
records.py turns the result into `notion_docs` rows.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from secondbrain_assets.core.notion import databases, links, pages
from secondbrain_assets.core.notion.archive import (
    Entry,
    Limits,
    NotionExportError,
    Problem,
    stream_export,
)


@dataclass
class _Text:
    """A decoded .md/.csv file; its bytes are dropped as soon as it is decoded."""

    path: str
    text: str


@dataclass
class NotionDocument:
    doc_id: str
    kind: str  # "page" | "database" | "database_row"
    title: str
    content: str
    parent_id: str | None
    path: str
    properties: dict[str, str] = field(default_factory=dict)
    internal_links: list[str] = field(default_factory=list)
    unresolved_links: list[str] = field(default_factory=list)
    external_links: list[dict[str, str]] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    _raw: links.PageLinks | None = None

    @property
    def is_empty(self) -> bool:
        return not self.content.strip()


@dataclass
class ParseResult:
    documents: list[NotionDocument]
    problems: list[Problem]
    n_files: int
    n_attachments: int
    bytes_read: int


def parse_export(path: Path, limits: Limits | None = None) -> ParseResult:
    """Parse the export at `path`. Raises NotionExportError if nothing in it can be read."""
    problems: list[Problem] = []
    csvs: list[_Text] = []
    md_pages: list[_Text] = []
    attachments: list[Entry] = []
    n_files = bytes_read = 0
    for entry in stream_export(Path(path), limits, problems):
        n_files += 1
        if entry.data is None:
            attachments.append(entry)
            continue
        bytes_read += len(entry.data)
        lower = entry.path.lower()
        # Decoded here so only the text is held, never the raw bytes of every file.
        if lower.endswith(".csv"):
            csvs.append(_Text(entry.path, _decode(entry, problems)))
        elif lower.endswith(".md"):
            md_pages.append(_Text(entry.path, _decode(entry, problems)))
    docs: dict[str, NotionDocument] = {}
    db_tables = _databases(csvs, docs, problems)
    del csvs
    # A database's rows live in the folder named like its CSV: `Reading <id>/`.
    folder_of = {
        i: posixpath.join(posixpath.dirname(docs[i].path), _stem(docs[i].path)) for i in db_tables
    }
    db_folders = {folder: i for i, folder in folder_of.items()}
    rows_by_folder: dict[str, list[NotionDocument]] = {}
    md_pages.reverse()
    while md_pages:  # popped so each page's text is freed once parsed
        doc = _page(md_pages.pop(), db_folders, docs, problems)
        if doc is not None and doc.kind == "database_row":
            rows_by_folder.setdefault(posixpath.dirname(doc.path), []).append(doc)
    for db_id, table in db_tables.items():
        _merge_rows(docs[db_id], table, rows_by_folder.get(folder_of[db_id], []), docs)
    _resolve(docs, attachments)
    if not docs:
        detail = "; ".join(f"{p.path}: {p.message}" for p in problems[:5]) or "no .md or .csv files"
        raise NotionExportError(
            f"No Notion pages could be read from {Path(path).name} ({detail}). Export the "
            "workspace again with Notion's 'Markdown & CSV' format and drop the zip in the folder."
        )
    return ParseResult(
        documents=sorted(docs.values(), key=lambda d: (d.path, d.doc_id)),
        problems=problems,
        n_files=n_files,
        n_attachments=len(attachments),
        bytes_read=bytes_read,
    )


def _stem(path: str) -> str:
    stem = posixpath.splitext(posixpath.basename(path))[0]
    return databases.split_all_rows(stem)[0] if path.lower().endswith(".csv") else stem


def _decode(entry: Entry, problems: list[Problem]) -> str:
    text, fallback = pages.decode(entry.data or b"")
    if fallback:
        problems.append(Problem(entry.path, f"not UTF-8; decoded as {fallback}"))
    return text


def _folder_id(folder: str) -> str | None:
    """Id of the nearest enclosing folder named like a page (`Title <id>/`)."""
    while folder:
        doc_id = pages.split_id(posixpath.basename(folder))[1]
        if doc_id:
            return doc_id
        folder = posixpath.dirname(folder)
    return None


def _databases(texts: list[_Text], docs: dict, problems: list) -> dict[str, databases.Table]:
    tables: dict[str, databases.Table] = {}
    is_all: dict[str, bool] = {}
    for entry in texts:
        name = databases.csv_name(posixpath.splitext(posixpath.basename(entry.path))[0])
        base = posixpath.join(posixpath.dirname(entry.path), _stem(entry.path))
        db_id = name.doc_id or pages.derived_id("notion-db", base)
        # `_all.csv` holds every row, the plain one only the saved view: prefer `_all`.
        if db_id in tables and (is_all[db_id] or not name.is_all):
            continue
        try:
            table = databases.read_table(entry.text)
        except Exception as exc:  # csv.Error and friends: lose this table only
            problems.append(Problem(entry.path, f"unreadable CSV ({exc}); skipped"))
            continue
        problems.extend(Problem(entry.path, note) for note in table.notes)
        tables[db_id], is_all[db_id] = table, name.is_all
        docs[db_id] = NotionDocument(
            doc_id=db_id,
            kind="database",
            title=name.title or "Untitled",
            content=databases.render_table(table),
            parent_id=_folder_id(posixpath.dirname(entry.path)),
            path=f"{base}.csv" if not name.is_all else entry.path,
            properties={"columns": ", ".join(table.columns), "rows": str(len(table.rows))},
        )
    return tables


def _page(entry: _Text, db_folders: dict, docs: dict, problems: list) -> NotionDocument | None:
    folder = posixpath.dirname(entry.path)
    name_title, doc_id = pages.split_id(posixpath.splitext(posixpath.basename(entry.path))[0])
    doc_id = doc_id or pages.derived_id("notion-path", entry.path)
    is_row = folder in db_folders
    page = pages.parse_page(entry.text, name_title or "Untitled", is_row)
    raw = links.extract_links(page.content, entry.path)
    existing = docs.get(doc_id)
    if existing is not None and existing.kind == "database" and existing._raw is None:
        # A database exported with a page of its own: keep one document, with both texts.
        existing.content = f"{page.content}\n\n{existing.content}".strip()
        existing._raw = raw
        return None
    if existing is not None:
        problems.append(
            Problem(
                entry.path, f"duplicate page id {doc_id} (also {existing.path}); kept the first"
            )
        )
        return None
    doc = NotionDocument(
        doc_id=doc_id,
        kind="database_row" if is_row else "page",
        title=page.title,
        content=page.content,
        parent_id=_folder_id(folder),
        path=entry.path,
        properties=page.properties,
        _raw=raw,
    )
    docs[doc_id] = doc
    return doc


def _merge_rows(db: NotionDocument, table: databases.Table, md_rows: list, docs: dict) -> None:
    """CSV rows meet their Markdown pages by title; CSV-only rows get a stable derived id."""
    by_title: dict[str, list[NotionDocument]] = {}
    for doc in md_rows:
        by_title.setdefault(doc.title.strip().casefold(), []).append(doc)
    col = table.title_column
    seen: dict[str, int] = {}
    for row in table.rows:
        title = (row.get(col, "") if col else "").strip()
        csv_props = {k: v for k, v in row.items() if k != col and v != ""}
        match = by_title.get(title.casefold())
        if match:
            doc = match.pop(0)
            doc.properties = {**doc.properties, **csv_props}
            continue
        seen[title] = seen.get(title, 0) + 1
        row_id = pages.derived_id("notion-row", db.doc_id, title, str(seen[title]))
        if row_id not in docs:
            docs[row_id] = NotionDocument(
                doc_id=row_id,
                kind="database_row",
                title=title or "Untitled",
                content="",
                parent_id=db.doc_id,
                path=db.path,
                properties=csv_props,
            )


def _resolve(docs: dict[str, NotionDocument], attachments: list[Entry]) -> None:
    by_path: dict[str, str] = {}
    for doc in docs.values():
        by_path[doc.path] = doc.doc_id
        if doc.kind == "database":
            by_path[databases.all_rows_path(doc.path)] = doc.doc_id
    for entry in attachments:
        owner = _folder_id(posixpath.dirname(entry.path))
        if owner in docs:
            docs[owner].attachments.append(entry.path)
    for doc in docs.values():
        raw, doc._raw = doc._raw or links.PageLinks(), None
        # Ordered sets (dict keys): a membership test per link on a list was quadratic.
        internal = dict.fromkeys(doc.internal_links)
        unresolved = dict.fromkeys(doc.unresolved_links)
        for target in raw.internal:
            doc_id = by_path.get(target)
            if doc_id is None:
                stem = _stem(target) if "." in posixpath.basename(target) else target
                doc_id = pages.split_id(posixpath.basename(stem))[1]
            if doc_id in docs:
                internal[doc_id] = None
            else:
                unresolved[target] = None
        doc.internal_links, doc.unresolved_links = list(internal), list(unresolved)
        external = list(raw.external)
        # A reading-list row's `URL` property is the article itself: crawl it, titled by the row.
        for value in doc.properties.values():
            if "://" in value:
                external += [(u, doc.title) for u in links.extract_links(value, "").urls()]
        doc.external_links = [{"url": u, "anchor": a} for u, a in dict.fromkeys(external)]
        doc.attachments = list(dict.fromkeys(raw.attachments + doc.attachments))
