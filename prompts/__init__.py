"""Prompt files for the LLM extractor, versioned by name."""
