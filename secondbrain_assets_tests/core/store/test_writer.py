"""Partition-scoped idempotent sync, run against every engine (engines.py)."""

from __future__ import annotations

import multiprocessing
from datetime import datetime
from typing import Any

import pytest
from pymongo.collection import Collection
from pymongo.errors import AutoReconnect

from secondbrain_assets.core.store import queries
from secondbrain_assets.core.store.indexes import INDEXES, ensure_indexes
from secondbrain_assets.core.store.sizes import OversizedDocumentError, check_sizes
from secondbrain_assets.core.store.writer import StoreConnectionError, sync_partition
from secondbrain_assets_tests.core.store.engines import documents, sync_worker

IDS = [f"{i:032x}" for i in range(120)]


def _exports(coll: Collection) -> dict[str, list[str]]:
    return {d["_id"]: sorted(d["exports"]) for d in coll.find({}, {"exports": 1})}


def test_second_identical_load_writes_nothing(collection: Collection) -> None:
    docs = documents("A", IDS)
    first = sync_partition(collection, "A", docs, batch_size=50)
    assert (first.inserted, first.updated, first.unchanged) == (120, 0, 0)
    stamps = {d["_id"]: d["updated_at"] for d in collection.find({}, {"updated_at": 1})}

    second = sync_partition(collection, "A", documents("A", IDS), batch_size=50)
    assert (second.inserted, second.updated, second.export_added, second.removed_from_export) == (
        0,
        0,
        0,
        0,
    )
    assert second.unchanged == 120 and second.wrote_nothing
    assert {d["_id"]: d["updated_at"] for d in collection.find({}, {"updated_at": 1})} == stamps


def test_changed_content_updates_only_changed_documents(collection: Collection) -> None:
    sync_partition(collection, "A", documents("A", IDS[:10]))
    before = collection.find_one({"_id": IDS[0]})
    changed = documents("A", IDS[:3], version="v2") + documents("A", IDS[3:10])
    result = sync_partition(collection, "A", changed)
    assert (result.inserted, result.updated, result.unchanged) == (0, 3, 7)
    after = collection.find_one({"_id": IDS[0]})
    assert after["content"].startswith("v2 ") and after["content_hash"] == f"v2-{IDS[0]}"
    assert after["created_at"] == before["created_at"]
    assert isinstance(after["updated_at"], datetime) and after["updated_at"] > before["updated_at"]
    assert after["quality"] == before["quality"] and isinstance(after["quality"]["signals"], dict)
    assert (
        collection.find_one({"_id": IDS[5]})["updated_at"]
        == collection.find_one({"_id": IDS[5]})["created_at"]
    )


def test_partitions_are_scoped_and_shared_documents_stored_once(collection: Collection) -> None:
    a_ids, b_ids = IDS[:60], IDS[40:100]  # 20 shared
    sync_partition(collection, "A", documents("A", a_ids))
    result_b = sync_partition(collection, "B", documents("B", b_ids))
    assert (result_b.inserted, result_b.export_added) == (40, 20)
    exports = _exports(collection)
    assert len(exports) == 100 == collection.count_documents({})
    assert all(exports[i] == ["A", "B"] for i in IDS[40:60])
    assert all(exports[i] == ["A"] for i in IDS[:40])

    # Re-syncing A with fewer ids: its stale ids leave A; shared ones stay for B; B untouched.
    b_only = collection.find({"exports": "B"})
    b_docs_before = {d["_id"]: d for d in b_only if d["exports"] == ["B"]}
    result = sync_partition(collection, "A", documents("A", IDS[:30]))
    assert (result.removed_from_export, result.deleted) == (30, 10)
    exports = _exports(collection)
    assert set(exports) == set(IDS[:30]) | set(b_ids)
    assert all(exports[i] == ["B"] for i in IDS[40:100])
    assert len(b_docs_before) == 40
    for doc_id, doc in b_docs_before.items():
        assert collection.find_one({"_id": doc_id}) == doc


def test_empty_partition_removes_only_its_documents(collection: Collection) -> None:
    sync_partition(collection, "A", documents("A", IDS[:10]))
    sync_partition(collection, "B", documents("B", IDS[5:15]))
    result = sync_partition(collection, "A", [])
    assert (result.removed_from_export, result.deleted) == (10, 5)
    assert sorted(_exports(collection)) == IDS[5:15]
    assert collection.count_documents({"exports": "A"}) == 0


def test_quality_fields_follow_the_contract(collection: Collection) -> None:
    sync_partition(collection, "A", documents("A", IDS[:10]))
    rejected = collection.find_one({"_id": IDS[0]})  # index 0: heuristic_pass False
    assert (rejected["quality_score"], rejected["quality_status"]) == (
        0.0,
        "rejected_by_heuristics",
    )
    scored = collection.find_one({"_id": IDS[1]})
    assert scored["quality_status"] == "scored"
    assert scored["quality_score"] == pytest.approx(0.433)  # id 1: 0.2 + 0.7 * 1 / 3
    assert scored["quality"]["llm"]["llm_model"] == "none"
    assert scored["quality"]["signals"] == {"words": 1.0}
    assert scored["schema_version"] == 1 and scored["exports"] == ["A"]


def test_oversized_document_rejected_with_its_id(collection: Collection) -> None:
    docs = documents("A", IDS[:3])
    docs[1]["content"] = "y" * (17 * 1024 * 1024)
    with pytest.raises(OversizedDocumentError) as err:
        sync_partition(collection, "A", docs)
    assert err.value.ids == [IDS[1]] and IDS[1] in str(err.value)
    assert collection.count_documents({}) == 0  # the partition is refused as a whole


