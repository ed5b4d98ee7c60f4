"""The Streamlit review screen: `streamlit run ui/app.py -- --db FILE` (or `nianbao review`).

Thin: every decision goes through the store's review API (`nianbao.store`), every verdict
through `ui.logic` and the rule engine. This file only lays out the queue and the report.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import streamlit as st

from nianbao.service.tokens import REVIEWING, Principal, by_hash
from nianbao.store import Store, open_store
from nianbao.store.location import exists, resolve, shown
from ui import actions, queue_page, report_page
from ui.safe_text import md_text

DB_ENV = "NIANBAO_DB"


def db_path(argv: list[str] | None = None) -> Path | str:
    """The store: `-- --db FILE|URL` after the script, else $NIANBAO_DB, else $NIANBAO_DB_URL,
    else ./nianbao.db (a Path for a SQLite file, the URL for Postgres)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db")
    args, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    return resolve(args.db or os.environ.get(DB_ENV) or None)


@st.cache_resource
def _store(path: str) -> Store:
    # One store per server process: the Store is safe to share between sessions' threads.
    return open_store(path)


def signed_in(store: Store) -> Principal:
    """The signed-in reviewer, re-checked on every render (a revoked token signs out); else
    the sign-in form, and nothing more of the page."""
    digest = st.session_state.get("token_hash")
    principal = by_hash(store, digest) if digest else None
    if principal is not None and principal.role in REVIEWING:
        st.session_state.reviewer = principal.name  # what every decision records
        return principal
    actions.sign_out()
    st.title("nianbao review: sign in")
    st.caption("Paste your API token (from `nianbao token create --role reviewer`).")
    st.text_input(
        "API token", type="password", key="token", on_change=actions.sign_in, args=(store,)
    )
    st.button("Sign in", key="sign_in", on_click=actions.sign_in, args=(store,))
    if "sign_in_error" in st.session_state:
        st.error(st.session_state.sign_in_error)
    st.stop()
    raise AssertionError("unreachable: st.stop() ends the script run")


def main() -> None:
    st.set_page_config(page_title="nianbao review", page_icon="📑", layout="wide")
    path = db_path()
    if not exists(path):
        missing = f"{shown(path)}: no such store. Run `nianbao run` first, or pass --db FILE."
        st.error(md_text(missing))
        st.stop()
    store = _store(str(path.resolve()) if isinstance(path, Path) else path)
    principal = signed_in(store)
    with st.sidebar:
        st.markdown("Signed in as **" + md_text(principal.name) + f"** ({principal.role})")
        st.button("Sign out", key="sign_out", on_click=actions.sign_out)
        st.caption("Store: " + md_text(shown(path)))
    if "report_id" not in st.session_state:
        wanted = st.query_params.get("report")
        st.session_state.report_id = int(wanted) if wanted and wanted.isdigit() else None
    report_id = st.session_state.report_id
    if report_id is None:
        st.query_params.clear()
        queue_page.render(store)
    else:
        st.query_params["report"] = str(report_id)
        report_page.render(store, int(report_id), st.session_state.reviewer)


if __name__ == "__main__":  # streamlit runs this file as __main__; importing it runs nothing
    main()
