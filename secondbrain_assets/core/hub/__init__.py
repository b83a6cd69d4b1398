"""Publishing to the Hugging Face Hub: opt-in, private by default, scrubbed first. No Dagster."""
