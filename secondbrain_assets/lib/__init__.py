"""Shared Dagster helpers for the definitions in `defs/`: checks, metadata, data versions."""
