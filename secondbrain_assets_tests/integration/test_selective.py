"""Selective re-materialization on the sample export, in process on a real Dagster instance:
an unchanged re-run does no work, a new judge version makes only `llm_scores` and what is
downstream stale (and re-judges without crawling), a new export runs only its own partition.

The per-export chain up to the store runs here (`notion_docs` .. `mongo_collection`); `summaries`
needs the SmolLM2 summarizer and is left to the pipeline test. The export is the shipped sample
unzipped, plus one page whose links point at a local web site, so HTTP requests are counted where
they arrive.
"""

from __future__ import annotations

import importlib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from secondbrain_assets.core.exports import discover_exports
from secondbrain_assets.defs.partitions import notion_exports
from secondbrain_assets.resources.crawler import CrawlerResource
from secondbrain_assets.settings import PROJECT_ROOT
from secondbrain_assets_tests.core.crawl.site import Site

pytestmark = pytest.mark.slow

SAMPLE = next((PROJECT_ROOT / "data" / "notion").glob("*.zip"))
CHAIN = ["notion_docs", "crawled_pages", "heuristic_scores", "llm_scores", "mongo_collection"]
UPSTREAM_OF_JUDGE = ["notion_docs", "crawled_pages", "heuristic_scores"]
LOCAL_PATHS = ["/article", "/static/1", "/static/2"]


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site(slow_s=0.1).start()
    yield server
    server.stop()


def _unzip_sample(target: Path) -> None:
    """The sample as an unzipped export folder (Notion's outer zip holds a Part-1 zip)."""
    target.mkdir(parents=True)
    with zipfile.ZipFile(SAMPLE) as outer:
        for name in outer.namelist():
            if name.lower().endswith(".zip"):
                with zipfile.ZipFile(outer.open(name)) as inner:
                    inner.extractall(target)
            else:
                outer.extract(name, target)


def _local_links_page(folder: Path, site: Site, name: str = "Field notes") -> None:
    links = "\n".join(f"- [note {i}]({site.url(path)})" for i, path in enumerate(LOCAL_PATHS))
    text = (
        f"# {name}\n\nNotes on glaciers and how they shape valleys, with the articles I read "
        "while preparing the hiking trip last spring. The field guide explains plucking, "
        f"abrasion and the freeze-thaw cycle in detail.\n\n{links}\n"
    )
    (folder / f"{name} {'e' * 32}.md").write_text(text)


def _defs(site: Site) -> dg.Definitions:
    """The code location as the UI loads it, with a crawler allowed to reach 127.0.0.1."""
    from secondbrain_assets.definitions import defs as load_defs

    loaded = load_defs()
    crawler = CrawlerResource(allow_private=["127.0.0.1"], use_browser=False)
    return dg.Definitions(
        assets=loaded.assets,
        asset_checks=loaded.asset_checks,
        jobs=loaded.jobs,
        resources={**(loaded.resources or {}), "crawler": crawler},
    )


def _run(defs: dg.Definitions, instance: dg.DagsterInstance, key: str, assets: list[str]):
    job = defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        instance=instance,
        partition_key=key,
        asset_selection=[dg.AssetKey(name) for name in assets],
    )
    assert result.success
    return result


def _metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict:
    [materialization] = result.asset_materializations_for_node(asset)
    return {key: value.value for key, value in materialization.metadata.items()}


def _materialized(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def _stale(defs: dg.Definitions, instance: dg.DagsterInstance, key: str) -> dict[str, str]:
    """Each chain asset's stale status for partition `key`, as the UI computes it."""
    from dagster._core.definitions.data_version import CachingStaleStatusResolver
    from dagster._core.loader import LoadingContextForTest

    resolver = CachingStaleStatusResolver(
        instance, defs.resolve_asset_graph(), LoadingContextForTest(instance)
    )
    return {name: resolver.get_status(dg.AssetKey(name), key).value for name in CHAIN}


def _partition_events(instance: dg.DagsterInstance, key: str) -> dict[str, int]:
    counts = {}
    for name in CHAIN:
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey(name), asset_partitions=[key]), limit=100
        ).records
        counts[name] = len(records)
    return counts


@pytest.fixture
def instance(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dg.DagsterInstance]:
    monkeypatch.delenv("MONGODB_URI", raising=False)
    monkeypatch.delenv("SECONDBRAIN_LLM_BACKEND", raising=False)  # the embedded content judge
    with dg.instance_for_test() as instance:
        yield instance


def _register(instance: dg.DagsterInstance, data_dir: Path) -> list[str]:
    keys = [ref.key for ref in discover_exports(data_dir / "notion")]
    known = set(instance.get_dynamic_partitions(notion_exports.name))
    instance.add_dynamic_partitions(notion_exports.name, [k for k in keys if k not in known])
    return keys


