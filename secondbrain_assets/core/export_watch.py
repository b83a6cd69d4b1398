"""Deciding which Notion exports need a run: the logic behind the sensor, without Dagster.

State is a small JSON dict `{partition key: [stat signature, content fingerprint]}` kept in the
sensor cursor. Content is hashed only when the stat signature moved, so an idle tick is cheap.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from secondbrain_assets.core.exports import (
    content_fingerprint,
    discover_exports,
    latest_mtime,
    stat_signature,
)


@dataclass
class WatchResult:
    """What one scan found."""

    state: dict[str, list[str]]
    changed: list[tuple[str, str]] = field(default_factory=list)  # (key, fingerprint)
    settling: list[str] = field(default_factory=list)
    unchanged: int = 0
    vanished: list[str] = field(default_factory=list)

    def run_key(self, key: str, fingerprint: str) -> str:
        # Same export content -> same run key, so Dagster never launches it twice.
        return f"{key}:{fingerprint[:16]}"


def load_state(cursor: str | None) -> dict[str, list[str]]:
    if not cursor:
        return {}
    try:
        state = json.loads(cursor)
    except json.JSONDecodeError:
        return {}  # an unreadable cursor only costs one re-hash of every export
    return state if isinstance(state, dict) else {}


def dump_state(state: dict[str, list[str]]) -> str:
    return json.dumps(state, sort_keys=True, separators=(",", ":"))


def scan_exports(
    root: Path, state: dict[str, list[str]], settle_seconds: float, now: float | None = None
) -> WatchResult:
    """Compare the exports in `root` against the last known `state`.

    An export modified less than `settle_seconds` ago is left for a later tick: it may still be
    being copied in, and a half-written zip would only produce a confusing failure.
    """
    now = time.time() if now is None else now
    result = WatchResult(state={})
    for ref in discover_exports(root):
        previous = state.get(ref.key)
        signature = stat_signature(ref)
        if previous and previous[0] == signature:
            result.state[ref.key] = previous
            result.unchanged += 1
            continue
        if now - latest_mtime(ref) < settle_seconds:
            result.settling.append(ref.key)
            if previous:
                result.state[ref.key] = previous
            continue
        fingerprint = content_fingerprint(ref)
        result.state[ref.key] = [signature, fingerprint]
        if previous and previous[1] == fingerprint:
            result.unchanged += 1  # touched, not changed
        else:
            result.changed.append((ref.key, fingerprint))
    result.vanished = sorted(set(state) - set(result.state) - set(result.settling))
    return result
