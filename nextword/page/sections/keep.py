"""Section 6: download a finished or stopped run as a zip the command line can load."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from nextword.page import resources
from nextword.page.options import HELP
from nextword.training.backend import RunHandle
from nextword.training.checkpoint import zip_run
from nextword.training.progress import Status


def keep_section(key: str, run: RunHandle) -> None:
    progress = run.progress()
    if not progress.has_weights or progress.status not in (Status.FINISHED, Status.STOPPED):
        return
    st.header("6 · Keep the run")
    lock = resources.get_save_lock()
    step = progress.step

    def zipped_run() -> bytes:  # runs when the button is pressed, in a thread of its own
        # The folder is named by the run's key and step only, never by anything a user typed.
        run_dir = Path(tempfile.gettempdir()) / "nextword-runs" / f"{key}-step{step}"
        with lock:
            if not (run_dir / "config.json").exists():
                run.save(run_dir)
            return zip_run(run_dir)

    st.download_button(
        "Download the trained run (.zip)",
        data=zipped_run,
        file_name=f"nextword-run-{key}-step{step}.zip",
        mime="application/zip",
        key="download",
        on_click="ignore",
        help=HELP["download"],
    )
