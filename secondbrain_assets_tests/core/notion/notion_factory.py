"""Builds small real Notion exports (zip, zip of zips, folder) for tests."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from urllib.parse import quote

ROOT_ID = "0" * 31 + "1"
CHILD_ID = "0" * 31 + "2"
OTHER_ID = "0" * 31 + "3"
DB_ID = "d" * 32
ROW_ID = "e" * 32


def link(text: str, target: str) -> str:
    """A Notion-style relative link: the path URL-encoded, as the exporter writes it."""
    return f"[{text}]({quote(target)})"


def basic_files() -> dict[str, bytes]:
    """A workspace with a sub-page, a database with rows, links of every kind and an image."""
    child_path = f"Home {ROOT_ID}/Child Page {CHILD_ID}.md"
    return {
        f"Home {ROOT_ID}.md": (
            "# Home\n\nWelcome. See "
            + link("the child", child_path)
            + " and the "
            + link("reading list", f"Home {ROOT_ID}/Reading {DB_ID}.csv")
            + ".\nRead https://example.com/a-post. Also <https://example.org/auto>.\n"
        ).encode(),
        child_path: (
            "# Child Page\n\nBack to "
            + link("home", f"../Home {ROOT_ID}.md")
            + ' and [an article](https://blog.example.com/x?y=1 "title").\n'
            + "![diagram]("
            + quote(f"Child Page {CHILD_ID}/diagram.png")
            + ")\n"
            + "Broken: "
            + link("gone", f"Missing {'9' * 32}.md")
            + "\n"
        ).encode(),
        f"Home {ROOT_ID}/Child Page {CHILD_ID}/diagram.png": b"\x89PNG\r\n\x1a\nnot-really",
        f"Home {ROOT_ID}/Other {OTHER_ID}.md": b"# Other\n",
        f"Home {ROOT_ID}/Reading {DB_ID}.csv": (
            "\ufeffName,Status,URL\nFirst Book,Done,https://books.example.com/1\n"
        ).encode(),
        f"Home {ROOT_ID}/Reading {DB_ID}_all.csv": (
            "\ufeffName,Status,URL\nFirst Book,Done,https://books.example.com/1\n"
            "Only In Csv,To read,\n"
        ).encode(),
        f"Home {ROOT_ID}/Reading {DB_ID}/First Book {ROW_ID}.md": (
            b"# First Book\n\nStatus: Done\nRating: 5\n\nGreat book about: things.\n"
        ),
    }


def zip_bytes(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in files.items():
            zf.writestr(
                zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)),
                data,
                compress_type=compression,
            )
    return buf.getvalue()


def write_zip(path: Path, files: dict[str, bytes]) -> Path:
    path.write_bytes(zip_bytes(files))
    return path


def write_folder(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root
