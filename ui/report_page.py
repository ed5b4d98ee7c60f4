"""The report screen: source | printed tables | the selected cell's decision, findings, audit.

Every action is a callback that calls the store's review API and leaves a message; the page
then re-renders from the store, so what is shown is what is stored.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import streamlit as st

from extractor.layout import layout_for
from extractor.models import CellValue
from nianbao.store import CellView, DecisionView, ReportView, StaleEdit, Store, StoreError
from ui.equations import readable_findings
from ui.grids import Selection, grid_css, legend_html, part_html
from ui.queries import export_gold_files, review_report
from ui.review import Evaluation, ReviewReport, acceptance, candidates, evaluate, parse_value
from ui.source_view import source_html
from ui.status import STYLES

DEFAULT_GOLD_FOLDER = "eval/data/reviewed"
QUICK_CELLS = 8  # flagged cells offered as one-click buttons


# ---- actions (callbacks: run before the page re-renders) ----------------------------------
def _flash(kind: str, text: str) -> None:
    st.session_state.flash = (kind, text)


def _verdict(holds: bool, n_errors: int) -> str:
    return "every identity holds" if holds else f"{n_errors} rule(s) still broken"


def _decide(store: Store, rid: int, key: str, version: int, value: CellValue | str) -> None:
    reviewer = st.session_state.get("reviewer", "")
    try:
        done = store.record_decision(rid, key, reviewer, value=value, expected_version=version)
    except StaleEdit as exc:
        _flash("error", f"Not saved: {exc}")
        return
    except (StoreError, ValueError) as exc:
        _flash("error", f"Not saved: {exc}")
        return
    errors = [f for f in done.findings if f.severity.value == "error"]
    shown = "空" if value is None else value
    _flash(
        "success" if done.holds else "warning",
        f"{key} = {shown}: re-checked, " + _verdict(done.holds, len(errors)),
    )


def _apply_suspect(store: Store, rid: int, implied: dict[str, CellValue]) -> None:
    """Take every value one suspect implies: one decision per cell, each undoable alone."""
    reviewer = st.session_state.get("reviewer", "")
    versions = {k: c.version for k, c in store.load_report(rid).cells.items()}
    done = None
    for key, value in implied.items():
        try:
            done = store.record_decision(
                rid, key, reviewer, value=value, expected_version=versions[key]
            )
        except (StoreError, ValueError) as exc:
            _flash("error", f"Stopped at {key}: {exc}")
            return
    if done is not None:
        errors = [f for f in done.findings if f.severity.value == "error"]
        _flash(
            "success" if done.holds else "warning",
            f"{len(implied)} cells set: re-checked, " + _verdict(done.holds, len(errors)),
        )


def _typed(store: Store, rid: int, key: str, version: int, template: str) -> None:
    text = st.session_state.get("typed", "")
    try:
        value = parse_value(template, key, text)
    except ValueError as exc:
        _flash("error", str(exc))
        return
    _decide(store, rid, key, version, value)
    st.session_state.typed = ""


def _confirm(store: Store, rid: int, key: str, version: int) -> None:
    try:
        store.record_decision(
            rid,
            key,
            st.session_state.get("reviewer", ""),
            kind="accept_cell",
            expected_version=version,
        )
        _flash("success", f"{key}: confirmed as read")
    except StoreError as exc:
        _flash("error", f"Not saved: {exc}")


def _accept(store: Store, rid: int, version: int, with_source_error: bool) -> None:
    reason = st.session_state.get("reason", "") if with_source_error else None
    try:
        store.accept_report(
            rid,
            st.session_state.get("reviewer", ""),
            with_source_error=with_source_error,
            reason=reason,
            expected_version=version,
        )
    except StoreError as exc:
        _flash("error", f"Not accepted: {exc}")
        return
    _flash("success", "Report accepted" + (" with the source's own error" if reason else ""))


def _undo(store: Store, decision_id: int) -> None:
    try:
        store.undo(decision_id, st.session_state.get("reviewer", ""))
        _flash("success", f"Decision #{decision_id} undone")
    except StoreError as exc:
        _flash("error", f"Not undone: {exc}")


def _export(store: Store, rid: int) -> None:
    folder = Path(st.session_state.get("gold_folder") or DEFAULT_GOLD_FOLDER)
    try:
        gold, _ = export_gold_files(store, rid, folder)
    except (StoreError, OSError) as exc:
        _flash("error", f"Not exported: {exc}")
        return
    _flash("success", f"Exported as gold: {gold}")


def _select(key: str) -> None:
    st.session_state.cell = key


def _back() -> None:
    st.session_state.report_id = None
    for key in ("cell", "typed", "reason", "flash"):
        st.session_state.pop(key, None)


# ---- rendering ----------------------------------------------------------------------------
def _cell_label(template: str, key: str) -> str:
    spec = layout_for(template).spec(key)
    return f"{spec.row_label} · {spec.column_label}"


def _source(rr: ReviewReport, key: str) -> None:
    prov = rr.provenance.get(key)
    row = key.rsplit(".", 1)[0] + "."
    row_spans = [p.span for k, p in rr.provenance.items() if k.startswith(row)]
    html = source_html(rr.source_text, prov.span if prov else None, row_spans, height=720)
    # Escaped text plus our own scrolling script; see ui.source_view.
    st.iframe(html, height=730)
    if prov is None or prov.span is None:
        st.caption(f"{key}: no span in the source (the extractor did not tie it to the text)")


def _grids(rr: ReviewReport, ev: Evaluation, key: str) -> None:
    values, sel = rr.values, Selection(key)
    html = grid_css() + legend_html()
    html += "".join(
        part_html(part, rr.meta.template, values, ev.statuses, sel) for part in ("t2", "t3", "t4")
    )
    st.html(html)


def _findings(rr: ReviewReport, ev: Evaluation) -> None:
    readable = readable_findings(rr.meta.template, ev.result, rr.values)
    errors = [f for f in readable if f.severity.value != "info"]
    unknown = [f for f in readable if f.severity.value == "info"]
    st.markdown("**Findings**")
    if not errors:
        st.success("Every identity and domain rule holds.")
    for n, f in enumerate(errors):
        box = st.error if f.severity.value == "error" else st.warning
        box(f"**{f.title}**  \n{f.equation}", icon="✖" if f.severity.value == "error" else "⚠")
        if f.cells:  # show where it is: its likeliest cell, and with it the row in the text
            target = next((k for k in ev.open_cells if k in f.cells), f.cells[-1])
            st.button(
                f"show {target}", key=f"show-{n}", on_click=_select, args=(target,), type="tertiary"
            )
    if unknown:
        with st.expander(f"{len(unknown)} check(s) unknown: null cells"):
            for f in unknown:
                st.text(f"{f.title}: {f.equation}")


def _decision_panel(store: Store, view: ReportView, rr: ReviewReport, ev: Evaluation, key: str):
    cell: CellView = view.cells[key]
    rid, template = rr.report_id, rr.meta.template
    status = ev.statuses[key]
    st.markdown(f"**{escape(_cell_label(template, key))}**")
    st.caption(f"`{key}` · {STYLES[status].label}")
    st.metric("current value", "空 (null)" if cell.value is None else str(cell.value))
    reasons = ev.flags.get(key, [])
    if reasons:
        st.markdown("\n".join(f"- {escape(r)}" for r in reasons))
    options = candidates(rr, key, ev.result)
    if options:
        st.markdown("Take a value:")
    for i, cand in enumerate(options):
        st.button(
            cand.label,
            key=f"use-{i}",
            on_click=_decide,
            args=(store, rid, key, cell.version, cand.value),
            use_container_width=True,
        )
    suspect = next((x for x in ev.result.suspects if key in x.cells), None)
    if suspect is not None and len(suspect.cells) > 1 and suspect.determined:
        change = ", ".join(f"{k} {suspect.current[k]}→{suspect.implied[k]}" for k in suspect.cells)
        implied = {k: suspect.implied[k] for k in suspect.cells}
        st.button(
            f"Apply suspect #{suspect.rank}: {len(suspect.cells)} cells",
            key="apply-suspect",
            help=change,
            on_click=_apply_suspect,
            args=(store, rid, implied),
            use_container_width=True,
        )
        st.caption(change)
    st.text_input("or type a value (empty = null)", key="typed")
    c1, c2 = st.columns(2)
    c1.button(
        "Set typed value",
        key="set-typed",
        on_click=_typed,
        args=(store, rid, key, cell.version, template),
    )
    c2.button(
        "Confirm as read", key="confirm", on_click=_confirm, args=(store, rid, key, cell.version)
    )


def _accept_panel(store: Store, view: ReportView, ev: Evaluation) -> None:
    s = view.summary
    acc = acceptance(ev)
    st.markdown("**Accept**")
    if s.review_status != "pending":
        st.success(f"Review status: {s.review_status.replace('_', ' ')}")
    if acc.unreviewed and acc.clean:
        st.caption(f"{len(acc.unreviewed)} flagged cell(s) not decided; accepting confirms them.")
    st.button(
        "Accept report",
        key="accept",
        type="primary",
        disabled=not acc.clean or s.review_status != "pending",
        on_click=_accept,
        args=(store, s.report_id, s.version, False),
    )
    if not acc.clean and s.review_status == "pending":
        st.text_input("Reason: the source itself prints this error", key="reason")
        st.button(
            "Accept with the source's own error",
            key="accept-source-error",
            disabled=not st.session_state.get("reason", "").strip(),
            on_click=_accept,
            args=(store, s.report_id, s.version, True),
        )
    st.text_input("Gold folder", value=DEFAULT_GOLD_FOLDER, key="gold_folder")
    st.button(
        "Export as gold",
        key="export",
        disabled=s.review_status == "pending",
        on_click=_export,
        args=(store, s.report_id),
    )


def _fmt_decision(d: DecisionView) -> str:
    change = f"{d.old_value} → {d.new_value}" if d.key else f"{d.kind}"
    return f"#{d.id} {d.kind} {d.key or ''} {change}".strip()


def _audit(store: Store, view: ReportView) -> None:
    st.markdown("**Audit trail**")
    if not view.decisions:
        st.caption("No decisions yet.")
        return
    st.dataframe(
        [
            {
                "#": d.id,
                "time": d.created_at,
                "reviewer": d.reviewer,
                "decision": d.kind,
                "cell": d.key or "",
                "old": d.old_value,
                "new": d.new_value,
                "reason": d.reason or "",
                "undone by": d.undone_by,
            }
            for d in reversed(view.decisions)
        ],
        hide_index=True,
        use_container_width=True,
    )
    undoable = [d for d in reversed(view.decisions) if d.kind != "undo" and d.undone_by is None]
    if undoable:
        choice = st.selectbox(
            "Undo a decision", undoable, format_func=_fmt_decision, key="undo_choice"
        )
        st.button("Undo", key="undo", on_click=_undo, args=(store, choice.id))


def render(store: Store, report_id: int, reviewer: str) -> None:
    try:
        view = store.load_report(report_id)
        rr = review_report(view, store.extractions(report_id))
    except (StoreError, ValueError) as exc:
        st.button("← Queue", on_click=_back, key="back")
        st.error(str(exc))
        return
    ev = evaluate(rr)
    s = view.summary
    top = st.columns([1, 9])
    top[0].button("← Queue", on_click=_back, key="back")
    top[1].markdown(
        f"### {escape(s.organ or '?')} {s.year or ''} · {s.template} layout · "
        f"`#{s.report_id}` {escape(s.source_name)}"
    )
    if "flash" in st.session_state:
        kind, text = st.session_state.pop("flash")
        getattr(st, kind)(text)
    open_cells = ev.open_cells
    keys = list(layout_for(rr.meta.template).keys)
    if st.session_state.get("cell") not in keys:
        st.session_state.cell = open_cells[0] if open_cells else keys[0]
    if not reviewer.strip():
        st.warning("Enter your name as reviewer (sidebar) to record decisions.")
    left, middle, right = st.columns([3, 7, 3])
    with right:
        st.selectbox(
            "Cell",
            keys,
            key="cell",
            format_func=lambda k: ("● " if k in ev.flags else "") + f"{k}",
        )
        st.caption(f"{len(open_cells)} flagged cell(s) to decide:")
        quick = st.container(horizontal=True)
        for k in open_cells[:QUICK_CELLS]:
            quick.button(k, key=f"pick-{k}", on_click=_select, args=(k,))
        key = st.session_state.cell
        _decision_panel(store, view, rr, ev, key)
        st.divider()
        _accept_panel(store, view, ev)
    with left:
        st.markdown("**Source text**")
        _source(rr, key)
    with middle:
        _findings(rr, ev)
        _grids(rr, ev, key)
    st.divider()
    _audit(store, view)