def test_indexes_are_idempotent(collection: Collection) -> None:
    assert ensure_indexes(collection) == ensure_indexes(collection) == list(INDEXES)
    info = collection.index_information()
    assert len(info) == len(INDEXES) + 1  # plus _id: no twins under other names


class _DiesHalfWay:
    """The real collection, but the n-th bulk write stores half its operations, then fails."""

    def __init__(self, real: Collection, fail_on_call: int) -> None:
        self.real, self.fail_on_call, self.calls = real, fail_on_call, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def bulk_write(self, ops: list, ordered: bool = True) -> Any:
        self.calls += 1
        if self.calls == self.fail_on_call:
            self.real.bulk_write(ops[: len(ops) // 2], ordered=ordered)
            raise AutoReconnect("connection closed in the middle of a batch (injected)")
        return self.real.bulk_write(ops, ordered=ordered)


def test_half_failed_bulk_write_then_rerun_converges(collection: Collection) -> None:
    sync_partition(collection, "A", documents("A", IDS[:50]))  # previous run
    new_docs = documents("A", IDS[25:120], version="v2")
    with pytest.raises(StoreConnectionError) as error:
        # calls: batch1 upsert, batch1 refresh, batch2 upsert (dies half-way)
        sync_partition(_DiesHalfWay(collection, 3), "A", new_docs, batch_size=40)  # type: ignore[arg-type]
    assert isinstance(error.value.__cause__, AutoReconnect)
    message = str(error.value)
    assert "Re-running is safe" in message and "export 'A'" in message
    host = collection.database.client.topology_description.server_descriptions()
    assert any(f"{h}:{p}" in message for h, p in host)
    # Nothing was removed (removal runs only after every batch), nothing duplicated.
    assert collection.count_documents({"_id": {"$in": IDS[:25]}}) == 25
    assert 50 < collection.count_documents({}) < 120

    result = sync_partition(collection, "A", new_docs, batch_size=40)
    assert result.removed_from_export == 25
    ids = [d["_id"] for d in collection.find({}, {"_id": 1})]
    assert sorted(ids) == IDS[25:120] and len(ids) == len(set(ids))
    assert collection.count_documents({"content_hash": {"$regex": "^v1-"}}) == 0
    again = sync_partition(collection, "A", new_docs, batch_size=40)
    assert again.wrote_nothing


def test_two_processes_writing_concurrently_converge(
    collection: Collection, store_uri: str
) -> None:
    db, name = collection.database.name, collection.name
    a_ids, b_ids = IDS[:80], IDS[40:120]
    ctx = multiprocessing.get_context("spawn")
    jobs = [
        ctx.Process(target=sync_worker, args=(store_uri, db, name, "A", a_ids, 2)),
        ctx.Process(target=sync_worker, args=(store_uri, db, name, "B", b_ids, 2)),
        ctx.Process(target=sync_worker, args=(store_uri, db, name, "A", a_ids, 2)),
    ]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join(timeout=120)
    assert [job.exitcode for job in jobs] == [0, 0, 0]
    exports = _exports(collection)
    assert len(exports) == 120 == collection.count_documents({})
    assert all(exports[i] == ["A"] for i in IDS[:40])
    assert all(exports[i] == ["A", "B"] for i in IDS[40:80])
    assert all(exports[i] == ["B"] for i in IDS[80:])


class _OtherWriterFirst:
    """The real collection; just before our first bulk write, another export inserts some ids."""

    def __init__(self, real: Collection, ids: list[str]) -> None:
        self.real, self.ids, self.done = real, ids, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def bulk_write(self, ops: list, ordered: bool = True) -> Any:
        if not self.done:
            self.done = True
            sync_partition(self.real, "B", documents("B", self.ids))
        return self.real.bulk_write(ops, ordered=ordered)


def test_insert_race_is_retried_as_upsert(collection: Collection) -> None:
    racing = _OtherWriterFirst(collection, IDS[:5])
    result = sync_partition(racing, "A", documents("A", IDS[:20]))  # type: ignore[arg-type]
    assert result.duplicate_key_retries == 5
    assert result.inserted == 15  # the 5 raced ids were inserted by the other writer
    exports = _exports(collection)
    assert len(exports) == 20 == collection.count_documents({})
    assert all(exports[i] == ["A", "B"] for i in IDS[:5])
    assert sync_partition(collection, "A", documents("A", IDS[:20])).wrote_nothing


def test_pages_removed_from_an_export_disappear_with_the_io_managers_indexes(
    collection: Collection,
) -> None:
    ensure_indexes(collection)  # as the IO manager does: nx-27017 then ignored {"exports": key}
    ten = IDS[:10]
    sync_partition(collection, "A", documents("A", ten))
    sync_partition(collection, "B", documents("B", ten[:2]))  # shared with another export
    result = sync_partition(collection, "A", documents("A", ten[:5]))
    assert result.removed_from_export == 5 and result.deleted == 5
    assert sorted(d["_id"] for d in collection.find({})) == ten[:5]
    assert _exports(collection)[ten[0]] == ["A", "B"]
    # The checks' queries (core/store/queries.py) see the same five on every engine.
    assert collection.count_documents(queries.in_export("A")) == 5
    assert collection.count_documents(queries.in_export("B")) == 2
    assert collection.count_documents(queries.unscored_in_export("A")) == sum(
        d.get("quality_score") is None for d in collection.find({})
    )


def test_nested_oversized_strings_are_caught_before_writing(collection: Collection) -> None:
    [doc] = documents("A", IDS[:1])
    doc["quality"]["signals"]["blob"] = "x" * (17 << 20)  # only nested: top level is small
    with pytest.raises(OversizedDocumentError, match=IDS[0]):
        check_sizes([doc])
    with pytest.raises(OversizedDocumentError):
        sync_partition(collection, "A", [doc])
    assert collection.count_documents({}) == 0
