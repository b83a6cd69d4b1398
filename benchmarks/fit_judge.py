"""Fit the embedded content judge (logistic regression on `signals.FEATURES`); measure it held out.

    python benchmarks/fit_judge.py [--folds 10] [--write]

Data: the article-extraction corpus pairs (`judge_corpus.py`: good = article body, junk = the same
page's visible text without it), each document twice: with its line breaks and whitespace-
collapsed, so the model does not depend on how an extractor breaks lines.
Held-out figures: leave-pages-out cross-validation (GroupKFold by page: a page's good and junk
documents, in both forms, are always in the same fold), so no page is scored by a model that saw
it. Reported: ROC AUC, Brier score and calibration (ECE, 10 bins) of the held-out probabilities.
`--write` refits on all pages and writes the constants to
`secondbrain_assets/core/llm/content_weights.py` (bump MODEL_VERSION in content_judge.py when
they change). Results: benchmarks/results/judge_fit.json.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import write_result  # noqa: E402
from judge_corpus import flatten, load_pairs  # noqa: E402

from secondbrain_assets.core.llm.signals import FEATURES, compute_signals  # noqa: E402

WEIGHTS_FILE = ROOT / "secondbrain_assets" / "core" / "llm" / "content_weights.py"
C = 1.0  # L2 strength of sklearn's LogisticRegression (default); not tuned on the folds


def _matrix(texts: list[str]):  # noqa: ANN202
    import numpy as np

    return np.array([[compute_signals(t)[f] for f in FEATURES] for t in texts])


def _fit(x, y):  # noqa: ANN001, ANN202
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    mean, scale = np.nanmean(x, 0), np.nanstd(x, 0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, max_iter=2000).fit(_standardize(x, mean, scale), y)
    return mean, scale, model


def _standardize(x, mean, scale):  # noqa: ANN001, ANN202
    import numpy as np

    # Unknown line signals (NaN) count as the mean: they push the score neither way.
    return np.nan_to_num((x - mean) / scale, nan=0.0)


def _ece(y, p, bins: int = 10) -> float:  # noqa: ANN001
    import numpy as np

    edges = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        sel = edges == b
        if sel.any():
            total += sel.sum() * abs(p[sel].mean() - y[sel].mean())
    return float(total / len(y))


def main() -> None:
    import numpy as np
    from sklearn.metrics import brier_score_loss, roc_auc_score
    from sklearn.model_selection import GroupKFold

    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    pairs = load_pairs()
    n = len(pairs)
    texts = [p.good for p in pairs] + [p.junk for p in pairs]
    lines = _matrix(texts)
    flat = _matrix([flatten(t) for t in texts])
    y = np.array([1] * n + [0] * n)
    page = np.array(list(range(n)) * 2)
    x_all, y_all, g_all = (
        np.vstack([lines, flat]),
        np.concatenate([y, y]),
        np.concatenate([page] * 2),
    )

    held = np.zeros(len(y_all))
    fold_auc = []
    for train, test in GroupKFold(args.folds).split(x_all, y_all, g_all):
        mean, scale, model = _fit(x_all[train], y_all[train])
        held[test] = model.predict_proba(_standardize(x_all[test], mean, scale))[:, 1]
        fold_auc.append(roc_auc_score(y_all[test], held[test]))
    p_lines, p_flat = held[: 2 * n], held[2 * n :]
    report = {
        "pages": n,
        "documents": 2 * n,
        "folds": args.folds,
        "cv": "GroupKFold by page (leave-pages-out); each form scored by models that never saw it",
        "heldout_auc_lines": round(roc_auc_score(y, p_lines), 4),
        "heldout_auc_flat": round(roc_auc_score(y, p_flat), 4),
        "heldout_auc_per_fold_min": round(min(fold_auc), 4),
        "heldout_brier": round(brier_score_loss(y_all, held), 4),
        "heldout_ece": round(_ece(y_all, held), 4),
        "heldout_accuracy_at_0_5": round(float(((held >= 0.5) == y_all).mean()), 4),
        "single_feature_auc_lines": {
            f: round(roc_auc_score(y, np.nan_to_num(lines[:, i])), 3)
            for i, f in enumerate(FEATURES)
        },
    }
    mean, scale, model = _fit(x_all, y_all)
    fitted = {
        "means": dict(zip(FEATURES, mean.round(6).tolist(), strict=True)),
        "scales": dict(zip(FEATURES, scale.round(6).tolist(), strict=True)),
        "weights": dict(zip(FEATURES, model.coef_[0].round(6).tolist(), strict=True)),
        "bias": round(float(model.intercept_[0]), 6),
    }
    report["fitted"] = fitted
    for key, value in report.items():
        if key not in {"fitted", "single_feature_auc_lines"}:
            print(f"{key:28} {value}")
    for f in FEATURES:
        print(
            f"  {f:26} w={fitted['weights'][f]:+.3f}  auc={report['single_feature_auc_lines'][f]}"
        )
    if args.write:
        _write_weights(fitted, report)
        print(f"wrote {WEIGHTS_FILE}")
    print(f"wrote {write_result('judge_fit', report)}")


def _write_weights(fitted: dict, report: dict) -> None:
    def block(name: str, values: dict) -> str:
        body = "".join(f'    "{k}": {v!r},\n' for k, v in values.items())
        return f"{name}: dict[str, float] = {{\n{body}}}\n"

    WEIGHTS_FILE.write_text(
        '"""Constants of the content judge\'s logistic model. Generated by benchmarks/fit_judge.py '
        "--write;\ndo not edit by hand.\n\n"
        f"Fitted on {report['pages']} pages x (good, junk) x (lines, flat) of the "
        "article-extraction corpus.\n"
        f"Held-out (leave-pages-out, {report['folds']} folds): ROC AUC "
        f"{report['heldout_auc_lines']} with line breaks,\n{report['heldout_auc_flat']} "
        f"whitespace-collapsed; Brier {report['heldout_brier']}, ECE {report['heldout_ece']}.\n"
        '"""\n\n'
        + block("MEANS", fitted["means"])
        + "\n"
        + block("SCALES", fitted["scales"])
        + "\n"
        + block("WEIGHTS", fitted["weights"])
        + f"\nBIAS = {fitted['bias']!r}\n"
    )


if __name__ == "__main__":
    main()
