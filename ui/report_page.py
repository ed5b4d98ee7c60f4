"""The report screen: source | printed tables | the selected cell's decision, findings, audit.

Every action is a callback that calls the store's review API and leaves a message; the page
then re-renders from the store, so what is shown is what is stored.
"""

from __future__ import annotations

import base64
from html import escape

import streamlit as st

from nianbao.core.layout import layout_for
from nianbao.core.models import CellProvenance
from nianbao.store import CellView, DecisionView, ReportSummary, ReportView, Store, StoreError
from ui import actions
from ui.equations import readable_findings
from ui.grids import Selection, grid_css, legend_html, part_html
from ui.logic import Evaluation, ReviewReport, acceptance, candidates, evaluate
from ui.page_view import page_crop
from ui.proof_view import proof_legend_html, settle_actions
from ui.queries import gold_files, review_report
from ui.safe_text import md_text
from ui.source_view import source_html
from ui.status import STYLES

OPEN_CELLS_HEIGHT = 220  # px: every open cell is a button; past this they scroll in place
PAGE_CSS = (
    "<style>"
    # The source stays in view while the reviewer scrolls down the tables.
    "[data-testid=stLayoutWrapper]:has(>.st-key-nb-source-pane){position:sticky;top:3.5rem;"
    "z-index:1}"
    # Streamlit's wide layout keeps 5rem either side: at 1366 px the grids need that room.
    "[data-testid=stMainBlockContainer]{padding-left:1.5rem;padding-right:1.5rem}"
    "</style>"
)


# ---- rendering ----------------------------------------------------------------------------
def _cell_label(template: str, key: str) -> str:
    spec = layout_for(template).spec(key)
    return f"{spec.row_label} · {spec.column_label}"


def _source(rr: ReviewReport, key: str) -> None:
    prov = rr.provenance.get(key)
    row = key.rsplit(".", 1)[0] + "."
    row_spans = [p.span for k, p in rr.provenance.items() if k.startswith(row)]
    html = source_html(rr.source_text, prov.span if prov else None, row_spans, height=720)
    st.html(html)  # inline and script-free, never a frame: see ui.source_view
    if prov is None or prov.span is None:
        st.caption(f"{key}: no span in the source (the extractor did not tie it to the text)")
    _page(rr, key, prov)


def _page(rr: ReviewReport, key: str, prov: CellProvenance | None) -> None:
    """The printed page around the cell, its box drawn (PDFs and scans)."""
    if prov is None or prov.page is None or prov.box is None or not rr.source_path:
        return
    png = page_crop(rr.source_path, prov.page, prov.box)
    if png is not None:
        # inline (a data URI), not a media file: the crop is in the page the moment it is
        # drawn, and a re-run never leaves a broken link to a replaced file
        data = base64.b64encode(png).decode("ascii")
        caption = escape(f"{key} on page {prov.page}")
        st.html(
            f'<figure class="nb-page-crop" style="margin:0">'
            f'<img src="data:image/png;base64,{data}" alt="{caption}" style="max-width:100%">'
            f'<figcaption style="font-size:0.8rem;color:#6b7280">{caption}</figcaption></figure>'
        )


def _open_cells(open_cells: list[str]) -> None:
    """Every flagged cell still to decide, each one click away (they scroll past a few)."""
    st.caption(f"{len(open_cells)} flagged cell(s) to decide:")
    if not open_cells:
        return
    height = OPEN_CELLS_HEIGHT if len(open_cells) > 8 else "content"
    with st.container(height=height, key="nb-open-cells"):
        row = st.container(horizontal=True, gap="small")
        for k in open_cells:
            row.button(k, key=f"pick-{k}", on_click=actions.select, args=(k,), width="content")


def _grids(rr: ReviewReport, ev: Evaluation, key: str) -> None:
    values, sel = rr.values, Selection(key)
    html = grid_css() + legend_html() + proof_legend_html()
    levels = ev.proof.levels if ev.proof else None
    html += "".join(
        part_html(part, rr.meta.template, values, ev.statuses, sel, levels)
        for part in ("t2", "t3", "t4")
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
                f"show {target}",
                key=f"show-{n}",
                on_click=actions.select,
                args=(target,),
                type="tertiary",
            )
    if unknown:
        with st.expander(f"{len(unknown)} check(s) unknown: null cells"):
            for f in unknown:
                st.text(f"{f.title}: {f.equation}")


def _decision_panel(
    store: Store, view: ReportView, rr: ReviewReport, ev: Evaluation, key: str
) -> None:
    cell: CellView = view.cells[key]
    rid, template = rr.report_id, rr.meta.template
    status = ev.statuses[key]
    st.markdown(f"**{md_text(_cell_label(template, key))}**")
    st.caption(f"`{key}` · {STYLES[status].label}")
    st.metric("current value", "空 (null)" if cell.value is None else str(cell.value))
    reasons = ev.flags.get(key, [])
    if reasons:
        st.markdown("\n".join(f"- {md_text(r)}" for r in reasons))  # extractors' own words
    options = candidates(rr, key, ev.result)
    if options:
        st.markdown("Take a value:")
    for i, cand in enumerate(options):
        st.button(
            cand.label,
            key=f"use-{i}",
            on_click=actions.decide,
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
            on_click=actions.apply_suspect,
            args=(store, rid, implied),
            use_container_width=True,
        )
        st.caption(change)
    st.text_input("or type a value (empty = null)", key="typed")
    st.text_input("note (optional, kept in the audit trail)", key="note")
    c1, c2 = st.columns(2)
    c1.button(
        "Set typed value",
        key="set-typed",
        on_click=actions.typed,
        args=(store, rid, key, cell.version, template),
    )
    c2.button(
        "Confirm as read",
        key="confirm",
        on_click=actions.confirm,
        args=(store, rid, key, cell.version),
    )


