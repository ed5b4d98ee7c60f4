"""The review queue: counts per status, filters, reports most urgent first."""

from __future__ import annotations

import streamlit as st

from nianbao.store import STATUSES, ReportSummary, Store
from ui import actions
from ui.safe_text import md_text

ALL = "all"
PAGE = 50  # rows shown at once; the filters narrow the rest
STATUS_LABELS = {
    "needs_review": "needs review",
    "accepted": "accepted by the pipeline",
    "reviewed": "accepted by a reviewer",
    "failed": "failed",
}


def _urgency(s: ReportSummary) -> str:
    """The badge (Streamlit markdown colours) that says why the report is where it is."""
    parts = []
    if s.n_broken:
        parts.append(f":red-background[{s.n_broken} broken]")
    if s.n_disagreements:
        parts.append(f":orange-background[{s.n_disagreements} disagree]")
    if s.n_low_confidence:
        parts.append(f":yellow-background[{s.n_low_confidence} low confidence]")
    if s.n_flagged:
        parts.append(f"{s.n_flagged} flagged")
    if s.error:
        parts.append(":red[failed]")
    return " ".join(parts) or ":green-background[clean]"


def render(store: Store) -> None:
    st.title("Review queue")
    facets = store.facets()
    f1, f2, f3, f4 = st.columns([1, 1, 2, 2])
    template = f1.selectbox("Layout", [ALL, *facets["template"]], key="f_template")
    year = f2.selectbox("Year", [ALL, *facets["year"]], key="f_year")
    organ = f3.text_input("Organ contains", key="f_organ")
    status = f4.selectbox(
        "Status",
        [*STATUSES, ALL],
        format_func=lambda s: STATUS_LABELS.get(s, "every status"),
        key="f_status",
    )
    filters = {
        "template": None if template == ALL else template,
        "year": None if year == ALL else int(year),
        "organ": organ.strip() or None,
    }
    counts = store.counts(**filters)
    for col, name in zip(st.columns(len(STATUSES)), STATUSES, strict=True):
        col.metric(STATUS_LABELS[name], counts.get(name, 0))
    # Only one page is read from the store: a store of thousands stays quick to open.
    rows = store.queue(**filters, status=None if status == ALL else status, limit=PAGE)
    total = sum(counts.values()) if status == ALL else counts.get(status, 0)
    st.caption(
        f"{total} report(s), most urgent first: broken identities, then disagreements, "
        "then low confidence." + (f" Showing the first {PAGE}." if total > PAGE else "")
    )
    if not rows:
        st.info("Nothing to review with these filters.")
        return
    head = st.columns([3, 2, 1, 1, 4, 1])
    for col, text in zip(head, ["report", "organ", "year", "layout", "why"], strict=False):
        col.markdown(f"**{text}**")
    for s in rows:
        c = st.columns([3, 2, 1, 1, 4, 1], vertical_alignment="center")
        c[0].text(f"#{s.report_id}  {s.source_name}")
        c[1].text(s.organ or "—")
        c[2].text(str(s.year or "—"))
        c[3].text(s.template or "—")
        c[4].markdown(_urgency(s))
        if s.error:
            c[4].caption(md_text(s.error))  # names a file: text, never Markdown
        c[5].button(
            "Review",
            key=f"open-{s.report_id}",
            on_click=actions.open_report,
            args=(s.report_id,),
            disabled=s.template is None,
        )
