"""What the reviewer's clicks do: Streamlit callbacks on the store's review API.

Each runs before the page re-renders, saves through the store (one transaction, versioned),
and leaves one message for the page to show. Nothing here decides a value on its own.
"""

from __future__ import annotations

import streamlit as st

from nianbao.core.models import CellValue
from nianbao.service.tokens import REVIEWING, authenticate
from nianbao.store import Store, StoreError
from ui.logic import parse_value

PAGE_STATE = (
    "cell",
    "typed",
    "note",
    "reason",
    "flash",
)  # per-report widget state, reset on leaving


def _note() -> str | None:
    """The reviewer's optional note, stored with each cell decision as its reason."""
    return (st.session_state.get("note") or "").strip() or None


def flash(kind: str, text: str) -> None:
    """Leave one message (st.success / warning / error) for the next render."""
    st.session_state.flash = (kind, text)


def verdict(holds: bool, n_errors: int) -> str:
    """The re-check in words."""
    return "every identity holds" if holds else f"{n_errors} rule(s) still broken"


def decide(store: Store, rid: int, key: str, version: int, value: CellValue | str) -> None:
    """Set one cell (the version the reviewer saw guards against a lost update)."""
    reviewer = st.session_state.get("reviewer", "")
    try:
        done = store.record_decision(
            rid, key, reviewer, value=value, expected_version=version, reason=_note()
        )
    except (StoreError, ValueError) as exc:  # StaleEdit among them: another reviewer was first
        flash("error", f"Not saved: {exc}")
        return
    errors = [f for f in done.findings if f.severity.value == "error"]
    shown = "空" if value is None else value
    flash(
        "success" if done.holds else "warning",
        f"{key} = {shown}: re-checked, " + verdict(done.holds, len(errors)),
    )


def apply_suspect(store: Store, rid: int, implied: dict[str, CellValue]) -> None:
    """Take every value one suspect implies: one decision per cell, each undoable alone."""
    reviewer = st.session_state.get("reviewer", "")
    versions = {k: c.version for k, c in store.load_report(rid).cells.items()}
    done = None
    for key, value in implied.items():
        try:
            done = store.record_decision(
                rid, key, reviewer, value=value, expected_version=versions[key], reason=_note()
            )
        except (StoreError, ValueError) as exc:
            flash("error", f"Stopped at {key}: {exc}")
            return
    if done is not None:
        errors = [f for f in done.findings if f.severity.value == "error"]
        flash(
            "success" if done.holds else "warning",
            f"{len(implied)} cells set: re-checked, " + verdict(done.holds, len(errors)),
        )


def settle(store: Store, rid: int, values: dict[str, CellValue], confirm: tuple[str, ...]) -> None:
    """Settle one decision in one action: set `values`, confirm `confirm` as printed (one
    audited decision per cell, each undoable alone)."""
    reviewer = st.session_state.get("reviewer", "")
    cells = store.load_report(rid).cells
    done = None
    try:
        for key, value in values.items():
            done = store.record_decision(
                rid,
                key,
                reviewer,
                value=value,
                expected_version=cells[key].version,
                reason=_note(),
            )
        for key in confirm:
            if cells[key].review_state != "none":
                continue  # a person decided it already: leave it
            done = store.record_decision(
                rid,
                key,
                reviewer,
                kind="accept_cell",
                expected_version=cells[key].version,
                reason=_note(),
            )
    except (StoreError, ValueError) as exc:
        flash("error", f"Stopped: {exc}")
        return
    if done is not None:
        errors = [f for f in done.findings if f.severity.value == "error"]
        flash(
            "success" if done.holds else "warning",
            f"{len(values) + len(confirm)} cells settled: " + verdict(done.holds, len(errors)),
        )


