"""`mongo_io_manager`: stores a partition's scored documents in MongoDB and reads them back.

handle_output syncs exactly one export (see core/store/writer.py): upserts keyed by the stable id,
then removal of that export's ids that are gone. Other exports are never touched.

load_input reads the requested partitions (or all) with server-side filters and a projection,
batch by batch from the cursor. It returns one polars DataFrame by default; an input with
`metadata={"stream": True}` gets an iterator of DataFrames instead (one per batch, the client
stays open until the iterator is exhausted or closed) for collections too big for memory;
annotate such an input `Any` (Dagster cannot infer a type from `Iterator[...]`).
Filters come from the input's metadata, falling back to this IO manager's config:
`min_quality_score`, `sources` (list), `fields` (projection list), `batch_size`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

import dagster as dg
import polars as pl
from pydantic import Field

from secondbrain_assets.core.store import reader
from secondbrain_assets.core.store.documents import iter_documents
from secondbrain_assets.core.store.indexes import ensure_indexes
from secondbrain_assets.core.store.writer import sync_partition
from secondbrain_assets.resources.mongo import MongoResource


class MongoIOManager(dg.ConfigurableIOManager):
    """Partition-scoped, idempotent MongoDB storage for `mongo_collection`."""

    mongo: MongoResource = Field(description="The MongoDB connection (the `mongo` resource)")
    write_batch_size: int = Field(default=500, description="Documents per bulk write")
    read_batch_size: int = Field(
        default=1000, description="Documents per cursor round trip and per streamed frame"
    )
    min_quality_score: float | None = Field(
        default=None,
        description="Default read filter: only documents scored at least this (input metadata "
        "`min_quality_score` overrides it); unscored documents never pass a minimum",
    )
    sources: list[str] | None = Field(
        default=None, description="Default read filter on `source` ('notion', 'web'); None = all"
    )
    fields: list[str] | None = Field(
        default=None, description="Default projection: fields read back (`_id` always); None = all"
    )

    def handle_output(self, context: dg.OutputContext, obj: pl.DataFrame | None) -> None:
        if obj is None:
            return
        if not isinstance(obj, pl.DataFrame):
            raise TypeError("mongo_io_manager stores polars DataFrames of join_scores() rows")
        if not context.has_partition_key:
            raise ValueError(
                "mongo_io_manager writes one export at a time: materialize a partition "
                "of `notion_exports`, never the whole collection."
            )
        export_key = context.partition_key
        started = time.perf_counter()
        documents = list(iter_documents(obj))
        with self.mongo.get_collection() as collection:
            ensure_indexes(collection)
            result = sync_partition(collection, export_key, documents, self.write_batch_size)
        context.log.info(
            f"{export_key}: {result.inserted} inserted, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.removed_from_export} removed "
            f"in {self.mongo.describe()}"
        )
        context.add_output_metadata(
            {
                "dagster/row_count": dg.MetadataValue.int(result.documents),
                "inserted": result.inserted,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "export_added": result.export_added,
                "removed_from_export": result.removed_from_export,
                "deleted": result.deleted,
                "batches": result.batches,
                "sync_seconds": result.elapsed_s,
                "total_seconds": round(time.perf_counter() - started, 3),
                "store": self.mongo.describe(),  # redacted: never the password
                "collection": f"{self.mongo.database}.{self.mongo.collection}",
            }
        )

    def _options(self, context: dg.InputContext) -> dict[str, Any]:
        meta = dict(context.definition_metadata or {})
        sources = meta.get("sources", meta.get("source", self.sources))
        if isinstance(sources, str):
            sources = [sources]
        return {
            "min_quality_score": meta.get("min_quality_score", self.min_quality_score),
            "sources": sources,
            "fields": meta.get("fields", self.fields),
            "batch_size": int(meta.get("batch_size", self.read_batch_size)),
            "stream": bool(meta.get("stream", False)),
        }

    def _export_keys(self, context: dg.InputContext) -> Sequence[str] | None:
        if context.has_asset_partitions:
            return sorted(context.asset_partition_keys)
        return None  # unpartitioned read: every export

    def load_input(self, context: dg.InputContext) -> pl.DataFrame | Iterator[pl.DataFrame]:
        opts = self._options(context)
        query = reader.build_filter(
            self._export_keys(context), opts["min_quality_score"], opts["sources"]
        )
        if opts["stream"]:
            return self._stream(query, opts["fields"], opts["batch_size"])
        with self.mongo.get_collection() as collection:
            frame = reader.read_frame(collection, query, opts["fields"], opts["batch_size"])
        context.log.info(f"read {frame.height} documents from {self.mongo.describe()}")
        return frame

    def _stream(
        self, query: dict[str, Any], fields: list[str] | None, batch_size: int
    ) -> Iterator[pl.DataFrame]:
        with self.mongo.get_collection() as collection:
            yield from reader.iter_frames(collection, query, fields, batch_size)
