"""The real UI: `dagster dev` on 127.0.0.1, every asset drawn in its group's lineage graph in
headless Debian Chromium, and a partition materialized through the same GraphQL API the UI uses."""

from __future__ import annotations

import contextlib
import shutil
import time
from pathlib import Path

import dagster as dg
import httpx
import pytest

from secondbrain_assets.core.exports import discover_exports
from secondbrain_assets.defs.jobs import EXPORT_SELECTION
from secondbrain_assets.lib.selection import selected_asset_names
from secondbrain_assets.settings import PROJECT_ROOT
from secondbrain_assets_tests.core.llm.fixtures import smollm2_models_root  # noqa: F401
from secondbrain_assets_tests.integration.dagster_dev import dagster_dev

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ADD_PARTITION = """mutation($repo: RepositorySelector!, $key: String!) {
  addDynamicPartition(repositorySelector: $repo, partitionsDefName: "notion_exports",
                      partitionKey: $key) { __typename ... on PythonError { message } } }"""
LAUNCH = """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
  __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message }
  ... on InvalidSubsetError { message }
  ... on RunConfigValidationInvalid { errors { message } } } }"""
RUN_STATUS = "query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }"
REPOS = """{ repositoriesOrError { ... on RepositoryConnection {
  nodes { name location { name } } } } }"""


def _dismiss_first_visit_dialog(page) -> None:
    """The UI greets a new instance with a newsletter dialog over the graph."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):  # already dismissed on an earlier page
        page.get_by_role("button", name="Skip").click(timeout=5_000)


def _gql(url: str, query: str, **variables) -> dict:
    answer = httpx.post(f"{url}/graphql", json={"query": query, "variables": variables}, timeout=30)
    answer.raise_for_status()
    body = answer.json()
    assert "errors" not in body, body
    return body["data"]


def _serve(tmp_path: Path, extra_env: dict[str, str]):
    home, data = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    shutil.copytree(PROJECT_ROOT / "data" / "notion", data / "notion")
    env = {"DAGSTER_HOME": str(home), "SECONDBRAIN_DATA_DIR": str(data), **extra_env}
    return dagster_dev(PROJECT_ROOT / "workspace.yaml", env, tmp_path / "dagster_dev.log"), data


@pytest.fixture
def ui(tmp_path: Path):
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (make test installs it)")
    # Keep the sensor from launching the full pipeline while this test drives one run.
    server, data = _serve(tmp_path, {"SECONDBRAIN_SENSOR_SETTLE_SECONDS": "1e12"})
    with server as url:
        yield url, data


def test_asset_graph_is_drawn_and_a_partition_materializes(ui, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    from secondbrain_assets.definitions import defs

    url, data = ui
    repo = _gql(url, REPOS)["repositoriesOrError"]["nodes"][0]
    location = repo["location"]["name"]
    graph = defs().resolve_asset_graph()
    groups: dict[str, list[str]] = {}
    for key in graph.toposorted_asset_keys:
        groups.setdefault(graph.get(key).group_name, []).append(key.to_user_string())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        for group, assets in groups.items():
            page.goto(f"{url}/locations/{location}/asset-groups/{group}")
            _dismiss_first_visit_dialog(page)
            for asset in assets:
                # Graph nodes carry the asset name as a tooltip; the sidebar list does not.
                page.locator(f'[data-tooltip="{asset}"]').first.wait_for(timeout=30_000)
            page.screenshot(path=str(tmp_path / f"asset_group_{group}.png"))
        browser.close()

    selector = {"repositoryName": repo["name"], "repositoryLocationName": repo["location"]["name"]}
    key = discover_exports(data / "notion")[0].key
    added = _gql(url, ADD_PARTITION, repo=selector, key=key)["addDynamicPartition"]
    assert added["__typename"] == "AddDynamicPartitionSuccess", added
    params = {
        "selector": {
            **selector,
            "jobName": "__ASSET_JOB",
            "assetSelection": [{"path": ["notion_docs"]}],
        },
        "executionMetadata": {"tags": [{"key": "dagster/partition", "value": key}]},
    }
    launched = _gql(url, LAUNCH, params=params)["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    status, deadline = None, time.monotonic() + 180
    while time.monotonic() < deadline and status not in ("SUCCESS", "FAILURE", "CANCELED"):
        time.sleep(1)
        status = _gql(url, RUN_STATUS, id=run_id)["runOrError"]["status"]
    assert status == "SUCCESS"
    assert (data / "assets" / "notion_docs" / f"{key}.parquet").exists()


RUNS = """{ runsOrError(filter: {pipelineName: "notion_export_job"}) {
  ... on Runs { results { runId status tags { key value } } } } }"""


def test_sensor_materializes_a_new_export_through_the_daemon(
    tmp_path: Path,
    smollm2_models_root: Path,  # noqa: F811
) -> None:
    """Nothing is launched by hand: the daemon ticks the sensor, which adds the partition and
    requests the run; the run materializes every asset of the export."""
    server, data = _serve(
        tmp_path,
        {
            "SECONDBRAIN_SENSOR_SETTLE_SECONDS": "0",
            "SECONDBRAIN_MODELS_DIR": str(smollm2_models_root),
        },
    )
    key = discover_exports(data / "notion")[0].key
    with server as url:
        runs, deadline = [], time.monotonic() + 400
        while time.monotonic() < deadline:
            runs = _gql(url, RUNS)["runsOrError"]["results"]
            if runs and runs[0]["status"] in ("SUCCESS", "FAILURE", "CANCELED"):
                break
            time.sleep(2)
    assert len(runs) == 1, runs
    tags = {tag["key"]: tag["value"] for tag in runs[0]["tags"]}
    assert (
        tags["dagster/partition"] == key and tags["dagster/sensor_name"] == "notion_export_sensor"
    )
    assert runs[0]["status"] == "SUCCESS", (tmp_path / "dagster_dev.log").read_text()[-3000:]
    for asset in _parquet_export_assets():
        assert (data / "assets" / asset / f"{key}.parquet").exists()


def _parquet_export_assets() -> list[str]:
    """Export assets in Parquet files (the default IO manager); mongo_collection is in MongoDB."""
    from secondbrain_assets.definitions import defs as load_defs

    defs = load_defs()
    graph = defs.resolve_asset_graph()
    return [
        name
        for name in selected_asset_names(defs, EXPORT_SELECTION)
        if graph.get(dg.AssetKey(name)).io_manager_key == "io_manager"
    ]
