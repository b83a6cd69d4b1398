"""LoRA SFT on a tiny Llama: completion-only loss, packing isolation, outputs, kill -9 resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from secondbrain_assets.core.finetune.config import LoraSettings
from secondbrain_assets.core.finetune.train import (
    INFO_FILE,
    TrainResult,
    _build_trainer,
    _load_trl,
    last_complete_checkpoint,
)
from secondbrain_assets.core.summarize.prompts import SYSTEM_PROMPT
from secondbrain_assets_tests.core.finetune.fixtures import summary_dataset

ROOT = Path(__file__).resolve().parents[3]


def test_loss_covers_the_answer_only_in_the_chat_template(tiny_llama_dir: Path, tmp_path: Path):
    """Labels are the answer (+ end token), never the document or the system prompt, and the
    text is the base model's own chat template."""
    model, tokenizer, peft_config = _load_trl(tiny_llama_dir, LoraSettings())
    dataset = summary_dataset()
    settings = LoraSettings(packing=False)
    trainer = _build_trainer(model, tokenizer, peft_config, dataset, settings, tmp_path, "trl", 1)
    row = trainer.train_dataset[0]
    ids, labels = row["input_ids"], row["labels"]  # -100 = no loss
    text = tokenizer.decode(ids)
    assert text.startswith("<|im_start|>system\n" + SYSTEM_PROMPT)
    trained = tokenizer.decode([t for t in labels if t != -100]).strip()
    assert trained == dataset["train"][0]["answer"] + "<|im_end|>"
    assert sum(t != -100 for t in labels) < len(ids) / 3


def test_packed_examples_do_not_attend_to_each_other(tiny_llama_dir: Path) -> None:
    """Why packing is safe here: with position ids restarting at 0 and no cache (as TRL trains),
    transformers builds a block-diagonal mask, so a packed row equals its examples run alone."""
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_llama_dir).eval()
    a, b = torch.randint(3, 200, (1, 9)), torch.randint(3, 200, (1, 6))
    positions = torch.cat([torch.arange(9), torch.arange(6)])[None]
    with torch.no_grad():
        alone = model(input_ids=b, use_cache=False).logits
        packed = model(input_ids=torch.cat([a, b], 1), position_ids=positions, use_cache=False)
    assert torch.allclose(packed.logits[:, 9:], alone, atol=1e-5)


def test_training_writes_adapter_curves_and_counts(trained: TrainResult) -> None:
    files = {p.name for p in trained.adapter_dir.iterdir()}
    assert {"adapter_model.safetensors", "adapter_config.json", "tokenizer.json"} <= files
    assert trained.steps == 6
    assert [s for s, _ in trained.train_loss] == [1, 2, 3, 4, 5, 6]
    assert [s for s, _ in trained.eval_loss] == [0, 2, 4, 6]  # before training, then per save
    assert trained.train_loss[-1][1] < trained.train_loss[0][1]  # lr 5e-3 on a tiny model
    assert 0 < trained.trainable_params < trained.total_params
    assert trained.tokens > 0 and trained.tokens_per_s > 0
    info = json.loads((trained.adapter_dir / INFO_FILE).read_text())
    assert info["settings"]["r"] == 8 and Path(info["base_model"]).is_dir()


def test_last_complete_checkpoint_skips_one_cut_short(tmp_path: Path) -> None:
    for step, state in ((2, "{}"), (4, "{}"), (6, '{"global_st')):  # 6: killed while saving
        folder = tmp_path / f"checkpoint-{step}"
        folder.mkdir()
        (folder / "trainer_state.json").write_text(state)
    (tmp_path / "checkpoint-8").mkdir()  # killed before the state was written
    assert last_complete_checkpoint(tmp_path) == tmp_path / "checkpoint-4"
    assert last_complete_checkpoint(tmp_path / "missing") is None


def _worker(base: Path, work: Path, *extra: str) -> subprocess.Popen:
    module = "secondbrain_assets_tests.core.finetune.resume_worker"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", module, str(base), str(work), *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _adapter_tensors(folder: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(folder / "adapter" / "adapter_model.safetensors")


@pytest.mark.slow
def test_kill_9_then_resume_ends_where_an_uninterrupted_run_ends(
    tiny_llama_dir: Path, tmp_path: Path
) -> None:
    killed, straight = tmp_path / "killed", tmp_path / "straight"
    reference = _worker(tiny_llama_dir, straight)
    victim = _worker(tiny_llama_dir, killed, "--slow")
    deadline = time.monotonic() + 240
    while last_complete_checkpoint(killed / "checkpoints") is None:
        assert victim.poll() is None, victim.stdout.read()
        assert time.monotonic() < deadline, "no checkpoint within 240 s"
        time.sleep(0.2)
    victim.send_signal(signal.SIGKILL)
    victim.wait(30)
    assert victim.returncode == -signal.SIGKILL
    assert not (killed / "adapter").exists()

    resumed = _worker(tiny_llama_dir, killed)
    out, _ = resumed.communicate(timeout=280)
    assert resumed.returncode == 0, out
    resumed_from = int(out.split("RESUMED_FROM=")[1].split()[0])
    assert resumed_from >= 2 and "STEPS=8" in out
    assert reference.wait(280) == 0, reference.stdout.read()

    a, b = _adapter_tensors(killed), _adapter_tensors(straight)
    assert a.keys() == b.keys()
    worst = max(float((a[k] - b[k]).abs().max()) for k in a)
    assert worst <= 1e-6, f"resumed adapter differs by {worst}"
    assert any(float(t.abs().max()) > 0 for k, t in a.items() if "lora_B" in k)  # it trained
