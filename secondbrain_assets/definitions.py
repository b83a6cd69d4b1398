"""The code location: every asset, check, job, sensor and resource of secondbrain_assets.

Importing this module must stay light (no torch, transformers, crawl4ai, datasets): each step
process re-imports it. `benchmarks/bench_import.py` measures it.
"""

import dagster as dg

from secondbrain_assets.defs import crawl, heuristics, judge, notion, store
from secondbrain_assets.defs.jobs import asset_checks_job, notion_export_job
from secondbrain_assets.defs.resources import build_resources
from secondbrain_assets.defs.sensors import notion_export_sensor

_ASSET_MODULES = [notion, crawl, heuristics, judge, store]

defs = dg.Definitions(
    assets=dg.load_assets_from_modules(_ASSET_MODULES),
    asset_checks=dg.load_asset_checks_from_modules(_ASSET_MODULES),
    jobs=[notion_export_job, asset_checks_job],
    sensors=[notion_export_sensor],
    resources=build_resources(),
)
