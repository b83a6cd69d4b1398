"""What a push uploads, prepared locally: a scrubbed copy, never the stored original.

A dataset becomes `README.md` (the card, with the split -> file mapping) plus one Parquet file
per split under `data/`, the layout the Hub's viewer and `load_dataset` read. A model folder is
copied as it is except its text cards, which are scrubbed (weights cannot be).
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

from secondbrain_assets.core.dataset.scrub import scrub_text, scrub_value
from secondbrain_assets.core.hub.push import card_with_data_files

_TEXT_CARDS = ("README.md",)


def stage_dataset(dataset_dict: Any, card: str, target: Path) -> Counter[str]:
    """Write the scrubbed dataset and card into `target`; returns findings per kind."""
    from datasets import Dataset

    counts: Counter[str] = Counter()
    data_dir = target / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    for name, split in dataset_dict.items():
        columns = {
            column: [scrub_value(value, counts) for value in split[column]]
            for column in split.column_names
        }
        scrubbed = Dataset.from_dict(columns, features=split.features)
        scrubbed.to_parquet(str(data_dir / f"{name}-00000-of-00001.parquet"))
    text = card_with_data_files(scrub_text(card, counts), list(dataset_dict))
    (target / "README.md").write_text(text, encoding="utf-8")
    return counts


def stage_folder(source: Path, target: Path) -> Counter[str]:
    """Copy a model folder into `target`, scrubbing its text cards; returns findings per kind."""
    counts: Counter[str] = Counter()
    shutil.copytree(source, target, dirs_exist_ok=True)
    for name in _TEXT_CARDS:
        card = target / name
        if card.exists():
            card.write_text(scrub_text(card.read_text(encoding="utf-8"), counts), encoding="utf-8")
    return counts
