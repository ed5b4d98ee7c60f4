"""The LLM backend: any OpenAI-compatible endpoint through instructor (see docs/llm.md)."""

from extractor.llm.bulk import BulkResult, extract_many
from extractor.llm.config import LLMConfig, RetryPolicy, load_config
from extractor.llm.extractor import LLMExtractor

__all__ = [
    "BulkResult",
    "LLMConfig",
    "LLMExtractor",
    "RetryPolicy",
    "extract_many",
    "load_config",
]
