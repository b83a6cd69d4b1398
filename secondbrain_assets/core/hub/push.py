"""Push a local folder (a staged dataset or a model) to a Hub repository, or say why not.

Every failure raises HubPushError with what to do next; the local copy is never touched. The
token is passed through and never put into a message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from secondbrain_assets.core.dataset.split import SPLITS


class HubPushError(RuntimeError):
    """Publishing failed; the local copy stays where it was."""


@dataclass(frozen=True)
class PushResult:
    repo_id: str
    repo_type: str
    url: str
    commit: str
    private: bool
    files: list[str] = field(default_factory=list)


def hub_is_offline() -> bool:
    """HF_HUB_OFFLINE as huggingface_hub read it at import (it blocks even a local endpoint)."""
    from huggingface_hub import is_offline_mode

    return bool(is_offline_mode())


def push_folder(
    folder: Path,
    repo_id: str,
    repo_type: str,
    token: str | None,
    private: bool = True,
    commit_message: str = "Update from secondbrain_assets",
    endpoint: str | None = None,
    local_copy: Path | None = None,
) -> PushResult:
    """Create the repo if needed (private unless told otherwise) and upload `folder` in one commit.

    Refuses to upload into an existing public repo while `private` is asked for: making data
    public must be a decision, not a side effect of an old repo.
    """
    where = f"The local copy stays at {local_copy or folder}."
    if hub_is_offline():
        raise HubPushError(
            f"Cannot push to {repo_id}: HF_HUB_OFFLINE is set, so nothing may leave this machine. "
            f"{where} Unset HF_HUB_OFFLINE and re-materialize to publish, or turn publishing off."
        )
    if not token:
        raise HubPushError(
            f"Cannot push to {repo_id}: no Hub token. Set HF_TOKEN (a write token from "
            f"https://huggingface.co/settings/tokens) in the environment. {where}"
        )
    import httpx
    import httpx2  # huggingface_hub 2.x's own HTTP client
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError

    api = HfApi(endpoint=endpoint, token=token)  # endpoint None: HF_ENDPOINT or the Hub
    try:
        api.create_repo(repo_id, repo_type=repo_type, private=private, exist_ok=True)
        info = api.repo_info(repo_id, repo_type=repo_type)
        if private and not info.private:
            raise HubPushError(
                f"{repo_type} repo {repo_id} exists and is public, but publishing is set to "
                f"private. Make the repo private on the Hub or set private=False. {where}"
            )
        commit = api.upload_folder(
            folder_path=str(folder),
            repo_id=repo_id,
            repo_type=repo_type,
            commit_message=commit_message,
        )
    except HubPushError:
        raise
    except (HfHubHTTPError, httpx.HTTPError, httpx2.HTTPError, OSError, RuntimeError) as exc:
        raise HubPushError(
            f"Pushing to {repo_type} repo {repo_id} failed: {type(exc).__name__}: "
            f"{_first_line(exc)}. Check the network, the token's write access and the repo id. "
            f"{where}"
        ) from exc
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    return PushResult(
        repo_id=repo_id,
        repo_type=repo_type,
        url=str(commit.repo_url) if hasattr(commit, "repo_url") else repo_id,
        commit=getattr(commit, "oid", "") or "",
        private=bool(info.private),
        files=files,
    )


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:300]


def card_with_data_files(card: str, splits: Sequence[str] = SPLITS) -> str:
    """The card with a `configs` entry mapping each split to its parquet files, as the Hub reads."""
    import yaml

    if not card.startswith("---\n"):
        card = "---\n---\n" + card
    end = card.index("\n---", 4)
    front = yaml.safe_load(card[4:end]) or {}
    front["configs"] = [
        {
            "config_name": "default",
            "data_files": [{"split": name, "path": f"data/{name}-*"} for name in splits],
        }
    ]
    return f"---\n{yaml.safe_dump(front, sort_keys=False).strip()}{card[end:]}"
