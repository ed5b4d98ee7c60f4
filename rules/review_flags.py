"""Which cells a person must look at: exactly the cells whose proof level is not proven.

The levels and the decisions come from `rules.proving` (evidence) and the acceptance policy
from `rules.proof` (one written rule); this module keeps the `{key: reasons}` view the store,
the UI and the eval use. The eval's silent-error rate counts wrong cells not flagged here.
"""

from __future__ import annotations

from extractor.models import Extraction
from rules.findings import CheckResult
from rules.proving import BLANK_METHOD, LOW_CONFIDENCE, prove

__all__ = ["BLANK_METHOD", "LOW_CONFIDENCE", "review_flags"]


def review_flags(
    extraction: Extraction, result: CheckResult, low_confidence: float = LOW_CONFIDENCE
) -> dict[str, list[str]]:
    """{canonical key: reasons}, in layout order, for every cell that is not proven.

    The evidence comes first (extractor notes, broken identities), then the cell's proof
    level ("proof: ambiguous") and the decision that settles it ("decision d2")."""
    del low_confidence  # the proof's own threshold (rules.proving.LOW_CONFIDENCE) applies
    return prove(extraction, result).flags()
