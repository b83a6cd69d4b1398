"""Jobs: the per-export pipeline the sensor launches, and one that runs every asset check.

Both select by partitions definition, not by name: an asset file added to `defs/` with
`partitions_def=notion_exports` joins them without an edit here.
"""

import dagster as dg

from secondbrain_assets.defs.partitions import notion_exports
from secondbrain_assets.lib.selection import checks_only, partitioned_by

# Everything partitioned per export; unpartitioned assets (datasets, models) read all exports
# and are materialized on their own.
EXPORT_SELECTION = partitioned_by(notion_exports)

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
