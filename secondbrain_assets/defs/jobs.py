"""Jobs: the per-export pipeline the sensor launches, the dataset-and-model pipeline over every
export, and the jobs that re-run asset checks on stored results.

They select by partitions definition, not by name: an asset file added to `defs/` with
`partitions_def=notion_exports` joins the per-export jobs, one without partitions joins the
dataset-and-model jobs, and neither needs an edit here.
"""

import dagster as dg

from secondbrain_assets.defs.partitions import notion_exports
from secondbrain_assets.lib.selection import checks_only, partitioned_by

# Everything partitioned per export; unpartitioned assets (datasets, models) read all exports
# and are materialized on their own.
EXPORT_SELECTION = partitioned_by(notion_exports)
DATASET_AND_MODEL_SELECTION = dg.AssetSelection.all() - EXPORT_SELECTION

notion_export_job = dg.define_asset_job(
    "notion_export_job",
    selection=EXPORT_SELECTION,
    partitions_def=notion_exports,
    description="Materializes one Notion export end to end, with its asset checks.",
)

# There is no `dagster asset check` CLI: `dg launch --job asset_checks_job --partition KEY` runs
# every check against what is already materialized, without recomputing any asset.
asset_checks_job = dg.define_asset_job(
    "asset_checks_job",
    selection=checks_only(EXPORT_SELECTION),
    partitions_def=notion_exports,
    description="Runs every asset check of one export's partition against stored results.",
)

# The unpartitioned tail (dataset, adapter, merged model, evaluation) over every export so far.
# The automation sensor runs it when enough new summaries exist; `make demo` runs it directly.
dataset_and_model_job = dg.define_asset_job(
    "dataset_and_model_job",
    selection=DATASET_AND_MODEL_SELECTION,
    description="Builds the dataset from every export's summaries, fine-tunes, merges, evaluates.",
)

dataset_and_model_checks_job = dg.define_asset_job(
    "dataset_and_model_checks_job",
    selection=checks_only(DATASET_AND_MODEL_SELECTION),
    description="Runs every asset check of the dataset and models against stored results.",
)
