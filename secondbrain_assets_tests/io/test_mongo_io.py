"""MongoIOManager through real Dagster runs, on each engine (nx-27017, SecantusDB, MongoDB)."""

import uuid
from typing import Any

import dagster as dg
import polars as pl
import pytest

from secondbrain_assets.core.store.embedded_server import free_port
from secondbrain_assets.defs.partitions import notion_exports
from secondbrain_assets.io.mongo import MongoIOManager
from secondbrain_assets.resources.mongo import MongoResource, StoreUnavailableError
from secondbrain_assets_tests.core.store.engines import ENGINES, running_store, scored_rows

IDS = [f"{i:032x}" for i in range(50)]
PARTS = {"A": IDS[:30], "B": IDS[20:50]}
SEEN: dict[str, object] = {}


@pytest.fixture(scope="module", params=ENGINES)
def store_uri(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    with running_store(request.param, tmp_path_factory) as uri:
        yield uri


@dg.asset(partitions_def=notion_exports, io_manager_key="mongo_io_manager")
def scored(context: dg.AssetExecutionContext) -> pl.DataFrame:
    return scored_rows(context.partition_key, PARTS[context.partition_key])


@dg.asset(partitions_def=notion_exports, ins={"scored": dg.AssetIn()})
def one_export(scored: pl.DataFrame) -> None:
    SEEN["one_export"] = scored


@dg.asset(
    ins={
        "scored": dg.AssetIn(
            metadata={
                "min_quality_score": 0.5,
                "sources": ["web"],
                "fields": ["title", "quality_score", "source"],
            }
        )
    }
)
def good_web(scored: pl.DataFrame) -> None:
    SEEN["good_web"] = scored


@dg.asset(ins={"scored": dg.AssetIn(metadata={"stream": True, "batch_size": 8})})
def streamed(scored: Any) -> None:  # Dagster cannot infer a type from Iterator[...]
    SEEN["streamed"] = [frame.height for frame in scored]


def _instance() -> dg.DagsterInstance:
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("notion_exports", list(PARTS))
    return instance


def _io(mongo: MongoResource, **config: object) -> dict[str, object]:
    io_manager = MongoIOManager(mongo=mongo, **config)
    return {"mongo_io_manager": io_manager, "io_manager": dg.mem_io_manager}


def _collection(store_uri: str) -> MongoResource:
    # nx-27017 accepts only [A-Za-z0-9_] in collection names (SQLite tables).
    name = f"io_{uuid.uuid4().hex[:12]}"
    return MongoResource(uri=store_uri, database="secondbrain_test", collection=name)


def _materialize_both(instance: dg.DagsterInstance, resources: dict[str, object]) -> list:
    results = []
    for key in PARTS:
        result = dg.materialize([scored], partition_key=key, instance=instance, resources=resources)
        assert result.success
        results.append(result.asset_materializations_for_node("scored")[0].metadata)
    return results


def test_handle_output_metadata_and_idempotence(store_uri: str) -> None:
    mongo = _collection(store_uri)
    instance = _instance()
    first_a, first_b = _materialize_both(instance, _io(mongo))
    assert first_a["inserted"].value == 30 and first_a["dagster/row_count"].value == 30
    assert (first_b["inserted"].value, first_b["export_added"].value) == (20, 10)
    again_a, again_b = _materialize_both(instance, _io(mongo))
    for meta in (again_a, again_b):
        assert (meta["inserted"].value, meta["updated"].value) == (0, 0)
        assert meta["removed_from_export"].value == 0 and meta["unchanged"].value == 30
    assert "@" not in str(again_a["store"].value) or "***" in str(again_a["store"].value)
    with mongo.get_collection() as coll:
        assert coll.count_documents({}) == 50
        coll.drop()


def test_load_input_partitions_filters_projection_stream(store_uri: str) -> None:
    mongo = _collection(store_uri)
    instance = _instance()
    resources = _io(mongo)
    _materialize_both(instance, resources)

    SEEN.clear()
    assert dg.materialize(
        [one_export, scored.to_source_asset()],
        partition_key="B",
        instance=instance,
        resources=resources,
    ).success
    assert sorted(SEEN["one_export"]["doc_id"]) == PARTS["B"]  # type: ignore[index]

    assert dg.materialize(
        [good_web, streamed, scored.to_source_asset()], instance=instance, resources=resources
    ).success
    good = SEEN["good_web"]
    assert isinstance(good, pl.DataFrame)
    assert set(good.columns) == {"doc_id", "title", "quality_score", "source"}
    assert good.height > 0 and (good["quality_score"] >= 0.5).all()
    assert set(good["source"]) == {"web"}
    assert SEEN["streamed"] == [8] * 6 + [2]  # 50 distinct ids over both exports, 8 at a time

    # Filters can also come from the IO manager's config.
    SEEN.clear()
    assert dg.materialize(
        [one_export, scored.to_source_asset()],
        partition_key="A",
        instance=instance,
        resources=_io(mongo, sources=["notion"]),
    ).success
    assert set(SEEN["one_export"]["source"]) == {"notion"}  # type: ignore[index]
    with mongo.get_collection() as coll:
        coll.drop()


def test_embedded_default_when_no_uri(data_dir, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONGODB_URI", raising=False)
    mongo = MongoResource()  # uri unset, MONGODB_URI unset: the embedded store
    assert mongo.is_embedded and mongo.describe() == "embedded nx-27017"
    _materialize_both(_instance(), _io(mongo))
    with mongo.get_collection() as coll:
        assert coll.count_documents({}) == 50
    assert (data_dir / "store" / "secondbrain.db").exists()


def test_unreachable_store_names_host_not_password(monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()  # nothing listens there
    uri = f"mongodb://admin:TopSecret42@127.0.0.1:{port}/?authSource=admin"
    monkeypatch.setenv("MONGODB_URI", uri)  # read at run time when `uri` is left out
    mongo = MongoResource(server_selection_timeout_ms=300, connect_timeout_ms=300)
    assert mongo.describe() == f"mongodb://admin:***@127.0.0.1:{port}/?authSource=admin"
    with pytest.raises(StoreUnavailableError) as err, mongo.get_client():
        pass
    message = str(err.value)
    assert f"127.0.0.1:{port}" in message and "TopSecret42" not in message
    assert "MONGODB_URI" in message

    result = dg.materialize(
        [scored],
        partition_key="A",
        instance=_instance(),
        resources=_io(mongo),
        raise_on_error=False,
    )
    assert not result.success
    failure = result.get_step_failure_events()[0]
    text = str(failure.event_specific_data)
    assert "TopSecret42" not in text and f"127.0.0.1:{port}" in text
