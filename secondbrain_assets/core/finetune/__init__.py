"""LoRA fine-tuning of the summarizer: settings, backend choice, training with resume, merging."""
