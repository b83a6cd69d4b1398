"""Stores Hugging Face artifacts: a `DatasetDict`, or a model / adapter folder given as a `Path`.

Layout: `<base_dir>/<asset key path>/<version>/`, where the version is a hash of the stored files,
so each distinct content gets its own folder and an unchanged re-materialization reuses it;
`latest.json` beside the versions says which one the asset's last materialization wrote.
Publishing to the Hub is opt-in per asset (`publish`), private by default, and uploads a
PII-scrubbed copy; the token comes from `dg.EnvVar` at push time and is never logged.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import Field

from secondbrain_assets import settings

LATEST = "latest.json"


class HuggingFaceIOManager(dg.ConfigurableIOManager):
    """DatasetDicts (save_to_disk) and model folders, one folder per content version."""

    base_dir: str | None = Field(
        default=None, description="Root folder; default <data dir>/hf (SECONDBRAIN_DATA_DIR)."
    )
    publish: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "Asset key (e.g. 'hf_dataset', 'merged_model') -> Hub repo id ('user/name') to push "
            "it to after each materialization. Empty: nothing leaves the machine."
        ),
    )
    private: bool = Field(
        default=True, description="Create Hub repos private; refuse to push into a public one."
    )
    hub_endpoint: str | None = Field(
        default=None, description="Hub URL (a mirror or stand-in); default HF_ENDPOINT or the Hub."
    )
    keep_versions: int = Field(
        default=3,
        description="Stored versions kept per asset (newest first, the latest always); older "
        "ones are deleted after each store. 0 keeps all.",
    )
    token_env_var: str = Field(
        default="HF_TOKEN", description="Environment variable holding the Hub write token."
    )

    def _root(self, asset_key: dg.AssetKey) -> Path:
        base = Path(self.base_dir) if self.base_dir else settings.data_dir() / "hf"
        return base.joinpath(*asset_key.path)

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        if obj is None:
            return
        root = self._root(context.asset_key)
        root.mkdir(parents=True, exist_ok=True)
        tmp = root / f".tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(obj, Path):
            if not obj.is_dir():
                raise TypeError(f"{context.asset_key.to_user_string()}: {obj} is not a folder")
            shutil.copytree(obj, tmp)
            kind = "folder"
        elif hasattr(obj, "save_to_disk") and hasattr(obj, "keys"):
            _save_quietly(obj, tmp)
            card = context.output_metadata.get("dataset_card")
            if card is not None:
                (tmp / "README.md").write_text(str(card.value), encoding="utf-8")
            kind = "dataset"
        else:
            raise TypeError(
                f"{context.asset_key.to_user_string()} must return a datasets.DatasetDict or a "
                f"pathlib.Path to a model folder, not {type(obj).__name__}"
            )
        version = folder_version(tmp)
        target = root / version
        if target.exists():  # same content stored before: keep that copy, mark it recent
            shutil.rmtree(tmp)
            os.utime(target)
        else:
            tmp.replace(target)
        _write_json(root / LATEST, {"version": version, "kind": kind})
        _prune(root, version, self.keep_versions)
        context.add_output_metadata(
            {
                "path": dg.MetadataValue.path(str(target)),
                "storage_version": version,
                "size_mb": dg.MetadataValue.float(round(_size(target) / 1e6, 3)),
            }
        )
        repo_id = self.publish.get(context.asset_key.to_user_string())
        if repo_id:
            self._publish(context, obj, kind, target, repo_id)

    def _publish(
        self, context: dg.OutputContext, obj: Any, kind: str, target: Path, repo_id: str
    ) -> None:
        from secondbrain_assets.core.hub.push import HubPushError, push_folder
        from secondbrain_assets.core.hub.stage import stage_dataset, stage_folder

        staging = target.parent / f".publish-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            if kind == "dataset":
                card = context.output_metadata.get("dataset_card")
                findings = stage_dataset(obj, str(card.value) if card else "", staging)
                repo_type = "dataset"
            else:
                findings = stage_folder(target, staging)
                repo_type = "model"
            pii = {kind_: findings.get(kind_, 0) for kind_ in sorted(findings)}
            context.add_output_metadata({"pii_scrubbed": dg.MetadataValue.json(pii)})
            token = dg.EnvVar(self.token_env_var).get_value()
            result = push_folder(
                staging,
                repo_id,
                repo_type,
                token,
                self.private,
                endpoint=self.hub_endpoint,
                local_copy=target,
            )
        except HubPushError as exc:
            raise dg.Failure(description=str(exc)) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        context.log.info(f"pushed {context.asset_key.to_user_string()} to {repo_id}")
        context.add_output_metadata(
            {
                "hub_repo_id": result.repo_id,
                "hub_url": dg.MetadataValue.url(result.url),
                "hub_commit": result.commit,
                "hub_private": result.private,
            }
        )

    def load_input(self, context: dg.InputContext) -> Any:
        key = context.upstream_output.asset_key if context.upstream_output else context.asset_key
        root = self._root(key)
        latest = root / LATEST
        if not latest.exists():
            raise FileNotFoundError(
                f"{key.to_user_string()} has not been stored under {root}; materialize it first "
                "(dagster UI or `make demo`)."
            )
        stored = json.loads(latest.read_text())
        path = root / stored["version"]
        if stored["kind"] == "folder" or context.dagster_type.typing_type is Path:
            return path
        from datasets import load_from_disk

        dataset = load_from_disk(str(path))
        split = (context.definition_metadata or {}).get("split")
        return dataset[split] if split else dataset


def folder_version(folder: Path) -> str:
    """sha256 of every file's relative path and bytes; the folder's name in storage.

    Volatile bookkeeping that save_to_disk writes (state.json, random fingerprints) is left out,
    so the same rows always map to the same version.
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.name == "state.json":
            continue
        digest.update(str(path.relative_to(folder)).encode())
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]


def _save_quietly(dataset: Any, target: Path) -> None:
    # save_to_disk draws one progress bar per split: noise in step logs and the demo output.
    import datasets.utils as hf_tqdm

    was_disabled = hf_tqdm.are_progress_bars_disabled()
    hf_tqdm.disable_progress_bars()
    try:
        # An empty split must be written as one (empty) shard: with none, load_from_disk fails.
        shards = {name: 1 if len(split) == 0 else None for name, split in dataset.items()}
        dataset.save_to_disk(str(target), num_shards=shards)
    finally:
        if not was_disabled:
            hf_tqdm.enable_progress_bars()


def _prune(root: Path, latest: str, keep: int) -> None:
    """Delete stored versions beyond the `keep` most recent; never the latest."""
    if keep <= 0:
        return
    versions = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in [p for p in versions if p.name != latest][max(keep - 1, 0) :]:
        shutil.rmtree(old, ignore_errors=True)


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _write_json(path: Path, value: dict) -> None:
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(value))
    tmp.replace(path)
