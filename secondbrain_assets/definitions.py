"""The code location: everything under `defs/`, loaded by Dagster's folder autoloading.

A new asset family is one new file in `defs/`; nothing here lists it. Loading must stay light
(no torch, transformers, crawl4ai, datasets at import): each step process loads it again.
`benchmarks/bench_import.py` measures it.
"""

from pathlib import Path

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
