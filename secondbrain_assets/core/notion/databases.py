"""Notion databases: `Title <id>.csv` (current view) and `Title <id>_all.csv` (all rows)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

from secondbrain_assets.core.notion.pages import split_id

# The database page's content is a Markdown table of its rows, cut here to stay readable: the
# rows themselves are documents of their own.
MAX_TABLE_ROWS = 50
_MAX_CELL_CHARS = 80
# Bounds on hostile CSVs (4 MiB of commas is 4 million columns): Notion databases have tens.
MAX_COLUMNS = 1000
_MAX_NAME_CHARS = 200
_MAX_QUOTE_REPAIRS = 20


@dataclass(frozen=True)
class CsvName:
    title: str
    doc_id: str | None
    is_all: bool


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[dict[str, str]]
    notes: list[str] = field(default_factory=list)  # what was repaired or dropped, exactly

    @property
    def title_column(self) -> str | None:
        # Notion always writes the title property ("Name" by default) as the first column.
        return self.columns[0] if self.columns else None


# Notion writes each database twice: `Title <id>.csv` (the saved view) and `Title <id>_all.csv`
# (every row). The one place that knows the suffix.
_ALL_ROWS = "_all"


def split_all_rows(stem: str) -> tuple[str, bool]:
    """`Title <id>_all` -> (`Title <id>`, True); any other stem -> (stem, False)."""
    is_all = stem.lower().endswith(_ALL_ROWS)
    return (stem[: -len(_ALL_ROWS)] if is_all else stem), is_all


def all_rows_path(csv_path: str) -> str:
    """The `_all.csv` twin of a database's `.csv` path."""
    return csv_path[: -len(".csv")] + _ALL_ROWS + ".csv"


def csv_name(stem: str) -> CsvName:
    base, is_all = split_all_rows(stem)
    title, doc_id = split_id(base)
    return CsvName(title, doc_id, is_all)


def _records(text: str, notes: list[str]) -> list[list[str]]:
    """CSV records; a quote that is never closed costs one line, not the rest of the file."""
    lines = text.splitlines(keepends=True)
    out: list[list[str]] = []
    start = 0
    recoveries = 0
    while start < len(lines):
        reader = csv.reader(lines[start:], strict=True)
        begin = 0  # lines consumed by complete records
        try:
            for record in reader:
                out.append(record)
                begin = reader.line_num
            break
        except csv.Error as exc:
            bad = start + begin
            if "unexpected end of data" not in str(exc):
                # Other quirks (`"a"b`): the lenient reader copes, as Notion's readers do.
                out.extend(csv.reader(lines[bad:]))
                break
            recoveries += 1
            if recoveries > _MAX_QUOTE_REPAIRS:  # bound the work: one re-scan per repair
                notes.append(
                    f"more than {_MAX_QUOTE_REPAIRS} unclosed quotes; lines "
                    f"{bad + 1}-{len(lines)} were read without quote handling"
                )
                out.extend(csv.reader(lines[bad:], quoting=csv.QUOTE_NONE))
                break
            notes.append(
                f"line {bad + 1}: a quote is never closed; that line was read without "
                "quote handling and the lines after it as usual"
            )
            out.extend(csv.reader(lines[bad : bad + 1], quoting=csv.QUOTE_NONE))
            start = bad + 1
    return out


def read_table(text: str) -> Table:
    # Long text properties exceed csv's default 128 KB per field; the file itself is bounded.
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 24))
    notes: list[str] = []
    records = iter(_records(text, notes))
    header = next(records, None)
    if not header:
        return Table([], [], notes)
    if len(header) > MAX_COLUMNS:
        notes.append(
            f"header has {len(header)} columns; columns after the first {MAX_COLUMNS} were dropped"
        )
        header = header[:MAX_COLUMNS]
    columns = _unique([h.strip()[:_MAX_NAME_CHARS] for h in header])
    rows = []
    wide, dropped = 0, 0
    for record in records:
        if not any(cell.strip() for cell in record):
            continue
        row = dict(zip(columns, record, strict=False))
        if len(record) > len(columns):
            # Cells beyond the header are kept under positional names, never dropped silently.
            wide += 1
            extra = record[len(columns) : MAX_COLUMNS]
            dropped += len(record) - len(columns) - len(extra)
            for i, cell in enumerate(extra, start=len(columns) + 1):
                row.setdefault(f"column_{i}", cell)
        for name in columns[len(record) :]:
            row[name] = ""
        rows.append(row)
    if wide:
        notes.append(
            f"{wide} row(s) have more cells than the {len(columns)} header columns; the "
            f"extra cells are kept as column_{len(columns) + 1}, ..."
            + (f" ({dropped} cells past column {MAX_COLUMNS} dropped)" if dropped else "")
        )
    return Table(columns, rows, notes)


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
