"""HuggingFaceIOManager: versioned local storage, loading back, and opt-in scrubbed pushes.

Pushes go to the local Hub stand-in (hub_stub.py) through the real huggingface_hub client.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from secondbrain_assets.io.huggingface import LATEST, HuggingFaceIOManager
from secondbrain_assets_tests.hub_stub import HubStub, hub_stub  # noqa: F401

SECRET_TOKEN = "hf_testtoken1234567890abcdefXYZ"
CARD = "---\nlicense: other\ntask_categories:\n- summarization\n---\n\n# A card\n"


def _dataset(answer: str = "A short summary.") -> object:
    from datasets import Dataset, DatasetDict

    def split(n: int, name: str) -> Dataset:
        return Dataset.from_dict(
            {
                "doc_id": [f"{name}-{i}" for i in range(n)],
                "instruction": [
                    f"Write to jane.doe@example.com about {name} {i}" for i in range(n)
                ],
                "answer": [answer] * n,
            }
        )

    return DatasetDict(
        {"train": split(4, "train"), "validation": split(1, "v"), "test": split(1, "t")}
    )


def _assets(answer: str = "A short summary.") -> list:
    @dg.asset(io_manager_key="hf_io_manager")
    def ds() -> dg.Output:
        return dg.Output(_dataset(answer), metadata={"dataset_card": dg.MetadataValue.md(CARD)})

    @dg.asset
    def whole(ds) -> int:  # noqa: ANN001  (no annotation: loaded as DatasetDict)
        assert sorted(ds) == ["test", "train", "validation"]
        return ds["train"].num_rows

    @dg.asset(ins={"ds": dg.AssetIn(metadata={"split": "test"})})
    def test_split(ds) -> str:  # noqa: ANN001
        return ds[0]["doc_id"]

    return [ds, whole, test_split]


def _run(assets: list, manager: HuggingFaceIOManager, raise_on_error: bool = True):
    return dg.materialize(
        assets,
        resources={"hf_io_manager": manager, "io_manager": dg.mem_io_manager},
        raise_on_error=raise_on_error,
    )


def test_dataset_round_trip_one_folder_per_content(data_dir: Path) -> None:
    manager = HuggingFaceIOManager()
    result = _run(_assets(), manager)
    assert result.output_for_node("whole") == 4
    assert result.output_for_node("test_split") == "t-0"
    root = data_dir / "hf" / "ds"
    latest = json.loads((root / LATEST).read_text())
    stored = root / latest["version"]
    assert (stored / "README.md").read_text() == CARD
    assert (stored / "dataset_dict.json").exists()
    # Same content again: same folder, nothing new; other content: a second version folder.
    _run(_assets(), manager)
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == [latest["version"]]
    _run(_assets("Another summary."), manager)
    assert len([p for p in root.iterdir() if p.is_dir()]) == 2
    assert json.loads((root / LATEST).read_text())["version"] != latest["version"]
    # Only the newest `keep_versions` stay; the latest is always among them.
    _run(_assets("A third summary."), HuggingFaceIOManager(keep_versions=2))
    kept = [p.name for p in root.iterdir() if p.is_dir()]
    assert len(kept) == 2 and latest["version"] not in kept
    assert json.loads((root / LATEST).read_text())["version"] in kept


def test_an_empty_split_round_trips(data_dir: Path) -> None:
    from datasets import Dataset, DatasetDict

    @dg.asset(io_manager_key="hf_io_manager")
    def ds() -> object:
        full = _dataset()
        features = full["test"].features
        empty = Dataset.from_dict({name: [] for name in features}, features=features)
        return DatasetDict({**full, "test": empty})

    @dg.asset
    def sizes(ds) -> dict:  # noqa: ANN001
        return {name: split.num_rows for name, split in ds.items()}

    result = _run([ds, sizes], HuggingFaceIOManager())
    assert result.output_for_node("sizes") == {"train": 4, "validation": 1, "test": 0}


def _model_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "model-out"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "llama"}')
    (folder / "model.safetensors").write_bytes(bytes(range(256)) * 64)
    (folder / "README.md").write_text("Trained by jane.doe@example.com, call +44 20 7946 0958.")
    return folder


def test_model_folder_round_trip_as_path(data_dir: Path, tmp_path: Path) -> None:
    source = _model_folder(tmp_path)

    @dg.asset(io_manager_key="hf_io_manager")
    def model() -> Path:
        return source

    @dg.asset
    def uses(model: Path) -> str:
        return (model / "config.json").read_text()

    result = _run([model, uses], HuggingFaceIOManager())
    assert result.output_for_node("uses") == '{"model_type": "llama"}'
    stored = result.asset_materializations_for_node("model")[0].metadata["path"].value
    assert Path(stored).parent == data_dir / "hf" / "model"
    assert (Path(stored) / "model.safetensors").read_bytes() == (
        source / "model.safetensors"
    ).read_bytes()


def test_push_is_private_scrubbed_and_complete(
    data_dir: Path,
    hub_stub: HubStub,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_TOKEN", SECRET_TOKEN)
    manager = HuggingFaceIOManager(publish={"ds": "me/notes-tldr"}, hub_endpoint=hub_stub.url)
    result = _run(_assets(), manager)
    repo = hub_stub.repo("me/notes-tldr", "dataset")
    assert repo.private is True
    assert sorted(repo.files) == [
        "README.md",
        "data/test-00000-of-00001.parquet",
        "data/train-00000-of-00001.parquet",
        "data/validation-00000-of-00001.parquet",
    ]
    train = pl.read_parquet(io.BytesIO(repo.files["data/train-00000-of-00001.parquet"]))
    assert train.height == 4
    assert all("[EMAIL]" in text and "@" not in text for text in train["instruction"])
    card = repo.files["README.md"].decode()
    assert "task_categories:\n- summarization" in card and "path: data/train-*" in card
    assert SECRET_TOKEN in hub_stub.tokens  # the token was sent as a bearer header...
    metadata = result.asset_materializations_for_node("ds")[0].metadata
    assert metadata["pii_scrubbed"].value == {"email": 6}
    assert metadata["hub_private"].value is True
    logs = " ".join(str(e) for e in result.all_events)
    assert SECRET_TOKEN not in logs  # ...and never written to the event log
    # A new version goes into the same repo as a second commit; the repo stays private.
    _run(_assets("A different summary."), manager)
    assert len(repo.commits) == 2 and repo.private is True
    train = pl.read_parquet(io.BytesIO(repo.files["data/train-00000-of-00001.parquet"]))
    assert set(train["answer"]) == {"A different summary."}


def test_model_folder_push_scrubs_card_and_uses_lfs(
    data_dir: Path,
    tmp_path: Path,
    hub_stub: HubStub,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_TOKEN", SECRET_TOKEN)
    source = _model_folder(tmp_path)

    @dg.asset(io_manager_key="hf_io_manager")
    def merged() -> Path:
        return source

    manager = HuggingFaceIOManager(publish={"merged": "me/tuned"}, hub_endpoint=hub_stub.url)
    _run([merged], manager)
    repo = hub_stub.repo("me/tuned", "model")
    assert repo.files["model.safetensors"] == (source / "model.safetensors").read_bytes()
    assert hub_stub.lfs  # weights went through the LFS batch + PUT path
    assert repo.files["README.md"].decode() == "Trained by [EMAIL], call [PHONE]."


def test_existing_public_repo_is_refused(
    data_dir: Path,
    hub_stub: HubStub,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from huggingface_hub import HfApi

    monkeypatch.setenv("HF_TOKEN", SECRET_TOKEN)
    HfApi(endpoint=hub_stub.url, token=SECRET_TOKEN).create_repo(
        "me/public", repo_type="dataset", private=False
    )
    manager = HuggingFaceIOManager(publish={"ds": "me/public"}, hub_endpoint=hub_stub.url)
    result = _run(_assets()[:1], manager, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "is public" in str(failure.event_specific_data.error)
    assert hub_stub.repo("me/public").files == {}


def test_offline_push_fails_clearly_and_keeps_local_copy(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub.constants as constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_TOKEN", SECRET_TOKEN)
    manager = HuggingFaceIOManager(publish={"ds": "me/notes"}, hub_endpoint="http://127.0.0.1:9")
    result = _run(_assets()[:1], manager, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    message = str(failure.event_specific_data.error)
    assert "HF_HUB_OFFLINE" in message and "local copy stays" in message
    latest = json.loads((data_dir / "hf" / "ds" / LATEST).read_text())
    from datasets import load_from_disk

    assert load_from_disk(str(data_dir / "hf" / "ds" / latest["version"]))["train"].num_rows == 4


def test_unreachable_hub_fails_clearly(data_dir: Path, hub_stub: HubStub, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setenv("HF_TOKEN", SECRET_TOKEN)
    manager = HuggingFaceIOManager(publish={"ds": "me/notes"}, hub_endpoint="http://127.0.0.1:9")
    result = _run(_assets()[:1], manager, raise_on_error=False)
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "local copy stays" in str(failure.event_specific_data.error)
    assert SECRET_TOKEN not in str(failure.event_specific_data.error)


def test_importing_the_dataset_modules_pulls_no_heavy_library() -> None:
    import subprocess
    import sys

    probe = (
        "import sys; import secondbrain_assets.io.huggingface, secondbrain_assets.defs.dataset, "
        "secondbrain_assets.core.dataset.build, secondbrain_assets.core.dataset.hf, "
        "secondbrain_assets.core.dataset.card, secondbrain_assets.core.hub.stage; "
        "print([m for m in ('datasets', 'transformers', 'torch', 'huggingface_hub', 'pyarrow') "
        "if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