def test_unchanged_rerun_does_nothing_and_new_export_runs_alone(
    data_dir: Path, instance: dg.DagsterInstance, site: Site
) -> None:
    export = data_dir / "notion" / "Export-selective"
    _unzip_sample(export)
    _local_links_page(export, site)
    [key] = _register(instance, data_dir)
    defs = _defs(site)

    first = _run(defs, instance, key, CHAIN)
    assert _materialized(first) == set(CHAIN)
    fetched = site.total
    assert fetched >= len(LOCAL_PATHS), site.hits
    assert _metadata(first, "llm_scores")["llm_calls"] > 0
    assert _metadata(first, "mongo_collection")["inserted"] > 0
    assert set(_stale(defs, instance, key).values()) == {"FRESH"}

    # (a) Same export again: no request reaches the site, no document is judged, nothing written.
    second = _run(defs, instance, key, CHAIN)
    assert site.total == fetched, site.hits
    assert _metadata(second, "crawled_pages")["requests_made"] == 0
    assert _metadata(second, "llm_scores")["llm_calls"] == 0
    stored = _metadata(second, "mongo_collection")
    assert stored["inserted"] == stored["updated"] == stored["removed_from_export"] == 0
    assert set(_stale(defs, instance, key).values()) == {"FRESH"}

    # (c) A new export: the sensor's job runs only its partition; the first one is untouched.
    other = data_dir / "notion" / "Export-second"
    other.mkdir()
    _local_links_page(other, site, name="Trip plan")
    keys = _register(instance, data_dir)
    [new_key] = [k for k in keys if k != key]
    before = _partition_events(instance, key)
    third = defs.resolve_job_def("notion_export_job").execute_in_process(
        instance=instance,
        partition_key=new_key,
        asset_selection=[dg.AssetKey(name) for name in CHAIN],
    )
    assert third.success
    partitions = {e.partition for e in third.get_asset_materialization_events()}
    assert partitions == {new_key}
    assert _partition_events(instance, key) == before
    # The same links were crawled for the first export: the shared cache answers them.
    assert site.total == fetched, site.hits
    assert _stale(defs, instance, key) == {name: "FRESH" for name in CHAIN}


def test_new_judge_version_rejudges_only_llm_scores_and_downstream(
    data_dir: Path, instance: dg.DagsterInstance, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from secondbrain_assets.core.llm import content_judge

    export = data_dir / "notion" / "Export-judged"
    _unzip_sample(export)
    _local_links_page(export, site)
    [key] = _register(instance, data_dir)
    defs = _defs(site)
    first = _run(defs, instance, key, CHAIN)
    judged = _metadata(first, "llm_scores")
    fetched = site.total
    old_code_version = defs.resolve_asset_graph().get(dg.AssetKey("llm_scores")).code_version

    # A refitted judge: its version is in the cache key and in every row, and must reach
    # llm_scores' code_version so Dagster shows the change before anything runs.
    new_version = f"{content_judge.ContentJudgeBackend.method_version}-refit"
    monkeypatch.setattr(content_judge.ContentJudgeBackend, "method_version", new_version)
    judge_module = importlib.import_module("secondbrain_assets.defs.judge")
    try:
        importlib.reload(judge_module)  # what a code location reload does
        defs = _defs(site)
        code_version = defs.resolve_asset_graph().get(dg.AssetKey("llm_scores")).code_version
        assert code_version != old_code_version, (
            f"llm_scores' code_version ({code_version!r}) does not follow the judge's version "
            "(core/llm/judge.py judge_version): Dagster cannot tell that a new judge makes the "
            "scores stale. Derive it in defs/judge.py from the configured judge's version."
        )
        status = _stale(defs, instance, key)
        assert {name: status[name] for name in UPSTREAM_OF_JUDGE} == dict.fromkeys(
            UPSTREAM_OF_JUDGE, "FRESH"
        )
        assert status["llm_scores"] == "STALE"

        # Re-run the stale asset: nothing crawled, every passing document judged again.
        again = _run(defs, instance, key, ["llm_scores"])
        rejudged = _metadata(again, "llm_scores")
        assert site.total == fetched, site.hits
        assert rejudged["llm_calls"] == judged["llm_calls"] > 0
        assert rejudged["prompt_version"] == new_version
        # Its rows carry the new version, so its data version changed: now the store is stale
        # (Dagster cannot know a user-computed data version in advance, so it shows this only
        # once llm_scores ran), and nothing upstream.
        status = _stale(defs, instance, key)
        assert status == {**dict.fromkeys(CHAIN, "FRESH"), "mongo_collection": "STALE"}
        stored = _metadata(_run(defs, instance, key, ["mongo_collection"]), "mongo_collection")
        assert stored["inserted"] == stored["removed_from_export"] == 0
        assert site.total == fetched, site.hits
        assert set(_stale(defs, instance, key).values()) == {"FRESH"}
    finally:
        monkeypatch.undo()
        importlib.reload(judge_module)
