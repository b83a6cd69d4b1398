"""Jobs: the per-export pipeline the sensor launches, and one that runs every asset check."""

import dagster as dg

from secondbrain_assets.defs.partitions import notion_exports

# Everything partitioned per export, in graph order; later unpartitioned assets read all exports.
EXPORT_ASSETS = [
    "notion_docs",
    "crawled_pages",
    "heuristic_scores",
    "llm_scores",
    "mongo_collection",
]

notion_export_job = dg.define_asset_job(
    "notion_export_job",
    selection=dg.AssetSelection.assets(*EXPORT_ASSETS),
    partitions_def=notion_exports,
    description="Materializes one Notion export end to end, with its asset checks.",
)

# There is no `dagster asset check` CLI: `dg launch --job asset_checks_job --partition KEY` runs
# every check against what is already materialized, without recomputing any asset.
asset_checks_job = dg.define_asset_job(
    "asset_checks_job",
    selection=dg.AssetSelection.checks_for_assets(*EXPORT_ASSETS),
    partitions_def=notion_exports,
    description="Runs every asset check of one export's partition against stored results.",
)
