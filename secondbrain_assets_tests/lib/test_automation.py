"""Automation conditions evaluated the way the automation sensor does, on a real instance."""

import dagster as dg
import pytest

from secondbrain_assets.lib.automation import (
    NewSummariesAtLeast,
    follows_upstream,
    retrain_when_enough_new_summaries,
)

exports = dg.DynamicPartitionsDefinition(name="exports")


def _graph(tail_condition: dg.AutomationCondition) -> list[dg.AssetsDefinition]:
    @dg.asset(partitions_def=exports)
    def upstream() -> int:
        return 1

    @dg.asset(partitions_def=exports, automation_condition=follows_upstream())
    def summaries(context: dg.AssetExecutionContext, upstream: int) -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata={"ok": int(context.partition_key[-1])})

    @dg.asset(deps=[summaries], automation_condition=tail_condition)
    def hf_dataset() -> None:
        return None

    return [upstream, summaries, hf_dataset]


def _requested(defs: list, instance: dg.DagsterInstance, cursor=None) -> tuple:
    result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)
    names = ("summaries", "hf_dataset")
    return {n for n in names if result.get_num_requested(dg.AssetKey(n))}, result.cursor


def test_partition_follows_its_upstream_and_tail_waits_for_enough_summaries() -> None:
    assets = _graph(NewSummariesAtLeast(min_new=5))
    upstream, summaries, _ = assets
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("exports", ["export-3", "export-4"])
        _, cursor = _requested(assets, instance)  # the sensor's first tick
        dg.materialize([upstream], instance=instance, partition_key="export-3")
        requested, cursor = _requested(assets, instance, cursor)
        assert requested == {"summaries"}  # the new export flows on without a job
        only_summaries = [summaries]
        dg.materialize(
            assets[:2], instance=instance, partition_key="export-3", selection=only_summaries
        )
        requested, cursor = _requested(assets, instance, cursor)
        assert "hf_dataset" not in requested  # 3 new summaries < 5
        dg.materialize([upstream, summaries], instance=instance, partition_key="export-4")
        requested, cursor = _requested(assets, instance, cursor)
        assert "hf_dataset" in requested  # 3 + 4 >= 5


def test_count_restarts_after_the_tail_ran() -> None:
    assets = _graph(NewSummariesAtLeast(min_new=5))
    upstream, summaries, hf_dataset = assets
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("exports", ["export-7", "export-2"])
        for key in ("export-7",):
            dg.materialize([upstream, summaries], instance=instance, partition_key=key)
        dg.materialize([hf_dataset], instance=instance)
        requested, _ = _requested(assets, instance)
        assert "hf_dataset" not in requested  # nothing new since it ran
        dg.materialize([upstream, summaries], instance=instance, partition_key="export-2")
        requested, _ = _requested(assets, instance)
        assert "hf_dataset" not in requested  # 2 new < 5


def test_retrain_condition_reads_its_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECONDBRAIN_RETRAIN_CRON", "*/5 * * * *")
    monkeypatch.setenv("SECONDBRAIN_RETRAIN_MIN_SUMMARIES", "12")
    condition = retrain_when_enough_new_summaries()
    assert "*/5 * * * *" in condition.get_label()
    counts = [c for c in _walk(condition) if isinstance(c, NewSummariesAtLeast)]
    assert [c.min_new for c in counts] == [12]


def test_missing_tail_is_built_once_enough_summaries_exist(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECONDBRAIN_RETRAIN_MIN_SUMMARIES", "4")
    assets = _graph(retrain_when_enough_new_summaries())
    upstream, summaries, _ = assets
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("exports", ["export-5"])
        dg.materialize([upstream, summaries], instance=instance, partition_key="export-5")
        requested, _ = _requested(assets, instance)
        assert "hf_dataset" in requested  # never built, 5 >= 4: no need to wait for the cron


def _walk(condition: dg.AutomationCondition):
    yield condition
    for child in getattr(condition, "children", []):
        yield from _walk(child)