def _decisions_panel(store: Store, rr: ReviewReport, ev: Evaluation) -> None:
    """One entry per cause (rules.proving), each settled with one action."""
    if ev.proof is None or not ev.proof.decisions:
        return
    st.markdown(f"**Decisions** ({len(ev.proof.decisions)})")
    for d in ev.proof.decisions:
        with st.expander(f"{d.id} · {len(d.cells)} cell(s) · {d.reason}"):
            st.caption(", ".join(d.cells[:12]) + (" …" if len(d.cells) > 12 else ""))
            for n, act in enumerate(settle_actions(d, rr.values)):
                st.button(
                    act.label,
                    key=f"settle-{d.id}-{n}",
                    on_click=actions.settle,
                    args=(store, rr.report_id, act.values, act.confirm),
                    use_container_width=True,
                )


def _accept_panel(store: Store, view: ReportView, ev: Evaluation) -> None:
    s = view.summary
    acc = acceptance(ev)
    st.markdown("**Accept**")
    if s.review_status != "pending":
        st.success(f"Review status: {s.review_status.replace('_', ' ')}")
        following = [r for r in store.queue(limit=2) if r.report_id != s.report_id]
        if following:  # straight on to the most urgent report still waiting
            st.button(
                f"Next in the queue: #{following[0].report_id} "
                + md_text(following[0].source_name),
                key="next",
                type="primary",
                on_click=actions.open_report,
                args=(following[0].report_id,),
            )
    if acc.unreviewed and acc.clean:
        st.caption(f"{len(acc.unreviewed)} flagged cell(s) not decided; accepting confirms them.")
    st.button(
        "Accept report",
        key="accept",
        type="primary",
        disabled=not acc.clean or s.review_status != "pending",
        on_click=actions.accept,
        args=(store, s.report_id, s.version, False, acc.unreviewed),
    )
    if not acc.clean and s.review_status == "pending":
        st.text_input("Reason: the source itself prints this error", key="reason")
        st.button(
            "Accept with the source's own error",
            key="accept-source-error",
            disabled=not st.session_state.get("reason", "").strip(),
            on_click=actions.accept,
            args=(store, s.report_id, s.version, True, acc.unreviewed),
        )
    with st.expander("Organ and year"):
        st.text_input("organ", value=s.organ or "", key="meta_organ")
        st.text_input("year", value=str(s.year or ""), key="meta_year")
        st.button(
            "Save organ / year",
            key="save-meta",
            on_click=actions.save_meta,
            args=(store, s.report_id, s.version, s.organ, s.year),
        )
    _gold_downloads(store, s)


def _gold_downloads(store: Store, s: ReportSummary) -> None:
    """The accepted report as an eval item: its gold label and its source, as downloads."""
    if s.review_status == "pending":
        st.button(
            "Download gold label", key="export", disabled=True, help="accept the report first"
        )
        return
    try:
        files = gold_files(store, s.report_id)
    except StoreError as exc:
        st.error(f"No gold label: {exc}")
        return
    for n, (name, data) in enumerate(files.items()):
        label = "Download gold label" if name.endswith(".gold.json") else "Download source"
        mime = "application/json" if name.endswith(".json") else "text/plain"
        st.download_button(
            label, data, file_name=name, mime=mime, key="export" if n == 0 else "export-source"
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
        st.button("Undo", key="undo", on_click=actions.undo, args=(store, choice.id))


def render(store: Store, report_id: int, reviewer: str) -> None:
    try:
        view = store.load_report(report_id)
        rr = review_report(view, store.extractions(report_id))
    except (StoreError, ValueError) as exc:
        st.button("← Queue", on_click=actions.back, key="back")
        st.error(md_text(exc))
        return
    ev = evaluate(rr)
    s = view.summary
    top = st.columns([1, 9])
    top[0].button("← Queue", on_click=actions.back, key="back")
    # organ and file name are text nobody checked (a reviewer typed one): never Markdown
    top[1].markdown(
        "### "
        + md_text(f"{s.organ or '?'} {s.year or ''} · {s.template} layout · #{s.report_id} ")
        + md_text(s.source_name)
    )
    if "flash" in st.session_state:  # may quote a typed value, a file name, an error
        kind, text = st.session_state.pop("flash")
        getattr(st, kind)(md_text(text))
    open_cells = ev.open_cells
    keys = list(layout_for(rr.meta.template).keys)
    if st.session_state.get("cell") not in keys:
        st.session_state.cell = open_cells[0] if open_cells else keys[0]
    st.html(PAGE_CSS)
    left, middle, right = st.columns([3, 7, 3])
    with right, st.container(key="nb-decision"):
        st.selectbox(
            "Cell",
            keys,
            key="cell",
            format_func=lambda k: ("● " if k in ev.flags else "") + f"{k}",
        )
        _open_cells(open_cells)
        key = st.session_state.cell
        _decision_panel(store, view, rr, ev, key)
        st.divider()
        _decisions_panel(store, rr, ev)
        st.divider()
        _accept_panel(store, view, ev)
    with left, st.container(key="nb-source-pane"):
        st.markdown("**Source text**")
        _source(rr, key)
    with middle, st.container(key="nb-grids"):
        _findings(rr, ev)
        _grids(rr, ev, key)
    st.divider()
    _audit(store, view)
