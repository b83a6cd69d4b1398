"""Run in a subprocess by the resume test: `python -m ...resume_worker BASE WORK [--slow]`.

--slow sleeps after each optimizer step so the test can kill -9 it between checkpoints.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from transformers import TrainerCallback

from secondbrain_assets.core.finetune.config import LoraSettings
from secondbrain_assets.core.finetune.train import train_lora
from secondbrain_assets_tests.core.finetune.fixtures import summary_dataset

SETTINGS = LoraSettings(max_steps=8, save_steps=2, batch_size=2, learning_rate=5e-3, r=8, alpha=16)


class Slow(TrainerCallback):
    def on_step_end(self, *args: object, **kwargs: object) -> None:
        time.sleep(1.5)


if __name__ == "__main__":
    base, work = Path(sys.argv[1]), Path(sys.argv[2])
    callbacks = [Slow()] if "--slow" in sys.argv else []
    result = train_lora(summary_dataset(), SETTINGS, base, work, callbacks=callbacks)
    print(f"RESUMED_FROM={result.resumed_from_step} STEPS={result.steps}")
