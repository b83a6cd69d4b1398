"""Summaries: prompt, backends, length contract, filters and cache (no Dagster here)."""