def save_meta(store: Store, rid: int, version: int, organ: str | None, year: int | None) -> None:
    """Fix the organ and/or the year (what gold export and series matching rely on)."""
    reviewer = st.session_state.get("reviewer", "")
    wanted = {
        "meta.organ": ((st.session_state.get("meta_organ") or "").strip(), organ or ""),
        "meta.year": ((st.session_state.get("meta_year") or "").strip(), str(year or "")),
    }
    changed = [(key, new) for key, (new, old) in wanted.items() if new != old]
    if not changed:
        flash("info", "Organ and year unchanged")
        return
    for key, new in changed:
        try:
            done = store.record_decision(
                rid, key, reviewer, value=new or None, expected_version=version, reason=_note()
            )
        except (StoreError, ValueError) as exc:
            flash("error", f"Not saved: {exc}")
            return
        version = done.report_version
    flash("success", "Saved: " + ", ".join(f"{k} = {v or '空'}" for k, v in changed))


def typed(store: Store, rid: int, key: str, version: int, template: str) -> None:
    """Set the cell to the typed value, once it parses as the cell's type."""
    text = st.session_state.get("typed", "")
    try:
        value = parse_value(template, key, text)
    except ValueError as exc:
        flash("error", str(exc))
        return
    decide(store, rid, key, version, value)
    st.session_state.typed = ""


def confirm(store: Store, rid: int, key: str, version: int) -> None:
    """Keep the cell's value and mark it decided."""
    try:
        store.record_decision(
            rid,
            key,
            st.session_state.get("reviewer", ""),
            kind="accept_cell",
            expected_version=version,
            reason=_note(),
        )
        flash("success", f"{key}: confirmed as read")
    except StoreError as exc:
        flash("error", f"Not saved: {exc}")


def accept(
    store: Store, rid: int, version: int, with_source_error: bool, confirm: list[str]
) -> None:
    """Accept the report: clean, or with the source's own error and the typed reason. The
    flagged cells nobody decided (`confirm`, and any the store holds as flagged) are
    confirmed as read, as the screen says."""
    reason = st.session_state.get("reason", "") if with_source_error else None
    try:
        store.accept_report(
            rid,
            st.session_state.get("reviewer", ""),
            with_source_error=with_source_error,
            reason=reason,
            expected_version=version,
            confirm=confirm,
        )
    except StoreError as exc:
        flash("error", f"Not accepted: {exc}")
        return
    flash("success", "Report accepted" + (" with the source's own error" if reason else ""))


def undo(store: Store, decision_id: int) -> None:
    """Reverse one decision (the store refuses when the cell changed since)."""
    try:
        store.undo(decision_id, st.session_state.get("reviewer", ""))
        flash("success", f"Decision #{decision_id} undone")
        for key in ("meta_organ", "meta_year"):  # the inputs show the stored meta again
            st.session_state.pop(key, None)
    except StoreError as exc:
        flash("error", f"Not undone: {exc}")


def sign_in(store: Store) -> None:
    """Check the pasted token; keep only its hash in the session, never the secret."""
    secret = st.session_state.get("token", "")
    st.session_state.token = ""
    if not secret.strip():
        # the field's Enter already signed in (or said why not): keep that message
        st.session_state.setdefault("sign_in_error", "Paste a token first.")
        return
    principal = authenticate(store, secret)
    if principal is None:
        st.session_state.sign_in_error = "Unknown or revoked token."
    elif principal.role not in REVIEWING:
        st.session_state.sign_in_error = (
            f"A {principal.role} token cannot review: ask for a reviewer token."
        )
    else:
        st.session_state.pop("sign_in_error", None)
        st.session_state.token_hash = principal.secret_hash


def sign_out() -> None:
    for key in ("token_hash", "reviewer"):
        st.session_state.pop(key, None)


def select(key: str) -> None:
    """Select a cell: the panel, the grid outline and the source mark follow it."""
    st.session_state.cell = key


def back() -> None:
    """Leave the report for the queue."""
    st.session_state.report_id = None
    for key in PAGE_STATE:
        st.session_state.pop(key, None)


def open_report(report_id: int) -> None:
    """Open a report from the queue, with fresh per-report state."""
    st.session_state.report_id = report_id
    for key in PAGE_STATE:
        st.session_state.pop(key, None)
