"""Indexes the readers and the writer rely on, created idempotently (same name, same keys).

`_id` is the stable document id and MongoDB keeps it unique by itself. Names are given explicitly
so a re-run finds the existing index instead of creating a twin under another name.
"""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING
from pymongo.collection import Collection

from secondbrain_assets.core.store.documents import SCHEMA_VERSION

INDEXES: dict[str, list[tuple[str, int]]] = {
    "exports_1": [("exports", ASCENDING)],  # partition-scoped reads, stale removal
    "quality_score_-1": [("quality_score", DESCENDING)],  # min-score filters downstream
    "source_1": [("source", ASCENDING)],
    "content_hash_1": [("content_hash", ASCENDING)],  # dedup across ids, cache lookups
    "schema_version_1": [("schema_version", ASCENDING)],  # find documents needing migration
}


def ensure_indexes(collection: Collection) -> list[str]:
    """Create the indexes if missing and record the schema version; returns the index names."""
    names = [collection.create_index(keys, name=name) for name, keys in INDEXES.items()]
    meta = collection.database[f"{collection.name}_meta"]
    meta.update_one({"_id": "schema"}, {"$max": {"schema_version": SCHEMA_VERSION}}, upsert=True)
    return names
