"""Finding Notion exports on disk, naming their partitions and fingerprinting their content.

Plain Python (no Dagster): the sensor and the `notion_docs` asset both use it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

_UNSAFE = re.compile(r"[^a-z0-9]+")
# Partition keys show up in URLs and file names: keep them short and boring.
_MAX_KEY_LEN = 64


@dataclass(frozen=True)
class ExportRef:
    """One Notion export the user dropped into the exports folder."""

    key: str
    path: Path

    @property
    def is_zip(self) -> bool:
        return self.path.is_file()


def partition_key_for(path: Path) -> str:
    """Stable, URL-safe partition key from an export's file or folder name.

    `Export-1a2b.zip` -> `export-1a2b`; a folder `Export-1a2b` gets `export-1a2b-dir` so a zip
    and its unzipped copy side by side stay two partitions.
    """
    stem = path.name[:-4] if path.name.lower().endswith(".zip") else path.name
    slug = _UNSAFE.sub("-", stem.lower()).strip("-") or "export"
    if len(slug) > _MAX_KEY_LEN:
        digest = hashlib.sha256(stem.encode()).hexdigest()[:8]
        slug = f"{slug[: _MAX_KEY_LEN - 9].rstrip('-')}-{digest}"
    return slug if path.name.lower().endswith(".zip") else f"{slug}-dir"


def _disambiguate(key: str, name: str, taken: set[str]) -> str:
    """`key-<8 hex of the exact name>`, longer if even that is taken (never in practice)."""
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()
    for n in range(8, len(digest) + 1, 4):
        candidate = f"{key[: _MAX_KEY_LEN - n - 1].rstrip('-')}-{digest[:n]}"
        if candidate not in taken:
            return candidate
    raise AssertionError("sha256 prefixes of distinct names collide")  # pragma: no cover


def discover_exports(root: Path) -> list[ExportRef]:
    """Every `*.zip` file and every folder directly inside `root`, sorted by key.

    Keys are unique: when names slug to the same key (`Export A.zip`, `Export-A.zip`), the first
    name in code-point order keeps it and the others get a suffix from a hash of their exact
    name, so every export is ingested and each keeps its key while the folder holds the same
    names.
    """
    if not root.is_dir():
        return []
    paths = sorted(
        (
            p
            for p in root.iterdir()
            if not p.name.startswith(".")
            and ((p.is_file() and p.name.lower().endswith(".zip")) or p.is_dir())
        ),
        key=lambda p: p.name,
    )
    slugs = {p: partition_key_for(p) for p in paths}
    taken: set[str] = set()
    refs, clashing = [], []
    for path in paths:  # plain keys first, so a suffixed key can never take a plain one
        if slugs[path] in taken:
            clashing.append(path)
        else:
            taken.add(slugs[path])
            refs.append(ExportRef(slugs[path], path))
    for path in clashing:
        key = _disambiguate(slugs[path], path.name, taken)
        taken.add(key)
        refs.append(ExportRef(key, path))
    return sorted(refs, key=lambda r: r.key)


def find_export(root: Path, key: str) -> ExportRef:
    """The export behind a partition key, or an error that says what is there instead."""
    for ref in discover_exports(root):
        if ref.key == key:
            return ref
    known = ", ".join(r.key for r in discover_exports(root)) or "none"
    raise FileNotFoundError(
        f"No Notion export for partition '{key}' in {root} (found: {known}). "
        "Was the export moved or renamed? Put it back or delete the partition in the UI."
    )


def stat_signature(ref: ExportRef) -> str:
    """Cheap change detector from sizes and mtimes; no file content is read.

    The sensor only hashes content when this changes, so a tick over hundreds of unchanged
    exports costs a few `stat` calls each.
    """
    if ref.is_zip:
        st = ref.path.stat()
        return f"{st.st_size}:{st.st_mtime_ns}"
    digest = hashlib.sha256()
    for file in sorted(p for p in ref.path.rglob("*") if p.is_file()):
        st = file.stat()
        digest.update(f"{file.relative_to(ref.path)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def content_fingerprint(ref: ExportRef) -> str:
    """sha256 over the export's bytes (zip) or its files' paths and bytes (folder).

    A touched but unchanged export keeps its fingerprint, so it is not materialized again.
    """
    digest = hashlib.sha256()
    files = [ref.path] if ref.is_zip else sorted(p for p in ref.path.rglob("*") if p.is_file())
    for file in files:
        if not ref.is_zip:
            digest.update(f"{file.relative_to(ref.path)}\0".encode())
        try:
            with file.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
        except PermissionError:
            if ref.is_zip:
                raise
            # The parser reports this file; the sensor must not crash on it.
            digest.update(b"\0unreadable\0")
    return digest.hexdigest()


def latest_mtime(ref: ExportRef) -> float:
    """Newest modification time inside the export, to wait until a copy has finished."""
    if ref.is_zip:
        return ref.path.stat().st_mtime
    times = [p.lstat().st_mtime for p in ref.path.rglob("*")]  # lstat: dangling links exist
    return max(times, default=ref.path.stat().st_mtime)
