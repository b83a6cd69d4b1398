"""The real `dagster dev` on 127.0.0.1 with its daemon: the sensor finds a new export and its run
materializes the whole export. The browser side (lineage, clicking Materialize, check results)
is in test_ui_materialize.py, which shares the helpers here."""

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
from secondbrain_assets_tests.core.summarize.servers import Reply, StandIn, stand_in  # noqa: F401
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


RUNS = """{ runsOrError(filter: {pipelineName: "notion_export_job"}) {
  ... on Runs { results { runId status tags { key value } } } } }"""


def test_sensor_materializes_a_new_export_through_the_daemon(
    tmp_path: Path,
    smollm2_models_root: Path,  # noqa: F811
    stand_in: StandIn,  # noqa: F811
) -> None:
    """Nothing is launched by hand: the daemon ticks the sensor, which adds the partition and
    requests the run; the run materializes every asset of the export. Summaries come from the
    OpenAI-compatible client talking to a local stand-in (the embedded model's summaries have
    their own end-to-end test in test_pipeline.py), so the run takes a minute, not ten."""
    stand_in.reply = lambda request: Reply("Notes on the topic, kept for later reading.")
    server, data = _serve(
        tmp_path,
        {
            "SECONDBRAIN_SENSOR_SETTLE_SECONDS": "0",
            "SECONDBRAIN_MODELS_DIR": str(smollm2_models_root),
            "SECONDBRAIN_SUMMARIZER_BACKEND": "openai",
            "SECONDBRAIN_SUMMARIZER_MODEL": "summarizer-7b",
            "OPENAI_BASE_URL": f"{stand_in.url}/v1",
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
        ticks = _automation_ticks_after_the_run(url)
        automated = _wait_for_automation_run(url)
    # The automation sensor runs by default and evaluates every condition (the retrain one is
    # Python, in the code server) without error. The stand-in's summaries are all accepted, so
    # the export brings more new summaries than SECONDBRAIN_RETRAIN_MIN_SUMMARIES and the never
    # built dataset is missing: the sensor requests it by itself (the adapter, merged model and
    # evaluation follow on later ticks, each once its upstream has updated).
    assert ticks and all(t["error"] is None for t in ticks), ticks
    assert [".".join(a["path"]) for a in automated["assetSelection"]] == ["hf_dataset"]
    assert len(runs) == 1, runs
    tags = {tag["key"]: tag["value"] for tag in runs[0]["tags"]}
    assert (
        tags["dagster/partition"] == key and tags["dagster/sensor_name"] == "notion_export_sensor"
    )
    assert runs[0]["status"] == "SUCCESS", (tmp_path / "dagster_dev.log").read_text()[-3000:]
    for asset in _parquet_export_assets():
        assert (data / "assets" / asset / f"{key}.parquet").exists()
    assert stand_in.calls > 0  # summaries went through the OpenAI-compatible client


AUTOMATION_TICKS = """query($selector: InstigationSelector!) {
  instigationStateOrError(instigationSelector: $selector) {
    ... on InstigationState { status ticks(limit: 20) { status timestamp error { message } } }
    ... on PythonError { message } } }"""
ALL_RUNS = """{ runsOrError { ... on Runs { results {
  runId pipelineName status tags { key value } assetSelection { path } } } } }"""


def _wait_for_automation_run(url: str, timeout: float = 120) -> dict:
    """The first run the automation sensor requested. Runs come newest first, and by the time we
    look the sensor may already have requested the next asset of the tail (lora_adapter)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for run in reversed(_gql(url, ALL_RUNS)["runsOrError"]["results"]):
            tags = {t["key"]: t["value"] for t in run["tags"]}
            if tags.get("dagster/sensor_name") == "automation_sensor":
                return run
        time.sleep(2)
    raise AssertionError(f"the automation sensor requested no run within {timeout} s")


def _automation_ticks_after_the_run(url: str, timeout: float = 120) -> list[dict]:
    """The automation sensor's ticks, once one has completed after the export's run ended."""
    repo = _gql(url, REPOS)["repositoriesOrError"]["nodes"][0]
    selector = {
        "repositoryName": repo["name"],
        "repositoryLocationName": repo["location"]["name"],
        "name": "automation_sensor",
    }
    started, deadline = time.time(), time.monotonic() + timeout
    ticks: list[dict] = []
    while time.monotonic() < deadline:
        state = _gql(url, AUTOMATION_TICKS, selector=selector)["instigationStateOrError"]
        assert state.get("status") == "RUNNING", state
        ticks = [t for t in state["ticks"] if t["status"] != "STARTED"]
        if any(t["timestamp"] >= started for t in ticks):
            return ticks
        time.sleep(2)
    raise AssertionError(f"no automation tick completed within {timeout} s: {ticks}")


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
