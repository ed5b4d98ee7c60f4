"""Errors of the LLM backend that concern one report (the backend itself still works)."""

from __future__ import annotations

from extractor.base import ExtractorError


class LLMRequestError(ExtractorError):
    """A report the endpoint could not answer: retries exhausted, a 400, or invalid answers.

    A bulk run records it as that report's failure and carries on; `BackendError` (bad key,
    unreachable endpoint) stops the run, since every other report would fail the same way.
    """
