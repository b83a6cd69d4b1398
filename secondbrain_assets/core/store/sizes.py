"""Documents too large for MongoDB are refused before anything of the partition is written."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import bson

# MongoDB's maximum BSON document size (16 MiB), see the server's `maxBsonObjectSize`, less room
# for the fields the writer adds (exports, timestamps).
MAX_BSON_BYTES = 16 * 1024 * 1024 - 16 * 1024


class OversizedDocumentError(ValueError):
    """Documents too large for MongoDB; nothing was written for the partition."""

    def __init__(self, sizes: dict[str, int]) -> None:
        self.ids = sorted(sizes)
        listed = ", ".join(f"{i} ({sizes[i] / 2**20:.1f} MiB)" for i in self.ids[:20])
        super().__init__(
            f"{len(sizes)} document(s) exceed MongoDB's 16 MiB limit: {listed}. Nothing was "
            "written for this partition; shorten their content upstream (or drop them) and re-run."
        )


def _payload_bound(value: Any, depth: int = 0) -> int:
    """Upper bound-ish of a value's BSON bytes: 4 per str character, nested values included."""
    if isinstance(value, str):
        return 4 * len(value) + 16
    if isinstance(value, bytes | bytearray):
        return len(value) + 16
    if depth > 100:  # BSON nests at most 100 levels; let bson.encode judge anything deeper
        return 1 << 40
    if isinstance(value, dict):
        return sum(4 * len(str(k)) + 16 + _payload_bound(v, depth + 1) for k, v in value.items())
    if isinstance(value, list | tuple):
        return sum(24 + _payload_bound(v, depth + 1) for v in value)
    return 32


def check_sizes(documents: Sequence[dict[str, Any]], limit: int = MAX_BSON_BYTES) -> None:
    """Raise OversizedDocumentError naming every document whose BSON form exceeds `limit`."""
    sizes = {}
    for doc in documents:
        # Cheap pre-filter over every nested string (a 40 MiB string inside `quality` counts
        # too); only suspects are encoded.
        if _payload_bound(doc) + 65536 < limit:
            continue
        size = len(bson.encode(doc))
        if size > limit:
            sizes[str(doc["_id"])] = size
    if sizes:
        raise OversizedDocumentError(sizes)
