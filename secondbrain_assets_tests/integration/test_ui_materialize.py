"""The whole graph in the real UI, driven by clicks in headless Debian Chromium: every asset drawn
with its group on the global lineage page, one export partition materialized from the `ingest`
group's Materialize dialog, and the check results on `notion_docs`' Checks tab. The screenshot
is kept under secondbrain_assets_tests/artifacts/ (and pytest's tmp dir) for a person to look at.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from secondbrain_assets.core.exports import discover_exports
from secondbrain_assets.settings import PROJECT_ROOT
from secondbrain_assets_tests.integration.test_dagster_ui import (
    ADD_PARTITION,
    CHROMIUM,
    CHROMIUM_ARGS,
    REPOS,
    _dismiss_first_visit_dialog,
    _gql,
    _serve,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ARTIFACTS = PROJECT_ROOT / "secondbrain_assets_tests" / "artifacts"
GROUP = "ingest"  # notion_docs and crawled_pages: the export's first steps, a short run
CHECKED = "notion_docs"
RUNS = "{ runsOrError { ... on Runs { results { runId status tags { key value } } } } }"
CHECK_STATUS = """query($key: AssetKeyInput!) { assetNodeOrError(assetKey: $key) {
  ... on AssetNode { assetChecksOrError { ... on AssetChecks { checks {
    name executionForLatestMaterialization { status } } } } } } }"""


@pytest.fixture
def ui(tmp_path: Path):
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (make test installs it)")
    # The sensor would launch the export itself; here the clicks must.
    server, data = _serve(tmp_path, {"SECONDBRAIN_SENSOR_SETTLE_SECONDS": "1e12"})
    with server as url:
        yield url, data


def _wait_for_run(url: str, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    runs: list[dict] = []
    while time.monotonic() < deadline:
        runs = _gql(url, RUNS)["runsOrError"]["results"]
        if runs and all(r["status"] in ("SUCCESS", "FAILURE", "CANCELED") for r in runs):
            return runs[0]
        time.sleep(2)
    raise TimeoutError(f"no finished run within {timeout} s: {runs}")


def _graph_groups() -> dict[str, str]:
    from secondbrain_assets.definitions import defs

    graph = defs().resolve_asset_graph()
    return {key.to_user_string(): graph.get(key).group_name for key in graph.toposorted_asset_keys}


def test_click_to_materialize_a_partition_and_see_its_checks(ui, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, data = ui
    repo = _gql(url, REPOS)["repositoriesOrError"]["nodes"][0]
    location = repo["location"]["name"]
    selector = {"repositoryName": repo["name"], "repositoryLocationName": location}
    # What the sensor does when an export appears: register its partition.
    key = discover_exports(data / "notion")[0].key
    added = _gql(url, ADD_PARTITION, repo=selector, key=key)["addDynamicPartition"]
    assert added["__typename"] == "AddDynamicPartitionSuccess", added
    groups = _graph_groups()
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1100})

        # Global lineage with every group expanded: each asset drawn inside its group's box.
        expanded = ",".join(f"global@global:{group}" for group in sorted(set(groups.values())))
        page.goto(f"{url}/asset-groups?expanded={quote(expanded)}")
        _dismiss_first_visit_dialog(page)
        for asset, group in groups.items():
            node = page.get_by_text(asset, exact=True).first
            node.wait_for(timeout=60_000)
            assert _inside(node.bounding_box(), _group_header(page, group)), (asset, group)
        _screenshot(page, tmp_path, "global_lineage.png")

        # Materialize one partition by clicking: group page -> Materialize all -> All -> Launch.
        page.goto(f"{url}/locations/{location}/asset-groups/{GROUP}")
        _dismiss_first_visit_dialog(page)
        page.get_by_role("button", name="Materialize all").first.click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_role("button", name="All", exact=True).click()
        expect(dialog.get_by_text("1 partition", exact=True)).to_be_visible()
        dialog.get_by_role("button", name="Launch 1 run").click()
        run = _wait_for_run(url)
        tags = {tag["key"]: tag["value"] for tag in run["tags"]}
        assert tags.get("dagster/partition") == key, tags
        assert run["status"] == "SUCCESS", (tmp_path / "dagster_dev.log").read_text()[-3000:]
        for asset in [name for name, group in groups.items() if group == GROUP]:
            assert (data / "assets" / asset / f"{key}.parquet").exists()

        # The asset page shows each check with the status of its latest execution.
        checks = _check_statuses(url, CHECKED)
        assert checks and set(checks.values()) <= {"SUCCEEDED", "FAILED"}, checks
        page.goto(f"{url}/assets/{CHECKED}?view=checks")
        _visible_text(page, f"Checks ({len(checks)})").wait_for(timeout=30_000)
        _visible_text(page, "Latest execution").wait_for(timeout=30_000)
        _screenshot(page, tmp_path, f"{CHECKED}_checks.png")
        # The list names every check (long names middle-truncated) with its latest status;
        # the selected one is shown in full with its evaluation result.
        for name in checks:
            assert page.get_by_text(name, exact=True).count() >= 1, name
        succeeded = sum(status == "SUCCEEDED" for status in checks.values())
        assert page.locator('text="Succeeded" >> visible=true').count() == succeeded, checks
        result = page.locator("text=/^(Passed|Failed)$/ >> visible=true").first
        expect(result).to_be_visible()
        browser.close()


def _visible_text(page, text: str):
    # Long names are drawn twice: a hidden copy measures the width for truncation.
    return page.locator(f'text="{text}" >> visible=true').first


def _group_header(page, group: str) -> dict:
    return page.locator(f'[data-tooltip="{group}"]').first.bounding_box()


def _inside(node: dict | None, header: dict | None) -> bool:
    """The node lies under its group's header and within the header's width (the group box)."""
    if not node or not header:
        return False
    center = node["x"] + node["width"] / 2
    return header["x"] <= center <= header["x"] + header["width"] and node["y"] > header["y"]


def _check_statuses(url: str, asset: str) -> dict[str, str]:
    node = _gql(url, CHECK_STATUS, key={"path": [asset]})["assetNodeOrError"]
    checks = node["assetChecksOrError"]["checks"]
    return {
        check["name"]: (check["executionForLatestMaterialization"] or {}).get("status", "NONE")
        for check in checks
    }


def _screenshot(page, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(tmp_path / name), full_page=True)
    shutil.copy(tmp_path / name, ARTIFACTS / name)


def test_artifacts_folder_is_ignored() -> None:
    """Screenshots are test output, never committed."""
    ignored = (PROJECT_ROOT / ".gitignore").read_text().splitlines()
    assert "secondbrain_assets_tests/artifacts/" in ignored
