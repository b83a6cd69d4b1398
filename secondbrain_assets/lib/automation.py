"""When assets materialize by themselves (Declarative Automation), named once for every asset file.

Per-export assets follow their upstream partition as soon as it changes. The unpartitioned tail
(`hf_dataset` -> `lora_adapter` -> `merged_model` -> `model_evaluation`) is expensive, so it starts
only when enough new accepted summaries exist, and at most once per cron period; the assets after
`hf_dataset` follow it, each on the tick after its upstream updated. The automation sensor
(defs/automation.py) evaluates these.
"""

from __future__ import annotations

import dagster as dg

from secondbrain_assets import settings


def follows_upstream() -> dg.AutomationCondition:
    """Materialize (a partition) when its upstream (partition) was updated and nothing is running;
    not while an upstream blocking check fails (the run that found it stopped there on purpose)."""
    return (
        dg.AutomationCondition.eager() & dg.AutomationCondition.all_deps_blocking_checks_passed()
    ).with_label("follows its upstream")


class NewSummariesAtLeast(dg.AutomationCondition):
    """True when `summaries` runs since the target's last materialization accepted at least
    `min_new` summaries in all (the `metadata_key` each summaries materialization reports)."""

    def __init__(self, min_new: int, source: str = "summaries", metadata_key: str = "ok"):
        self.min_new = min_new
        self.source = dg.AssetKey(source)
        self.metadata_key = metadata_key

    @property
    def name(self) -> str:
        return f"at_least_{self.min_new}_new_{self.source.to_user_string()}"

    def evaluate(self, context: dg.AutomationContext) -> dg.AutomationResult:
        instance = context.asset_graph_view.instance
        last = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=context.key), limit=1
        ).records
        after = last[0].storage_id if last else None
        new = 0
        cursor = None
        while True:  # every summaries partition materialized since then, page by page
            page = instance.fetch_materializations(
                dg.AssetRecordsFilter(asset_key=self.source, after_storage_id=after),
                limit=500,
                cursor=cursor,
            )
            for record in page.records:
                materialization = record.asset_materialization
                value = materialization.metadata.get(self.metadata_key) if materialization else None
                new += int(getattr(value, "value", value) or 0)
            if not page.has_more:
                break
            cursor = page.cursor
        enough = new >= self.min_new
        subset = context.candidate_subset if enough else context.get_empty_subset()
        return dg.AutomationResult(context=context, true_subset=subset)


def retrain_when_enough_new_summaries() -> dg.AutomationCondition:
    """The tail's trigger: enough new summaries, and either never built or a cron tick passed
    since it last ran. Tuned by SECONDBRAIN_RETRAIN_CRON and SECONDBRAIN_RETRAIN_MIN_SUMMARIES."""
    cron = settings.retrain_cron()
    enough = NewSummariesAtLeast(settings.retrain_min_summaries())
    due = (
        dg.AutomationCondition.missing()
        | dg.AutomationCondition.cron_tick_passed(cron).since_last_handled()
    )
    return (
        (due & enough)
        & ~dg.AutomationCondition.in_progress()
        & ~dg.AutomationCondition.any_deps_in_progress()
    ).with_label(f"enough new summaries, at most once per '{cron}'")
