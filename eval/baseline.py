"""Compare a run with a saved one: headline metrics within a tolerance, and cell by cell.

Only reports present in both runs with the same source and gold (same fingerprint) are
compared, so a regenerated synthetic set or a re-labelled real report never passes for a
regression. Whatever the baseline, a report accepted while holding a wrong cell fails the
comparison: zero wrong acceptances is the product's hard constraint.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eval.metrics import ReportScore, aggregate
from nianbao.core.errors import NianbaoError

# headline metric -> +1 when higher is better, -1 when lower is better
HEADLINE = {
    "cell_accuracy": 1,
    "silent_error_rate": -1,
    "exact_match_rate": 1,
    "accepted_without_review": 1,
    "decision_precision": 1,
}
# The parser is deterministic: any worsening of a headline metric is a regression by default.
# Give an LLM run (sampling, provider drift) a tolerance such as 0.01.
DEFAULT_TOLERANCE = 0.0


class BaselineError(NianbaoError):
    """A baseline file that cannot be read: names the file and the reason."""


def load_baseline(path: Path) -> list[ReportScore]:
    """The per-report scores of a saved eval.json."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [ReportScore.from_json(r) for r in data["reports"]]
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such file") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BaselineError(f"{path}: not an eval.json ({exc.__class__.__name__})") from None


def _reading(score: ReportScore, key: str) -> tuple[bool, Any, bool]:
    """(right, value read, flagged) of one cell."""
    if score.failed:
        return False, "(failed)", True
    if key in score.wrong:
        _, got, flagged, *_ = score.wrong[key]
        return False, got, bool(flagged)
    return True, None, key in score.flags


def compare(
    current: list[ReportScore], baseline: list[ReportScore], tolerance: float = DEFAULT_TOLERANCE
) -> dict[str, Any]:
    """What got better, what got worse, and whether a headline metric regressed."""
    base = {s.id: s for s in baseline}
    cur = {s.id: s for s in current}
    common = [i for i in cur if i in base and cur[i].fingerprint == base[i].fingerprint]
    now, before = aggregate(cur[i] for i in common), aggregate(base[i] for i in common)
    metrics = {}
    for name, sign in HEADLINE.items():
        b, c = before[name], now[name]
        delta = None if b is None or c is None else round(c - b, 6)
        regressed = delta is not None and sign * delta < -tolerance
        metrics[name] = {"baseline": b, "current": c, "delta": delta, "regressed": regressed}
    better, worse, newly_silent = [], [], []
    for i in common:
        keys = sorted(cur[i].wrong_keys() | base[i].wrong_keys())
        for key in keys:
            b_right, b_got, b_flag = _reading(base[i], key)
            c_right, c_got, c_flag = _reading(cur[i], key)
            gold = (cur[i].wrong.get(key) or base[i].wrong.get(key) or [None])[0]
            # a right reading is the gold value (only wrong readings are stored)
            b_got, c_got = (gold if b_right else b_got), (gold if c_right else c_got)
            row = {"report": i, "key": key, "gold": gold, "baseline": b_got, "current": c_got}
            if b_right and not c_right:
                worse.append(row)
            elif c_right and not b_right:
                better.append(row)
            if not c_right and not c_flag and (b_right or b_flag):
                newly_silent.append(row)
    # the hard constraint, whatever the baseline: no report accepted while holding a wrong cell
    wrong_accepted = sorted(s.id for s in current if s.accepted and s.wrong)
    return {
        "tolerance": tolerance,
        "wrong_accepted": wrong_accepted,
        "compared_reports": len(common),
        "changed_sources": sorted(i for i in cur if i in base and i not in common),
        "new_reports": sorted(i for i in cur if i not in base),
        "missing_reports": sorted(i for i in base if i not in cur),
        "metrics": metrics,
        "regressed": bool(wrong_accepted) or any(m["regressed"] for m in metrics.values()),
        "cells_better": better,
        "cells_worse": worse,
        "cells_newly_silent": newly_silent,
    }
