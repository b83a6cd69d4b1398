"""Base vs fine-tuned evaluation: identical greedy generation, ROUGE, length and similarity."""
