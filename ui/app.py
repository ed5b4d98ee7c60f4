"""The Streamlit review screen: `streamlit run ui/app.py -- --db FILE` (or `nianbao review`).

Thin: every decision goes through the store's review API (`nianbao.store`), every verdict
through `ui.logic` and the rule engine. This file only lays out the queue and the report.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

import streamlit as st

from nianbao.store import Store, open_store
from ui import queue_page, report_page
from ui.safe_text import md_text

DB_ENV = "NIANBAO_DB"
REVIEWER_ENV = "NIANBAO_REVIEWER"


def db_path(argv: list[str] | None = None) -> Path:
    """The store file: `-- --db FILE` after the script, else $NIANBAO_DB, else ./nianbao.db."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db")
    args, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    return Path(args.db or os.environ.get(DB_ENV) or "nianbao.db")


@st.cache_resource
def _store(path: str) -> Store:
    # One store per server process: the Store is safe to share between sessions' threads.
    return open_store(path)


def _default_reviewer() -> str:
    try:
        return os.environ.get(REVIEWER_ENV) or getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return "reviewer"


def main() -> None:
    st.set_page_config(page_title="nianbao review", page_icon="📑", layout="wide")
    path = db_path()
    if not path.is_file():
        st.error(md_text(f"{path}: no such store. Run `nianbao run` first, or pass --db FILE."))
        st.stop()
    store = _store(str(path.resolve()))
    with st.sidebar:
        st.text_input("Reviewer", value=_default_reviewer(), key="reviewer")
        st.caption("Store: " + md_text(path))
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
