"""The summarization dataset: split rule, token-aware rows, PII scrub, dataset card."""
