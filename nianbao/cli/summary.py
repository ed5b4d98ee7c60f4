"""The summary printed at the end of a run."""

from __future__ import annotations

from nianbao.cli.display import table
from nianbao.pipeline.runner import RunStats
from nianbao.store import Store

SHOW_FAILURES = 10


def render(store: Store, stats: RunStats) -> str:
    """Counts by status, the most broken identities, failures, LLM usage and speed."""
    processed = stats.n_done + stats.n_failed
    rate = processed / stats.seconds if stats.seconds else 0.0
    lines = [
        f"run {stats.run_id}: {stats.n_files} files, {processed} processed, "
        f"{stats.n_skipped} skipped (already done) in {stats.seconds:.1f}s"
        + (f" ({rate:.1f} reports/s)" if processed else ""),
        "",
        table(
            ["status", "reports"],
            [
                ["accepted", str(stats.statuses["accepted"])],
                ["needs_review", str(stats.statuses["needs_review"])],
                ["failed", str(stats.statuses["failed"])],
                *(
                    [["failed in an earlier run", str(stats.n_failed_before)]]
                    if stats.n_failed_before
                    else []
                ),
            ],
        ),
    ]
    broken = store.broken_rules(stats.run_id)
    if broken:
        lines += [
            "",
            "Most broken identities",
            table(["identity", "reports"], [[family, str(n)] for family, n in broken]),
        ]
    if stats.failures:
        lines += ["", "Failed"]
        lines += [f"  {error}" for error in stats.failures[:SHOW_FAILURES]]
        total = stats.n_failed + stats.n_failed_before
        if total > SHOW_FAILURES:
            lines.append(f"  ... and {total - SHOW_FAILURES} more (see the store)")
    lines += [
        "",
        f"LLM: {stats.llm_calls} calls ({stats.cached_calls} cached), "
        f"{stats.input_tokens} input + {stats.output_tokens} output tokens, "
        f"${stats.cost_usd:.4f}",
        f"store: {store.path}",
        f"next: nianbao review --db {store.path}   |   nianbao export --db {store.path}",
    ]
    return "\n".join(lines)
