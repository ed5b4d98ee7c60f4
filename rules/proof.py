"""How well each cell is proven, and the one policy that turns proof into a report status.

A person should look only at cells that are not proven. A cell is proven when it was read
directly and every identity it sits in holds, or when the source's own structure shows it
blank. Everything else says why it is not proven, so the review screen can show the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class ProofLevel(StrEnum):
    READ_CONFIRMED = "read_confirmed"  # read directly; every identity it is in holds
    READ_UNCHECKED = "read_unchecked"  # read directly; an identity it is in is unknown (a null)
    BLANK_PROVEN = "blank_proven"  # the source prints it blank (empty grid cell, '-', '/')
    INFERRED = "inferred"  # not printed/readable; the identities pin one value
    AMBIGUOUS = "ambiguous"  # one of several readings (alignment, glued digits)
    CONTRADICTS = "contradicts"  # a suspect of an identity that breaks
    DISAGREE = "disagree"  # the extractors read different values
    UNREAD = "unread"  # not found in the source, or the reading is not grounded


PROVEN: frozenset[ProofLevel] = frozenset({ProofLevel.READ_CONFIRMED, ProofLevel.BLANK_PROVEN})


def is_proven(level: ProofLevel) -> bool:
    return level in PROVEN


def report_is_accepted(levels: Iterable[ProofLevel]) -> bool:
    """The written policy: a report is accepted with no human look iff every cell is proven."""
    return all(is_proven(level) for level in levels)
