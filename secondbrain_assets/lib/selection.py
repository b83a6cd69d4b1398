"""Asset selections by what the graph says about an asset, so a new asset file joins its jobs."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from typing import TYPE_CHECKING

import dagster as dg

if TYPE_CHECKING:
    from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph


@dataclass(frozen=True)
class PartitionedBySelection(dg.AssetSelection):
    """Every materializable asset partitioned by the partitions definition named `name`.

    Dagster 1.13's selection syntax has no partition filter; this fills the gap. Dagster turns it
    into a plain key list when it needs to serialize a selection.
    """

    name: str

    def resolve_inner(self, asset_graph: BaseAssetGraph, allow_missing: bool) -> Set[dg.AssetKey]:
        return {
            node.key
            for node in asset_graph.asset_nodes
            if node.is_materializable and getattr(node.partitions_def, "name", None) == self.name
        }


def partitioned_by(partitions_def: dg.DynamicPartitionsDefinition) -> dg.AssetSelection:
    """Assets partitioned by `partitions_def`, with their checks."""
    return PartitionedBySelection(name=partitions_def.name)


def checks_only(selection: dg.AssetSelection) -> dg.AssetSelection:
    """The asset checks of `selection`'s assets, without the assets themselves."""
    return selection & dg.AssetSelection.all_asset_checks()


def selected_asset_names(defs: dg.Definitions, selection: dg.AssetSelection) -> list[str]:
    """Names of the assets `selection` picks in `defs`, in graph order (upstream first)."""
    graph = defs.resolve_asset_graph()
    selected = selection.resolve(graph)
    return [key.to_user_string() for key in graph.toposorted_asset_keys if key in selected]
