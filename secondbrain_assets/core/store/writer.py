"""Partition-scoped, idempotent sync of one export's documents into a collection.

First one indexed scan reads the `fingerprint` and `exports` of the ids stored for the export
(it also yields the stale ids). Per batch, the ids not among them are looked up (`$in`: new, or
stored by another export), then one unordered bulk write sends only the operations needed, all
keyed by `_id`:
- id not stored: InsertOne (with `exports: [key]`, `created_at`, `updated_at`);
- stored, fingerprint differs: `$set` the fields, `$addToSet` the export, `$currentDate`
  updated_at (filtered on the old fingerprint, so a concurrent identical write is a no-op);
- stored, same fingerprint, export missing: `$addToSet` the export only;
- stored, same fingerprint, export present: nothing. A second identical load only reads
  (one scan).
An insert that loses a race with another writer (duplicate key) is retried as an upsert.
Only after every batch succeeded do we remove this export from its ids that are gone (`$pull`)
and delete documents left with no export. Other exports' documents are never touched, and a
bulk write that dies half-way leaves no duplicates (unique `_id`): re-running converges.

Oversized documents (over MongoDB's 16 MiB BSON limit) are checked before anything is written
and the whole partition is refused with their ids: a partial partition would look complete.

Queries on the `exports` array always use `{"$in": [key]}`: with the `exports_1` index,
nx-27017 0.8.1 answers the plain `{"exports": key}` membership form with nothing, which silently
kept pages deleted from an export in the store.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any, NoReturn

from pymongo import InsertOne, UpdateOne
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError, ConnectionFailure

from secondbrain_assets.core.store.queries import in_export
from secondbrain_assets.core.store.sizes import check_sizes

_DUPLICATE_KEY = 11000  # two writers upserting one new _id at once: the loser retries


class StoreWriteError(RuntimeError):
    """A bulk write failed; upserts are keyed by _id, so re-running the sync is safe."""


class StoreConnectionError(StoreWriteError):
    """The store went away during a sync (AutoReconnect and friends)."""


def _hosts(collection: Collection) -> str:
    try:
        servers = collection.database.client.topology_description.server_descriptions()
        return ", ".join(f"{h}:{p}" for h, p in servers) or "the store"
    except Exception:  # naming the host must never hide the real error
        return "the store"


@dataclass
class SyncResult:
    export_key: str
    documents: int = 0
    inserted: int = 0  # new ids (BulkWriteResult inserted_count, + upserted_count on races)
    updated: int = 0  # content/quality changed
    unchanged: int = 0  # documents - inserted - updated (export_added ones count here)
    export_added: int = 0  # already stored by another export, now also in this one
    matched: int = 0  # ids of the partition already stored
    modified: int = 0  # BulkWriteResult.modified_count (updated + export_added, as applied)
    removed_from_export: int = 0  # ids no longer in this export ($pull)
    deleted: int = 0  # ids that belonged to no export any more
    batches: int = 0
    elapsed_s: float = 0.0
    duplicate_key_retries: int = 0

    @property
    def wrote_nothing(self) -> bool:
        return not (self.inserted or self.updated or self.export_added or self.removed_from_export)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def _raise(err: BulkWriteError, n_ops: int) -> NoReturn:
    errors = err.details.get("writeErrors", [])
    messages = "; ".join(f"{e.get('code')}: {e.get('errmsg')}" for e in errors[:5])
    raise StoreWriteError(
        f"bulk write failed for {len(errors)} of {n_ops} operations ({messages}). "
        "Writes are keyed by _id: fix the cause and re-run; the partition converges."
    ) from err


def _upsert_op(doc: dict[str, Any], export_key: str, now: datetime) -> UpdateOne:
    """Insert-or-join, for ids another writer inserted between our read and our insert."""
    # _id comes from the filter; MongoDB refuses to "set" it even on insert in some versions.
    on_insert = {k: v for k, v in doc.items() if k != "_id"}
    on_insert.update(created_at=now, updated_at=now)
    return UpdateOne(
        {"_id": doc["_id"]},
        {"$setOnInsert": on_insert, "$addToSet": {"exports": export_key}},
        upsert=True,
    )


def _refresh_op(doc: dict[str, Any], export_key: str) -> UpdateOne:
    fields = {k: v for k, v in doc.items() if k != "_id"}
    # $currentDate rather than a client datetime in $set: nx-27017 0.8.1 stores a datetime given
    # to $set on an existing document as a string (seen here); server time is also what MongoDB
    # users expect for updated_at.
    return UpdateOne(
        {"_id": doc["_id"], "fingerprint": {"$ne": doc["fingerprint"]}},
        {
            "$set": fields,
            "$addToSet": {"exports": export_key},
            "$currentDate": {"updated_at": True},
        },
    )


def _plan(
    batch: list[dict[str, Any]],
    stored: dict[Any, dict[str, Any]],
    export_key: str,
    now: datetime,
    result: SyncResult,
) -> list[tuple[Any, InsertOne | UpdateOne]]:
    """(id, operation) pairs: only what differs from the store."""
    ops: list[tuple[Any, InsertOne | UpdateOne]] = []
    for doc in batch:
        old = stored.get(doc["_id"])
        if old is None:
            new = {**doc, "exports": [export_key], "created_at": now, "updated_at": now}
            ops.append((doc["_id"], InsertOne(new)))
        elif old.get("fingerprint") != doc["fingerprint"]:
            ops.append((doc["_id"], _refresh_op(doc, export_key)))
            result.updated += 1
        elif export_key not in (old.get("exports") or []):
            add = UpdateOne({"_id": doc["_id"]}, {"$addToSet": {"exports": export_key}})
            ops.append((doc["_id"], add))
            result.export_added += 1
    return ops


def _write(
    collection: Collection,
    ops: list[tuple[Any, InsertOne | UpdateOne]],
    by_id: dict[Any, dict[str, Any]],
    export_key: str,
    now: datetime,
    result: SyncResult,
) -> None:
    try:
        res = collection.bulk_write([op for _, op in ops], ordered=False)
        result.inserted += res.inserted_count
        result.modified += res.modified_count
        return
    except BulkWriteError as err:
        errors = err.details.get("writeErrors", [])
        if not errors or any(e.get("code") != _DUPLICATE_KEY for e in errors):
            _raise(err, len(ops))
        result.inserted += err.details.get("nInserted", 0)
        result.modified += err.details.get("nModified", 0)
        # Another writer inserted these ids after our read: join them instead.
        lost = [by_id[ops[e["index"]][0]] for e in errors]
    result.duplicate_key_retries += len(lost)
    retry = [_upsert_op(d, export_key, now) for d in lost]
    retry += [_refresh_op(d, export_key) for d in lost]
    try:
        again = collection.bulk_write(retry, ordered=False)
    except BulkWriteError as err:
        _raise(err, len(retry))
    result.inserted += again.upserted_count
    result.modified += again.modified_count


_STATE = {"fingerprint": 1, "exports": 1}


def stored_state(collection: Collection, export_key: str) -> dict[Any, dict[str, Any]]:
    """`fingerprint` and `exports` of every id stored for the export, in one indexed scan."""
    cursor = collection.find(in_export(export_key), _STATE).batch_size(5000)
    return {d["_id"]: d for d in cursor}


def upsert_documents(
    collection: Collection,
    export_key: str,
    documents: Sequence[dict[str, Any]],
    batch_size: int = 500,
    result: SyncResult | None = None,
    known: dict[Any, dict[str, Any]] | None = None,
) -> SyncResult:
    """Read-then-write per batch, as the module docstring says.

    `known` is the export's stored state (stored_state); only ids missing from it are looked
    up, since they may be new or stored by another export.
    """
    result = result or SyncResult(export_key=export_key)
    known = {} if known is None else known
    for batch in _batches(documents, batch_size):
        by_id = {d["_id"]: d for d in batch}
        stored = {i: known[i] for i in by_id if i in known}
        unknown = [i for i in by_id if i not in known]
        if unknown:
            stored.update((d["_id"], d) for d in collection.find({"_id": {"$in": unknown}}, _STATE))
        result.matched += len(stored)
        ops = _plan(batch, stored, export_key, datetime.now(UTC), result)
        if ops:
            _write(collection, ops, by_id, export_key, datetime.now(UTC), result)
        result.batches += 1
    return result


def remove_stale(
    collection: Collection,
    export_key: str,
    stale: Sequence[Any],
    result: SyncResult,
    chunk_size: int = 1000,
) -> None:
    """Take `export_key` off the `stale` ids; delete those left with no export."""
    for chunk in _batches(stale, chunk_size):
        pulled = collection.update_many(
            {"_id": {"$in": chunk}, **in_export(export_key)}, {"$pull": {"exports": export_key}}
        )
        result.removed_from_export += pulled.modified_count
        # `$size: 0` makes this safe against another export re-adding the id meanwhile.
        gone = collection.delete_many({"_id": {"$in": chunk}, "exports": {"$size": 0}})
        result.deleted += gone.deleted_count


def sync_partition(
    collection: Collection,
    export_key: str,
    documents: Sequence[dict[str, Any]],
    batch_size: int = 500,
) -> SyncResult:
    """Make the store hold exactly `documents` for `export_key`; see the module docstring."""
    if not export_key:
        raise ValueError("export_key is required: writes are scoped to one export")
    started = time.perf_counter()
    check_sizes(documents)
    result = SyncResult(export_key=export_key, documents=len(documents))
    try:
        known = stored_state(collection, export_key)
        upsert_documents(collection, export_key, documents, batch_size, result, known)
        present = {d["_id"] for d in documents}
        remove_stale(collection, export_key, [i for i in known if i not in present], result)
    except ConnectionFailure as exc:  # AutoReconnect, NetworkTimeout, ServerSelectionTimeout
        raise StoreConnectionError(
            f"lost the connection to the store at {_hosts(collection)} while syncing export "
            f"{export_key!r} ({type(exc).__name__}: {str(exc)[:300]}). Re-running is safe: "
            "writes are keyed by _id and stale pages are removed only after a complete load."
        ) from exc
    result.unchanged = result.documents - result.inserted - result.updated
    result.elapsed_s = round(time.perf_counter() - started, 3)
    return result
