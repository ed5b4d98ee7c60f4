"""Write a run's results: eval.json (every metric), summary.md (for people), a PNG plot."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from eval.metrics import ReportScore, consistent_print

PLOT_NAME = "accuracy_by_damage.png"
WORST = 10
CAUSES_SHOWN = 20
SILENT_SHOWN = 40


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.2f}%"


def _num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return [*out, ""]


def _metric_rows(groups: dict[str, dict[str, Any]]) -> list[list[str]]:
    return [
        [
            name,
            str(m["reports"]),
            str(m["failed"]),
            _pct(m["cell_accuracy"]),
            _pct(m["exact_match_rate"]),
            _pct(m["silent_error_rate"]),
            _pct(m["flag_precision"]),
            _pct(m["flagged_share"]),
            _pct(m["accepted_without_review"]),
            _pct(m["accepted_consistent"]),
            _pct(m["accepted_complete"]),
            _pct(m["accepted_but_wrong"]),
            _num(m["flags_per_report"], 1),
            _num(m["decisions_per_report"], 1),
            _pct(m["decision_precision"]),
        ]
        for name, m in groups.items()
    ]


_HEAD = [
    "",
    "reports",
    "failed",
    "cell accuracy",
    "exact match",
    "silent errors",
    "flag precision",
    "flagged (review load)",
    "accepted w/o review",
    "consistent accepted",
    "complete accepted",
    "accepted but wrong",
    "flags/report",
    "decisions/report",
    "decision precision",
]


def summary_markdown(result: dict[str, Any], scores: list[ReportScore]) -> str:
    """The report people read: headline, breakdowns, worst reports, silent errors, baseline."""
    cfg, head = result["config"], result["headline"]
    out = [
        f"# Eval: backend `{cfg['backend']}` on set `{cfg['set']}`",
        "",
        f"{head['reports']} reports ({cfg['synth_count']} synthetic, seed {cfg['seed']}), "
        f"{head['cells']} cells; extractor version `{cfg['extractor_version']}`; "
        f"run at {cfg['started']}.",
        "",
        "## Headline",
        "",
        *_table(_HEAD, _metric_rows({"all": head, **result["by_set"]})),
        f"LLM calls per report {_num(head['llm_calls_per_report'])} "
        f"(cached {_num(head['cached_calls_per_report'])}), tokens per report "
        f"{_num(head['input_tokens_per_report'], 0)} in "
        f"({_num(head.get('cached_input_tokens_per_report', 0), 0)} from the provider's prompt "
        "cache) / "
        f"{_num(head['output_tokens_per_report'], 0)} out, estimated cost per report "
        f"${_num(head['cost_usd_per_report'], 4)} (total ${_num(head['cost_usd_total'], 4)}), "
        f"{_num(head['seconds_per_report'], 3)} s per report. Of the "
        f"{head['wrong_cells']} wrong cells, {head['wrong_judgement_cells']} have a gold that "
        "is a judgement call (see the report's notes).",
        "",
        "## By layout",
        "",
        *_table(_HEAD, _metric_rows(result["by_template"])),
        "## By part",
        "",
        *_table(
            ["part", "cells", "cell accuracy", "silent errors", "flag precision"],
            [
                [
                    p,
                    str(m["cells"]),
                    _pct(m["cell_accuracy"]),
                    _pct(m["silent_error_rate"]),
                    _pct(m["flag_precision"]),
                ]
                for p, m in result["by_part"].items()
            ],
        ),
        "## By damage type",
        "",
        "A report counts under every damage it carries (synthetic: the generator's record; "
        "real: the manifest's tags). The plot is `" + PLOT_NAME + "`.",
        "",
        *_table(_HEAD, _metric_rows(result["by_damage"])),
        "## By source kind",
        "",
        *_table(_HEAD, _metric_rows(result["by_kind"])),
    ]
    out += _waiting(scores) + _worst(scores) + _accepted_wrong(scores) + _silent(scores)
    out += _comparison(result.get("comparison"))
    out += _every(scores)
    return "\n".join(out) + "\n"


def _every(scores: list[ReportScore]) -> list[str]:
    rows = [
        [
            s.id,
            s.set,
            s.kind,
            s.template,
            _pct(s.total("correct") / max(s.total("cells"), 1)),
            str(len(s.wrong_keys())),
            str(len(s.flags)),
            str(s.total("silent")),
            "yes" if s.accepted else "no",
            f"{s.wall_seconds:.3f}",
            (s.error or "").replace("|", "/")[:80],
        ]
        for s in scores
    ]
    header = ["report", "set", "kind", "layout", "accuracy", "wrong", "flagged", "silent",
              "accepted", "seconds", "error"]  # fmt: skip
    return ["## Every report", "", *_table(header, rows)]


def _worst(scores: list[ReportScore]) -> list[str]:
    ranked = sorted(scores, key=lambda s: (s.total("correct") / max(s.total("cells"), 1), s.id))
    rows = []
    for s in ranked[:WORST]:
        accuracy = s.total("correct") / max(s.total("cells"), 1)
        note = s.error or ", ".join(s.damage) or "–"
        rows.append(
            [
                s.id,
                s.kind,
                _pct(accuracy),
                str(len(s.wrong_keys())),
                str(s.total("silent")),
                note.replace("|", "/")[:120],
            ]
        )
    header = ["report", "kind", "accuracy", "wrong", "silent", "error or damage"]
    return ["## Worst reports", "", *_table(header, rows)]


def _waiting(scores: list[ReportScore]) -> list[str]:
    """Why reports whose print is consistent still wait for a person: their decisions by
    reason, split by whether the cells were right (a proof is missing) or held a wrong cell
    (the person is needed)."""
    decisions: Counter[tuple[str, bool]] = Counter()
    reports: Counter[tuple[str, bool]] = Counter()
    for s in scores:
        if s.accepted or not consistent_print(s):
            continue
        seen = set()
        for d in s.decisions:
            reason = re.sub(r"\d+", "N", d.get("reason") or d["kind"])[:100]
            key = (reason, any(k in s.wrong for k in d["cells"]))
            decisions[key] += 1
            seen.add(key)
        reports.update(seen)
    out = ["## What keeps consistent reports waiting", ""]
    if not decisions:
        return [*out, "Nothing: every report whose print is consistent was accepted.", ""]
    rows = [
        [reason.replace("|", "/"), "wrong cell" if wrong else "all right", str(n),
         str(reports[(reason, wrong)])]
        for (reason, wrong), n in decisions.most_common(CAUSES_SHOWN)
    ]  # fmt: skip
    header = ["reason (digits as N)", "its cells", "decisions", "reports"]
    return out + _table(header, rows)


def _accepted_wrong(scores: list[ReportScore]) -> list[str]:
    """Reports that would go through unreviewed with a wrong number: the costly case."""
    bad = [s for s in scores if s.accepted and s.wrong]
    out = ["## Accepted without review, but wrong", ""]
    if not bad:
        return [*out, "None: every report accepted without review was right.", ""]
    rows = [[s.id, s.kind, str(len(s.wrong)), ", ".join(sorted(s.wrong)[:6])] for s in bad]
    return out + _table(["report", "kind", "wrong cells", "keys"], rows)


def _silent(scores: list[ReportScore]) -> list[str]:
    rows = [
        [s.id, key, str(gold), str(got), "yes" if key in s.judgement_cells else ""]
        for s in scores
        for key, (gold, got, flagged, *_) in s.wrong.items()
        if not flagged
    ]
    out = ["## Cells that went wrong silently", ""]
    if not rows:
        return [*out, "None: every wrong cell was flagged for review.", ""]
    out.append(f"{len(rows)} cells, wrong and not flagged (first {min(len(rows), SILENT_SHOWN)}):")
    out.append("")
    header = ["report", "key", "gold", "extracted", "gold is a judgement call"]
    return out + _table(header, rows[:SILENT_SHOWN])


def _comparison(comp: dict[str, Any] | None) -> list[str]:
    if not comp:
        return []
    verdict = "REGRESSED" if comp["regressed"] else "no regression"
    out = [
        "## Against the baseline",
        "",
        f"{verdict} (tolerance {comp['tolerance']}); {comp['compared_reports']} reports compared, "
        f"{len(comp['new_reports'])} new, {len(comp['missing_reports'])} missing, "
        f"{len(comp['changed_sources'])} with a changed source (not compared).",
        "",
    ]
    rows = [
        [
            name,
            _pct(m["baseline"]),
            _pct(m["current"]),
            "–" if m["delta"] is None else f"{100 * m['delta']:+.2f} pt",
            "yes" if m["regressed"] else "no",
        ]
        for name, m in comp["metrics"].items()
    ]
    out += _table(["metric", "baseline", "current", "change", "regressed"], rows)
    for title, key in (
        ("Worse", "cells_worse"),
        ("Better", "cells_better"),
        ("Newly silent", "cells_newly_silent"),
    ):
        cells = comp[key]
        out += [f"{title}: {len(cells)} cells", ""]
        if cells:
            out += _table(
                ["report", "key", "gold", "baseline", "current"],
                [
                    [c["report"], c["key"], str(c["gold"]), str(c["baseline"]), str(c["current"])]
                    for c in cells[:SILENT_SHOWN]
                ],
            )
    return out


def plot_by_damage(by_damage: dict[str, dict[str, Any]], path: Path) -> None:
    """Bars of cell accuracy and silent-error rate for each damage type."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(by_damage)
    accuracy = [100 * (by_damage[n]["cell_accuracy"] or 0) for n in names]
    silent = [100 * (by_damage[n]["silent_error_rate"] or 0) for n in names]
    height = max(3.0, 0.35 * len(names) + 1.2)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, height), sharey=True)
    ys = range(len(names))
    left.barh(ys, accuracy, color="#4c72b0")
    left.set_xlim(0, 100)
    left.set_xlabel("cell accuracy (%)")
    left.set_yticks(list(ys), [f"{n} ({by_damage[n]['reports']})" for n in names])
    left.invert_yaxis()
    right.barh(ys, silent, color="#c44e52")
    right.set_xlabel("silent-error rate (% of cells)")
    fig.suptitle("Accuracy and silent errors by damage type (reports per type in brackets)")
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=100)
    plt.close(fig)


def eval_json(result: dict[str, Any], scores: list[ReportScore]) -> str:
    """The metrics indented for reading, then one line per report (small, diff-friendly)."""
    head = json.dumps({**result, "reports": []}, ensure_ascii=False, indent=1)
    lines = [json.dumps(s.to_json(), ensure_ascii=False, separators=(",", ":")) for s in scores]
    body = ",\n".join("  " + line for line in lines)
    return head.removesuffix('"reports": []\n}') + '"reports": [\n' + body + "\n ]\n}\n"


def write_outputs(result: dict[str, Any], scores: list[ReportScore], out_dir: Path) -> list[Path]:
    """eval.json, summary.md and the plot into `out_dir`; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "eval.json", out_dir / "summary.md", out_dir / PLOT_NAME]
    paths[0].write_text(eval_json(result, scores), encoding="utf-8")
    paths[1].write_text(summary_markdown(result, scores), encoding="utf-8")
    plot_by_damage(result["by_damage"], paths[2])
    return paths
