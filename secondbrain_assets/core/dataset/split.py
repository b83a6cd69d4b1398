"""Train / validation / test assignment by source document, stable as exports arrive.

The rule (also written into the dataset card):

1. Every document gets a stable position `h = sha256(salt + doc_id)` read as a number in [0, 1).
   With the default shares, `h < 0.1` means test, `h < 0.2` validation, anything else train.
2. A document's split is decided once, in the first export that contains it with a row in the
   dataset (an accepted summary that fits; exports replayed in the order they arrived), and
   never looked at again: later exports only add documents, so they can never move one. New
   documents of one export are decided from the highest `h` down (train-bound ones first).
3. While a split is still empty, a new document fills the first empty split (train, then test,
   then validation) whatever its hash. Hence 1 document gives train, 2 give train and test, and
   from 3 documents on every split has at least one, deterministically; afterwards step 1 alone
   decides, so the shares converge to 80/10/10.
4. A document whose content hash equals that of an already decided document (the same page
   twice, a web page copied into Notion) follows that document, so identical content never
   straddles two splits.

Why not a pure hash? A rule that looks only at the document id cannot promise non-empty splits
(20 documents leave the 10% test split empty 12% of the time), and any rule that also looks at
the whole set of documents moves old documents when new ones arrive. Replaying the exports in
arrival order is the only input that gives both guarantees, and it is part of the data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

SPLITS: tuple[str, str, str] = ("train", "validation", "test")
# Order in which empty splits are filled (rule 3): something to train on, then to evaluate on.
FILL_ORDER: tuple[str, str, str] = ("train", "test", "validation")
DEFAULT_SHARES: dict[str, float] = {"train": 0.8, "validation": 0.1, "test": 0.1}
DEFAULT_SALT = "secondbrain-split-v1"


def stable_position(doc_id: str, salt: str = DEFAULT_SALT) -> float:
    """The document's place in [0, 1), the same on every machine and every run."""
    digest = hashlib.sha256(f"{salt}:{doc_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def hash_split(position: float, shares: Mapping[str, float] = DEFAULT_SHARES) -> str:
    """Split for a position: [0, test) test, [test, test + validation) validation, else train."""
    test = shares["test"]
    if position < test:
        return "test"
    return "validation" if position < test + shares["validation"] else "train"


def check_shares(shares: Mapping[str, float]) -> None:
    if set(shares) != set(SPLITS) or any(v <= 0 for v in shares.values()):
        raise ValueError(f"shares must give a positive share to each of {SPLITS}, got {shares}")
    if abs(sum(shares.values()) - 1.0) > 1e-6:
        raise ValueError(f"shares must add up to 1, got {sum(shares.values())}")


@dataclass(frozen=True)
class DocumentSeen:
    """One document as one export showed it: its id and its content hashes there."""

    doc_id: str
    export_key: str
    content_hashes: tuple[str, ...] = ()


def assign_splits(
    seen: Iterable[DocumentSeen],
    export_order: Sequence[str],
    shares: Mapping[str, float] = DEFAULT_SHARES,
    salt: str = DEFAULT_SALT,
) -> dict[str, str]:
    """doc_id -> split by the rule above. Exports missing from `export_order` come last, by key."""
    check_shares(shares)
    rank = {key: i for i, key in enumerate(export_order)}
    by_export: dict[str, dict[str, set[str]]] = {}
    for item in seen:
        hashes = by_export.setdefault(item.export_key, {}).setdefault(item.doc_id, set())
        hashes.update(item.content_hashes)
    replay = sorted(by_export, key=lambda key: (rank.get(key, len(rank)), key))

    split_of: dict[str, str] = {}
    split_of_content: dict[str, str] = {}
    counts = dict.fromkeys(SPLITS, 0)
    for export_key in replay:
        docs = by_export[export_key]
        new = [doc for doc in docs if doc not in split_of]
        for doc in sorted(new, key=lambda d: (-stable_position(d, salt), d)):
            split = _decide(doc, docs[doc], split_of_content, counts, shares, salt)
            split_of[doc] = split
            counts[split] += 1
            for content in docs[doc]:
                split_of_content.setdefault(content, split)
        for doc, hashes in docs.items():  # content seen later under an old id follows it too
            for content in hashes:
                split_of_content.setdefault(content, split_of[doc])
    return split_of


def _decide(
    doc: str,
    hashes: set[str],
    split_of_content: Mapping[str, str],
    counts: Mapping[str, int],
    shares: Mapping[str, float],
    salt: str,
) -> str:
    for content in sorted(hashes):
        if content in split_of_content:
            return split_of_content[content]
    empty = [split for split in FILL_ORDER if counts[split] == 0]
    return empty[0] if empty else hash_split(stable_position(doc, salt), shares)
