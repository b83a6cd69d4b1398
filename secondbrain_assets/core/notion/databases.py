"""Notion databases: `Title <id>.csv` (current view) and `Title <id>_all.csv` (all rows)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from secondbrain_assets.core.notion.pages import split_id

# The database page's content is a Markdown table of its rows, cut here to stay readable: the
# rows themselves are documents of their own.
MAX_TABLE_ROWS = 50
_MAX_CELL_CHARS = 80


@dataclass(frozen=True)
class CsvName:
    title: str
    doc_id: str | None
    is_all: bool


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[dict[str, str]]

    @property
    def title_column(self) -> str | None:
        # Notion always writes the title property ("Name" by default) as the first column.
        return self.columns[0] if self.columns else None


def csv_name(stem: str) -> CsvName:
    is_all = stem.endswith("_all")
    title, doc_id = split_id(stem[:-4] if is_all else stem)
    return CsvName(title, doc_id, is_all)


def read_table(text: str) -> Table:
    # Long text properties exceed csv's default 128 KB per field; the file itself is bounded.
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 24))
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        return Table([], [])
    columns = _unique([h.strip() for h in header])
    rows = []
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        record = record + [""] * (len(columns) - len(record))
        rows.append(dict(zip(columns, record, strict=False)))
    return Table(columns, rows)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        name = name or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 0
        out.append(name)
    return out


def render_table(table: Table) -> str:
    """A Markdown table of the first rows, so the database has readable content of its own."""
    if not table.columns:
        return ""

    def cell(value: str) -> str:
        value = " ".join(value.split()).replace("|", "\\|")
        return value if len(value) <= _MAX_CELL_CHARS else value[: _MAX_CELL_CHARS - 1] + "…"

    lines = [
        "| " + " | ".join(cell(c) for c in table.columns) + " |",
        "|" + "---|" * len(table.columns),
    ]
    for row in table.rows[:MAX_TABLE_ROWS]:
        lines.append("| " + " | ".join(cell(row.get(c, "")) for c in table.columns) + " |")
    if len(table.rows) > MAX_TABLE_ROWS:
        lines.append(f"\n({len(table.rows) - MAX_TABLE_ROWS} more rows)")
    return "\n".join(lines)
